/* test_variants.c - kana variants (table-driven) and English stems. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kensaku/variants.h"

struct kana_case {
	const char *term;
	const char *want[KS_KANA_VARIANTS_MAX + 1]; /* NULL-terminated, in order */
};

static const struct kana_case KANA[] = {
    /* hiragana -> katakana, and the ー form when the last kana takes one */
    {"らんさむうぇあ", {"ランサムウェア", NULL}},
    {"さーばー", {"サーバー", "サーバ", NULL}},
    {"ぷりんた", {"プリンタ", "プリンター", NULL}},
    {"ふぃっしんぐ", {"フィッシング", NULL}},
    /* katakana -> the ー form, then hiragana */
    {"ランサムウェア", {"らんさむうぇあ", NULL}},
    {"サーバー", {"サーバ", "さーばー", NULL}},
    {"サーバ", {"サーバー", "さーば", NULL}},
    {"プリンタ", {"プリンター", "ぷりんた", NULL}},
    {"プリンター", {"プリンタ", "ぷりんたー", NULL}},
    {"セキュリティ", {"セキュリティー", "せきゅりてぃ", NULL}},
    {"ユーザー", {"ユーザ", "ゆーざー", NULL}},
    {"メニュー", {"メニュ", "めにゅー", NULL}},
    /* too short for a ー form (キ, コピ), or a kana that takes none */
    {"キー", {"きー", NULL}},
    {"コピー", {"こぴー", NULL}},
    {"ウイルス", {"ういるす", NULL}},
    {"ヴィラ", {"ヴィラー", "ゔぃら", NULL}},
    /* mixed kana: the whole word in each script */
    {"ランサムうぇあ", {"ランサムウェア", "らんさむうぇあ", NULL}},
    /* ヸ has no hiragana: no hiragana spelling */
    {"ヸオラ", {"ヸオラー", NULL}},
    /* iteration marks follow the script */
    {"いすゞ", {"イスヾ", NULL}},
    /* not kana-only: none */
    {"東京", {NULL}},
    {"サーバー2", {NULL}},
    {"ransomware", {NULL}},
    {"ランサム・ウェア", {NULL}},
    {"脆弱性", {NULL}},
    {"ー", {NULL}},
    {"ーー", {NULL}},
    {"", {NULL}},
    {"\xE3\x82", {NULL}}, /* truncated UTF-8 */
};

static void test_kana_table(void)
{
	for (size_t i = 0; i < sizeof KANA / sizeof KANA[0]; i++) {
		char *out[KS_KANA_VARIANTS_MAX] = {0};
		int n = ks_kana_variants(KANA[i].term, out, KS_KANA_VARIANTS_MAX), want = 0;
		while (KANA[i].want[want])
			want++;
		if (n != want)
			fprintf(stderr, "term %s: %d variants, want %d\n", KANA[i].term, n, want);
		CHECK(n == want);
		for (int j = 0; j < n && j < want; j++)
			CHECK_STR(out[j], KANA[i].want[j]);
		for (int j = 0; j < n; j++)
			free(out[j]);
	}
}

/* The ー rule is symmetric: a word's ー form has the word as its ー form. */
static void test_kana_choon_symmetric(void)
{
	static const char *const words[] = {"サーバー", "サーバ", "プリンタ", "セキュリティー", "メモリ"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		char *a[3] = {0}, *b[3] = {0};
		int na = ks_kana_variants(words[i], a, 3);
		CHECK(na == 2);
		int nb = na >= 1 ? ks_kana_variants(a[0], b, 3) : 0;
		CHECK(nb == 2);
		if (nb >= 1)
			CHECK_STR(b[0], words[i]);
		for (int j = 0; j < na; j++)
			free(a[j]);
		for (int j = 0; j < nb; j++)
			free(b[j]);
	}
}

static void test_kana_max(void)
{
	char *out[3] = {0};
	CHECK(ks_kana_variants("サーバー", out, 0) == 0);
	CHECK(ks_kana_variants("サーバー", out, -1) == 0);
	CHECK(ks_kana_variants(NULL, out, 3) == 0);
	CHECK(ks_kana_variants("サーバー", out, 1) == 1);
	CHECK_STR(out[0], "サーバ");
	CHECK(out[1] == NULL);
	free(out[0]);
}

static void test_stem_inflections(void)
{
	char a[64], b[64], c[64];
	CHECK(ks_stem_en("vulnerabilities", a, sizeof a) == 0);
	CHECK(ks_stem_en("vulnerability", b, sizeof b) == 0);
	CHECK(ks_stem_en("vulnerable", c, sizeof c) == 0);
	CHECK_STR(a, "vulner");
	CHECK_STR(b, a);
	CHECK_STR(c, a);
	CHECK(ks_stem_en("attacks", a, sizeof a) == 0);
	CHECK(ks_stem_en("attacked", b, sizeof b) == 0);
	CHECK_STR(a, "attack");
	CHECK_STR(b, "attack");
	CHECK(ks_stem_en("studies", a, sizeof a) == 0);
	CHECK_STR(a, "studi");
	CHECK(ks_stem_en("news", a, sizeof a) == 0); /* Snowball's exception list */
	CHECK_STR(a, "news");
}

static void test_stem_rejects(void)
{
	char out[64];
	CHECK(ks_stem_en("Running", out, sizeof out) == -1);
	CHECK(ks_stem_en("", out, sizeof out) == -1);
	CHECK(ks_stem_en("log4j", out, sizeof out) == -1);
	CHECK(ks_stem_en("ランサム", out, sizeof out) == -1);
	CHECK(ks_stem_en(NULL, out, sizeof out) == -1);
	char small[4];
	CHECK(ks_stem_en("vulnerability", small, sizeof small) == -1); /* "vulner" needs 7 */
	char longw[KS_STEM_WORD_MAX + 2];
	memset(longw, 'a', sizeof longw - 1);
	longw[sizeof longw - 1] = '\0';
	CHECK(ks_stem_en(longw, out, sizeof out) == -1);
	CHECK(ks_stemmer_stem(NULL, "word", out, sizeof out) == -1);
	ks_stemmer_free(NULL);
}

static void *stem_many(void *arg)
{
	long *bad = arg;
	char out[64];
	for (int i = 0; i < 2000; i++)
		if (ks_stem_en(i % 2 ? "vulnerabilities" : "exploited", out, sizeof out) != 0 ||
		    strcmp(out, i % 2 ? "vulner" : "exploit") != 0)
			(*bad)++;
	return NULL;
}

/* ks_stem_en from several threads at once (a stemmer per call). */
static void test_stem_threads(void)
{
	pthread_t t[4];
	long bad[4] = {0};
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, stem_many, &bad[i]) == 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(bad[i] == 0);
	}
}

TEST_MAIN(TEST(test_kana_table), TEST(test_kana_choon_symmetric), TEST(test_kana_max),
	  TEST(test_stem_inflections), TEST(test_stem_rejects), TEST(test_stem_threads))
