/* trend.c - counts of matching items per month or year (trend.h), as data
 * (json.c shapes the body). One walk over the matching rowids, in whatever
 * order is cheapest; the day in each
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

/* Sets o's buckets from the first non-empty slot of t to the last, zeros
 * included; -1 on out of memory. */
static int take_buckets(const struct tally *t, struct ks_trend *o)
{
	int n = t->iv == KS_INTERVAL_YEAR ? N_YEARS : N_MONTHS, first = -1, last = -1;
	for (int i = 0; i < n; i++)
		if (t->count[i]) {
			if (first < 0)
				first = i;
			last = i;
		}
	if (first < 0)
		return 0;
	o->n_buckets = (size_t)(last - first + 1);
	if (!(o->buckets = calloc(o->n_buckets, sizeof *o->buckets)))
		return -1;
	for (int i = first; i <= last; i++) {
		struct ks_trend_bucket *b = &o->buckets[i - first];
		b->year = t->iv == KS_INTERVAL_YEAR ? FIRST_YEAR + i : FIRST_YEAR + i / 12;
		b->month = t->iv == KS_INTERVAL_YEAR ? 0 : i % 12 + 1;
		b->count = t->count[i];
	}
	return 0;
}

void ks_trend_free(struct ks_trend *t)
{
	if (!t)
		return;
	free(t->query);
	free(t->buckets);
	ks_query_expansions_free(t->expanded, t->n_expanded);
	ks_query_notices_free(t->notices, t->n_notices);
	free(t);
}

/* The trend of t's counts and sc's query (whose expansions and notices
 * move into it); NULL on out of memory. */
static struct ks_trend *trend_new(const struct ks_search_params *p, const struct tally *t,
				  struct ks_scan *sc)
{
	struct ks_trend *o = calloc(1, sizeof *o);
	if (!o || !(o->query = strdup(p->q ? p->q : "")) || take_buckets(t, o) < 0) {
		ks_trend_free(o);
		return NULL;
	}
	o->interval = t->iv;
	o->total = t->total;
	o->undated = t->undated;
	ks_query_take_notes(&sc->q, &o->expanded, &o->n_expanded, &o->notices, &o->n_notices);
	return o;
}

int ks_trend_run(struct ks_store *s, const struct ks_search_params *p, enum ks_interval iv,
		 struct ks_trend **out, struct ks_err *err)
{
	struct ks_scan sc;
	struct tally t = {iv, NULL, 0, 0, -1, -1};
	struct ks_trend *o = NULL;
	int rc = ks_scan_init(s, p, &sc, err);
	if (rc == KS_OK && !(t.count = calloc(N_MONTHS, sizeof *t.count)))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[trend] out of memory");
	if (rc == KS_OK)
		rc =
		    ks_scan_walk(s, &sc, 0, INT64_MAX, KS_SCAN_ANY, KS_SCORE_NONE, on_row, &t, err);
	if (rc == KS_OK && !(o = trend_new(p, &t, &sc)))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[trend] out of memory");
	ks_scan_clear(s, &sc);
	free(t.count);
	if (rc == KS_OK)
		*out = o;
	return rc;
}
