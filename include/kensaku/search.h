/* search.h - run a query against a store, and shape the API's JSON.
 *
 * search.c owns exact totals, facets, paging and the hits' marks over the
 * one walk of the matches (scan.c: MATCH, ranking with BM25, title
 * weighted above quotes); it returns plain data (text and byte ranges,
 * hit.h) that the caller frees. json.c and html.c (the render layer) turn
 * results into the exact bodies of the HTTP API, so `kensaku search
 * --json` and kensakud print the same bytes. */
#ifndef KENSAKU_SEARCH_H
#define KENSAKU_SEARCH_H

#include <jansson.h>

#include "err.h"
#include "facet.h"
#include "hit.h"
#include "params.h"
#include "query.h"
#include "store.h"

struct ks_result {
	char *query; /* q as given */
	long long total;
	int offset, limit;
	double took_ms;
	struct ks_hit *hits;
	size_t n_hits;
	struct ks_facet *sections; /* ignoring the section filter, by count desc */
	size_t n_sections;
	struct ks_facet *years; /* with every filter, by year desc */
	size_t n_years;
	char *fts;	       /* the FTS5 expression that ran (NULL for browse) */
	char **sites; /* the site: filters that ran, as "host" (any of them) and
		       * "-host" (none of them), owned */
	size_t n_sites;
	struct ks_facet *cves; /* top KS_FACET_TOP CVE ids, every filter, by count desc */
	size_t n_cves;
	struct ks_facet *entities; /* top KS_FACET_TOP gazetteer entities, likewise */
	size_t n_entities;
	struct ks_query_expansion *expanded; /* terms expanded (p->expand), owned */
	size_t n_expanded;
	struct ks_query_notice *notices; /* bounds the query ran into (query.h), owned */
	size_t n_notices;
	char **suggestions; /* did you mean: queries like q (no or very few hits), owned */
	size_t n_suggestions;
	int explain; /* p->explain: the JSON shows fts, and each hit its score's parts */
};

/* Runs p against s (p must pass ks_search_params_check). On success *out
 * owns the result. p->deadline_ms covers the whole call, shaping included
 * (facets, reading and highlighting the page): past it the call fails with
 * KS_ERR_TIMEOUT. Fails with KS_ERR_DB otherwise. Safe to call from many
 * threads with one store each. */
int ks_search_run(struct ks_store *s, const struct ks_search_params *p, struct ks_result **out,
		  struct ks_err *err);

/* Frees r. Accepts NULL. */
void ks_result_free(struct ks_result *r);

/* Looks up one item by id ("59-3"); KS_ERR_NOTFOUND when absent or when id
 * is malformed. *out has no highlights; free with ks_hit_free. */
int ks_item_get(struct ks_store *s, const char *id, struct ks_hit **out, struct ks_err *err);

/* Frees one hit allocated by ks_item_get. Accepts NULL. */
void ks_hit_free(struct ks_hit *h);

/* One whole issue as GET /api/issues/{n} shows it (plain data). */
struct ks_issue_result {
	long long number;
	char *date, *title; /* NULL when unknown */
	char **sections;    /* its items' sections, in order of first appearance */
	size_t n_sections;
	struct ks_hit *items; /* in order of position, no highlights */
	size_t n_items;
	int truncated; /* 1: the issue has more than KS_MAX_ISSUE_ITEMS items */
};

/* Reads issue n; KS_ERR_NOTFOUND when absent, KS_ERR_DB, KS_ERR_NOMEM. At
 * most KS_MAX_ISSUE_ITEMS items (item.h) are read: an issue with more
 * (only an index built before the limits has one) gets the first ones and
 * truncated set. On success *out is the caller's (ks_issue_result_free). */
int ks_issue_get(struct ks_store *s, long long n, struct ks_issue_result **out, struct ks_err *err);

/* Frees an issue of ks_issue_get. Accepts NULL. */
void ks_issue_result_free(struct ks_issue_result *is);

/* {"issue": n, "date": ..., "title": ..., ("truncated": true,)
 * "sections": [...], "items": [hit...]} (json.c). New reference; NULL on
 * out of memory. */
json_t *ks_issue_json(const struct ks_issue_result *is);

/* The API body of a search: {"query","total","offset","limit","took_ms",
 * "hits","facets","expanded"} (+ "fts" and "sites" when r->explain, + "notices" when
 * the query ran into a bound, + "suggestions" when there are some); facets holds "section", "year",
 * "cve" and "entity"; expanded is [{"term","variants"}]. New reference; NULL on out of memory. */
json_t *ks_result_json(const struct ks_result *r);

/* The bytes of ks_result_json(r) (as ks_json_body writes them) in two
 * parts around the value of "took_ms": the body is *head, the took_ms
 * value, *tail (ks_result_body_join), so a cached body reports the time
 * of the request that reads it without anyone editing bytes. Both
 * malloc'd (caller frees). 0, or -1 on out of memory (both NULL). */
int ks_result_body_parts(const struct ks_result *r, char **head, char **tail);

/* head (hlen bytes), took_ms as a body writes it, tail (tlen bytes): the
 * body of ks_result_body_parts for a request that took took_ms. malloc'd
 * (caller frees), its length in *len; NULL on out of memory. */
char *ks_result_body_join(const char *head, size_t hlen, double took_ms, const char *tail,
			  size_t tlen, size_t *len);

/* A sentence for readers saying what bound n ran into ("a prefix needs
 * at least 3 characters: h* was searched as h"); malloc'd (caller frees),
 * NULL on out of memory. */
char *ks_notice_message(const struct ks_query_notice *n);

/* The "notices" list of a body: [{"code": "prefix_short", "term": "h*",
 * "searched": "h" | null, "message": "..."}] for the n notices of v (code
 * is ks_query_limit_name's). New reference; NULL on out of memory. */
json_t *ks_notices_json(const struct ks_query_notice *v, size_t n);

/* The "expanded" list of a body: [{"term": ..., "variants": [...]}] for the
 * n expansions of e (a query's or a result's). New reference; NULL on out
 * of memory. */
json_t *ks_expanded_json(const struct ks_query_expansion *e, size_t n);

/* One hit object; with_html (search hits) adds "title_html" and
 * "snippet_html" built from the hit's text and marks (html.h), "score",
 * and "explain" (the score's parts, hit.h) when the hit has them.
 * New reference; NULL on out of memory. */
json_t *ks_hit_json(const struct ks_hit *h, int with_html);

/* The bytes of a JSON body as the API sends it (compact, reals with six
 * significant digits); malloc'd, caller frees; NULL on out of memory. Both
 * kensakud and `kensaku search --json` print bodies through this. */
char *ks_json_body(const json_t *j);

/* The body of GET /healthz: {"status": "ok", "items": N, "issues": N,
 * "generation": st's or null, "server_generation": server_generation,
 * "reindex_needed": bool, "version": KS_VERSION}. New reference; NULL on
 * out of memory. */
json_t *ks_health_json(const struct ks_store_stats *st, unsigned long server_generation,
		       int reindex_needed);

/* The body of `kensaku stats --json`: {"items", "issues", "sources",
 * "first_date" and "last_date" (null when unknown), "built_at", "tokenizer",
 * "icu", "segmenter" (the word boundaries' source, null before they were
 * recorded), "generation", "file_bytes", "reindex_needed", and this binary's
 * "binary_tokenizer" and "binary_icu"}. New reference, NULL on out of
 * memory. */
json_t *ks_stats_json(const struct ks_store_stats *st, int reindex_needed);

/* Cuts the "title", "quote", "section" and "url" strings of the JSON
 * object o (an item as the API shows it) to the limits of item.h, at a
 * character boundary, and sets "truncated": true when anything was cut:
 * an index built before the limits may hold longer ones, and a response
 * must stay bounded. Returns 1 when o was cut, 0 when not, -1 on out of
 * memory. */
int ks_item_json_clamp(json_t *o);

/* {"error": {"code": code, "message": message}}. New reference. */
json_t *ks_error_json(const char *code, const char *message);

#endif
