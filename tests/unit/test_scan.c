/* test_scan.c - the one walk over the matches (indexer/search/scan.h, a
 * private entry point every query endpoint shares): each match is visited
 * once, in rowid order either way, filters mean what they mean for a
 * search (the walk's count equals the search total), the callback can
 * stop it, and scores are given only when asked for. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/buf.h"
#include "kensaku/date.h"
#include "kensaku/search.h"
#include "kensaku/store.h"
#include "scan.h"

static char path[64];

#define N_DESC 1500

/* Six issues, one a month from January 2022, each with a "wormable" item
 * and one without; the last issue undated. */
static struct ks_store *fixture(void)
{
	struct ks_store *s = fx_open(path, "scan");
	struct ks_batch b = {0};
	for (int i = 0; i < 6; i++) {
		struct ks_issue *is = ks_batch_add_issue(&b);
		char date[16];
		is->number = 20 + i;
		snprintf(date, sizeof date, "2022-%02d-15", i + 1);
		is->date = i < 5 ? strdup(date) : NULL;
		fx_item(is, i % 2 ? "脆弱性" : "その他", "wormable bug", NULL);
		fx_item(is, "その他", "something else", NULL);
	}
	fx_put(s, "/src/scan.txt", &b);
	return s;
}

struct seen {
	sqlite3_int64 v[64];
	double score[64];
	int n, stop_at;
};

static int visit(void *ctx, sqlite3_int64 rowid, double score)
{
	struct seen *w = ctx;
	if (w->n < 64) {
		w->v[w->n] = rowid;
		w->score[w->n] = score;
	}
	w->n++;
	return w->stop_at && w->n == w->stop_at;
}

/* Walks p in order with score; the rowids in w. */
static int walk(struct ks_store *s, const struct ks_search_params *p, enum ks_scan_order order,
		enum ks_scan_score score, struct seen *w)
{
	struct ks_scan sc;
	struct ks_err err = {""};
	int rc = ks_scan_init(s, p, &sc, &err);
	if (rc == KS_OK)
		rc = ks_scan_walk(s, &sc, 0, INT64_MAX, order, score, visit, w, &err);
	ks_scan_clear(s, &sc);
	return rc;
}

static long long total(struct ks_store *s, const struct ks_search_params *p)
{
	struct ks_result *r = NULL;
	struct ks_err err = {""};
	long long t = ks_search_run(s, p, &r, &err) == KS_OK ? r->total : -1;
	ks_result_free(r);
	return t;
}

static void test_order_once(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	struct seen up = {0}, down = {0};
	ks_search_params_init(&p);
	p.q = "wormable";
	CHECK(walk(s, &p, KS_SCAN_ASC, KS_SCORE_NONE, &up) == KS_OK);
	CHECK(walk(s, &p, KS_SCAN_DESC, KS_SCORE_NONE, &down) == KS_OK);
	CHECK(up.n == 6 && down.n == 6 && up.n == total(s, &p));
	for (int i = 0; i < up.n && i < 6; i++) {
		CHECK(i == 0 || up.v[i] > up.v[i - 1]); /* ascending: each once */
		CHECK(up.v[i] == down.v[up.n - 1 - i]);
		CHECK(up.score[i] == 0);
	}
	/* browsing visits every item */
	struct seen all = {0};
	p.q = "";
	CHECK(walk(s, &p, KS_SCAN_ANY, KS_SCORE_NONE, &all) == KS_OK && all.n == 12);
	fx_close(s, path);
}

static void test_filters_stop_scores(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	struct seen w = {0};
	ks_search_params_init(&p);
	p.q = "wormable";
	p.section = "脆弱性";
	CHECK(walk(s, &p, KS_SCAN_ASC, KS_SCORE_NONE, &w) == KS_OK);
	CHECK(w.n == 3 && w.n == total(s, &p));
	p.section = NULL;
	p.from = "2022-02-01";
	p.to = "2022-04-30";
	w.n = 0;
	CHECK(walk(s, &p, KS_SCAN_ASC, KS_SCORE_NONE, &w) == KS_OK);
	CHECK(w.n == 3 && w.n == total(s, &p)); /* February to April; undated out */
	p.from = p.to = NULL;
	struct seen stop = {.stop_at = 2};
	CHECK(walk(s, &p, KS_SCAN_DESC, KS_SCORE_FULL, &stop) == KS_OK && stop.n == 2);
	CHECK(stop.score[0] > 0 && stop.score[1] > 0);
	/* a section nobody has: nothing, and no error */
	p.section = "存在しない";
	w.n = 0;
	CHECK(walk(s, &p, KS_SCAN_ASC, KS_SCORE_NONE, &w) == KS_OK && w.n == 0);
	fx_close(s, path);
}

struct all {
	sqlite3_int64 *v;
	size_t *n;
};

static int collect_all(void *ctx, sqlite3_int64 rowid, double score)
{
	struct all *a = ctx;
	(void)score;
	if (*a->n < N_DESC)
		a->v[(*a->n)++] = rowid;
	return 0;
}

/* Walks p downwards from hi (the rowid range [0, hi]); the first rowid
 * in *first (-1: none). */
static int walk_down_from(struct ks_store *s, const struct ks_search_params *p, sqlite3_int64 hi,
			  sqlite3_int64 *first)
{
	struct ks_scan sc;
	struct ks_err err = {""};
	struct seen w = {.stop_at = 1};
	int rc = ks_scan_init(s, p, &sc, &err);
	if (rc == KS_OK)
		rc = ks_scan_walk(s, &sc, 0, hi, KS_SCAN_DESC, KS_SCORE_CHEAP, visit, &w, &err);
	ks_scan_clear(s, &sc);
	*first = w.n ? w.v[0] : -1;
	return rc;
}

/* The next value of a small linear congruential generator. */
static unsigned lcg(unsigned *x)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 16) & 0x7fff;
}

/* N_DESC items dated from 1970-04 on, 0 to 3 days apart, in twelve
 * sections, each mentioning "users" 1 to 10 times, drawn from seed. */
static struct ks_store *desc_fixture(unsigned seed)
{
	static const char *const sections[] = {"s1", "s2", "s3", "s4",  "s5",  "s6",
					       "s7", "s8", "s9", "s10", "s11", "s12"};
	struct ks_store *s = fx_open(path, "scandesc");
	struct ks_batch b = {0};
	long day = 100;
	for (int i = 0; i < N_DESC; i++) {
		struct ks_issue *is = ks_batch_add_issue(&b);
		struct ks_buf quote = {0};
		char date[16];
		long y;
		int m, d;
		day += lcg(&seed) % 4;
		ks_date_civil(day, &y, &m, &d);
		snprintf(date, sizeof date, "%04ld-%02d-%02d", y, m, d);
		is->number = 1000 + i;
		is->date = strdup(date);
		for (unsigned k = 1 + lcg(&seed) % 10; k > 0; k--)
			ks_buf_str(&quote, "users ");
		ks_buf_str(&quote, "filler text");
		fx_item(is, sections[lcg(&seed) % 12], "a headline", quote.p);
		ks_buf_free(&quote);
	}
	fx_put(s, "/src/scandesc.txt", &b);
	return s;
}

/* A walk downwards from any rowid inside a long doclist starts there and
 * misses nothing. SQLite 3.40's FTS5 skips rows going downwards through a
 * long doclist (it steps back through the doclist index by scanning bytes
 * for the start of a varint, and kensaku's rowids, day << 47 | seq << 10 |
 * section, make deltas that defeat it): on the medium bench corpus a
 * newest-first search for カード counted 724 of its 1,319 items and a CSV
 * export of `users` sorted newest lost 2,370 of 3,489 rows. The walk now
 * reads matches upwards and hands them out from the last (scan.c,
 * walk_down). This small corpus has a doclist index but not the byte
 * pattern, so it checks the walk's contract on every row; the bench
 * corpus is where the old walk failed. */
static void test_desc_from_inside(void)
{
	struct ks_store *s = desc_fixture(2);
	struct ks_search_params p;
	static sqlite3_int64 all[N_DESC];
	size_t n = 0;
	struct ks_scan sc;
	struct ks_err err = {""};
	ks_search_params_init(&p);
	p.q = "users";
	CHECK(ks_scan_init(s, &p, &sc, &err) == KS_OK);
	CHECK(ks_scan_walk(s, &sc, 0, INT64_MAX, KS_SCAN_ASC, KS_SCORE_NONE, collect_all,
			   &(struct all){all, &n}, &err) == KS_OK);
	ks_scan_clear(s, &sc);
	CHECK(n == N_DESC);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		sqlite3_int64 first;
		CHECK(walk_down_from(s, &p, all[i], &first) == KS_OK);
		bad += first != all[i];
	}
	CHECK(bad == 0);
	fx_close(s, path);
}

TEST_MAIN(TEST(test_order_once), TEST(test_filters_stop_scores), TEST(test_desc_from_inside))
