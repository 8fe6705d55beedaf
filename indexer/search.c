/* search.c - MATCH, ranking, exact totals, facets, paging and highlights.
 *
 * A search runs at most three statements: one grouped scan for the total
 * and both facets, one page of rows in the requested order, and one
 * highlight lookup per hit on the page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kensaku/query.h"
#include "kensaku/search.h"
#include "store_internal.h"

#define COLS "i.rowid, i.issue, i.position, i.date, i.section, i.title, i.quote, i.url"
#define DATES " AND (?3 IS NULL OR i.date >= ?3) AND (?4 IS NULL OR i.date <= ?4)"
#define FILTERS " AND (?2 IS NULL OR i.section = ?2)" DATES
#define FROM_MATCH                                                                                 \
	" FROM items_fts JOIN items i ON i.rowid = items_fts.rowid WHERE items_fts MATCH ?1"
#define FROM_ALL " FROM items i WHERE 1"
#define FROM_EXCL                                                                                  \
	" FROM items i WHERE i.rowid NOT IN (SELECT rowid FROM items_fts WHERE items_fts MATCH "   \
	"?1)"
#define FACETS "SELECT i.section, substr(i.date, 1, 4), count(*)"
#define GROUP " GROUP BY 1, 2"
#define NEWEST " ORDER BY i.date IS NULL, i.date DESC, i.issue DESC, i.position"
#define OLDEST " ORDER BY i.date IS NULL, i.date, i.issue, i.position"
#define RELEVANCE " ORDER BY items_fts.rank, i.date IS NULL, i.date DESC, i.issue DESC, i.position"
#define PAGE " LIMIT ?5 OFFSET ?6"

static const char FACETS_MATCH[] = FACETS FROM_MATCH DATES GROUP;
static const char FACETS_ALL[] = FACETS FROM_ALL DATES GROUP;
static const char FACETS_EXCL[] = FACETS FROM_EXCL DATES GROUP;
static const char PAGE_MATCH_REL[] =
    "SELECT " COLS ", -items_fts.rank" FROM_MATCH FILTERS RELEVANCE PAGE;
static const char PAGE_MATCH_NEW[] =
    "SELECT " COLS ", -items_fts.rank" FROM_MATCH FILTERS NEWEST PAGE;
static const char PAGE_MATCH_OLD[] =
    "SELECT " COLS ", -items_fts.rank" FROM_MATCH FILTERS OLDEST PAGE;
static const char PAGE_ALL_NEW[] = "SELECT " COLS ", 0.0" FROM_ALL FILTERS NEWEST PAGE;
static const char PAGE_ALL_OLD[] = "SELECT " COLS ", 0.0" FROM_ALL FILTERS OLDEST PAGE;
static const char PAGE_EXCL_NEW[] = "SELECT " COLS ", 0.0" FROM_EXCL FILTERS NEWEST PAGE;
static const char PAGE_EXCL_OLD[] = "SELECT " COLS ", 0.0" FROM_EXCL FILTERS OLDEST PAGE;
static const char MARKS[] = "SELECT ks_matches(items_fts, 0), ks_matches(items_fts, 1)"
			    " FROM items_fts WHERE items_fts MATCH ?1 AND rowid = ?2";
static const char ITEM[] =
    "SELECT " COLS ", 0.0 FROM items i WHERE i.issue = ?1 AND i.position = ?2";
static const char ISSUE[] = "SELECT number, date, title FROM issues WHERE number = ?1";
static const char ISSUE_ITEMS[] = "SELECT " COLS ", 0.0 FROM items i WHERE i.issue = ?1"
				  " ORDER BY i.position";

static char *dup_col(sqlite3_stmt *st, int col, int *oom)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	if (!v)
		return NULL;
	char *p = strdup(v);
	if (!p)
		*oom = 1;
	return p;
}

/* Fills h from a row of COLS + score; 0 or -1 on out of memory. */
static int read_hit(sqlite3_stmt *st, struct ks_hit *h)
{
	int oom = 0;
	memset(h, 0, sizeof *h);
	h->issue = sqlite3_column_int64(st, 1);
	h->position = sqlite3_column_int(st, 2);
	snprintf(h->id, sizeof h->id, "%lld-%d", h->issue, h->position);
	h->date = dup_col(st, 3, &oom);
	h->section = dup_col(st, 4, &oom);
	h->title = dup_col(st, 5, &oom);
	h->quote = dup_col(st, 6, &oom);
	h->url = dup_col(st, 7, &oom);
	h->score = sqlite3_column_double(st, 8);
	return oom ? -1 : 0;
}

static void hit_clear(struct ks_hit *h)
{
	free(h->date);
	free(h->section);
	free(h->title);
	free(h->quote);
	free(h->url);
	free(h->title_html);
	free(h->snippet_html);
}

void ks_hit_free(struct ks_hit *h)
{
	if (!h)
		return;
	hit_clear(h);
	free(h);
}

void ks_result_free(struct ks_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_hits; i++)
		hit_clear(&r->hits[i]);
	free(r->hits);
	for (size_t i = 0; i < r->n_sections; i++)
		free(r->sections[i].key);
	free(r->sections);
	for (size_t i = 0; i < r->n_years; i++)
		free(r->years[i].key);
	free(r->years);
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

static void bind_filters(sqlite3_stmt *st, const struct ks_query *q,
			 const struct ks_search_params *p)
{
	const char *m = q->kind == KS_Q_EXCLUDE ? q->exclude : q->match;
	if (m)
		sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	if (p->section && sqlite3_bind_parameter_index(st, "?2"))
		sqlite3_bind_text(st, 2, p->section, -1, SQLITE_STATIC);
	if (p->from)
		sqlite3_bind_text(st, 3, p->from, -1, SQLITE_STATIC);
	if (p->to)
		sqlite3_bind_text(st, 4, p->to, -1, SQLITE_STATIC);
}

/* Total and facets in one grouped scan. */
static int run_facets(struct ks_store *s, const struct ks_query *q,
		      const struct ks_search_params *p, struct ks_result *r, struct ks_err *err)
{
	const char *sql = q->kind == KS_Q_MATCH	    ? FACETS_MATCH
			  : q->kind == KS_Q_EXCLUDE ? FACETS_EXCL
						    : FACETS_ALL;
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	if (!st)
		return KS_ERR_DB;
	bind_filters(st, q, p);
	int rc, oom = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !oom) {
		const char *section = (const char *)sqlite3_column_text(st, 0);
		const char *year = (const char *)sqlite3_column_text(st, 1);
		long long n = sqlite3_column_int64(st, 2);
		if (section && facet_add(&r->sections, &r->n_sections, section, n) < 0)
			oom = 1;
		if (p->section && (!section || strcmp(section, p->section) != 0))
			continue;
		r->total += n;
		if (year && facet_add(&r->years, &r->n_years, year, n) < 0)
			oom = 1;
	}
	int ret = KS_OK;
	if (oom)
		ret = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	else if (rc != SQLITE_DONE)
		ret = ks_store_dberr(s, "search", err);
	sqlite3_reset(st);
	if (ret == KS_OK) {
		if (r->n_sections)
			qsort(r->sections, r->n_sections, sizeof *r->sections, by_count_desc);
		if (r->n_years)
			qsort(r->years, r->n_years, sizeof *r->years, by_key_desc);
	}
	return ret;
}

/* Parses "s-e s-e ..." into a malloc'd int array of pairs. */
static int *parse_marks(const char *s, int *n)
{
	*n = 0;
	if (!s || !*s)
		return NULL;
	int cap = 8;
	int *m = malloc((size_t)cap * 2 * sizeof *m);
	while (m && *s) {
		char *e;
		long a = strtol(s, &e, 10);
		if (*e != '-')
			break;
		long b = strtol(e + 1, &e, 10);
		if (*n == cap) {
			int *nm = realloc(m, (size_t)cap * 4 * sizeof *m);
			if (!nm)
				break;
			m = nm;
			cap *= 2;
		}
		m[2 * *n] = (int)a;
		m[2 * *n + 1] = (int)b;
		(*n)++;
		s = e;
		while (*s == ' ')
			s++;
	}
	return m;
}

/* Sets h's title_html and snippet_html; marks come from the index when the
 * query has positive terms. */
static int highlight(struct ks_store *s, const struct ks_query *q, sqlite3_int64 rowid,
		     struct ks_hit *h, struct ks_err *err)
{
	int *tm = NULL, *qm = NULL, ntm = 0, nqm = 0, rc = KS_OK;
	if (q->kind == KS_Q_MATCH) {
		sqlite3_stmt *st = ks_store_stmt(s, MARKS, err);
		if (!st)
			return KS_ERR_DB;
		sqlite3_bind_text(st, 1, q->match, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, rowid);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			tm = parse_marks((const char *)sqlite3_column_text(st, 0), &ntm);
			qm = parse_marks((const char *)sqlite3_column_text(st, 1), &nqm);
		} else if (r != SQLITE_DONE) {
			rc = ks_store_dberr(s, "highlight", err);
		}
		sqlite3_reset(st);
	}
	const char *t = h->title ? h->title : "";
	const char *qt = h->quote ? h->quote : "";
	h->title_html = ks_html_mark(t, (int)strlen(t), tm, ntm, 0);
	h->snippet_html = ks_html_mark(qt, (int)strlen(qt), qm, nqm, KS_SNIPPET_CHARS);
	if (rc == KS_OK && (!h->title_html || !h->snippet_html))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	free(tm);
	free(qm);
	return rc;
}

static const char *page_sql(const struct ks_query *q, enum ks_sort sort)
{
	if (q->kind == KS_Q_MATCH)
		return sort == KS_SORT_NEWEST	? PAGE_MATCH_NEW
		       : sort == KS_SORT_OLDEST ? PAGE_MATCH_OLD
						: PAGE_MATCH_REL;
	if (q->kind == KS_Q_EXCLUDE)
		return sort == KS_SORT_OLDEST ? PAGE_EXCL_OLD : PAGE_EXCL_NEW;
	return sort == KS_SORT_OLDEST ? PAGE_ALL_OLD : PAGE_ALL_NEW;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int ks_search_run(struct ks_store *s, const struct ks_search_params *p, struct ks_result **out,
		  struct ks_err *err)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct ks_query q;
	struct ks_result *r = calloc(1, sizeof *r);
	if (!r || !(r->query = strdup(p->q ? p->q : ""))) {
		free(r);
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	}
	r->offset = p->offset;
	r->limit = p->limit;
	int rc = ks_query_translate(ks_store_tok(s), p->q, &q);
	if (rc != KS_OK) {
		ks_result_free(r);
		return ks_err_set(err, rc, "[search] out of memory");
	}
	const char *fts = q.kind == KS_Q_EXCLUDE ? q.exclude : q.match;
	if (fts && !(r->fts = strdup(fts)))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	if (q.kind == KS_Q_NONE || rc != KS_OK)
		goto out;

	ks_store_deadline(s, p->deadline_ms);
	if ((rc = run_facets(s, &q, p, r, err)) != KS_OK)
		goto out;
	if (r->total > p->offset) {
		long long want = r->total - p->offset;
		size_t cap = (size_t)(want < p->limit ? want : p->limit);
		if (!(r->hits = calloc(cap, sizeof *r->hits))) {
			rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
			goto out;
		}
		sqlite3_int64 *rowids = calloc(cap, sizeof *rowids);
		sqlite3_stmt *st = rowids ? ks_store_stmt(s, page_sql(&q, p->sort), err) : NULL;
		if (!st) {
			free(rowids);
			rc = rowids ? KS_ERR_DB
				    : ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
			goto out;
		}
		bind_filters(st, &q, p);
		sqlite3_bind_int(st, 5, p->limit);
		sqlite3_bind_int(st, 6, p->offset);
		int step;
		while (r->n_hits < cap && (step = sqlite3_step(st)) == SQLITE_ROW) {
			rowids[r->n_hits] = sqlite3_column_int64(st, 0);
			if (read_hit(st, &r->hits[r->n_hits++]) < 0) {
				rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
				break;
			}
		}
		if (rc == KS_OK && r->n_hits < cap && step != SQLITE_DONE)
			rc = ks_store_dberr(s, "search", err);
		sqlite3_reset(st);
		for (size_t i = 0; rc == KS_OK && i < r->n_hits; i++)
			rc = highlight(s, &q, rowids[i], &r->hits[i], err);
		free(rowids);
	}
out:
	ks_store_deadline(s, 0);
	ks_query_clear(&q);
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
		if (!h || read_hit(st, h) < 0) {
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
			struct ks_hit h;
			json_t *j = NULL;
			if (read_hit(st, &h) < 0 || !(j = ks_hit_json(&h, 0)) ||
			    json_array_append_new(items, j))
				rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
			/* sections in order of first appearance */
			int seen = !h.section;
			for (size_t i = 0; !seen && i < json_array_size(sections); i++)
				seen = !strcmp(json_string_value(json_array_get(sections, i)),
					       h.section);
			if (!seen && json_array_append_new(sections, json_string(h.section)))
				rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
			hit_clear(&h);
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
