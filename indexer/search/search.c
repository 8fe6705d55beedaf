/* search.c - exact totals, facets, paging and marks over the matches.
 *
 * A search runs one walk over the matches (scan.h, the same walk trend, CSV
 * and feed use) for the total, the facets and the page (in C from the
 * matching rowids), one read of each hit's row, and for date sorts one
 * walk over the page's rowid range for the hits' scores. The deadline of
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
#include "suggest.h"
#include "hit.h"
#include "rowid.h"
#include "scan.h"
#include "site.h"
#include "store_internal.h"
#include "topk.h"

#define COLS KS_HIT_COLS

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

static void facets_free(struct ks_facet *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].key);
	free(f);
}

void ks_result_free(struct ks_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_hits; i++)
		ks_hit_clear(&r->hits[i]);
	free(r->hits);
	ks_suggestions_free(r->suggestions, r->n_suggestions);
	facets_free(r->sections, r->n_sections);
	facets_free(r->years, r->n_years);
	facets_free(r->cves, r->n_cves);
	facets_free(r->entities, r->n_entities);
	ks_query_expansions_free(r->expanded, r->n_expanded);
	ks_query_notices_free(r->notices, r->n_notices);
	free(r->query);
	free(r->fts);
	for (size_t i = 0; i < r->n_sites; i++)
		free(r->sites[i]);
	free(r->sites);
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

/* What the walk over the matches collects besides the page: the section
 * facet (every section: it ignores the section filter), the year facet,
 * and every rowid that passed the filters (for the cve/entity facets). */
struct tally {
	int sec;	   /* section filter id, -1: none, -2: a name no item has */
	long long *by_sec; /* [KS_SECTIONS_MAX + 1] */
	int years[256];	   /* years as a small open list: archives span decades */
	long long by_year[256];
	int n_years, last_day, last_slot;
	sqlite3_int64 *ids; /* every rowid that passed the filters */
	size_t n_ids, cap_ids;
	int oom;
	struct page *pg;
	long long total;
};

/* Keeps rowid for the cve/entity facets. */
static void keep_id(struct tally *pl, sqlite3_int64 rowid)
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

/* The page being collected during the scan. */
struct page {
	enum ks_sort sort; /* KS_SORT_RELEVANCE only for MATCH queries */
	long long offset;
	int limit;
	size_t k;	      /* offset + limit: candidates kept */
	struct ks_cand *heap; /* relevance: the k best so far (a min-heap) */
	size_t n_heap;
	struct ks_cand *rows; /* date sorts: the page, in order */
	size_t n_rows;
	sqlite3_int64 *undated; /* oldest: the first k undated rows (they come first in the scan) */
	size_t n_undated;
	long long seen_dated;
};

/* Takes one row that passed the filters, total counting from 0. */
static void page_take(struct page *pg, sqlite3_int64 rowid, double score, long long index)
{
	if (pg->sort == KS_SORT_RELEVANCE) {
		ks_topk_push(pg->heap, &pg->n_heap, pg->k, (struct ks_cand){rowid, score});
	} else if (pg->sort == KS_SORT_NEWEST) {
		if (index >= pg->offset && pg->n_rows < (size_t)pg->limit)
			pg->rows[pg->n_rows++] = (struct ks_cand){rowid, score};
	} else if (ks_rowid_day(rowid) == 0) {
		if (pg->n_undated < pg->k)
			pg->undated[pg->n_undated++] = rowid;
	} else {
		long long i = pg->seen_dated++;
		if (i >= pg->offset && pg->n_rows < (size_t)pg->limit)
			pg->rows[pg->n_rows++] = (struct ks_cand){rowid, score};
	}
}

/* Puts the page in pg->rows once the scan is over. */
static void page_finish(struct page *pg)
{
	if (pg->sort == KS_SORT_RELEVANCE) {
		ks_topk_sort(pg->heap, pg->n_heap);
		for (size_t i = (size_t)pg->offset;
		     i < pg->n_heap && pg->n_rows < (size_t)pg->limit; i++)
			pg->rows[pg->n_rows++] = pg->heap[i];
	} else if (pg->sort == KS_SORT_OLDEST) {
		/* dated first, then the undated ones */
		long long skip = pg->offset > pg->seen_dated ? pg->offset - pg->seen_dated : 0;
		for (size_t i = (size_t)skip; i < pg->n_undated && pg->n_rows < (size_t)pg->limit;
		     i++)
			pg->rows[pg->n_rows++] = (struct ks_cand){pg->undated[i], 0.0};
	}
}

/* Loads the section names by id into names[0..KS_SECTIONS_MAX]. */
static int load_sections(struct ks_store *s, char **names, struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, SECTIONS, err);
	if (!st)
		return ks_store_rc(s);
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

/* Counts rowid's day in the year facet (a run of one day costs one
 * comparison). */
static void count_year(struct tally *t, int day)
{
	if (day != t->last_day) {
		int y = ks_year_from_day(day);
		t->last_day = day;
		t->last_slot = -1;
		for (int i = 0; i < t->n_years && t->last_slot < 0; i++)
			if (t->years[i] == y)
				t->last_slot = i;
		if (t->last_slot < 0 && t->n_years < 256) {
			t->years[t->n_years] = y;
			t->by_year[t->n_years] = 0;
			t->last_slot = t->n_years++;
		}
	}
	if (t->last_slot >= 0)
		t->by_year[t->last_slot]++;
}

/* ks_scan_fn of the search walk: the section facet for every match, then
 * total, page, year facet and ids for those in the section filter. */
static int on_match(void *ctx, sqlite3_int64 rowid, double score)
{
	struct tally *t = ctx;
	int sec = ks_rowid_section(rowid);
	t->by_sec[sec]++;
	if (t->sec != -1 && sec != t->sec)
		return 0;
	keep_id(t, rowid);
	page_take(t->pg, rowid, score, t->total);
	t->total++;
	int day = ks_rowid_day(rowid);
	if (day)
		count_year(t, day);
	return 0;
}

/* Turns the counts of t into r's section and year facets, sorted. */
static int tally_facets(const struct tally *t, char **names, struct ks_result *r,
			struct ks_err *err)
{
	for (int i = 1; i <= KS_SECTIONS_MAX; i++)
		if (t->by_sec[i] && names[i] &&
		    facet_add(&r->sections, &r->n_sections, names[i], t->by_sec[i]) < 0)
			return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	for (int i = 0; i < t->n_years; i++) {
		char key[16];
		snprintf(key, sizeof key, "%d", t->years[i]);
		if (facet_add(&r->years, &r->n_years, key, t->by_year[i]) < 0)
			return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	}
	if (r->n_sections)
		qsort(r->sections, r->n_sections, sizeof *r->sections, by_count_desc);
	if (r->n_years)
		qsort(r->years, r->n_years, sizeof *r->years, by_key_desc);
	return KS_OK;
}

/* Puts t's ids in ascending order (the walk gave them ascending or
 * descending). */
static void sort_ids(struct tally *t)
{
	if (t->n_ids > 1 && t->ids[0] > t->ids[t->n_ids - 1])
		for (size_t i = 0, j = t->n_ids - 1; i < j; i++, j--) {
			sqlite3_int64 x = t->ids[i];
			t->ids[i] = t->ids[j];
			t->ids[j] = x;
		}
	for (size_t i = 1; i < t->n_ids; i++)
		if (t->ids[i - 1] > t->ids[i]) {
			qsort(t->ids, t->n_ids, sizeof *t->ids, by_rowid);
			break;
		}
}

/* The one walk over the matches (scan.h): total, facets and the page. */
static int walk_matches(struct ks_store *s, const struct ks_scan *sc, struct tally *t, char **names,
			struct ks_result *r, struct ks_err *err)
{
	struct page *pg = t->pg;
	enum ks_scan_order order = pg->sort == KS_SORT_RELEVANCE ? KS_SCAN_ANY
				   : pg->sort == KS_SORT_OLDEST	 ? KS_SCAN_ASC
								 : KS_SCAN_DESC;
	enum ks_scan_score score = pg->sort == KS_SORT_RELEVANCE ? KS_SCORE_FULL : KS_SCORE_NONE;
	if (!(t->by_sec = calloc(KS_SECTIONS_MAX + 1, sizeof *t->by_sec)))
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	t->last_day = t->last_slot = -1;
	int rc = ks_scan_walk(s, sc, 0, INT64_MAX, order, score, on_match, t, err);
	if (rc == KS_OK && t->oom)
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	if (rc != KS_OK)
		return rc;
	r->total = t->total;
	if ((rc = tally_facets(t, names, r, err)) != KS_OK)
		return rc;
	page_finish(pg);
	sort_ids(t);
	return KS_OK;
}

static int by_cand_rowid(const void *a, const void *b)
{
	return by_rowid(&((const struct ks_cand *)a)->rowid, &((const struct ks_cand *)b)->rowid);
}

struct scores {
	struct ks_cand *byid; /* the page's rows by rowid */
	size_t n;
};

static int on_score(void *ctx, sqlite3_int64 rowid, double score)
{
	struct scores *sc = ctx;
	struct ks_cand key = {rowid, 0.0};
	struct ks_cand *c = bsearch(&key, sc->byid, sc->n, sizeof *sc->byid, by_cand_rowid);
	if (c)
		c->score = score;
	return 0;
}

/* Date sorts: sets the score of each row of the page (ks_rank without IDF)
 * from one walk over the page's rowid range, rather than evaluating the
 * MATCH again per hit (for a prefix, every expansion of it per hit). */
static int score_page(struct ks_store *s, const struct ks_scan *sc, struct page *pg,
		      struct ks_err *err)
{
	if (sc->q.kind != KS_Q_MATCH || !pg->n_rows)
		return KS_OK;
	struct scores k = {malloc(pg->n_rows * sizeof *k.byid), pg->n_rows};
	if (!k.byid)
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	memcpy(k.byid, pg->rows, k.n * sizeof *k.byid);
	qsort(k.byid, k.n, sizeof *k.byid, by_cand_rowid);
	int rc = ks_scan_walk(s, sc, k.byid[0].rowid, k.byid[k.n - 1].rowid, KS_SCAN_ASC,
			      KS_SCORE_CHEAP, on_score, &k, err);
	for (size_t i = 0; rc == KS_OK && i < pg->n_rows; i++) {
		struct ks_cand *c =
		    bsearch(&pg->rows[i], k.byid, k.n, sizeof *k.byid, by_cand_rowid);
		pg->rows[i].score = c->score;
	}
	free(k.byid);
	return rc;
}

/* Sets h's title and quote marks: where hl's phrases occur (highlight.c;
 * NULL: nothing to mark). The render layer builds the HTML from them. */
static int highlight(struct ks_store *s, struct ks_hl *hl, struct ks_hit *h, struct ks_err *err)
{
	const char *t = h->title ? h->title : "";
	const char *qt = h->quote ? h->quote : "";
	if (hl && (ks_hl_find(hl, ks_store_tok(s), t, (int)strlen(t), &h->title_marks) < 0 ||
		   ks_hl_find(hl, ks_store_tok(s), qt, (int)strlen(qt), &h->quote_marks) < 0))
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	return KS_OK;
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

/* A new result for p, before the search: q, offset, limit, explain. */
static struct ks_result *result_new(const struct ks_search_params *p, struct ks_err *err)
{
	struct ks_result *r = calloc(1, sizeof *r);
	if (!r || !(r->query = strdup(p->q ? p->q : ""))) {
		free(r);
		ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
		return NULL;
	}
	r->offset = p->offset;
	r->limit = p->limit;
	r->explain = p->explain;
	return r;
}

/* Appends the host of each of the n site keys of v to r->sites, after
 * prefix ("" or "-"). 0, or -1 on out of memory. */
static int take_sites(struct ks_result *r, char *const *v, size_t n, const char *prefix)
{
	char host[KS_SITE_MAX + 1];
	for (size_t i = 0; i < n; i++) {
		char **g = realloc(r->sites, (r->n_sites + 1) * sizeof *g);
		if (!g)
			return -1;
		r->sites = g;
		strcpy(host, prefix);
		/* the labels of a key reversed again are its host */
		if (ks_link_site_of_host(v[i], strlen(v[i]), host + strlen(prefix)) != 0)
			continue;
		if (!(g[r->n_sites] = strdup(host)))
			return -1;
		r->n_sites++;
	}
	return 0;
}

/* Moves the expansions and notices of sc's query into r, and copies the
 * expression and the site: filters that run. */
static int result_take_query(struct ks_result *r, struct ks_scan *sc, struct ks_err *err)
{
	ks_query_take_notes(&sc->q, &r->expanded, &r->n_expanded, &r->notices, &r->n_notices);
	if ((sc->fts && !(r->fts = strdup(sc->fts))) ||
	    take_sites(r, sc->q.sites, sc->q.n_sites, "") < 0 ||
	    take_sites(r, sc->q.not_sites, sc->q.n_not_sites, "-") < 0)
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	return KS_OK;
}

/* Sizes pg for p's page (the sort is p's, newest for a relevance browse). */
static int page_init(struct page *pg, const struct ks_search_params *p, enum ks_query_kind k,
		     struct ks_err *err)
{
	pg->sort = k == KS_Q_MATCH || p->sort != KS_SORT_RELEVANCE ? p->sort : KS_SORT_NEWEST;
	pg->offset = p->offset;
	pg->limit = p->limit;
	pg->k = (size_t)p->offset + (size_t)p->limit;
	if (!(pg->rows = calloc((size_t)p->limit, sizeof *pg->rows)) ||
	    (pg->sort == KS_SORT_RELEVANCE && !(pg->heap = calloc(pg->k, sizeof *pg->heap))) ||
	    (pg->sort == KS_SORT_OLDEST && !(pg->undated = calloc(pg->k, sizeof *pg->undated))))
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	return KS_OK;
}

/* The section filter of p as an id of names (-1: none, -2: no such name). */
static int section_id(const struct ks_search_params *p, char **names)
{
	int sec = -1;
	if (p->section) {
		sec = -2;
		for (int i = 1; i <= KS_SECTIONS_MAX; i++)
			if (names[i] && !strcmp(names[i], p->section))
				sec = i;
	}
	return sec;
}

/* Sets h->why: the parts of rowid's score. */
static int explain(struct ks_store *s, const struct ks_scan *sc, sqlite3_int64 rowid,
		   struct ks_hit *h, struct ks_err *err)
{
	if (!(h->why = calloc(1, sizeof *h->why)))
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	return ks_scan_explain(s, sc, rowid, h->why, err);
}

/* Reads and marks the rows of the page into r->hits (with their
 * score's parts when r->explain). */
static int read_page(struct ks_store *s, const struct ks_scan *sc, const struct page *pg,
		     struct ks_result *r, struct ks_err *err)
{
	struct ks_hl *hl = NULL;
	int rc = KS_OK;
	if (!pg->n_rows)
		return KS_OK;
	if (!(r->hits = calloc(pg->n_rows, sizeof *r->hits)) ||
	    (sc->q.kind == KS_Q_MATCH &&
	     ks_hl_compile(ks_store_tok(s), sc->q.phrases, sc->q.n_phrases, &hl) < 0))
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	for (size_t i = 0; rc == KS_OK && i < pg->n_rows; i++) {
		struct ks_hit *h = &r->hits[r->n_hits++];
		if ((rc = check_deadline(s, &sc->dl, "highlights", err)) == KS_OK &&
		    (rc = read_row(s, pg->rows[i].rowid, h, err)) == KS_OK) {
			h->score = pg->rows[i].score;
			rc = highlight(s, hl, h, err);
		}
		if (rc == KS_OK && r->explain)
			rc = explain(s, sc, pg->rows[i].rowid, h, err);
	}
	ks_hl_free(hl);
	return rc;
}

/* Everything after the translation, inside the read transaction: the
 * walk (total, facets, page), the entity and cve facets, the page's
 * scores and rows. */
static int search_scan(struct ks_store *s, const struct ks_search_params *p, struct ks_scan *sc,
		       struct ks_result *r, struct ks_err *err)
{
	char **names = calloc(KS_SECTIONS_MAX + 1, sizeof *names);
	struct page pg = {0};
	struct tally t = {0};
	int rc = KS_OK;
	if (!names)
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	if ((rc = load_sections(s, names, err)) != KS_OK ||
	    (rc = page_init(&pg, p, sc->q.kind, err)) != KS_OK)
		goto out;
	t.sec = section_id(p, names);
	t.pg = &pg;
	if ((rc = walk_matches(s, sc, &t, names, r, err)) != KS_OK ||
	    (rc = check_deadline(s, &sc->dl, "facets", err)) != KS_OK ||
	    (rc = ks_entities_facets(s, t.ids, t.n_ids, &r->cves, &r->n_cves, &r->entities,
				     &r->n_entities, err)) != KS_OK)
		goto out;
	if (pg.sort != KS_SORT_RELEVANCE && (rc = score_page(s, sc, &pg, err)) != KS_OK)
		goto out;
	rc = read_page(s, sc, &pg, r, err);
out:
	for (int i = 0; i <= KS_SECTIONS_MAX; i++)
		free(names[i]);
	free(names);
	free(pg.heap);
	free(pg.rows);
	free(pg.undated);
	free(t.by_sec);
	free(t.ids);
	return rc;
}

int ks_search_run(struct ks_store *s, const struct ks_search_params *p, struct ks_result **out,
		  struct ks_err *err)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct ks_scan sc = {0};
	/* the section facet counts every section: the walk does not filter
	 * on it, on_match does */
	struct ks_search_params all = *p;
	int in_txn = 0, rc = KS_OK;
	all.section = NULL;
	struct ks_result *r = result_new(p, err);
	if (!r)
		return KS_ERR_NOMEM;
	/* one read transaction: one snapshot for every statement, and one
	 * lock round instead of one per statement */
	if ((rc = ks_store_read_begin(s, &in_txn, err)) != KS_OK)
		goto out;
	if ((rc = ks_scan_init(s, &all, &sc, err)) != KS_OK ||
	    (rc = result_take_query(r, &sc, err)) != KS_OK || sc.none)
		goto out;
	rc = search_scan(s, p, &sc, r, err);
	if (rc == KS_OK && r->total < KS_SUGGEST_BELOW && sc.q.kind == KS_Q_MATCH)
		rc = ks_suggest_queries(s, &sc, p->q, &r->suggestions, &r->n_suggestions, err);
out:
	ks_scan_clear(s, &sc);
	if (in_txn)
		ks_store_read_end(s);
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

/* The item (issue, pos) looked for in the items table itself, within its
 * issue's day (the rowid range of the issue's date; "+" keeps SQLite off
 * the unique index). */
static const char ISSUE_DATE[] = "SELECT date FROM issues WHERE number = ?1";
static const char ITEM_BY_DAY[] = "SELECT 1 FROM items WHERE +issue = ?1 AND +position = ?2"
				  " AND rowid BETWEEN ?3 AND ?4";

/* Called when the unique index does not know (issue, pos): KS_ERR_NOTFOUND
 * when the table agrees, KS_ERR_CORRUPT when the table holds the item (the
 * index is damaged: a file changed in place under the server must read as
 * damage, never as a missing item), or a lookup's error. Reads only the
 * rows of the issue's day. */
static int confirm_missing(struct ks_store *s, long long issue, int pos, const char *id,
			   struct ks_err *err)
{
	sqlite3_int64 lo = 0, hi = ks_rowid_day_start(1) - 1;
	sqlite3_stmt *st = ks_store_stmt(s, ISSUE_DATE, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_int64(st, 1, issue);
	int r = sqlite3_step(st), rc = KS_ERR_NOTFOUND;
	if (r == SQLITE_ROW && sqlite3_column_text(st, 0))
		ks_rowid_date_range((const char *)sqlite3_column_text(st, 0),
				    (const char *)sqlite3_column_text(st, 0), &lo, &hi);
	else if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = ks_store_dberr(s, "item", err);
	sqlite3_reset(st);
	if (r == SQLITE_DONE || rc != KS_ERR_NOTFOUND)
		return rc == KS_ERR_NOTFOUND ? ks_err_set(err, rc, "no item %s", id) : rc;
	if (!(st = ks_store_stmt(s, ITEM_BY_DAY, err)))
		return ks_store_rc(s);
	sqlite3_bind_int64(st, 1, issue);
	sqlite3_bind_int(st, 2, pos);
	sqlite3_bind_int64(st, 3, lo);
	sqlite3_bind_int64(st, 4, hi);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		rc = ks_err_set(err, KS_ERR_CORRUPT,
				"[store] item %s: the index does not match the "
				"table (the file is damaged)",
				id);
	else if (r == SQLITE_DONE)
		rc = ks_err_set(err, KS_ERR_NOTFOUND, "no item %s", id);
	else
		rc = ks_store_dberr(s, "item", err);
	sqlite3_reset(st);
	return rc;
}

int ks_item_get(struct ks_store *s, const char *id, struct ks_hit **out, struct ks_err *err)
{
	long long issue;
	int pos;
	if (parse_id(id, &issue, &pos) < 0)
		return ks_err_set(err, KS_ERR_NOTFOUND, "no item %s (ids look like 59-3)", id);
	sqlite3_stmt *st = ks_store_stmt(s, ITEM, err);
	if (!st)
		return ks_store_rc(s);
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
	} else if (r != SQLITE_DONE) {
		rc = ks_store_dberr(s, "item", err);
	}
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return confirm_missing(s, issue, pos, id, err);
	if (rc == KS_OK)
		*out = h;
	return rc;
}

void ks_issue_result_free(struct ks_issue_result *is)
{
	if (!is)
		return;
	free(is->date);
	free(is->title);
	for (size_t i = 0; i < is->n_sections; i++)
		free(is->sections[i]);
	free(is->sections);
	for (size_t i = 0; i < is->n_items; i++)
		ks_hit_clear(&is->items[i]);
	free(is->items);
	free(is);
}

/* Reads the issues row of n into a new *out; KS_ERR_NOTFOUND when absent. */
static int issue_head(struct ks_store *s, long long n, struct ks_issue_result **out,
		      struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, ISSUE, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_int64(st, 1, n);
	int r = sqlite3_step(st), rc = KS_OK;
	struct ks_issue_result *is = NULL;
	if (r == SQLITE_ROW) {
		const char *date = (const char *)sqlite3_column_text(st, 1);
		const char *title = (const char *)sqlite3_column_text(st, 2);
		if (!(is = calloc(1, sizeof *is)) || (date && !(is->date = strdup(date))) ||
		    (title && !(is->title = strdup(title))))
			rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
		else
			is->number = n;
	} else if (r == SQLITE_DONE) {
		rc = ks_err_set(err, KS_ERR_NOTFOUND, "no issue %lld", n);
	} else {
		rc = ks_store_dberr(s, "issue", err);
	}
	sqlite3_reset(st);
	if (rc != KS_OK)
		ks_issue_result_free(is);
	else
		*out = is;
	return rc;
}

/* Adds section (NULL: none) to is's sections unless there; -1 on out of
 * memory. */
static int issue_section(struct ks_issue_result *is, const char *section)
{
	for (size_t i = 0; section && i < is->n_sections; i++)
		if (!strcmp(is->sections[i], section))
			return 0;
	if (!section)
		return 0;
	char **n = realloc(is->sections, (is->n_sections + 1) * sizeof *n);
	if (!n)
		return -1;
	is->sections = n;
	if (!(n[is->n_sections] = strdup(section)))
		return -1;
	is->n_sections++;
	return 0;
}

/* Reads the current row of st as is's next item; -1 on out of memory. */
static int issue_item(struct ks_issue_result *is, sqlite3_stmt *st, size_t *cap)
{
	if (is->n_items == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct ks_hit *n = realloc(is->items, c * sizeof *n);
		if (!n)
			return -1;
		is->items = n;
		*cap = c;
	}
	struct ks_hit *h = &is->items[is->n_items];
	if (ks_hit_read(st, h) < 0) {
		ks_hit_clear(h);
		return -1;
	}
	is->n_items++;
	return issue_section(is, h->section);
}

/* Reads is's items, in order, at most KS_MAX_ISSUE_ITEMS of them. */
static int issue_items(struct ks_store *s, struct ks_issue_result *is, struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, ISSUE_ITEMS, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_int64(st, 1, is->number);
	size_t cap = 0;
	int r, rc = KS_OK;
	while (rc == KS_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if (is->n_items == KS_MAX_ISSUE_ITEMS) {
			/* an index built before the limits: the first items only */
			is->truncated = 1;
			r = SQLITE_DONE;
			break;
		}
		if (issue_item(is, st, &cap) < 0)
			rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	if (rc == KS_OK && r != SQLITE_DONE)
		rc = ks_store_dberr(s, "issue", err);
	sqlite3_reset(st);
	return rc;
}

int ks_issue_get(struct ks_store *s, long long n, struct ks_issue_result **out, struct ks_err *err)
{
	struct ks_issue_result *is = NULL;
	int rc = issue_head(s, n, &is, err);
	if (rc == KS_OK && (rc = issue_items(s, is, err)) != KS_OK) {
		ks_issue_result_free(is);
		is = NULL;
	}
	if (rc == KS_OK)
		*out = is;
	return rc;
}
