/* scan.c - the one walk over the matching rowids, for search.c, trend.c,
 * csv.c and feed.c (scan.h). The filters: from/to become a
 * rowid range (a date filter leaves undated items out), the section is the
 * id in the rowid's low bits, the entity filter a sorted set of rowids. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "entities_internal.h"
#include "kensaku/date.h"
#include "kensaku/variants.h"
#include "kensaku/vocab.h"
#include "rowid.h"
#include "sites.h"
#include "scan.h"
#include "store_internal.h"

#define FROM_MATCH " FROM items_fts WHERE items_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3"
#define FROM_ITEMS " FROM items WHERE rowid BETWEEN ?2 AND ?3"
#define NOT_MATCH " AND rowid NOT IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?1)"
#define FULL "ks_rank(items_fts, " KS_RANK_WEIGHTS ", 0, ?4)"
#define CHEAP "ks_rank(items_fts, " KS_RANK_WEIGHTS ", 1, ?4)"

/* [kind][score][order]: kind 0 match, 1 browse, 2 exclusions only */
static const char M_NONE_ASC[] = "SELECT rowid, 0.0" FROM_MATCH " ORDER BY rowid";
static const char M_FULL_ASC[] = "SELECT rowid, " FULL FROM_MATCH " ORDER BY rowid";
static const char M_CHEAP_ASC[] = "SELECT rowid, " CHEAP FROM_MATCH " ORDER BY rowid";
static const char A_ASC[] = "SELECT rowid, 0.0" FROM_ITEMS " ORDER BY rowid";
static const char A_DESC[] = "SELECT rowid, 0.0" FROM_ITEMS " ORDER BY rowid DESC";
static const char X_ASC[] = "SELECT rowid, 0.0" FROM_ITEMS NOT_MATCH " ORDER BY rowid";
static const char X_DESC[] = "SELECT rowid, 0.0" FROM_ITEMS NOT_MATCH " ORDER BY rowid DESC";
/* "+rowid": no rowid range search, so SQLite scans its smallest covering
 * index (a few bytes per item) rather than the items table's pages */
static const char A_ANY[] = "SELECT rowid, 0.0 FROM items WHERE +rowid BETWEEN ?2 AND ?3";
static const char X_ANY[] = "SELECT rowid, 0.0 FROM items WHERE +rowid BETWEEN ?2 AND ?3" NOT_MATCH;
static const char EXPLAIN[] = "SELECT ks_rank(items_fts, " KS_RANK_WEIGHTS ", 2, ?4)"
			      " FROM items_fts WHERE items_fts MATCH ?1 AND rowid = ?2";
static const char SECTION_ID[] = "SELECT id FROM sections WHERE name = ?1";

/* 1 when folded is a word of letters a-z (what the index's inflections
 * are looked up for). */
static int latin_word(const char *folded)
{
	for (const char *c = folded; *c; c++)
		if (*c < 'a' || *c > 'z')
			return 0;
	return *folded != 0;
}

/* What the expander of a search works with: the store, and why a
 * vocabulary lookup failed (the translator only knows out of memory). */
struct expand_ctx {
	struct ks_store *s;
	int rc; /* KS_OK, or the failed lookup's code (err holds its message) */
	struct ks_err err;
};

/* The expander of a search (query.h): a term's kana spellings, then the
 * inflections of an English word the index holds. A lookup that ran out
 * of memory or time fails the translation (a search without them would be
 * another one), with its own code and message kept in the context; one
 * that failed on the file (a damaged index) adds none, and the search's
 * own statements then report the damage as such. */
static int spellings(void *ctx, const char *folded, char **out, int max)
{
	struct expand_ctx *x = ctx;
	int n = ks_kana_variants(folded, out, max);
	if (n < 0 || n >= max || !latin_word(folded))
		return n;
	int k = ks_vocab_inflections(x->s, folded, out + n, max - n, &x->err);
	if (k == -KS_ERR_NOMEM || k == -KS_ERR_TIMEOUT) {
		while (n > 0)
			free(out[--n]);
		x->rc = -k;
		return -1;
	}
	return n + (k > 0 ? k : 0);
}

/* Keeps in the n ascending rowids of v those also in w[0..nw); *n updated. */
static void intersect(sqlite3_int64 *v, size_t *n, const sqlite3_int64 *w, size_t nw)
{
	size_t k = 0;
	for (size_t i = 0; i < *n; i++)
		if (ks_entities_has(w, nw, v[i]))
			v[k++] = v[i];
	*n = k;
}

/* The site: terms of sc's query as a rowid set, intersected with the
 * entity filter's (both are one filter of the walk), and the -site: terms
 * as the set left out. */
static int site_filters(struct ks_store *s, struct ks_scan *sc, struct ks_err *err)
{
	sqlite3_int64 *v = NULL;
	size_t n = 0;
	int rc = KS_OK;
	if (sc->q.n_sites &&
	    (rc = ks_sites_items(s, sc->q.sites, sc->q.n_sites, &v, &n, err)) == KS_OK) {
		if (sc->has_ent) {
			intersect(sc->ent, &sc->n_ent, v, n);
			free(v);
		} else {
			sc->ent = v;
			sc->n_ent = n;
			sc->has_ent = 1;
		}
	}
	if (rc == KS_OK && sc->q.n_not_sites)
		rc = ks_sites_items(s, sc->q.not_sites, sc->q.n_not_sites, &sc->out, &sc->n_out,
				    err);
	return rc;
}

int ks_scan_init(struct ks_store *s, const struct ks_search_params *p, struct ks_scan *sc,
		 struct ks_err *err)
{
	struct expand_ctx xc = {s, KS_OK, {""}};
	const struct ks_query_expander x = {spellings, &xc};
	memset(sc, 0, sizeof *sc);
	sc->hi = INT64_MAX;
	sc->sec = -1;
	ks_deadline_start(&sc->dl, p->deadline_ms);
	ks_store_deadline(s, p->deadline_ms);
	int rc = ks_query_translate_ex(ks_store_tok(s), p->q, p->expand ? KS_QUERY_EXPAND : 0, &x,
				       &sc->q);
	if (rc != KS_OK && xc.rc != KS_OK)
		return ks_err_set(err, xc.rc, "%s", xc.err.msg);
	if (rc != KS_OK)
		return ks_err_set(err, rc, "[scan] out of memory");
	sc->fts = sc->q.kind == KS_Q_EXCLUDE ? sc->q.exclude : sc->q.match;
	sc->pl.v = sc->q.phrases;
	sc->pl.n = sc->q.n_phrases;
	sc->none = sc->q.kind == KS_Q_NONE;
	ks_rowid_date_range(p->from, p->to, &sc->lo, &sc->hi);
	if (p->section && !sc->none) {
		sqlite3_stmt *st = ks_store_stmt(s, SECTION_ID, err);
		if (!st)
			return ks_store_rc(s);
		sqlite3_bind_text(st, 1, p->section, -1, SQLITE_STATIC);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW)
			sc->sec = sqlite3_column_int(st, 0);
		else if (r == SQLITE_DONE)
			sc->none = 1; /* no item has that section */
		else
			rc = ks_store_dberr(s, "section", err);
		sqlite3_reset(st);
		if (rc != KS_OK)
			return rc;
	}
	if (p->entity && !sc->none) {
		sc->has_ent = 1;
		rc = ks_entities_items(s, p->entity, &sc->ent, &sc->n_ent, err);
	}
	if (rc == KS_OK && !sc->none)
		rc = site_filters(s, sc, err);
	return rc;
}

void ks_scan_clear(struct ks_store *s, struct ks_scan *sc)
{
	if (s)
		ks_store_deadline(s, 0);
	ks_query_clear(&sc->q);
	free(sc->ent);
	free(sc->out);
	memset(sc, 0, sizeof *sc);
}

static const char *walk_sql(enum ks_query_kind k, enum ks_scan_order order,
			    enum ks_scan_score score, int whole)
{
	int desc = order == KS_SCAN_DESC, any = order == KS_SCAN_ANY && whole;
	if (k == KS_Q_EXCLUDE)
		return any ? X_ANY : desc ? X_DESC : X_ASC;
	if (k != KS_Q_MATCH)
		return any ? A_ANY : desc ? A_DESC : A_ASC;
	/* matches are read upwards only (walk_down) */
	if (score == KS_SCORE_FULL)
		return M_FULL_ASC;
	if (score == KS_SCORE_CHEAP)
		return M_CHEAP_ASC;
	return M_NONE_ASC;
}

void ks_deadline_start(struct ks_deadline *d, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, &d->t0);
	d->ms = ms > 0 ? ms : 0;
}

int ks_deadline_passed(struct ks_store *s, const struct ks_deadline *d)
{
	if (s && ks_store_deadline_hit(s))
		return 1;
	if (!d->ms)
		return 0;
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms =
	    (double)(t1.tv_sec - d->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - d->t0.tv_nsec) / 1e6;
	return ms >= (double)d->ms;
}

/* Rows a walk hands to its callback between two looks at the clock. */
#define CHECK_EVERY 64

/* 1 when rowid passes the filters a walk applies itself: section, the
 * rowid set (entity and site:) when the walk is not that set, -site:. */
static int kept(const struct ks_scan *sc, sqlite3_int64 rowid, int in_set)
{
	return (sc->sec == -1 || ks_rowid_section(rowid) == sc->sec) &&
	       (in_set || !sc->has_ent || ks_entities_has(sc->ent, sc->n_ent, rowid)) &&
	       !(sc->n_out && ks_entities_has(sc->out, sc->n_out, rowid));
}

static int timeout(struct ks_err *err)
{
	return ks_err_set(err, KS_ERR_TIMEOUT, "[scan] the query took too long");
}

/* Browsing with an entity or site: filter: the filter's own sorted set is the walk
 * (no SQL: it was read, under the deadline, by ks_scan_init). */
static int walk_set(struct ks_store *s, const struct ks_scan *sc, sqlite3_int64 lo,
		    sqlite3_int64 hi, enum ks_scan_order order, ks_scan_fn fn, void *ctx,
		    struct ks_err *err)
{
	size_t n = sc->n_ent;
	for (size_t k = 0; k < n; k++) {
		sqlite3_int64 r = sc->ent[order == KS_SCAN_DESC ? n - 1 - k : k];
		if (r < lo || r > hi || !kept(sc, r, 1))
			continue;
		if (k % CHECK_EVERY == 0 && ks_deadline_passed(s, &sc->dl))
			return timeout(err);
		if (fn(ctx, r, 0.0))
			break;
	}
	return KS_OK;
}

/* Runs the walk's statement over [lo, hi] in order, calling fn for each
 * row the filters keep (see ks_scan_walk). */
static int walk_stmt(struct ks_store *s, const struct ks_scan *sc, sqlite3_int64 lo,
		     sqlite3_int64 hi, enum ks_scan_order order, enum ks_scan_score score,
		     ks_scan_fn fn, void *ctx, struct ks_err *err)
{
	int whole = lo <= 0 && hi == INT64_MAX;
	sqlite3_stmt *st = ks_store_stmt(s, walk_sql(sc->q.kind, order, score, whole), err);
	if (!st)
		return ks_store_rc(s);
	if (sc->fts)
		sqlite3_bind_text(st, 1, sc->fts, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	int ranked = sqlite3_bind_parameter_count(st) >= 4;
	if (ranked) /* the statement is cached: unbound again below */
		sqlite3_bind_pointer(st, 4, (void *)&sc->pl, KS_PHRASES_POINTER, NULL);
	int r, rc = KS_OK;
	size_t taken = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 rowid = sqlite3_column_int64(st, 0);
		if (!kept(sc, rowid, 0))
			continue;
		/* the statement is under the progress handler; what fn does is not */
		if (taken++ % CHECK_EVERY == 0 && ks_deadline_passed(s, &sc->dl)) {
			rc = timeout(err);
			break;
		}
		if (fn(ctx, rowid, sqlite3_column_double(st, 1)))
			break;
	}
	if (rc == KS_OK && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = ks_store_dberr(s, "scan", err);
	sqlite3_reset(st);
	if (ranked)
		sqlite3_bind_null(st, 4);
	return rc;
}

/* The rows of an upward walk, kept to be handed out downwards. */
struct rows {
	sqlite3_int64 *id;
	double *score;
	size_t n, cap;
	int oom;
};

static int keep_row(void *ctx, sqlite3_int64 rowid, double score)
{
	struct rows *r = ctx;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		sqlite3_int64 *id = realloc(r->id, cap * sizeof *id);
		if (id)
			r->id = id;
		double *sc = id ? realloc(r->score, cap * sizeof *sc) : NULL;
		if (!sc) {
			r->oom = 1;
			return 1;
		}
		r->score = sc;
		r->cap = cap;
	}
	r->id[r->n] = rowid;
	r->score[r->n++] = score;
	return 0;
}

/* The matches of [lo, hi] downwards: read upwards, then handed to fn from
 * the last. SQLite 3.40's FTS5 skips rows going downwards through a long
 * doclist (it steps back through the doclist index by scanning bytes for
 * the start of a varint, and kensaku's rowids, day << 47 | ..., make the
 * deltas that defeats): on the 100k-item bench corpus a newest-first search
 * for カード counted 724 of its 1,319 items and a CSV export lost rows. */
static int walk_down(struct ks_store *s, const struct ks_scan *sc, sqlite3_int64 lo,
		     sqlite3_int64 hi, enum ks_scan_score score, ks_scan_fn fn, void *ctx,
		     struct ks_err *err)
{
	struct rows r = {0};
	int rc = walk_stmt(s, sc, lo, hi, KS_SCAN_ASC, score, keep_row, &r, err);
	if (rc == KS_OK && r.oom)
		rc = ks_err_set(err, KS_ERR_NOMEM, "[scan] out of memory");
	for (size_t k = 0; rc == KS_OK && k < r.n; k++) {
		if (k % CHECK_EVERY == CHECK_EVERY - 1 && ks_deadline_passed(s, &sc->dl))
			rc = timeout(err);
		else if (fn(ctx, r.id[r.n - 1 - k], r.score[r.n - 1 - k]))
			break;
	}
	free(r.id);
	free(r.score);
	return rc;
}

int ks_scan_walk(struct ks_store *s, const struct ks_scan *sc, sqlite3_int64 lo, sqlite3_int64 hi,
		 enum ks_scan_order order, enum ks_scan_score score, ks_scan_fn fn, void *ctx,
		 struct ks_err *err)
{
	if (lo < sc->lo)
		lo = sc->lo;
	if (hi > sc->hi)
		hi = sc->hi;
	if (sc->none || lo > hi || (sc->has_ent && sc->n_ent == 0))
		return KS_OK;
	if (sc->has_ent && sc->q.kind == KS_Q_ALL)
		return walk_set(s, sc, lo, hi, order, fn, ctx, err);
	if (sc->q.kind == KS_Q_MATCH && order == KS_SCAN_DESC)
		return walk_down(s, sc, lo, hi, score, fn, ctx, err);
	return walk_stmt(s, sc, lo, hi, order, score, fn, ctx, err);
}

int ks_scan_explain(struct ks_store *s, const struct ks_scan *sc, sqlite3_int64 rowid,
		    struct ks_score_parts *out, struct ks_err *err)
{
	memset(out, 0, sizeof *out);
	if (sc->q.kind != KS_Q_MATCH)
		return KS_OK;
	sqlite3_stmt *st = ks_store_stmt(s, EXPLAIN, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_text(st, 1, sc->fts, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rowid);
	sqlite3_bind_pointer(st, 4, (void *)&sc->pl, KS_PHRASES_POINTER, NULL);
	int r = sqlite3_step(st), rc = KS_OK;
	if (r == SQLITE_ROW && sqlite3_column_bytes(st, 0) == (int)sizeof *out)
		memcpy(out, sqlite3_column_blob(st, 0), sizeof *out);
	else if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = ks_store_dberr(s, "explain", err);
	sqlite3_reset(st);
	sqlite3_bind_null(st, 4);
	return rc;
}

void ks_scan_year_month(int day, int *year, int *month)
{
	long y;
	ks_date_civil((long)day - 1, &y, month, NULL); /* day 1 is 1970-01-01 */
	*year = (int)y;
}
