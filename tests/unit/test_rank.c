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

/* Issue 12: a match on word boundaries (the index's word maps) ranks
 * above one inside a longer word, whatever the column; an added spelling
 * ranks below the typed one; terms side by side above terms apart. */
static struct ks_store *words_fixture(void)
{
	struct ks_store *s = fx_open(path, "rankw");
	struct ks_batch b = {0};
	struct ks_issue *is = fx_issue(&b, 12, "2022-06-01");
	fx_item(is, NULL, "東京都の庁舎で停電", "詳細は不明");		 /* 12-1: 京都 inside 東京都 */
	fx_item(is, NULL, "お知らせ", "京都の大学で停電が発生した");	 /* 12-2: 京都 a word, quote */
	fx_item(is, NULL, "ガイドラインを改定", "内容は後日");		 /* 12-3: ライン inside */
	fx_item(is, NULL, "お知らせ", "工場の生産ラインが止まった");	 /* 12-4: ライン a word */
	fx_item(is, NULL, "notes", "a ransomware gang struck");		 /* 12-5: typed spelling */
	fx_item(is, NULL, "notes", "ランサムウェア の被害が出た");	 /* 12-6: added spelling */
	fx_item(is, NULL, "remote code execution in a router", "patch"); /* 12-7: side by side */
	fx_item(is, NULL, "remote access and then some code", "patch");	 /* 12-8: apart */
	fx_item(is, NULL, "a vulnerability in the kernel", "notes");	 /* 12-9: inflection */
	fx_item(is, NULL, "vulnerabilities in the kernel", "notes");	 /* 12-10: as typed */
	fx_item(is, NULL, "サーバーの停止", "notes");			 /* 12-11: ー form */
	fx_item(is, NULL, "サーバの停止", "notes");			 /* 12-12: as typed */
	fx_put(s, "/src/rankw.txt", &b);
	return s;
}

static void test_words_above_inside(void)
{
	struct ks_store *s = words_fixture();
	struct ks_result *r = fx_search(s, "京都");
	/* the title weighs ten times a quote, but only for whole words */
	CHECK(r && r->total == 2 && rank_of(r, "12-2") == 0 && rank_of(r, "12-1") == 1);
	ks_result_free(r);
	r = fx_search(s, "ライン");
	CHECK(r && r->total == 2 && rank_of(r, "12-4") == 0 && rank_of(r, "12-3") == 1);
	ks_result_free(r);
	fx_close(s, path);
}

static void test_spelling_below_typed(void)
{
	struct ks_store *s = words_fixture();
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.expand = 1;
	p.q = "ransomware";
	struct ks_result *r = fx_run(s, &p);
	CHECK(r && r->total == 2 && rank_of(r, "12-5") == 0 && rank_of(r, "12-6") == 1);
	ks_result_free(r);
	p.q = "ランサムウェア";
	r = fx_run(s, &p);
	CHECK(r && r->total == 2 && rank_of(r, "12-6") == 0 && rank_of(r, "12-5") == 1);
	ks_result_free(r);
	fx_close(s, path);
}

/* Kana and inflection spellings find more, below the spelling typed, and
 * exact=1 searches only that. */
static void test_kana_and_inflection(void)
{
	struct ks_store *s = words_fixture();
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.expand = 1;
	p.q = "vulnerabilities";
	struct ks_result *r = fx_run(s, &p);
	CHECK(r && r->total == 2 && rank_of(r, "12-10") == 0 && rank_of(r, "12-9") == 1);
	ks_result_free(r);
	p.q = "サーバ";
	r = fx_run(s, &p);
	CHECK(r && rank_of(r, "12-12") == 0 && rank_of(r, "12-11") == 1);
	ks_result_free(r);
	p.q = "さーば"; /* hiragana finds both katakana spellings */
	r = fx_run(s, &p);
	CHECK(r && r->total == 2);
	ks_result_free(r);
	p.expand = 0;
	r = fx_run(s, &p);
	CHECK(r && r->total == 0);
	ks_result_free(r);
	p.q = "vulnerabilities";
	r = fx_run(s, &p);
	CHECK(r && r->total == 1 && rank_of(r, "12-10") == 0);
	ks_result_free(r);
	fx_close(s, path);
}

static void test_proximity(void)
{
	struct ks_store *s = words_fixture();
	struct ks_result *r = fx_search(s, "remote code");
	CHECK(r && r->total == 2 && rank_of(r, "12-7") == 0 && rank_of(r, "12-8") == 1);
	ks_result_free(r);
	fx_close(s, path);
}

/* explain: each hit carries its score's parts, and they add up to it. */
static void test_explain(void)
{
	struct ks_store *s = words_fixture();
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.q = "京都";
	p.explain = 1;
	struct ks_result *r = fx_run(s, &p);
	CHECK(r && r->n_hits == 2 && r->hits[0].why && r->hits[1].why);
	if (r && r->n_hits == 2 && r->hits[0].why && r->hits[1].why) {
		const struct ks_score_parts *a = r->hits[0].why, *b = r->hits[1].why;
		CHECK(a->quote_words == 1 && a->title_words == 0 && a->inside == 0);
		CHECK(b->inside == 1 && b->title_words == 0 && b->quote_words == 0);
		CHECK(a->in_words == 1 && a->words > 0 && a->avg_words > 0);
		CHECK(a->proximity == 1.0);
		/* one term: the score is the parts' BM25 (no IDF pass) */
		CHECK(a->bm25 > 0 && a->bm25 / r->hits[0].score > 0.999 &&
		      a->bm25 / r->hits[0].score < 1.001);
	}
	ks_result_free(r);
	fx_close(s, path);
}

TEST_MAIN(TEST(test_title_above_quote), TEST(test_rare_and_both), TEST(test_words_above_inside),
	  TEST(test_spelling_below_typed), TEST(test_proximity), TEST(test_kana_and_inflection),
	  TEST(test_explain))
