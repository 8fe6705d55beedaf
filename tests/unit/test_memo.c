/* test_memo.c - the per-connection memo of document lengths and tags
 * (indexer/store/memo.h, private to the library): each item's length is
 * its number of token positions (what FTS5 records: colocated tokens
 * share one), its tags are what indexing found, its word maps are what
 * the store wrote with its length in words beside them, rows added after a
 * load are misses, and enough misses make the memo due for a reload.
 * Lookups find every item whatever the order of the rowids asked and of
 * the items' sequence numbers (sources indexed out of date order), and
 * nothing for rowids next to them; a word map too long for the memo's
 * compact slots is still read right. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/search.h"
#include "kensaku/store.h"
#include "kensaku/segment.h"
#include "kensaku/tokenizer.h"
#include "memo.h"
#include "rowid.h"
#include "scan.h"
#include "words.h"

static char path[64];

static const char *const g_text[][2] = {
    {"ランサムウェア Emotet の再来", "The botnet is back."},
    {"短い", NULL},
    {"Log4Shell CVE-2021-44228", "Apache Log4j2 JNDI lookups, and more words here."}};

static struct ks_store *fixture(void)
{
	return fx_index(path, "memo", 40, "2022-04-01", g_text, sizeof g_text / sizeof g_text[0]);
}

struct counting {
	struct ks_tok *tok;
	int n;
};

static int count_position(void *ctx, const char *text, int len, int start, int end)
{
	struct counting *c = ctx;
	(void)text, (void)len, (void)start, (void)end;
	if (!ks_tok_colocated(c->tok))
		c->n++;
	return 0;
}

/* Token positions of a text as indexed (document mode). */
static int positions(struct ks_tok *tok, const char *text)
{
	struct counting c = {tok, 0};
	if (text)
		CHECK(ks_tok_run(tok, KS_TOK_DOCUMENT, text, (int)strlen(text), count_position,
				 &c) == 0);
	return c.n;
}

struct rows {
	sqlite3_int64 v[8];
	int n;
};

static int keep(void *ctx, sqlite3_int64 rowid, double score)
{
	struct rows *r = ctx;
	(void)score;
	if (r->n < 8)
		r->v[r->n] = rowid;
	r->n++;
	return 0;
}

/* The items' rowids in position order (descending rowid within an issue). */
static void rowids(struct ks_store *s, struct rows *r)
{
	struct ks_search_params p;
	struct ks_scan sc;
	struct ks_err err = {""};
	ks_search_params_init(&p);
	CHECK(ks_scan_init(s, &p, &sc, &err) == KS_OK);
	CHECK(ks_scan_walk(s, &sc, 0, INT64_MAX, KS_SCAN_DESC, KS_SCORE_NONE, keep, r, &err) ==
	      KS_OK);
	ks_scan_clear(s, &sc);
}

static void test_lengths(void)
{
	struct ks_store *s = fixture();
	struct ks_memo *m = ks_memo_new();
	struct ks_tok *tok = ks_tok_new();
	struct rows r = {{0}, 0};
	rowids(s, &r);
	CHECK(r.n == 3 && m && tok);
	CHECK(!ks_memo_lengths_ready(m));
	CHECK(ks_memo_lengths_load(m, ks_store_db(s)) == SQLITE_OK && ks_memo_lengths_ready(m));
	size_t hint = 0;
	for (int i = 0; i < r.n && i < 3; i++) {
		int len = -1;
		CHECK(ks_memo_length(m, r.v[i], &len, &hint) == 1);
		CHECK(len == positions(tok, g_text[i][0]) + positions(tok, g_text[i][1]));
		CHECK(len > 0);
	}
	/* a row the memo has not seen is a miss; enough misses make it due */
	int len = -1;
	CHECK(ks_memo_length(m, r.v[0] + 1, &len, &hint) == 0);
	for (int i = 0; i < 100000 && ks_memo_lengths_ready(m); i++)
		ks_memo_note_miss(m);
	CHECK(!ks_memo_lengths_ready(m));
	CHECK(ks_memo_lengths_load(m, ks_store_db(s)) == SQLITE_OK && ks_memo_lengths_ready(m));
	ks_tok_free(tok);
	ks_memo_free(m);
	fx_close(s, path);
}

static int has_tag(const struct ks_memo *m, const uint32_t *ids, size_t n, const char *name,
		   const char *kind)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ks_memo_tag_name(m, ids[i]), name))
			return !strcmp(ks_memo_tag_kind(m, ids[i]), kind);
	return 0;
}

static void test_tags(void)
{
	struct ks_store *s = fixture();
	struct ks_memo *m = ks_memo_new();
	struct rows r = {{0}, 0};
	rowids(s, &r);
	CHECK(m && ks_memo_tags_load(m, ks_store_db(s)) == SQLITE_OK && ks_memo_tags_ready(m));
	const uint32_t *ids = NULL;
	size_t n = 0, hint = 0;
	CHECK(r.n == 3 && ks_memo_tags(m, r.v[0], &ids, &n, &hint) == 1);
	CHECK(has_tag(m, ids, n, "Emotet", "malware"));
	CHECK(ks_memo_tags(m, r.v[1], &ids, &n, &hint) == 1 && n == 0); /* known, no tags */
	CHECK(ks_memo_tags(m, r.v[2], &ids, &n, &hint) == 1);
	CHECK(has_tag(m, ids, n, "CVE-2021-44228", "cve"));
	/* a name seen for the first time gets a new id, then the same one */
	uint32_t id = ks_memo_tag_id(m, "Nobody", "org");
	CHECK(id != UINT32_MAX && ks_memo_tag_id(m, "Nobody", "org") == id);
	CHECK(id < ks_memo_tag_count(m) && !strcmp(ks_memo_tag_name(m, id), "Nobody"));
	ks_memo_free(m);
	fx_close(s, path);
}

static uint32_t bits_set(const unsigned char *p, int n)
{
	uint32_t k = 0;
	for (int i = 0; i < n; i++)
		k += (uint32_t)__builtin_popcount(p[i]);
	return k;
}

/* Checks the memo's word maps of rowid against the ones words.h makes of
 * its title and quote; adds its length in words to *sum. */
static void check_words(struct ks_memo *m, struct ks_tok *tok, struct ks_seg *seg,
			sqlite3_int64 rowid, const char *title, const char *quote, size_t *hint,
			double *sum)
{
	struct ks_words_row w;
	struct ks_buf b = {0};
	const unsigned char *t, *q;
	int nt, nq;
	CHECK(ks_memo_words(m, rowid, &w, hint) == 1);
	CHECK(ks_words_item(tok, seg, title, quote, &b) == 0);
	CHECK(ks_words_split((const unsigned char *)b.p, (int)b.len, &t, &nt, &q, &nq) == 0);
	CHECK(w.n_title == nt && (!nt || !memcmp(w.title, t, (size_t)nt)));
	CHECK(w.n_quote == nq && (!nq || !memcmp(w.quote, q, (size_t)nq)));
	int pos = positions(tok, title) + positions(tok, quote);
	CHECK(w.words == (uint32_t)pos - bits_set(t, nt) - bits_set(q, nq));
	*sum += w.words;
	ks_buf_free(&b);
}

static void test_words(void)
{
	unsetenv(KS_SEG_ENV); /* the store's segmenter: MeCab, as below */
	struct ks_store *s = fixture();
	struct ks_memo *m = ks_memo_new();
	struct ks_tok *tok = ks_tok_new();
	struct ks_seg *seg = ks_seg_new(KS_SEG_MECAB);
	struct rows r = {{0}, 0};
	rowids(s, &r);
	CHECK(r.n == 3 && m && tok && seg);
	if (!m || !tok || !seg)
		goto out;
	CHECK(!ks_memo_words_ready(m) && !ks_memo_words_present(m));
	CHECK(ks_memo_words_avg(m) == 1.0);
	CHECK(ks_memo_words_load(m, ks_store_db(s)) == SQLITE_OK);
	CHECK(ks_memo_words_ready(m) && ks_memo_words_present(m));
	CHECK(ks_memo_words_bytes(m) > 0);
	size_t hint = 0;
	double sum = 0;
	/* the bitmaps the store wrote are the ones words.h makes */
	for (int i = 0; i < r.n && i < 3; i++)
		check_words(m, tok, seg, r.v[i], g_text[i][0], g_text[i][1], &hint, &sum);
	/* ランサムウェア is one word: 7 positions, 6 inside it */
	struct ks_words_row w0;
	hint = 0;
	CHECK(ks_memo_words(m, r.v[0], &w0, &hint) == 1 && w0.n_title >= 1 && w0.title[0] == 0x7e);
	CHECK(ks_memo_words_avg(m) > sum / 3 - 1e-9 && ks_memo_words_avg(m) < sum / 3 + 1e-9);
	/* a row it has not seen is a miss; enough misses make it due */
	CHECK(ks_memo_words(m, r.v[0] + 1, &w0, &hint) == 0);
	for (int i = 0; i < 100000 && ks_memo_words_ready(m); i++)
		ks_memo_note_miss(m);
	CHECK(!ks_memo_words_ready(m));
	CHECK(ks_memo_words_load(m, ks_store_db(s)) == SQLITE_OK && ks_memo_words_ready(m));
	/* an index without the table (schema 2): nothing loaded, no error */
	CHECK(sqlite3_exec(ks_store_db(s), "DROP TABLE item_words", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(ks_memo_words_load(m, ks_store_db(s)) == SQLITE_OK);
	CHECK(!ks_memo_words_ready(m) && !ks_memo_words_present(m));
	CHECK(ks_memo_words(m, r.v[0], &w0, &hint) == 0 && ks_memo_words_avg(m) == 1.0);
out:
	ks_seg_free(seg);
	ks_tok_free(tok);
	ks_memo_free(m);
	fx_close(s, path);
}

/* Items of three sources indexed out of date order, so that their
 * sequence numbers (rowid.h) run in another order than their rowids. */
#define N_SPREAD 7
static const char *const g_spread[N_SPREAD][3] = {
    /* source, date, title | quote */
    {"/src/c.txt", "2022-05-03", "情報漏えいの報告"},
    {"/src/c.txt", "2022-05-03", "脆弱性の悪用が確認された製品の一覧と対策"},
    {"/src/c.txt", "2022-05-03", "Patch Tuesday"},
    {"/src/a.txt", "2022-05-01", "ランサムウェア"},
    {"/src/a.txt", "2022-05-01", "標的型攻撃メールの訓練"},
    {"/src/b.txt", "2022-05-02", "不正アクセスによる個人情報の流出について調査中"},
    {"/src/b.txt", NULL, "日付のない記事"}};
static const char g_quote[] =
    "攻撃者はランサムウェアを使って社内ネットワークの複数のサーバーを暗号化し、"
    "身代金を要求したと発表した。";

static struct ks_store *spread(void)
{
	struct ks_store *s = fx_open(path, "memo-spread");
	struct ks_batch b = {0};
	for (int i = 0; i < N_SPREAD; i++) {
		struct ks_issue *is = fx_issue(&b, 100 + i, g_spread[i][1]);
		fx_item(is, NULL, g_spread[i][2], i % 2 ? g_quote : NULL);
		if (i + 1 == N_SPREAD || strcmp(g_spread[i + 1][0], g_spread[i][0]))
			fx_put(s, g_spread[i][0], &b);
	}
	return s;
}

struct item {
	sqlite3_int64 rowid;
	char *title, *quote;
};

/* The items of s by rowid (n of them at most); their number. */
static int items(struct ks_store *s, struct item *v, int n)
{
	sqlite3_stmt *st = NULL;
	int k = 0;
	CHECK(sqlite3_prepare_v2(ks_store_db(s),
				 "SELECT rowid, title, quote FROM items ORDER BY rowid", -1, &st,
				 NULL) == SQLITE_OK);
	while (st && sqlite3_step(st) == SQLITE_ROW && k < n) {
		const char *q = (const char *)sqlite3_column_text(st, 2);
		v[k].rowid = sqlite3_column_int64(st, 0);
		v[k].title = strdup((const char *)sqlite3_column_text(st, 1));
		v[k++].quote = q ? strdup(q) : NULL;
	}
	sqlite3_finalize(st);
	return k;
}

/* Rowids next to the items' that no item has: another day or section with
 * an item's seq, the seq after the last, before the first. */
static void check_misses(struct ks_memo *m, const struct item *v, int n)
{
	sqlite3_int64 rowid, seq;
	size_t hint = 0;
	int len;
	const uint32_t *ids;
	size_t k;
	struct ks_words_row w;
	for (int i = 0; i < n; i++) {
		seq = (v[i].rowid >> KS_ROWID_SEQ_SHIFT) & KS_ROWID_SEQ_MAX;
		sqlite3_int64 other[] = {ks_rowid_make(ks_rowid_day(v[i].rowid) + 1, seq, 0),
					 v[i].rowid + 1, ks_rowid_make(40000, seq + N_SPREAD, 0)};
		for (size_t j = 0; j < sizeof other / sizeof other[0]; j++) {
			hint = 0;
			CHECK(ks_memo_words(m, other[j], &w, &hint) == 0);
			CHECK(ks_memo_length(m, other[j], &len, &hint) == 0);
			CHECK(ks_memo_tags(m, other[j], &ids, &k, &hint) == 0);
		}
	}
	rowid = v[0].rowid - 1;
	CHECK(ks_memo_words(m, rowid, &w, &hint) == 0 &&
	      ks_memo_length(m, rowid, &len, &hint) == 0);
}

/* Every item's lengths, tags and word maps, its rowids asked in the order
 * of order[0..n). */
static void check_all(struct ks_memo *m, struct ks_tok *tok, struct ks_seg *seg,
		      const struct item *v, const int *order, int n)
{
	size_t hw = 0, hl = 0, ht = 0;
	double sum = 0;
	for (int j = 0; j < n; j++) {
		const struct item *it = &v[order[j]];
		int len = -1;
		const uint32_t *ids;
		size_t k;
		check_words(m, tok, seg, it->rowid, it->title, it->quote, &hw, &sum);
		CHECK(ks_memo_length(m, it->rowid, &len, &hl) == 1 &&
		      len == positions(tok, it->title) + positions(tok, it->quote));
		CHECK(ks_memo_tags(m, it->rowid, &ids, &k, &ht) == 1);
	}
}

static void test_spread(void)
{
	unsetenv(KS_SEG_ENV);
	struct ks_store *s = spread();
	struct ks_memo *m = ks_memo_new();
	struct ks_tok *tok = ks_tok_new();
	struct ks_seg *seg = ks_seg_new(KS_SEG_MECAB);
	struct item v[N_SPREAD] = {{0}};
	int n = s ? items(s, v, N_SPREAD) : 0;
	CHECK(n == N_SPREAD && m && tok && seg);
	if (n != N_SPREAD || !m || !tok || !seg)
		goto out;
	CHECK(ks_memo_words_load(m, ks_store_db(s)) == SQLITE_OK &&
	      ks_memo_lengths_load(m, ks_store_db(s)) == SQLITE_OK &&
	      ks_memo_tags_load(m, ks_store_db(s)) == SQLITE_OK);
	static const int up[N_SPREAD] = {0, 1, 2, 3, 4, 5, 6},
			 down[N_SPREAD] = {6, 5, 4, 3, 2, 1, 0},
			 mixed[N_SPREAD] = {3, 0, 6, 2, 5, 1, 4};
	check_all(m, tok, seg, v, up, n);
	check_all(m, tok, seg, v, down, n);
	check_all(m, tok, seg, v, mixed, n);
	check_misses(m, v, n);
	/* a title map too long for a compact slot (no store writes one: titles
	 * are 1000 characters at most): every map is still read right */
	CHECK(sqlite3_exec(ks_store_db(s),
			   "UPDATE item_words SET map = X'9738' || zeroblob(3000) WHERE item = "
			   "(SELECT min(item) FROM item_words)",
			   NULL, NULL, NULL) == SQLITE_OK);
	CHECK(ks_memo_words_load(m, ks_store_db(s)) == SQLITE_OK && ks_memo_words_ready(m));
	struct ks_words_row w;
	size_t hint = 0;
	double sum = 0;
	CHECK(ks_memo_words(m, v[0].rowid, &w, &hint) == 1 && w.n_title == 3000 && w.n_quote == 0);
	for (int i = n - 1; i >= 1; i--)
		check_words(m, tok, seg, v[i].rowid, v[i].title, v[i].quote, &hint, &sum);
	check_misses(m, v, n);
out:
	for (int i = 0; i < N_SPREAD; i++) {
		free(v[i].title);
		free(v[i].quote);
	}
	ks_seg_free(seg);
	ks_tok_free(tok);
	ks_memo_free(m);
	fx_close(s, path);
}

TEST_MAIN(TEST(test_lengths), TEST(test_tags), TEST(test_words), TEST(test_spread))
