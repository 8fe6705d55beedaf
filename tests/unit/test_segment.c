/* test_segment.c - the word segmenters (kensaku/segment.h): MeCab keeps a
 * katakana loanword whole where ICU's dictionary splits it, both give
 * ascending byte offsets of the original text, neither crashes on invalid
 * UTF-8, and names map back to their kinds. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kensaku/segment.h"

/* The word starts of text as "0,21" (at most n bytes into buf). */
static const char *starts_of(struct ks_seg *g, const char *text, char *buf, size_t n)
{
	int *st = NULL, k = -1;
	buf[0] = 0;
	CHECK(ks_seg_starts(g, text, (int)strlen(text), &st, &k) == 0);
	for (int i = 0; i < k; i++) {
		size_t at = strlen(buf);
		snprintf(buf + at, n - at, "%s%d", i ? "," : "", st[i]);
		CHECK(i == 0 || st[i] > st[i - 1]);
		CHECK(st[i] >= 0 && st[i] < (int)strlen(text));
	}
	free(st);
	return buf;
}

static void test_mecab(void)
{
	char b[256];
	struct ks_seg *g = ks_seg_new(KS_SEG_MECAB);
	CHECK(g != NULL);
	if (!g)
		return;
	CHECK(strncmp(ks_seg_name(g), "mecab-", 6) == 0);
	CHECK(strstr(ks_seg_name(g), "ipadic") != NULL);
	/* ランサムウェア (7 characters, 21 bytes) whole, then 対策 */
	CHECK_STR(starts_of(g, "ランサムウェア対策", b, sizeof b), "0,21");
	/* 東京|都|の|京都|支社: 京都 inside 東京都 starts no word */
	CHECK_STR(starts_of(g, "東京都の京都支社", b, sizeof b), "0,6,9,12,18");
	CHECK_STR(starts_of(g, "", b, sizeof b), "");
	CHECK_STR(starts_of(g, "  ", b, sizeof b), "");
	starts_of(g,
		  "\xff\xfe"
		  "ab \xe3\x81",
		  b, sizeof b); /* no crash; offsets checked */
	ks_seg_free(g);
}

static void test_icu(void)
{
	char b[256];
	struct ks_seg *g = ks_seg_new(KS_SEG_ICU);
	CHECK(g != NULL);
	if (!g)
		return;
	CHECK(strncmp(ks_seg_name(g), "icu-", 4) == 0);
	/* ICU's dictionary: ラン|サム|ウェア|対策 */
	CHECK_STR(starts_of(g, "ランサムウェア対策", b, sizeof b), "0,6,12,21");
	/* spaces and punctuation begin no word */
	CHECK_STR(starts_of(g, "Hello, world", b, sizeof b), "0,7");
	/* a character outside the BMP (two UTF-16 units) keeps byte offsets right */
	CHECK_STR(starts_of(g, "\xf0\x9f\x94\xa5 対策", b, sizeof b), "5");
	CHECK_STR(starts_of(g, "", b, sizeof b), "");
	starts_of(g,
		  "\xff\xfe"
		  "ab \xe3\x81",
		  b, sizeof b);
	ks_seg_free(g);
}

static void test_names(void)
{
	CHECK(ks_seg_kind_of("mecab") == KS_SEG_MECAB);
	CHECK(ks_seg_kind_of("icu") == KS_SEG_ICU);
	CHECK(ks_seg_kind_of("mecab-0.996-ipadic-utf8") == KS_SEG_MECAB);
	CHECK(ks_seg_kind_of("icu-72.1") == KS_SEG_ICU);
	CHECK(ks_seg_kind_of("juman") == -1 && ks_seg_kind_of("") == -1 &&
	      ks_seg_kind_of(NULL) == -1);
	CHECK(ks_seg_new((enum ks_seg_kind)7) == NULL);
	ks_seg_free(NULL);
}

TEST_MAIN(TEST(test_mecab), TEST(test_icu), TEST(test_names))
