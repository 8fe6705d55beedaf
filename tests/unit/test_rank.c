/* test_rank.c - ranking through the public search API (search.h): BM25
 * with the title weighted above quotes, a rarer term above a common one,
 * both terms above one, and scores that are what the relevance order
 * sorts by. */
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

static char path[64];

/* "botnet" is common (ten items), "sinkhole" rare (two). */
static struct ks_store *fixture(void)
{
	struct ks_store *s = fx_open(path, "rank");
	struct ks_batch b = {0};
	struct ks_issue *is = fx_issue(&b, 9, "2022-05-01");
	/* 9-1, in a quote of a short item: ranks below 9-2 only because the
	 * title weighs more (with equal weights the shorter 9-1 wins) */
	fx_item(is, NULL, "notes", "botnet");
	fx_item(is, NULL, "botnet takedown today", "law enforcement acted on it");
	/* 9-3, rare term in a longer item: above 9-2 only by its IDF */
	fx_item(is, NULL, "sinkhole operation by many researchers",
		"they acted on it with partners");
	fx_item(is, NULL, "botnet sinkhole", "both terms"); /* 9-4 */
	for (int i = 0; i < 7; i++)
		fx_item(is, NULL, "unrelated story", "a botnet mention in passing text here");
	fx_put(s, "/src/rank.txt", &b);
	return s;
}

/* The position of id among r's hits, or -1. */
static int rank_of(const struct ks_result *r, const char *id)
{
	for (size_t i = 0; r && i < r->n_hits; i++)
		if (!strcmp(r->hits[i].id, id))
			return (int)i;
	return -1;
}

static void test_title_above_quote(void)
{
	struct ks_store *s = fixture();
	struct ks_result *r = fx_search(s, "botnet");
	CHECK(r && r->total == 10);
	CHECK(rank_of(r, "9-2") >= 0 && rank_of(r, "9-2") < rank_of(r, "9-1"));
	CHECK(rank_of(r, "9-4") >= 0 && rank_of(r, "9-4") < rank_of(r, "9-1"));
	/* 9-1 is the shorter item: only the title's weight puts 9-2 above it */
	/* the order is the scores' */
	for (size_t i = 1; r && i < r->n_hits; i++)
		CHECK(r->hits[i - 1].score >= r->hits[i].score && r->hits[i].score > 0);
	ks_result_free(r);
	fx_close(s, path);
}

static void test_rare_and_both(void)
{
	struct ks_store *s = fixture();
	struct ks_result *r = fx_search(s, "botnet OR sinkhole");
	/* both terms first, then the rare term alone above the common one alone */
	CHECK(r && r->total == 11 && rank_of(r, "9-4") == 0);
	CHECK(rank_of(r, "9-3") >= 0 && rank_of(r, "9-3") < rank_of(r, "9-2"));
	ks_result_free(r);
	/* the fixture is built so that IDF decides: a date sort's scores (BM25
	 * without IDF) put 9-2 above 9-3 */
	struct ks_search_params p;
	struct ks_err err = {""};
	ks_search_params_init(&p);
	p.q = "botnet OR sinkhole";
	p.sort = KS_SORT_NEWEST;
	r = NULL;
	CHECK(ks_search_run(s, &p, &r, &err) == KS_OK);
	int a = rank_of(r, "9-2"), b = rank_of(r, "9-3");
	CHECK(r && a >= 0 && b >= 0 && r->hits[a].score > r->hits[b].score);
	ks_result_free(r);
	fx_close(s, path);
}

TEST_MAIN(TEST(test_title_above_quote), TEST(test_rare_and_both))
