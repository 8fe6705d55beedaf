/* test_utf8.c - the one UTF-8 reader (utf8.h): strict decoding, how far an
 * ill-formed piece reaches (as ICU's conversion counts it), validation,
 * text checks, counting and the last character. */
#include <unicode/ustring.h>

#include "harness.h"
#include "kensaku/utf8.h"

static void test_decode(void)
{
	static const struct {
		const char *s;
		long cp;
		size_t len;
	} cases[] = {
	    {"A", 'A', 1},
	    {"\xC2\xA0", 0xA0, 2},
	    {"\xE3\x81\x82", 0x3042, 3},
	    {"\xF0\x9F\x98\x80", 0x1F600, 4},
	    {"\xF4\x8F\xBF\xBF", 0x10FFFF, 4},
	    {"\xEF\xBF\xBE", 0xFFFE, 3}, /* a noncharacter is well-formed */
	    {"\xC0\x80", -1, 1},	 /* overlong NUL */
	    {"\xC1\xBF", -1, 1},	 /* overlong */
	    {"\xE0\x80\x80", -1, 1},	 /* overlong, 3 bytes */
	    {"\xE0\x9F\xBF", -1, 1},	 /* overlong, 3 bytes */
	    {"\xED\xA0\x80", -1, 1},	 /* a surrogate */
	    {"\xF0\x8F\xBF\xBF", -1, 1}, /* overlong, 4 bytes */
	    {"\xF4\x90\x80\x80", -1, 1}, /* past U+10FFFF */
	    {"\xF5\x80\x80\x80", -1, 1}, /* no such lead byte */
	    {"\x80", -1, 1},		 /* a lone continuation byte */
	    {"\xE3\x81", -1, 2},	 /* truncated: the maximal subpart */
	    {"\xE3\x81\x41", -1, 2},	 /* cut by an ASCII byte */
	    {"\xF0\x9F\x98", -1, 3},	 /* truncated 4-byte sequence */
	    {"\xF0\x9F\x98\x41", -1, 3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = 99;
		long cp = ks_utf8_decode(cases[i].s, strlen(cases[i].s), &len);
		CHECK(cp == cases[i].cp);
		CHECK(len == cases[i].len);
		if (cp != cases[i].cp || len != cases[i].len)
			fprintf(stderr, "  case %zu: got %ld/%zu\n", i, cp, len);
	}
	/* n bounds the read: a 3-byte sequence given 2 bytes is truncated */
	size_t len;
	CHECK(ks_utf8_decode("\xE3\x81\x82", 2, &len) == -1 && len == 2);
	CHECK(ks_utf8_decode("\0x", 2, &len) == 0 && len == 1);
}

/* Replacing every ill-formed piece with U+FFFD, as feed.c and normalize.c
 * do, gives what ICU's own conversion with substitution gives. */
static void test_replacement_matches_icu(void)
{
	static const char *const inputs[] = {
	    "abc",
	    "\xE3\x81\x82\xE3\x81",
	    "\xF0\x9F\x98\x41\x80\x80",
	    "\xED\xA0\x80z",
	    "\xC0\xAF\xE0\x80\xBF\xF0\x81\x82\x41",
	    "\xF4\x90\x80\x80\xE3\x81\x82",
	    "\xE3\x81\x41\xE3\x81\x82",
	};
	for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
		const char *s = inputs[k];
		size_t n = strlen(s), i = 0, len;
		UChar mine[64], icu[64];
		int32_t m = 0, ni = 0;
		while (i < n && m < 60) {
			long c = ks_utf8_decode(s + i, n - i, &len);
			U16_APPEND_UNSAFE(mine, m, c < 0 ? 0xFFFD : (UChar32)c);
			i += len;
		}
		UErrorCode st = U_ZERO_ERROR;
		u_strFromUTF8WithSub(icu, 64, &ni, s, (int32_t)n, 0xFFFD, NULL, &st);
		CHECK(U_SUCCESS(st));
		CHECK(m == ni && memcmp(mine, icu, (size_t)m * sizeof *mine) == 0);
	}
}

static void test_valid_and_text(void)
{
	CHECK(ks_utf8_valid("", 0));
	CHECK(ks_utf8_valid("LAPSUS$ ランサムウェア", strlen("LAPSUS$ ランサムウェア")));
	CHECK(ks_utf8_valid("a\0b", 3)); /* NUL is well-formed */
	CHECK(!ks_utf8_valid("a\xFF", 2));
	CHECK(!ks_utf8_valid("\xE3\x81\x82", 2)); /* the length given is what counts */
	CHECK(!ks_utf8_valid("\xED\xBF\xBF", 3));
	CHECK(ks_utf8_text("tab\tLF\nCR\r", 10));
	CHECK(!ks_utf8_text("a\0b", 3));
	CHECK(!ks_utf8_text("bell\a", 5));
	CHECK(!ks_utf8_text("esc\x1B", 4));
	CHECK(ks_utf8_text("del\x7F", 4)); /* DEL is not a C0 control */
	CHECK(!ks_utf8_text("\xC3", 1));
}

static void test_chars_and_last(void)
{
	CHECK(ks_utf8_chars(NULL, 0) == 0);
	CHECK(ks_utf8_chars("ランサム", strlen("ランサム")) == 4);
	CHECK(ks_utf8_chars("aé😀", strlen("aé😀")) == 3);
	size_t start = 99;
	CHECK(ks_utf8_last("見通し。", strlen("見通し。"), &start) == 0x3002);
	CHECK(start == strlen("見通し"));
	CHECK(ks_utf8_last("x", 1, &start) == 'x' && start == 0);
	CHECK(ks_utf8_last("a\xE3\x81", 3, &start) == -1 && start == 1);
}

/* Cutting and stepping on character boundaries. */
static void test_boundaries(void)
{
	const char *s = "aあ😀b"; /* 1 + 3 + 4 + 1 bytes */
	size_t n = strlen(s);
	CHECK(ks_utf8_floor(s, n, 0) == 0);
	CHECK(ks_utf8_floor(s, n, 2) == 1);
	CHECK(ks_utf8_floor(s, n, 4) == 4);
	CHECK(ks_utf8_floor(s, n, 7) == 4);
	CHECK(ks_utf8_floor(s, n, n) == n);
	CHECK(ks_utf8_ceil(s, n, 2) == 4);
	CHECK(ks_utf8_ceil(s, n, 5) == 8);
	CHECK(ks_utf8_ceil(s, n, n) == n);
	CHECK(ks_utf8_step(s, n, 0, 0) == 0);
	CHECK(ks_utf8_step(s, n, 0, 2) == 4);
	CHECK(ks_utf8_step(s, n, 0, 3) == 8);
	CHECK(ks_utf8_step(s, n, 0, 99) == n);
	CHECK(ks_utf8_step(s, n, n, -1) == 8);
	CHECK(ks_utf8_step(s, n, 8, -2) == 1);
	CHECK(ks_utf8_step(s, n, 4, -99) == 0);
}

TEST_MAIN(TEST(test_decode), TEST(test_replacement_matches_icu), TEST(test_valid_and_text),
	  TEST(test_chars_and_last), TEST(test_boundaries))
