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

/* Counts the items matching p (q, expand, section, from, to, entity,
 * deadline_ms; p must pass ks_search_params_check; limit, offset, sort and
 * explain are ignored) per interval:
 *   {"query": q, "interval": "month", "total": N, "undated": U,
 *    "buckets": [{"key": "2022-03", "count": 4}, ...], "expanded": [...]}
 * (+ "notices": [...] when the query ran into a bound, ks_notices_json).
 * Buckets ascend by key ("YYYY-MM" or "YYYY") from the first interval with
 * a match to the last one, intervals without a match included with count
 * 0; empty when no dated item matches. undated counts matching items with
 * no date (or one outside 1970..2149, which the rowid cannot hold); total
 * counts every match. *out is a new reference. Fails with KS_ERR_TIMEOUT
 * past the deadline, KS_ERR_DB, KS_ERR_NOMEM. */
int ks_trend_json(struct ks_store *s, const struct ks_search_params *p, enum ks_interval iv,
		  json_t **out, struct ks_err *err);

#endif
