/* rank.c - ks_rank(tbl, title_weight, quote_weight, mode, phrases), the
 * FTS5 auxiliary function the search layer ranks matches with.
 *
 * BM25 (k1, b) over the query's terms, where a term's frequency in a row
 * is the weighted count of its phrases' occurrences:
 *   - an occurrence that starts and ends on word boundaries (the item's
 *     word map, memo.h: MeCab or ICU words, recorded at indexing) counts
 *     with its column's weight (the title's ten times a quote's);
 *   - one inside a longer word (`京都` in 東京都, `ライン` in ガイドライン)
 *     counts W_INSIDE whatever its column: the title weight is for words;
 *   - a spelling that expansion added (bilingual, kana, inflection) counts
 *     W_SPELLING of that, so it ranks below the query's own spelling.
 * Document length is the item's length in words (not in tokens: a Japanese
 * character is a token, a word is two on average), against the mean, and
 * weighs little (b = 0.1): a long report that names a term in its title
 * and again in its text is about it, not diluted by its length. With the
 * title ten times a quote, 0.1 for a match inside a word and 0.1 for an
 * added spelling, an aligned title match outranks any number of matches
 * inside words, and an expansion ranks like a match inside a word.
 * Phrases of one term (its spellings) are one BM25 term: frequencies
 * summed, document counts added for one IDF. Terms standing close together
 * multiply the score by up to 1 + W_NEAR (proximity).
 *
 * mode 0 is a relevance sort's score; 1 skips the IDF pass (a date sort
 * scores its page row by row); 2 returns, instead of a score, the parts of
 * it as a struct ks_score_parts blob (explain). phrases is the query's
 * typed phrase list (phrase.h), bound with sqlite3_bind_pointer; without
 * it every phrase is its own term and every occurrence counts as a word.
 * An index without word maps (built before them) ranks as if every match
 * were a whole word, with lengths in tokens. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kensaku/hit.h"
#include "kensaku/phrase.h"
#include "memo.h"
#include "store_internal.h"

/* The constants, measured with tests/bench/rank_judged.py (README). A
 * build with -DKS_RANK_TUNING reads them from $KS_RANK_TUNE ("k1 b inside
 * spelling near") to measure others; the product never does. */
static struct {
	double k1, b;
	double inside;	 /* an occurrence inside a longer word */
	double spelling; /* an occurrence of an added spelling, as a factor */
	double near;	 /* the most proximity adds, as a factor */
} T = {1.2, 0.1, 0.1, 0.1, 0.5};
#define K1 T.k1
#define B T.b
#define W_INSIDE T.inside
#define W_SPELLING T.spelling
#define W_NEAR T.near
#define NEAR_MAX 64 /* occurrences of a term proximity looks at */

/* What ks_rank_register gives the function: the connection's memo of
 * document lengths and word maps, and the connection to load it from. */
struct rank_env {
	struct ks_memo *memo;
	sqlite3 *db;
};

/* One occurrence, for proximity. */
struct occ {
	int col, off, group, span;
};

/* The per-statement constants, computed on the first row. */
struct rank_data {
	double w[2];	      /* column weights (constants of the statement) */
	struct ks_memo *memo; /* word maps and lengths; NULL without */
	int n_phrase, n_group, n_pos_group;
	int *group;			  /* each phrase's term (0..n_group) */
	const struct ks_query_phrase *ph; /* NULL without a phrase list */
	double avgdl;
	int words; /* 1: lengths in words and word maps from the memo */
	double *idf;  /* per term */
	double *freq; /* per term, per row */
	struct occ *occ;
	int n_occ, cap_occ;
	int *cnt; /* per term, for proximity */
	long rows;   /* rows scored by this statement */
	size_t hint; /* where the last memo lookup ended */
};

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
	(void)api, (void)fts;
	++*(sqlite3_int64 *)ctx;
	return SQLITE_OK;
}

static void rank_data_free(void *p)
{
	struct rank_data *d = p;
	if (d) {
		free(d->group);
		free(d->idf);
		free(d->freq);
		free(d->occ);
		free(d->cnt);
		free(d);
	}
}

/* Each phrase's term: from the phrase list, else one term per phrase. */
static void set_groups(struct rank_data *d, const struct ks_query_phrases *pl)
{
	for (int i = 0; i < d->n_phrase; i++) {
		int term = pl && (size_t)i < pl->n ? pl->v[i].term : -1 - i;
		d->group[i] = d->n_group;
		for (int j = 0; j < i; j++) {
			int tj = pl && (size_t)j < pl->n ? pl->v[j].term : -1 - j;
			if (tj == term) {
				d->group[i] = d->group[j];
				break;
			}
		}
		if (d->group[i] == d->n_group) {
			d->n_group++;
			if (!d->ph || !(d->ph[i].flags & KS_PH_EXCLUDED))
				d->n_pos_group++;
		}
	}
}

/* Each term's IDF, from its phrases' document counts (one pass over each
 * doclist: skipped with a single term, where it only scales every score
 * alike, and in cheap mode). */
static int set_idf(const Fts5ExtensionApi *api, Fts5Context *fts, struct rank_data *d,
		   sqlite3_int64 nrow, int cheap)
{
	int rc = SQLITE_OK;
	for (int g = 0; g < d->n_group; g++)
		d->idf[g] = 1.0;
	if (d->n_group < 2 || cheap)
		return rc;
	sqlite3_int64 *df = calloc((size_t)d->n_group, sizeof *df);
	if (!df)
		return SQLITE_NOMEM;
	for (int i = 0; i < d->n_phrase && rc == SQLITE_OK; i++) {
		sqlite3_int64 nhit = 0;
		rc = api->xQueryPhrase(fts, i, &nhit, count_cb);
		df[d->group[i]] += nhit; /* a union's size at most: spellings rarely mix */
	}
	for (int g = 0; g < d->n_group; g++) {
		double n = df[g] < nrow ? (double)df[g] : (double)nrow;
		double idf = log(((double)nrow - n + 0.5) / (n + 0.5));
		d->idf[g] = idf > 1e-6 ? idf : 1e-6;
	}
	free(df);
	return rc;
}

/* The mean length: in words from the memo when the index has word maps,
 * else in tokens from FTS5. */
static int set_avgdl(const Fts5ExtensionApi *api, Fts5Context *fts, struct rank_data *d,
		     sqlite3_int64 nrow)
{
	struct rank_env *env = api->xUserData(fts);
	int rc;
	/* an index without word maps loads nothing, and is ranked in tokens;
	 * a failed load fails the query (other scores would be wrong) */
	if (env && env->memo && !ks_memo_words_ready(env->memo) &&
	    (rc = ks_memo_words_load(env->memo, env->db)) != SQLITE_OK)
		return rc;
	d->memo = env ? env->memo : NULL;
	if (env && env->memo && ks_memo_words_ready(env->memo) &&
	    ks_memo_words_present(env->memo)) {
		d->words = 1;
		d->avgdl = ks_memo_words_avg(env->memo);
		return SQLITE_OK;
	}
	sqlite3_int64 ntok = 0;
	rc = api->xColumnTotalSize(fts, -1, &ntok);
	d->avgdl = nrow > 0 ? (double)ntok / (double)nrow : 1.0;
	return rc;
}

static struct rank_data *rank_data_new(int np)
{
	struct rank_data *d = calloc(1, sizeof *d);
	size_t n = (size_t)np + 1;
	if (!d || !(d->idf = calloc(n, sizeof *d->idf)) || !(d->freq = calloc(n, sizeof *d->freq)) ||
	    !(d->group = calloc(n, sizeof *d->group)) || !(d->cnt = calloc(n, sizeof *d->cnt))) {
		rank_data_free(d);
		return NULL;
	}
	d->n_phrase = np;
	return d;
}

/* The per-statement constants (first row): weights, terms, IDFs, mean
 * length. The arguments (weights, phrase list) are read once: they are the
 * statement's constants, and sqlite3_value_pointer compares type names. */
static int rank_data_get(const Fts5ExtensionApi *api, Fts5Context *fts, int cheap, int nVal,
			 sqlite3_value **apVal, struct rank_data **out)
{
	struct rank_data *d = api->xGetAuxdata(fts, 0);
	if (d) {
		*out = d;
		return SQLITE_OK;
	}
	const struct ks_query_phrases *pl =
	    nVal > 3 ? sqlite3_value_pointer(apVal[3], KS_PHRASES_POINTER) : NULL;
	sqlite3_int64 nrow = 0;
	int rc = api->xRowCount(fts, &nrow);
	if (rc != SQLITE_OK)
		return rc;
	if (!(d = rank_data_new(api->xPhraseCount(fts))))
		return SQLITE_NOMEM;
	for (int i = 0; i < 2; i++)
		d->w[i] = nVal > i ? sqlite3_value_double(apVal[i]) : 0;
	if (pl && pl->n == (size_t)d->n_phrase)
		d->ph = pl->v;
	set_groups(d, d->ph ? pl : NULL);
	rc = set_idf(api, fts, d, nrow, cheap);
	if (rc == SQLITE_OK)
		rc = set_avgdl(api, fts, d, nrow);
	if (rc == SQLITE_OK)
		rc = api->xSetAuxdata(fts, d, rank_data_free);
	else
		rank_data_free(d);
	if (rc == SQLITE_OK)
		*out = d;
	return rc;
}

/* 1 when FTS5 position off of a column whose word map is bits[0..n)
 * starts a word (positions past the map do, as do those of an item
 * without a map). */
static int starts_word(const unsigned char *bits, int n, int off)
{
	if (off < 0 || off / 8 >= n)
		return 1;
	return !(bits[off / 8] & (1u << (off % 8)));
}

/* One row as ranking sees it. */
struct row {
	struct ks_words_row w;
	int have_map; /* w holds the row's word map */
	int len;      /* in words when the index has maps, else in tokens */
};

/* The row's length in tokens: from the connection's memo when it has one
 * (loaded once this statement has scored KS_MEMO_LOAD_AFTER rows one by
 * one), else from FTS5's docsize table (a B-tree seek per row). */
static int token_length(const Fts5ExtensionApi *api, Fts5Context *fts, struct rank_data *d,
			int *len)
{
	struct rank_env *env = api->xUserData(fts);
	if (env && env->memo) {
		if (!ks_memo_lengths_ready(env->memo) && d->rows == KS_MEMO_LOAD_AFTER)
			ks_memo_lengths_load(env->memo, env->db); /* on failure: row by row */
		d->rows++;
		if (ks_memo_lengths_ready(env->memo)) {
			if (ks_memo_length(env->memo, api->xRowid(fts), len, &d->hint))
				return SQLITE_OK;
			ks_memo_note_miss(env->memo); /* added since the load */
		}
	}
	return api->xColumnSize(fts, -1, len);
}

/* The row's word map and length. A row added since the memo was loaded
 * has no map in it: its length is taken in tokens, and every match counts
 * as a word, until the memo reloads. */
static int row_get(const Fts5ExtensionApi *api, Fts5Context *fts, struct rank_data *d,
		   struct row *r)
{
	memset(r, 0, sizeof *r);
	if (d->words) {
		if (ks_memo_words(d->memo, api->xRowid(fts), &r->w, &d->hint)) {
			r->have_map = 1;
			r->len = (int)r->w.words;
			return SQLITE_OK;
		}
		ks_memo_note_miss(d->memo);
		return api->xColumnSize(fts, -1, &r->len);
	}
	return token_length(api, fts, d, &r->len);
}

/* The weight of phrase p's occurrence at (col, off), counted in parts
 * when not NULL. */
static double weigh(const struct rank_data *d, const struct row *r, int p, int col, int off,
		    struct ks_score_parts *parts)
{
	int span = d->ph ? d->ph[p].span : 0;
	const unsigned char *bits = col == 0 ? r->w.title : r->w.quote;
	int nb = col == 0 ? r->w.n_title : r->w.n_quote;
	int aligned = !r->have_map || (starts_word(bits, nb, off) &&
				       (span == 0 || starts_word(bits, nb, off + span)));
	int spelling = d->ph && (d->ph[p].flags & KS_PH_SPELLING);
	double x = (aligned ? d->w[col] : W_INSIDE) * (spelling ? W_SPELLING : 1.0);
	if (parts) {
		if (!aligned)
			parts->inside++;
		else if (col == 0)
			parts->title_words++;
		else
			parts->quote_words++;
		parts->spellings += spelling;
	}
	return x;
}

/* Notes an occurrence for proximity (the first NEAR_MAX * 4 of a row).
 * An SQLite code. */
static int note_occ(struct rank_data *d, int col, int off, int group, int span)
{
	if (d->n_occ == d->cap_occ) {
		int cap = d->cap_occ ? d->cap_occ * 2 : 32;
		if (cap > NEAR_MAX * 4)
			return SQLITE_OK;
		struct occ *o = realloc(d->occ, (size_t)cap * sizeof *o);
		if (!o)
			return SQLITE_NOMEM;
		d->occ = o;
		d->cap_occ = cap;
	}
	d->occ[d->n_occ++] = (struct occ){col, off, group, span > 0 ? span : 1};
	return SQLITE_OK;
}

static int by_place(const void *a, const void *b)
{
	const struct occ *x = a, *y = b;
	if (x->col != y->col)
		return x->col - y->col;
	return x->off - y->off;
}

/* Sorts the row's occurrences by place. They come as an ascending run per
 * phrase, and few: an insertion sort (stable, as glibc's qsort, a merge
 * sort, is: the same order for occurrences at one place) up to
 * SORT_INSERT of them. */
#define SORT_INSERT 32
static void sort_occ(struct occ *o, int n)
{
	if (n > SORT_INSERT) {
		qsort(o, (size_t)n, sizeof *o, by_place);
		return;
	}
	for (int i = 1; i < n; i++) {
		struct occ x = o[i];
		int j = i;
		for (; j > 0 && by_place(&o[j - 1], &x) > 0; j--)
			o[j] = o[j - 1];
		o[j] = x;
	}
}

/* The proximity factor: 1 + W_NEAR for the query's terms side by side in
 * one column, falling with the slack between them; 1 when the row has
 * fewer than two terms in a column. d->cnt has a counter per term. */
static double near_factor(struct rank_data *d)
{
	int n = d->n_pos_group, best = -1, *cnt = d->cnt;
	if (n < 2 || d->n_occ < n)
		return 1.0;
	memset(cnt, 0, (size_t)d->n_group * sizeof *cnt);
	sort_occ(d->occ, d->n_occ);
	int covered = 0;
	for (int lo = 0, hi = 0; hi < d->n_occ; hi++) {
		if (d->occ[hi].col != d->occ[lo].col) {
			memset(cnt, 0, (size_t)d->n_group * sizeof *cnt);
			covered = 0;
			lo = hi;
		}
		covered += cnt[d->occ[hi].group]++ == 0;
		for (; covered == n; lo++) {
			int w = d->occ[hi].off - d->occ[lo].off, s = d->occ[lo].span;
			int slack = w - (n - 1) * s;
			slack = slack < 0 ? 0 : slack;
			if (best < 0 || slack < best)
				best = slack;
			covered -= --cnt[d->occ[lo].group] == 0;
		}
	}
	return best < 0 ? 1.0 : 1.0 + W_NEAR / (1.0 + best / 2.0);
}

/* The row's score (and its parts when parts is not NULL). */
static int score_row(const Fts5ExtensionApi *api, Fts5Context *fts, struct rank_data *d,
		     struct ks_score_parts *parts, double *score)
{
	struct row r;
	int rc = row_get(api, fts, d, &r);
	memset(d->freq, 0, (size_t)d->n_group * sizeof *d->freq);
	d->n_occ = 0;
	/* each phrase's own position list: xInst would first merge every
	 * phrase's instances into one sorted list */
	for (int p = 0; p < d->n_phrase && rc == SQLITE_OK; p++) {
		Fts5PhraseIter it;
		int col = -1, off, g = d->group[p], span = d->ph ? d->ph[p].span : 1;
		rc = api->xPhraseFirst(fts, p, &it, &col, &off);
		for (; rc == SQLITE_OK && col >= 0; api->xPhraseNext(fts, &it, &col, &off)) {
			if (col > 1)
				continue;
			d->freq[g] += weigh(d, &r, p, col, off, parts);
			if (d->n_pos_group > 1 && (rc = note_occ(d, col, off, g, span)) != SQLITE_OK)
				break;
		}
	}
	double s = 0, norm = K1 * (1 - B + B * (double)r.len / d->avgdl);
	for (int g = 0; g < d->n_group; g++)
		if (d->freq[g] > 0)
			s += d->idf[g] * (d->freq[g] * (K1 + 1)) / (d->freq[g] + norm);
	double near = near_factor(d);
	*score = s * near;
	if (parts) {
		parts->words = r.len;
		parts->avg_words = d->avgdl;
		parts->proximity = near;
		parts->bm25 = s;
		parts->in_words = d->words;
	}
	return rc;
}

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nVal,
		    sqlite3_value **apVal)
{
	int mode = nVal > 2 ? sqlite3_value_int(apVal[2]) : 0;
	struct rank_data *d = NULL;
	struct ks_score_parts parts;
	double score = 0;
	memset(&parts, 0, sizeof parts);
	int rc = rank_data_get(api, fts, mode != 0, nVal, apVal, &d);
	if (rc == SQLITE_OK)
		rc = score_row(api, fts, d, mode == 2 ? &parts : NULL, &score);
	if (rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, rc);
	else if (mode == 2)
		sqlite3_result_blob(ctx, &parts, (int)sizeof parts, SQLITE_TRANSIENT);
	else
		sqlite3_result_double(ctx, score);
}

int ks_rank_register(fts5_api *api, sqlite3 *db, struct ks_memo *memo)
{
#ifdef KS_RANK_TUNING
	const char *tune = getenv("KS_RANK_TUNE");
	if (tune)
		sscanf(tune, "%lf %lf %lf %lf %lf", &T.k1, &T.b, &T.inside, &T.spelling, &T.near);
#endif
	if (!memo)
		return api->xCreateFunction(api, "ks_rank", NULL, rank_fn, NULL);
	struct rank_env *env = malloc(sizeof(*env));
	if (!env)
		return SQLITE_NOMEM;
	env->memo = memo;
	env->db = db;
	/* FTS5 takes env (and frees it with the function) only on success */
	int rc = api->xCreateFunction(api, "ks_rank", env, rank_fn, free);
	if (rc != SQLITE_OK)
		free(env);
	return rc;
}
