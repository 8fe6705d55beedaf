/* search.c - MATCH, ranking, exact totals, facets, paging and highlights.
 *
 * A search runs one scan for the total, the facets and the page (in C from
 * the matching rowids), one read of each hit's row, and for date sorts one
 * pass over the page's rowid range for the hits' scores. The deadline of
 * the parameters covers all of it: SQLite's progress handler stops the
 * statements, and the C loops that shape the result check it too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdint.h>

#include "kensaku/item.h"
#include "kensaku/query.h"
#include "kensaku/search.h"
#include "kensaku/tokenizer.h"
#include "entities_internal.h"
#include "highlight.h"
#include "hit.h"
#include "rowid.h"
#include "scan.h"
#include "store_internal.h"

#define COLS KS_HIT_COLS

/* One scan gives every match's rowid (and score) in a rowid range ?2..?3
 * (rowid.h): total, facets, date filters, sorting and the page come from it
 * in C, without a second pass over the doclists or a join with items. */
#define RANK "ks_rank(items_fts, 10.0, 1.0, 0, ?4)"
#define MATCH_RANGE " FROM items_fts WHERE items_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3"
#define ITEMS_RANGE " FROM items WHERE rowid BETWEEN ?2 AND ?3"
#define NOT_MATCH " AND rowid NOT IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?1)"
static const char SCAN_REL[] = "SELECT rowid, " RANK MATCH_RANGE;
static const char SCAN_MATCH_DESC[] = "SELECT rowid, 0.0" MATCH_RANGE " ORDER BY rowid DESC";
static const char SCAN_MATCH_ASC[] = "SELECT rowid, 0.0" MATCH_RANGE " ORDER BY rowid";
static const char SCAN_ALL_DESC[] = "SELECT rowid, 0.0" ITEMS_RANGE " ORDER BY rowid DESC";
static const char SCAN_ALL_ASC[] = "SELECT rowid, 0.0" ITEMS_RANGE " ORDER BY rowid";
static const char SCAN_EXCL_DESC[] =
    "SELECT rowid, 0.0" ITEMS_RANGE NOT_MATCH " ORDER BY rowid DESC";
static const char SCAN_EXCL_ASC[] = "SELECT rowid, 0.0" ITEMS_RANGE NOT_MATCH " ORDER BY rowid";
static const char SCORE_RANGE[] = "SELECT rowid, ks_rank(items_fts, 10.0, 1.0, 1)" MATCH_RANGE;
static const char SECTIONS[] = "SELECT id, name FROM sections";
static const char ITEM[] =
    "SELECT " COLS ", 0.0 FROM items i WHERE i.issue = ?1 AND i.position = ?2";
static const char ISSUE[] = "SELECT number, date, title FROM issues WHERE number = ?1";
static const char ISSUE_ITEMS[] = "SELECT " COLS ", 0.0 FROM items i WHERE i.issue = ?1"
				  " ORDER BY i.position";

void ks_hit_free(struct ks_hit *h)
{
	if (!h)
		return;
	ks_hit_clear(h);
	free(h);
}

void ks_result_free(struct ks_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_hits; i++)
		ks_hit_clear(&r->hits[i]);
	free(r->hits);
	for (size_t i = 0; i < r->n_sections; i++)
		free(r->sections[i].key);
	free(r->sections);
	for (size_t i = 0; i < r->n_years; i++)
		free(r->years[i].key);
	free(r->years);
	for (size_t i = 0; i < r->n_cves; i++)
		free(r->cves[i].key);
	free(r->cves);
	for (size_t i = 0; i < r->n_entities; i++)
		free(r->entities[i].key);
	free(r->entities);
	for (size_t i = 0; i < r->n_expanded; i++)
		free(r->expanded[i].term);
	free(r->expanded);
	ks_query_notices_free(r->notices, r->n_notices);
	free(r->query);
	free(r->fts);
	free(r);
}

/* Adds count to key in the facet list (linear: facets are few). */
static int facet_add(struct ks_facet **f, size_t *n, const char *key, long long count)
{
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp((*f)[i].key, key)) {
			(*f)[i].count += count;
			return 0;
		}
	}
	struct ks_facet *nf = realloc(*f, (*n + 1) * sizeof *nf);
	if (!nf)
		return -1;
	*f = nf;
	if (!(nf[*n].key = strdup(key)))
		return -1;
	nf[*n].count = count;
	(*n)++;
	return 0;
}

static int by_count_desc(const void *a, const void *b)
{
	const struct ks_facet *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);
}

static int by_key_desc(const void *a, const void *b)
{
	const struct ks_facet *x = a, *y = b;
	return strcmp(y->key, x->key);
}

/* What a search scans: the kind of query, the rowid range of the date
 * filter, and the section filter as an id (-1: none; -2: a name no item has). */
struct plan {
	const struct ks_query *q;
	const char *fts;
	sqlite3_int64 lo, hi;
	int sec;
	int has_ent; /* entity filter: only rowids in ent (ascending) */
	const sqlite3_int64 *ent;
	size_t n_ent;
	sqlite3_int64 *ids; /* out: every rowid that passed the filters */
	size_t n_ids, cap_ids;
	int oom;
};

/* Keeps rowid for the cve/entity facets. */
static void keep_id(struct plan *pl, sqlite3_int64 rowid)
{
	if (pl->n_ids == pl->cap_ids) {
		size_t cap = pl->cap_ids ? pl->cap_ids * 2 : 1024;
		sqlite3_int64 *n = realloc(pl->ids, cap * sizeof *n);
		if (!n) {
			pl->oom = 1;
			return;
		}
		pl->ids = n;
		pl->cap_ids = cap;
	}
	pl->ids[pl->n_ids++] = rowid;
}

static int by_rowid(const void *a, const void *b)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;
	return x < y ? -1 : x > y;
}

struct cand {
	sqlite3_int64 rowid;
	double score;
};

/* The page being collected during the scan. */
struct page {
	enum ks_sort sort; /* KS_SORT_RELEVANCE only for MATCH queries */
	long long offset;
	int limit;
	size_t k;	   /* offset + limit: candidates kept */
	struct cand *heap; /* relevance: the k best so far (a min-heap) */
	size_t n_heap;
	struct cand *rows; /* date sorts: the page, in order */
	size_t n_rows;
	sqlite3_int64 *undated; /* oldest: the first k undated rows (they come first in the scan) */
	size_t n_undated;
	long long seen_dated;
};

/* 1 when a ranks below b: lower score, or on a tie the older rowid. */
static int worse(const struct cand *a, const struct cand *b)
{
	return a->score < b->score || (a->score == b->score && a->rowid < b->rowid);
}

static void heap_push(struct page *pg, struct cand c)
{
	struct cand *h = pg->heap;
	if (pg->n_heap == pg->k) {
		if (!worse(&h[0], &c))
			return;
		/* replace the worst and sift down */
		size_t i = 0;
		h[0] = c;
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, m = i;
			if (l < pg->n_heap && worse(&h[l], &h[m]))
				m = l;
			if (r < pg->n_heap && worse(&h[r], &h[m]))
				m = r;
			if (m == i)
				break;
			struct cand t = h[i];
			h[i] = h[m];
			h[m] = t;
			i = m;
		}
		return;
	}
	size_t i = pg->n_heap++;
	h[i] = c;
	while (i > 0 && worse(&h[i], &h[(i - 1) / 2])) {
		struct cand t = h[i];
		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static int by_rank(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return worse(x, y) ? 1 : worse(y, x) ? -1 : 0;
}

/* Takes one row that passed the filters, total counting from 0. */
static void page_take(struct page *pg, sqlite3_int64 rowid, double score, long long index)
{
	if (pg->sort == KS_SORT_RELEVANCE) {
		heap_push(pg, (struct cand){rowid, score});
	} else if (pg->sort == KS_SORT_NEWEST) {
		if (index >= pg->offset && pg->n_rows < (size_t)pg->limit)
			pg->rows[pg->n_rows++] = (struct cand){rowid, score};
	} else if (ks_rowid_day(rowid) == 0) {
		if (pg->n_undated < pg->k)
			pg->undated[pg->n_undated++] = rowid;
	} else {
		long long i = pg->seen_dated++;
		if (i >= pg->offset && pg->n_rows < (size_t)pg->limit)
			pg->rows[pg->n_rows++] = (struct cand){rowid, score};
	}
}

/* Puts the page in pg->rows once the scan is over. */
static void page_finish(struct page *pg)
{
	if (pg->sort == KS_SORT_RELEVANCE) {
		qsort(pg->heap, pg->n_heap, sizeof *pg->heap, by_rank);
		for (size_t i = (size_t)pg->offset;
		     i < pg->n_heap && pg->n_rows < (size_t)pg->limit; i++)
			pg->rows[pg->n_rows++] = pg->heap[i];
	} else if (pg->sort == KS_SORT_OLDEST) {
		/* dated first, then the undated ones */
		long long skip = pg->offset > pg->seen_dated ? pg->offset - pg->seen_dated : 0;
		for (size_t i = (size_t)skip; i < pg->n_undated && pg->n_rows < (size_t)pg->limit;
		     i++)
			pg->rows[pg->n_rows++] = (struct cand){pg->undated[i], 0.0};
	}
}

static void bind_plan(sqlite3_stmt *st, const struct plan *pl)
{
	if (pl->fts)
		sqlite3_bind_text(st, 1, pl->fts, -1, SQLITE_STATIC);
	if (pl->q->groups && sqlite3_bind_parameter_count(st) >= 4)
		sqlite3_bind_text(st, 4, pl->q->groups, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pl->lo);
	sqlite3_bind_int64(st, 3, pl->hi);
}

/* Loads the section names by id into names[0..KS_SECTIONS_MAX]. */
static int load_sections(struct ks_store *s, char **names, struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, SECTIONS, err);
	if (!st)
		return KS_ERR_DB;
	int r, rc = KS_OK;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int id = sqlite3_column_int(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if (id > 0 && id <= KS_SECTIONS_MAX && name && !names[id] &&
		    !(names[id] = strdup(name))) {
			rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
			break;
		}
	}
	if (rc == KS_OK && r != SQLITE_DONE)
		rc = ks_store_dberr(s, "sections", err);
	sqlite3_reset(st);
	return rc;
}

static const char *scan_sql(enum ks_query_kind k, enum ks_sort sort)
{
	int asc = sort == KS_SORT_OLDEST;
	if (k == KS_Q_MATCH)
		return sort == KS_SORT_RELEVANCE ? SCAN_REL
		       : asc			 ? SCAN_MATCH_ASC
						 : SCAN_MATCH_DESC;
	if (k == KS_Q_EXCLUDE)
		return asc ? SCAN_EXCL_ASC : SCAN_EXCL_DESC;
	return asc ? SCAN_ALL_ASC : SCAN_ALL_DESC;
}

/* The one pass: total, facets and the page. */
static int run_scan(struct ks_store *s, struct plan *pl, struct page *pg, char **names,
		    struct ks_result *r, struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, scan_sql(pl->q->kind, pg->sort), err);
	if (!st)
		return KS_ERR_DB;
	bind_plan(st, pl);
	long long *by_sec = calloc(KS_SECTIONS_MAX + 1, sizeof *by_sec);
	/* years as a small open list: archives span decades, not centuries */
	int years[256];
	long long by_year[256];
	int n_years = 0, rc, ret = KS_OK;
	if (!by_sec)
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	int last_day = -1, last_slot = -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 rowid = sqlite3_column_int64(st, 0);
		int sec = ks_rowid_section(rowid);
		if (pl->has_ent && !ks_entities_has(pl->ent, pl->n_ent, rowid))
			continue;
		by_sec[sec]++;
		if (pl->sec != -1 && sec != pl->sec)
			continue;
		keep_id(pl, rowid);
		page_take(pg, rowid, sqlite3_column_double(st, 1), r->total);
		r->total++;
		int day = ks_rowid_day(rowid);
		if (!day)
			continue;
		if (day != last_day) {
			int y = ks_year_from_day(day);
			last_day = day;
			last_slot = -1;
			for (int i = 0; i < n_years && last_slot < 0; i++)
				if (years[i] == y)
					last_slot = i;
			if (last_slot < 0 && n_years < 256) {
				years[n_years] = y;
				by_year[n_years] = 0;
				last_slot = n_years++;
			}
		}
		if (last_slot >= 0)
			by_year[last_slot]++;
	}
	if (rc != SQLITE_DONE)
		ret = ks_store_dberr(s, "search", err);
	sqlite3_reset(st);
	for (int i = 1; ret == KS_OK && i <= KS_SECTIONS_MAX; i++)
		if (by_sec[i] && names[i] &&
		    facet_add(&r->sections, &r->n_sections, names[i], by_sec[i]) < 0)
			ret = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	for (int i = 0; ret == KS_OK && i < n_years; i++) {
		char key[16];
		snprintf(key, sizeof key, "%d", years[i]);
		if (facet_add(&r->years, &r->n_years, key, by_year[i]) < 0)
			ret = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	}
	free(by_sec);
	if (ret == KS_OK) {
		if (r->n_sections)
			qsort(r->sections, r->n_sections, sizeof *r->sections, by_count_desc);
		if (r->n_years)
			qsort(r->years, r->n_years, sizeof *r->years, by_key_desc);
		page_finish(pg);
	}
	return ret;
}

static int by_cand_rowid(const void *a, const void *b)
{
	return by_rowid(&((const struct cand *)a)->rowid, &((const struct cand *)b)->rowid);
}

/* Date sorts: sets the score of each row of the page (ks_rank without IDF)
 * from one pass over the page's rowid range, rather than evaluating the
 * MATCH again per hit (for a prefix, every expansion of it per hit). */
static int score_page(struct ks_store *s, const struct plan *pl, struct page *pg,
		      struct ks_err *err)
{
	if (pl->q->kind != KS_Q_MATCH || !pg->n_rows)
		return KS_OK;
	struct cand *byid = malloc(pg->n_rows * sizeof *byid);
	sqlite3_stmt *st = byid ? ks_store_stmt(s, SCORE_RANGE, err) : NULL;
	int r, rc = KS_OK;
	if (!st) {
		free(byid);
		return byid ? KS_ERR_DB : ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	}
	memcpy(byid, pg->rows, pg->n_rows * sizeof *byid);
	qsort(byid, pg->n_rows, sizeof *byid, by_cand_rowid);
	sqlite3_bind_text(st, 1, pl->fts, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, byid[0].rowid);
	sqlite3_bind_int64(st, 3, byid[pg->n_rows - 1].rowid);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct cand key = {sqlite3_column_int64(st, 0), 0.0};
		struct cand *c = bsearch(&key, byid, pg->n_rows, sizeof *byid, by_cand_rowid);
		if (c)
			c->score = sqlite3_column_double(st, 1);
	}
	if (r != SQLITE_DONE)
		rc = ks_store_dberr(s, "score", err);
	sqlite3_reset(st);
	for (size_t i = 0; rc == KS_OK && i < pg->n_rows; i++) {
		struct cand *c =
		    bsearch(&pg->rows[i], byid, pg->n_rows, sizeof *byid, by_cand_rowid);
		pg->rows[i].score = c->score;
	}
	free(byid);
	return rc;
}

/* Sets h's title_html and snippet_html, marking where hl's phrases occur
 * (highlight.c; NULL: nothing to mark). */
static int highlight(struct ks_store *s, struct ks_hl *hl, struct ks_hit *h, struct ks_err *err)
{
	int *tm = NULL, *qm = NULL, ntm = 0, nqm = 0, rc = KS_OK;
	const char *t = h->title ? h->title : "";
	const char *qt = h->quote ? h->quote : "";
	if (hl && (ks_hl_find(hl, ks_store_tok(s), t, (int)strlen(t), &tm, &ntm) < 0 ||
		   ks_hl_find(hl, ks_store_tok(s), qt, (int)strlen(qt), &qm, &nqm) < 0))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	h->title_html = ks_html_mark(t, (int)strlen(t), tm, ntm, 0);
	h->snippet_html = ks_html_mark(qt, (int)strlen(qt), qm, nqm, KS_SNIPPET_CHARS);
	if (rc == KS_OK && (!h->title_html || !h->snippet_html))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	free(tm);
	free(qm);
	return rc;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* KS_ERR_TIMEOUT (err set, naming what) past dl (scan.h); KS_OK otherwise.
 * The C loops of shaping call it. */
static int check_deadline(struct ks_store *s, const struct ks_deadline *dl, const char *what,
			  struct ks_err *err)
{
	if (ks_deadline_passed(s, dl))
		return ks_err_set(err, KS_ERR_TIMEOUT, "[search] %s: the query took too long",
				  what);
	return KS_OK;
}

/* Reads the item of rowid into h; a writer may have removed it since the
 * scan: then h is an empty hit with id "?". */
static int read_row(struct ks_store *s, sqlite3_int64 rowid, struct ks_hit *h, struct ks_err *err)
{
	int rc = ks_hit_by_rowid(s, rowid, h, err);
	if (rc != KS_ERR_NOTFOUND)
		return rc;
	snprintf(h->id, sizeof h->id, "?");
	return KS_OK;
}

int ks_search_run(struct ks_store *s, const struct ks_search_params *p, struct ks_result **out,
		  struct ks_err *err)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct ks_deadline dl;
	ks_deadline_start(&dl, p->deadline_ms);
	struct ks_query q;
	char **names = NULL;
	struct page pg = {0};
	struct ks_hl *hl = NULL;
	int in_txn = 0;
	struct ks_result *r = calloc(1, sizeof *r);
	if (!r || !(r->query = strdup(p->q ? p->q : ""))) {
		free(r);
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	}
	r->offset = p->offset;
	r->limit = p->limit;
	r->explain = p->explain;
	int rc =
	    ks_query_translate_opts(ks_store_tok(s), p->q, p->expand ? KS_QUERY_EXPAND : 0, &q);
	if (rc != KS_OK) {
		ks_result_free(r);
		return ks_err_set(err, rc, "[search] out of memory");
	}
	/* the result owns the expansions and the notices */
	r->expanded = q.expanded;
	r->n_expanded = q.n_expanded;
	q.expanded = NULL;
	q.n_expanded = 0;
	r->notices = q.notices;
	r->n_notices = q.n_notices;
	q.notices = NULL;
	q.n_notices = 0;
	sqlite3_int64 *ent = NULL;
	struct plan pl = {&q,	q.kind == KS_Q_EXCLUDE ? q.exclude : q.match,
			  0,	INT64_MAX,
			  -1,	0,
			  NULL, 0,
			  NULL, 0,
			  0,	0};
	if (pl.fts && !(r->fts = strdup(pl.fts)))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	if (q.kind == KS_Q_NONE || rc != KS_OK)
		goto out;
	ks_rowid_date_range(p->from, p->to, &pl.lo, &pl.hi);
	if (!(names = calloc(KS_SECTIONS_MAX + 1, sizeof *names))) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
		goto out;
	}
	/* one read transaction: one snapshot for every statement, and one
	 * lock round instead of one per statement */
	if (sqlite3_get_autocommit(ks_store_db(s))) {
		if (sqlite3_exec(ks_store_db(s), "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
			rc = ks_store_dberr(s, "begin", err);
			goto out;
		}
		in_txn = 1;
	}
	ks_store_deadline(s, p->deadline_ms);
	if ((rc = load_sections(s, names, err)) != KS_OK)
		goto out;
	if (p->entity) {
		pl.has_ent = 1;
		if ((rc = ks_entities_items(s, p->entity, &ent, &pl.n_ent, err)) != KS_OK)
			goto out;
		pl.ent = ent;
	}
	if (p->section) {
		pl.sec = -2;
		for (int i = 1; i <= KS_SECTIONS_MAX; i++)
			if (names[i] && !strcmp(names[i], p->section))
				pl.sec = i;
	}
	pg.sort = q.kind == KS_Q_MATCH || p->sort != KS_SORT_RELEVANCE ? p->sort : KS_SORT_NEWEST;
	pg.offset = p->offset;
	pg.limit = p->limit;
	pg.k = (size_t)p->offset + (size_t)p->limit;
	if (!(pg.rows = calloc((size_t)p->limit, sizeof *pg.rows)) ||
	    (pg.sort == KS_SORT_RELEVANCE && !(pg.heap = calloc(pg.k, sizeof *pg.heap))) ||
	    (pg.sort == KS_SORT_OLDEST && !(pg.undated = calloc(pg.k, sizeof *pg.undated)))) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
		goto out;
	}
	if ((rc = run_scan(s, &pl, &pg, names, r, err)) != KS_OK)
		goto out;
	if (pl.oom) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
		goto out;
	}
	if (pl.n_ids > 1 && pl.ids[0] > pl.ids[pl.n_ids - 1])
		for (size_t i = 0, j = pl.n_ids - 1; i < j; i++, j--) {
			sqlite3_int64 t = pl.ids[i];
			pl.ids[i] = pl.ids[j];
			pl.ids[j] = t;
		}
	for (size_t i = 1; i < pl.n_ids; i++)
		if (pl.ids[i - 1] > pl.ids[i]) {
			qsort(pl.ids, pl.n_ids, sizeof *pl.ids, by_rowid);
			break;
		}
	if ((rc = check_deadline(s, &dl, "facets", err)) != KS_OK ||
	    (rc = ks_entities_facets(s, pl.ids, pl.n_ids, r, err)) != KS_OK)
		goto out;
	if (pg.sort != KS_SORT_RELEVANCE && (rc = score_page(s, &pl, &pg, err)) != KS_OK)
		goto out;
	if (pg.n_rows && !(r->hits = calloc(pg.n_rows, sizeof *r->hits))) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
		goto out;
	}
	if (q.kind == KS_Q_MATCH && pg.n_rows && ks_hl_compile(ks_store_tok(s), q.match, &hl) < 0) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
		goto out;
	}
	for (size_t i = 0; rc == KS_OK && i < pg.n_rows; i++) {
		struct ks_hit *h = &r->hits[r->n_hits++];
		if ((rc = check_deadline(s, &dl, "highlights", err)) == KS_OK &&
		    (rc = read_row(s, pg.rows[i].rowid, h, err)) == KS_OK) {
			h->score = pg.rows[i].score;
			rc = highlight(s, hl, h, err);
		}
	}
out:
	ks_store_deadline(s, 0);
	if (in_txn)
		sqlite3_exec(ks_store_db(s), "COMMIT", NULL, NULL,
			     NULL); /* read only: can't fail */
	ks_query_clear(&q);
	for (int i = 0; names && i <= KS_SECTIONS_MAX; i++)
		free(names[i]);
	free(names);
	ks_hl_free(hl);
	free(pg.heap);
	free(pg.rows);
	free(pg.undated);
	free(pl.ids);
	free(ent);
	if (rc != KS_OK) {
		ks_result_free(r);
		return rc;
	}
	r->took_ms = ms_since(&t0);
	*out = r;
	return KS_OK;
}

/* Parses "59-3" strictly; 0 on success. */
static int parse_id(const char *id, long long *issue, int *pos)
{
	char *e;
	if (!id || id[0] < '0' || id[0] > '9' || strlen(id) > 30)
		return -1;
	long long a = strtoll(id, &e, 10);
	if (*e != '-' || e[1] < '0' || e[1] > '9')
		return -1;
	long b = strtol(e + 1, &e, 10);
	if (*e || a < 0 || b < 1 || b > 1000000)
		return -1;
	*issue = a;
	*pos = (int)b;
	return 0;
}

int ks_item_get(struct ks_store *s, const char *id, struct ks_hit **out, struct ks_err *err)
{
	long long issue;
	int pos;
	if (parse_id(id, &issue, &pos) < 0)
		return ks_err_set(err, KS_ERR_NOTFOUND, "no item %s (ids look like 59-3)", id);
	sqlite3_stmt *st = ks_store_stmt(s, ITEM, err);
	if (!st)
		return KS_ERR_DB;
	sqlite3_bind_int64(st, 1, issue);
	sqlite3_bind_int(st, 2, pos);
	int r = sqlite3_step(st), rc = KS_OK;
	struct ks_hit *h = NULL;
	if (r == SQLITE_ROW) {
		h = calloc(1, sizeof *h);
		if (!h || ks_hit_read(st, h) < 0) {
			ks_hit_free(h);
			h = NULL;
			rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
		}
	} else if (r == SQLITE_DONE) {
		rc = ks_err_set(err, KS_ERR_NOTFOUND, "no item %s", id);
	} else {
		rc = ks_store_dberr(s, "item", err);
	}
	sqlite3_reset(st);
	if (rc == KS_OK)
		*out = h;
	return rc;
}

int ks_issue_json(struct ks_store *s, long long n, json_t **out, struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, ISSUE, err);
	if (!st)
		return KS_ERR_DB;
	sqlite3_bind_int64(st, 1, n);
	int r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		sqlite3_reset(st);
		if (r == SQLITE_DONE)
			return ks_err_set(err, KS_ERR_NOTFOUND, "no issue %lld", n);
		return ks_store_dberr(s, "issue", err);
	}
	const char *date = (const char *)sqlite3_column_text(st, 1);
	const char *title = (const char *)sqlite3_column_text(st, 2);
	json_t *o = json_object(), *items = json_array(), *sections = json_array();
	int rc = KS_OK;
	if (!o || !items || !sections || json_object_set_new(o, "issue", json_integer(n)) ||
	    json_object_set_new(o, "date", date ? json_string(date) : json_null()) ||
	    json_object_set_new(o, "title", title ? json_string(title) : json_null()))
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	sqlite3_reset(st);
	if (rc == KS_OK && !(st = ks_store_stmt(s, ISSUE_ITEMS, err)))
		rc = KS_ERR_DB;
	if (rc == KS_OK) {
		sqlite3_bind_int64(st, 1, n);
		while (rc == KS_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
			if (json_array_size(items) == KS_MAX_ISSUE_ITEMS) {
				/* an index built before the limits: the first items only */
				if (json_object_set_new(o, "truncated", json_true()))
					rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
				r = SQLITE_DONE;
				break;
			}
			struct ks_hit h;
			json_t *j = NULL;
			if (ks_hit_read(st, &h) < 0 || !(j = ks_hit_json(&h, 0)) ||
			    json_array_append_new(items, j))
				rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
			/* sections in order of first appearance */
			int seen = !h.section;
			for (size_t i = 0; !seen && i < json_array_size(sections); i++)
				seen = !strcmp(json_string_value(json_array_get(sections, i)),
					       h.section);
			if (!seen && json_array_append_new(sections, json_string(h.section)))
				rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
			ks_hit_clear(&h);
		}
		if (rc == KS_OK && r != SQLITE_DONE)
			rc = ks_store_dberr(s, "issue", err);
		sqlite3_reset(st);
	}
	if (rc == KS_OK &&
	    (json_object_set(o, "sections", sections) || json_object_set(o, "items", items)))
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	json_decref(items);
	json_decref(sections);
	if (rc != KS_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return KS_OK;
}
