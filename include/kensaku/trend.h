/* trend.h - how many items match a query per month or per year: the body
 * of GET /api/trend.
 *
 * The counts come from one walk over the matching rowids (their date is in
 * the rowid, see indexer/store/rowid.h): no item row is read. The filters mean
 * what they mean for a search, so total equals the search total. */
#ifndef KENSAKU_TREND_H
#define KENSAKU_TREND_H

#include <jansson.h>

#include "err.h"
#include "search.h"
#include "store.h"

enum ks_interval { KS_INTERVAL_MONTH = 0, KS_INTERVAL_YEAR };

/* Parses "month" | "year" (NULL: month); KS_ERR_ARG otherwise. */
int ks_interval_parse(const char *s, enum ks_interval *out);

/* One interval of a trend: a year (month 0) or a month (1..12). */
struct ks_trend_bucket {
	int year, month;
	long long count;
};

/* The counts of a query per interval (plain data). */
struct ks_trend {
	char *query; /* q as given ("" for none) */
	enum ks_interval interval;
	long long total;		 /* every match */
	long long undated;		 /* matches with no date (or one outside 1970..2149, which
					  * the rowid cannot hold) */
	struct ks_trend_bucket *buckets; /* ascending, from the first interval with a
					  * match to the last, empty ones included */
	size_t n_buckets;
	struct ks_query_expansion *expanded; /* terms expanded (p->expand), owned */
	size_t n_expanded;
	struct ks_query_notice *notices; /* bounds the query ran into, owned */
	size_t n_notices;
};

/* Counts the items matching p (q, expand, section, from, to, entity,
 * deadline_ms; p must pass ks_search_params_check; limit, offset, sort and
 * explain are ignored) per interval iv, in one walk over the matches. On
 * success *out is the caller's (ks_trend_free). Fails with KS_ERR_TIMEOUT
 * past the deadline, KS_ERR_DB, KS_ERR_NOMEM. */
int ks_trend_run(struct ks_store *s, const struct ks_search_params *p, enum ks_interval iv,
		 struct ks_trend **out, struct ks_err *err);

/* Frees a trend of ks_trend_run. Accepts NULL. */
void ks_trend_free(struct ks_trend *t);

/* The body of GET /api/trend (json.c):
 *   {"query": q, "interval": "month", "total": N, "undated": U,
 *    "buckets": [{"key": "2022-03", "count": 4}, ...], "expanded": [...]}
 * (+ "notices": [...] when the query ran into a bound, ks_notices_json);
 * keys are "YYYY-MM" or "YYYY". New reference; NULL on out of memory. */
json_t *ks_trend_json(const struct ks_trend *t);

#endif
