/* trend.c - counts of matching items per month or year (trend.h). One walk
 * over the matching rowids, in whatever order is cheapest; the day in each
 * rowid picks the bucket (a run of items of one day costs one comparison
 * each). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kensaku/trend.h"
#include "rowid.h"
#include "scan.h"

/* Rowid days span 1970..2149 (rowid.h): 180 years, 2160 months. */
#define FIRST_YEAR 1970
#define N_YEARS 181
#define N_MONTHS (N_YEARS * 12)

int ks_interval_parse(const char *s, enum ks_interval *out)
{
	if (!s || !strcmp(s, "month"))
		*out = KS_INTERVAL_MONTH;
	else if (!strcmp(s, "year"))
		*out = KS_INTERVAL_YEAR;
	else
		return KS_ERR_ARG;
	return KS_OK;
}

struct tally {
	enum ks_interval iv;
	long long *count; /* per month or year since FIRST_YEAR */
	long long total, undated;
	int last_day, last_slot;
};

static int on_row(void *ctx, sqlite3_int64 rowid, double score)
{
	struct tally *t = ctx;
	int day = ks_rowid_day(rowid);
	(void)score;
	t->total++;
	if (!day) {
		t->undated++;
		return 0;
	}
	if (day != t->last_day) {
		int y, m;
		ks_scan_year_month(day, &y, &m);
		t->last_day = day;
		t->last_slot =
		    t->iv == KS_INTERVAL_YEAR ? y - FIRST_YEAR : (y - FIRST_YEAR) * 12 + m - 1;
		int n = t->iv == KS_INTERVAL_YEAR ? N_YEARS : N_MONTHS;
		if (t->last_slot < 0 || t->last_slot >= n)
			t->last_slot = -1; /* cannot happen with rowid.h's range */
	}
	if (t->last_slot >= 0)
		t->count[t->last_slot]++;
	else
		t->undated++;
	return 0;
}

/* The buckets from the first non-empty slot to the last, zeros included. */
static json_t *buckets_json(const struct tally *t)
{
	int n = t->iv == KS_INTERVAL_YEAR ? N_YEARS : N_MONTHS, first = -1, last = -1;
	for (int i = 0; i < n; i++)
		if (t->count[i]) {
			if (first < 0)
				first = i;
			last = i;
		}
	json_t *a = json_array();
	for (int i = first; a && first >= 0 && i <= last; i++) {
		char key[16];
		if (t->iv == KS_INTERVAL_YEAR)
			snprintf(key, sizeof key, "%04d", FIRST_YEAR + i);
		else
			snprintf(key, sizeof key, "%04d-%02d", FIRST_YEAR + i / 12, i % 12 + 1);
		json_t *b = json_pack("{s:s, s:I}", "key", key, "count", (json_int_t)t->count[i]);
		if (!b || json_array_append_new(a, b)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int ks_trend_json(struct ks_store *s, const struct ks_search_params *p, enum ks_interval iv,
		  json_t **out, struct ks_err *err)
{
	struct ks_scan sc;
	struct tally t = {iv, NULL, 0, 0, -1, -1};
	json_t *o = NULL;
	int rc = ks_scan_init(s, p, &sc, err);
	if (rc == KS_OK && !(t.count = calloc(N_MONTHS, sizeof *t.count)))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[trend] out of memory");
	if (rc == KS_OK)
		rc =
		    ks_scan_walk(s, &sc, 0, INT64_MAX, KS_SCAN_ANY, KS_SCORE_NONE, on_row, &t, err);
	if (rc == KS_OK) {
		json_t *buckets = buckets_json(&t);
		json_t *expanded = ks_expanded_json(sc.q.expanded, sc.q.n_expanded);
		if (buckets && expanded)
			o = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o}", "query", p->q ? p->q : "",
				      "interval", iv == KS_INTERVAL_YEAR ? "year" : "month",
				      "total", (json_int_t)t.total, "undated",
				      (json_int_t)t.undated, "buckets", buckets, "expanded",
				      expanded);
		else {
			json_decref(buckets);
			json_decref(expanded);
		}
		if (o && sc.q.n_notices &&
		    json_object_set_new(o, "notices",
					ks_notices_json(sc.q.notices, sc.q.n_notices))) {
			json_decref(o);
			o = NULL;
		}
		if (!o)
			rc = ks_err_set(err, KS_ERR_NOMEM, "[trend] out of memory");
	}
	ks_scan_clear(s, &sc);
	free(t.count);
	if (rc == KS_OK)
		*out = o;
	return rc;
}
