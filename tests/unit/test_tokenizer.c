/* test_tokenizer.c - the tokenizer: tokens and offsets, and a table of
 * text/query/should-match cases run through a real FTS5 index. */
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "kensaku/search.h"
#include "kensaku/store.h"
#include "kensaku/tokenizer.h"

struct toks {
	char buf[2048];
	int n;
	int starts[64], ends[64];
};

static int collect(void *ctx, const char *text, int len, int start, int end)
{
	struct toks *t = ctx;
	size_t at = strlen(t->buf);
	if (at + (size_t)len + 2 < sizeof t->buf) {
		if (at)
			t->buf[at++] = '|';
		memcpy(t->buf + at, text, (size_t)len);
		t->buf[at + (size_t)len] = 0;
	}
	if (t->n < 64) {
		t->starts[t->n] = start;
		t->ends[t->n] = end;
	}
	t->n++;
	return 0;
}

static const char *toks(struct ks_tok *tk, enum ks_tok_mode mode, const char *s, struct toks *t)
{
	memset(t, 0, sizeof *t);
	ks_tok_run(tk, mode, s, (int)strlen(s), collect, t);
	return t->buf;
}

static void test_tokens(void)
{
	struct ks_tok *tk = ks_tok_new();
	struct toks t;
	CHECK(tk != NULL);
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, "ランサムウェア", &t),
		  "ラ|ラン|ン|ンサ|サ|サム|ム|ムウ|ウ|ウェ|ェ|ェア|ア");
	CHECK_STR(toks(tk, KS_TOK_QUERY, "ランサ", &t), "ラン|ンサ");
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, "ﾗﾝｻﾑｳｪｱ", &t),
		  "ラ|ラン|ン|ンサ|サ|サム|ム|ムウ|ウ|ウェ|ェ|ェア|ア");
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, "ＬＡＰＳＵＳ$ が", &t), "lapsus|lapsus$|が");
	CHECK_STR(toks(tk, KS_TOK_QUERY, "ＬＡＰＳＵＳ$ が", &t), "lapsus$|が");
	/* names with symbols: the symbol form is colocated in documents and
	 * is what a query with the symbol asks for */
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, "C++ C# F# Yahoo! Notepad++", &t),
		  "c|c++|c|c#|f|f#|yahoo|yahoo!|notepad|notepad++");
	CHECK_STR(toks(tk, KS_TOK_QUERY, "C++ C# F# Yahoo! Notepad++", &t),
		  "c++|c#|f#|yahoo!|notepad++");
	/* a '.' between letters splits a word; the part after it is also
	 * ".part"; version numbers stay whole */
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, ".NET ASP.NET node.js 2.5.1", &t),
		  "net|.net|asp|net|.net|node|js|.js|2.5.1");
	CHECK_STR(toks(tk, KS_TOK_QUERY, ".NET ASP.NET node.js 2.5.1", &t),
		  ".net|asp|.net|node|.js|2.5.1");
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, "CVE-2022-0609", &t), "cve|2022|0609");
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, "QNAP製品", &t), "qnap|製|製品|品");
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, "脆弱性。", &t), "脆|脆弱|弱|弱性|性");
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, "ガ", &t), "ガ");
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, "ｶﾞｲﾄﾞ", &t), "ガ|ガイ|イ|イド|ド");
	CHECK_STR(toks(tk, KS_TOK_DOCUMENT, "Straße 2.5%", &t), "strasse|2.5");
	/* query mode: a held-back unigram is emitted when something follows */
	CHECK_STR(toks(tk, KS_TOK_QUERY, "製品B", &t), "製品|品|b");
	CHECK_STR(toks(tk, KS_TOK_QUERY, "製", &t), "製");
	/* punctuation and symbols alone give no tokens */
	CHECK_STR(toks(tk, KS_TOK_QUERY, "*:()\"", &t), "");
	ks_tok_free(tk);
}

struct coloc {
	struct ks_tok *tk;
	char flags[32];
};

static int coloc_cb(void *ctx, const char *text, int len, int start, int end)
{
	(void)text, (void)len, (void)start, (void)end;
	struct coloc *c = ctx;
	size_t n = strlen(c->flags);
	if (n + 1 < sizeof c->flags) {
		c->flags[n] = ks_tok_colocated(c->tk) ? 'c' : 'p';
		c->flags[n + 1] = 0;
	}
	return 0;
}

static void test_colocated(void)
{
	struct coloc c = {ks_tok_new(), ""};
	ks_tok_run(c.tk, KS_TOK_DOCUMENT, "ab 攻撃者", 12, coloc_cb, &c);
	/* ab, then 攻 + 攻撃 (colocated), 撃 + 撃者 (colocated), 者 */
	CHECK_STR(c.flags, "ppcpcp");
	c.flags[0] = 0;
	ks_tok_run(c.tk, KS_TOK_QUERY, "攻撃者", 9, coloc_cb, &c);
	CHECK_STR(c.flags, "pp");
	ks_tok_free(c.tk);
}

static void test_offsets(void)
{
	struct ks_tok *tk = ks_tok_new();
	struct toks t;
	const char *s = "ＱＮＡＰ 製 ﾗﾝｻ";
	toks(tk, KS_TOK_DOCUMENT, s, &t);
	CHECK_STR(t.buf, "qnap|製|ラ|ラン|ン|ンサ|サ");
	/* ＱＮＡＰ is 12 bytes; 製 at 13..16; ﾗﾝｻ 3 bytes each from 17 */
	CHECK(t.starts[0] == 0 && t.ends[0] == 12);
	CHECK(t.starts[1] == 13 && t.ends[1] == 16);
	CHECK(t.starts[2] == 17 && t.ends[2] == 20);
	CHECK(t.starts[3] == 17 && t.ends[3] == 23);
	CHECK(t.starts[6] == 23 && t.ends[6] == 26);
	for (int i = 0; i < t.n && i < 64; i++)
		CHECK(t.starts[i] >= 0 && t.ends[i] <= (int)strlen(s) && t.starts[i] < t.ends[i]);
	ks_tok_free(tk);
}

static void test_invalid_utf8(void)
{
	struct ks_tok *tk = ks_tok_new();
	struct toks t;
	const char bad[] = "ab\xff\xfe cd\xe3\x81 \xf0\x9f \xc0\xaf ランサ\xe3";
	memset(&t, 0, sizeof t);
	int rc = ks_tok_run(tk, KS_TOK_DOCUMENT, bad, (int)sizeof bad - 1, collect, &t);
	CHECK(rc == 0);
	CHECK_STR(t.buf, "ab|cd|ラ|ラン|ン|ンサ|サ");
	ks_tok_free(tk);
}

struct match_case {
	const char *text, *query;
	int match;
};

/* Every example of the contract and the issue, width and case variants and
 * mixed scripts. */
static const struct match_case CASES[] = {
    {"攻撃者グループ LAPSUS$ が Microsoft のデータをリーク", "LAPSUS$", 1},
    {"攻撃者グループ LAPSUS$ が Microsoft のデータをリーク", "ＬＡＰＳＵＳ", 1},
    {"攻撃者グループ LAPSUS$ が Microsoft のデータをリーク", "lapsus", 1},
    {"攻撃者グループ LAPSUS$ が Microsoft のデータをリーク", "ｌａｐｓｕｓ＄", 1},
    {"Deadbolt ランサムウェアの活動が再び活発に", "ランサムウェア", 1},
    {"Deadbolt ランサムウェアの活動が再び活発に", "ランサ", 1},
    {"Deadbolt ランサムウェアの活動が再び活発に", "ﾗﾝｻﾑｳｪｱ", 1},
    {"Deadbolt ﾗﾝｻﾑｳｪｱの活動が再び活発に", "ランサムウェア", 1},
    {"Deadbolt ランサムウェアの活動が再び活発に", "サムウ", 1},
    {"Deadbolt ランサムウェアの活動が再び活発に", "アの活", 1},
    {"Deadbolt ランサムウェアの活動が再び活発に", "ム", 1},
    {"Deadbolt ランサムウェアの活動が再び活発に", "ア", 1},
    {"Deadbolt ランサムウェアの活動が再び活発に", "ランサムウエア", 0},
    {"Deadbolt ランサムウェアの活動が再び活発に", "deadbolt ランサム", 1},
    {"Deadbolt ランサムウェアの活動が再び活発に", "Deadboltランサム", 1},
    {"Chrome のゼロデイ脆弱性 (CVE-2022-0609) を利用。", "CVE-2022-0609", 1},
    {"Chrome のゼロデイ脆弱性 (CVE-2022-0609) を利用。", "CVE-2022-22965", 0},
    {"Chrome のゼロデイ脆弱性 (CVE-2022-0609) を利用。", "ＣＶＥ－２０２２－０６０９", 1},
    {"Spring4Shell (CVE-2022-22965)", "CVE-2022-0609", 0},
    {"Chrome のゼロデイ脆弱性を修正", "脆弱性", 1},
    {"Chrome のゼロデイ脆弱性を修正", "弱性", 1},
    {"Chrome のゼロデイ脆弱性を修正", "弱", 1},
    {"Chrome のゼロデイ脆弱性を修正", "性を修", 1},
    {"Chrome のゼロデイ脆弱性を修正", "脆弱性 chrome", 1},
    {"Chrome のゼロデイ脆弱性を修正", "脆弱性 firefox", 0},
    {"QNAP 製 NAS を狙う", "QNAP製", 1},
    {"QNAP製 NAS を狙う", "QNAP", 1},
    {"QNAP製品の脆弱性", "QNAP製", 1},
    {"QNAP製品の脆弱性", "ＱＮＡＰ", 1},
    {"QNAP製品の脆弱性", "製品の", 1},
    {"QNAP製品の脆弱性", "NAP", 0},
    {"ﾌｨｯｼﾝｸﾞ詐欺に注意", "フィッシング", 1},
    {"フィッシング詐欺に注意", "ﾌｨｯｼﾝｸﾞ", 1},
    {"フィッシング詐欺に注意", "ング詐", 1},
    {"エモテットの感染の増大", "エモテット", 1},
    {"エモテットの感染の増大", "エモテッド", 0},
    {"Operation Dream Job and Operation AppleJeus", "\"Operation Dream Job\"", 1},
    {"Operation Dream Job and Operation AppleJeus", "\"Dream Operation\"", 0},
    {"Operation Dream Job and Operation AppleJeus", "dream -applejeus", 0},
    {"Operation Dream Job and Operation AppleJeus", "dream OR nothing", 1},
    {"Operation Dream Job and Operation AppleJeus", "nothing OR other", 0},
    {"Operation Dream Job and Operation AppleJeus", "apple*", 1},
    {"Operation Dream Job and Operation AppleJeus", "apple", 0},
    {"C++ のライブラリに脆弱性", "C++", 1},
    {"C++ のライブラリに脆弱性", "C#", 0},
    {"C# で書かれたマルウェア", "C++", 0},
    {"C# で書かれたマルウェア", "c#", 1},
    {"C# で書かれたマルウェア", "C", 1},
    {"F# と C++17", "C++", 1},
    {"攻撃者グループ Lapsus が活動", "LAPSUS$", 0},
    {"Microsoft .NET の脆弱性", ".NET", 1},
    {"the browser's cache and Microsoft’s patch", "browser", 1},
    {"the browser's cache and Microsoft’s patch", "browser's", 1},
    {"the browser's cache and Microsoft’s patch", "microsoft", 1},
    {"the browser's cache and Microsoft’s patch", "Microsoft's", 1},
    {"the browsers", "browser's", 0},
    {"ASP.NET Core の脆弱性", ".NET", 1},
    {"ASP.NET Core の脆弱性", "asp.net", 1},
    {"ASP.NET Core の脆弱性", "NET", 1},
    {"ASP.NET Core の脆弱性", "asp", 1},
    {"a dark net market", ".NET", 0},
    {"a dark net market", "net", 1},
    {"Yahoo! のアカウント", "Yahoo!", 1},
    {"Yahoo のアカウント", "Yahoo!", 0},
    {"Yahoo! のアカウント", "yahoo", 1},
    {"NEAR( is not syntax", "NEAR(", 1},
    {"NEAR( is not syntax", "\"", 0},
    {"Log4Shell (CVE-2021-44228) が悪用", "log4shell", 1},
    {"Log4Shell (CVE-2021-44228) が悪用", "Log4", 0},
    {"Log4Shell (CVE-2021-44228) が悪用", "Log4*", 1},
    {"米FBI の Internet Crime Report 2021 を公開", "FBI", 1},
    {"米FBI の Internet Crime Report 2021 を公開", "米FBI", 1},
    {"米FBI の Internet Crime Report 2021 を公開", "report 2021", 1},
    {"Ⅻ月の㍿", "株式会社", 1},
    {"全角　スペース区切り", "スペース", 1},
};

/* Creates a fresh index under a new name in /tmp (path, a writable
 * "/tmp/ks-tok-XXXXXX"); NULL after saying why when it can't. */
static struct ks_store *temp_store(char *path)
{
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	unlink(path);
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_OK);
	if (!s)
		fprintf(stderr, "%s\n", err.msg);
	return s;
}

/* Closes s and removes its file and side files. */
static void temp_store_drop(struct ks_store *s, const char *path)
{
	char side[64];
	ks_store_close(s);
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static void test_match_table(void)
{
	char path[] = "/tmp/ks-tok-XXXXXX";
	struct ks_err err = {""};
	struct ks_store *s = temp_store(path);
	if (!s)
		return;
	size_t n = sizeof CASES / sizeof CASES[0];
	for (size_t i = 0; i < n; i++) {
		struct ks_batch b = {0};
		struct ks_issue *is = ks_batch_add_issue(&b);
		is->number = 1;
		struct ks_item *it = ks_issue_add_item(is);
		it->title = strdup(CASES[i].text);
		CHECK(ks_store_begin(s, &err) == KS_OK);
		CHECK(ks_store_put_source(s, "case", "h", &b, &err) == KS_OK);
		CHECK(ks_store_commit(s, &err) == KS_OK);
		ks_batch_clear(&b);

		struct ks_search_params p;
		ks_search_params_init(&p);
		p.q = CASES[i].query;
		struct ks_result *r = NULL;
		CHECK(ks_search_run(s, &p, &r, &err) == KS_OK);
		long long total = r ? r->total : -1;
		if ((total > 0) != CASES[i].match) {
			fprintf(stderr,
				"case %zu: text %s / query %s: got %lld hits, want %s (fts %s)\n",
				i, CASES[i].text, CASES[i].query, total,
				CASES[i].match ? "a match" : "none", r && r->fts ? r->fts : "-");
			CHECK(!"match table");
		}
		if (r && r->n_hits && CASES[i].match)
			CHECK(r->hits[0].title_marks.n > 0);
		ks_result_free(r);
	}
	temp_store_drop(s, path);
}

/* Total hits of query q over an index holding the one item titled text. */
static long long hits_for(struct ks_store *s, const char *text, const char *q)
{
	struct ks_err err = {""};
	struct ks_batch b = {0};
	struct ks_issue *is = ks_batch_add_issue(&b);
	struct ks_item *it = is ? ks_issue_add_item(is) : NULL;
	struct ks_search_params p;
	struct ks_result *r = NULL;
	long long total = -1;
	if (!it)
		return -1;
	is->number = 1;
	it->title = strdup(text);
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_put_source(s, "case", "h", &b, &err) == KS_OK);
	CHECK(ks_store_commit(s, &err) == KS_OK);
	ks_batch_clear(&b);
	ks_search_params_init(&p);
	p.q = q;
	CHECK(ks_search_run(s, &p, &r, &err) == KS_OK);
	if (r)
		total = r->total;
	ks_result_free(r);
	return total;
}

/* A base letter with a long run of combining marks finds itself, as a
 * phrase too. Documents are normalized in chunks (normalize.c) and a query
 * whole (query.c); a chunk cut after 32 code points reordered and composed
 * a + 31 x U+0301 + U+0323 differently from the whole text (fuzz_search,
 * regressions/fuzz_search/normalize-chunk-cut-33-code-points). */
static void test_long_combining_runs(void)
{
	static const int runs[] = {30, 31, 32, 33, 64, 200, 500};
	char path[] = "/tmp/ks-tok-XXXXXX", text[1100], q[1200];
	struct ks_store *s = temp_store(path);
	if (!s)
		return;
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		/* "a" + runs[i] x U+0301 + U+0323 + " word" (U+0323 sorts first) */
		size_t n = 0;
		text[n++] = 'a';
		for (int k = 0; k < runs[i]; k++) {
			memcpy(text + n, "\xCC\x81", 2);
			n += 2;
		}
		memcpy(text + n, "\xCC\xA3 word", 8);
		n += 8;
		text[n] = 0;
		CHECK(n <= KS_QUERY_MAX_BYTES);
		long long plain = hits_for(s, text, text);
		snprintf(q, sizeof q, "\"%s\"", text);
		long long phrase = hits_for(s, text, q);
		if (plain != 1 || phrase != 1) {
			fprintf(stderr, "a + %d x U+0301 + U+0323: %lld / %lld hits, want 1 / 1\n",
				runs[i], plain, phrase);
			CHECK(!"a combining run finds itself");
		}
	}
	temp_store_drop(s, path);
}

/* U+0345 (combining ypogegrammeni) case-folds to a starter (ι): ICU's
 * NFKC_Casefold maps it before ordering the marks, NFKC (query.c's first
 * step) orders it after them. Texts with it among other marks, in any
 * order, find themselves (fuzz_search, regressions/fuzz_search/
 * ypogegrammeni-order*). */
static void test_ypogegrammeni(void)
{
	static const char *const texts[] = {
	    "\xCD\x85\xCC\xA3",				       /* U+0345 U+0323 */
	    "9\xCC\x81\xCC\x81\xCD\x85\xCC\x81 CVE-2022-0609", /* 9 + acutes around it */
	    "\xCE\xB1\xCD\x85\xCC\x81",			       /* α + U+0345 + U+0301 */
	    "\xCE\xB1\xCC\x81\xCD\x85",			       /* canonical order */
	    "\xE1\xBE\xB4 \xCE\xB1\xCD\x85\xCC\x81",	       /* ᾴ and its decomposition */
	};
	char path[] = "/tmp/ks-tok-XXXXXX", q[256];
	struct ks_store *s = temp_store(path);
	if (!s)
		return;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		long long plain = hits_for(s, texts[i], texts[i]);
		snprintf(q, sizeof q, "\"%s\"", texts[i]);
		long long phrase = hits_for(s, texts[i], q);
		if (plain != 1 || phrase != 1) {
			fprintf(stderr, "text %zu: %lld / %lld hits, want 1 / 1\n", i, plain,
				phrase);
			CHECK(!"a text with U+0345 finds itself");
		}
	}
	temp_store_drop(s, path);
}

TEST_MAIN(TEST(test_tokens), TEST(test_colocated), TEST(test_offsets), TEST(test_invalid_utf8),
	  TEST(test_match_table), TEST(test_long_combining_runs), TEST(test_ypogegrammeni))
