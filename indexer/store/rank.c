/* rank.c - ks_rank(tbl, title_weight, quote_weight[, cheap]), the FTS5
 * auxiliary function search.c ranks matches with. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "memo.h"
#include "store_internal.h"

/* ---- ks_rank(tbl, title_weight, quote_weight[, cheap[, groups]]) ----
 *
 * FTS5's BM25 (k1 1.2, b 0.75, column weights on term frequency, document
 * length over all columns), returned as a positive score. FTS5's bm25()
 * counts every phrase's matching rows with a full extra pass to get its
 * IDF; with a single phrase the IDF only scales every score alike, so it is
 * skipped, and with cheap = 1 it is always skipped (per-row scores of one
 * page).
 *
 * groups (optional text, one byte per phrase of the expression, in order)
 * marks phrases that are spellings of one term (bilingual/variant
 * expansion: ransomware OR ランサムウェア): phrases with the same byte are
 * one BM25 term, their frequencies summed and their document counts added
 * for one IDF, so a rare spelling does not outweigh the common one. */
struct rank_data {
	int n_phrase, n_group;
	int *group; /* each phrase's term (0..n_group) */
	double avgdl;
	double *idf;  /* per term */
	double *freq; /* per term */
	long rows;    /* rows scored by this statement */
	size_t hint;  /* where the last memo lookup ended */
};

/* What ks_rank_register gives the function: the connection's memo of
 * document lengths, and the connection to load it from. */
struct rank_env {
	struct ks_memo *memo;
	sqlite3 *db;
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
		free(d);
	}
}

/* Computes the per-query constants on the first row: each phrase's term
 * (groups, NULL: one term per phrase) and each term's IDF. */
static int rank_data_get(const Fts5ExtensionApi *api, Fts5Context *fts, int cheap,
			 const unsigned char *groups, struct rank_data **out)
{
	struct rank_data *d = api->xGetAuxdata(fts, 0);
	if (d) {
		*out = d;
		return SQLITE_OK;
	}
	sqlite3_int64 nrow = 0, ntok = 0;
	int rc = api->xRowCount(fts, &nrow);
	if (rc == SQLITE_OK)
		rc = api->xColumnTotalSize(fts, -1, &ntok);
	if (rc != SQLITE_OK)
		return rc;
	d = calloc(1, sizeof *d);
	int np = api->xPhraseCount(fts);
	size_t ng = groups ? strlen((const char *)groups) : 0;
	sqlite3_int64 *df = NULL;
	if (!d || !(d->idf = calloc((size_t)np + 1, sizeof *d->idf)) ||
	    !(d->freq = calloc((size_t)np + 1, sizeof *d->freq)) ||
	    !(d->group = calloc((size_t)np + 1, sizeof *d->group)) ||
	    !(df = calloc((size_t)np + 1, sizeof *df))) {
		rank_data_free(d);
		return SQLITE_NOMEM;
	}
	d->n_phrase = np;
	d->avgdl = nrow > 0 ? (double)ntok / (double)nrow : 1.0;
	/* terms: phrases with the same group byte share one, in first-seen order */
	for (int i = 0; i < np; i++) {
		d->group[i] = d->n_group;
		for (int j = 0; j < i && (size_t)i < ng; j++)
			if (groups[j] == groups[i]) {
				d->group[i] = d->group[j];
				break;
			}
		if (d->group[i] == d->n_group)
			d->n_group++;
	}
	for (int g = 0; g < d->n_group; g++)
		d->idf[g] = 1.0;
	if (d->n_group > 1 && !cheap) {
		for (int i = 0; i < np && rc == SQLITE_OK; i++) {
			sqlite3_int64 nhit = 0;
			rc = api->xQueryPhrase(fts, i, &nhit, count_cb);
			df[d->group[i]] += nhit; /* a union's size at most: spellings rarely mix */
		}
		for (int g = 0; g < d->n_group; g++) {
			double n = df[g] < nrow ? (double)df[g] : (double)nrow;
			double idf = log(((double)nrow - n + 0.5) / (n + 0.5));
			d->idf[g] = idf > 1e-6 ? idf : 1e-6;
		}
	}
	free(df);
	if (rc == SQLITE_OK)
		rc = api->xSetAuxdata(fts, d, rank_data_free);
	else
		rank_data_free(d);
	if (rc == SQLITE_OK)
		*out = d;
	return rc;
}

/* The row's length over all columns: from the connection's memo when it
 * has one (loaded once this statement has scored KS_MEMO_LOAD_AFTER rows
 * one by one), else from FTS5's docsize table (a B-tree seek per row). */
static int doc_length(const Fts5ExtensionApi *api, Fts5Context *fts, struct rank_data *d, int *len)
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

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nVal,
		    sqlite3_value **apVal)
{
	const double k1 = 1.2, b = 0.75;
	int cheap = nVal > 2 && sqlite3_value_int(apVal[2]);
	const unsigned char *groups = nVal > 3 ? sqlite3_value_text(apVal[3]) : NULL;
	struct rank_data *d = NULL;
	int rc = rank_data_get(api, fts, cheap, groups, &d);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	/* each phrase's own position list: xInst would first merge every
	 * phrase's instances into one sorted list, a cost per instance that
	 * grows with the number of phrases */
	double w[2] = {nVal > 0 ? sqlite3_value_double(apVal[0]) : 0,
		       nVal > 1 ? sqlite3_value_double(apVal[1]) : 0};
	memset(d->freq, 0, (size_t)d->n_group * sizeof *d->freq);
	for (int p = 0; p < d->n_phrase && rc == SQLITE_OK; p++) {
		Fts5PhraseIter it;
		int col = -1, off;
		rc = api->xPhraseFirst(fts, p, &it, &col, &off);
		for (; rc == SQLITE_OK && col >= 0; api->xPhraseNext(fts, &it, &col, &off))
			if (col < 2)
				d->freq[d->group[p]] += w[col];
	}
	int len = 0;
	if (rc == SQLITE_OK)
		rc = doc_length(api, fts, d, &len);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	double score = 0, norm = k1 * (1 - b + b * (double)len / d->avgdl);
	for (int g = 0; g < d->n_group; g++)
		if (d->freq[g] > 0)
			score += d->idf[g] * (d->freq[g] * (k1 + 1)) / (d->freq[g] + norm);
	sqlite3_result_double(ctx, score);
}

int ks_rank_register(fts5_api *api, sqlite3 *db, struct ks_memo *memo)
{
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
