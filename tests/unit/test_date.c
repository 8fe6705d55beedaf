/* test_date.c - the one date validator (its year floor and calendar), the
 * one reader of written dates and its digits, and the one civil-date
 * converter (date.h). */
#include "harness.h"
#include "kensaku/date.h"

static int parses(const char *s)
{
	return ks_date_parse(s, strlen(s), NULL, NULL, NULL);
}

static void test_validator(void)
{
	CHECK(parses("2022-03-27"));
	CHECK(parses("2000-02-29"));  /* divisible by 400: leap */
	CHECK(!parses("1900-02-29")); /* by 100, not 400: not leap */
	CHECK(parses("2024-02-29"));
	CHECK(!parses("2023-02-29"));
	CHECK(!parses("2022-04-31"));
	CHECK(!parses("2022-13-01"));
	CHECK(!parses("2022-00-10"));
	CHECK(!parses("2022-01-00"));
	/* the year floor: four digits from 1000 */
	CHECK(parses("1000-01-01"));
	CHECK(!parses("0999-12-31"));
	CHECK(!parses("0001-01-01"));
	CHECK(!parses("0000-00-00"));
	CHECK(parses("9999-12-31"));
	/* the shape */
	CHECK(!parses("2022-3-27"));
	CHECK(!parses("2022/03/27"));
	CHECK(!parses("2022-03-27T00:00:00"));
	CHECK(!parses("2022-03-2x"));
	CHECK(!parses("+022-03-27"));
	CHECK(!parses(""));
	CHECK(!ks_date_parse(NULL, 0, NULL, NULL, NULL));
	CHECK(!ks_date_parse("2022-03-27", 9, NULL, NULL, NULL));
	int y = 0, m = 0, d = 0;
	CHECK(ks_date_parse("2022-03-27", 10, &y, &m, &d) && y == 2022 && m == 3 && d == 27);
	y = m = d = -5;
	CHECK(!ks_date_parse("2022-02-30", 10, &y, &m, &d) && y == -5 && m == -5 && d == -5);
	CHECK(ks_date_real(1999, 12, 31) && !ks_date_real(999, 12, 31) &&
	      !ks_date_real(10000, 1, 1));
}

static void test_format(void)
{
	char out[11] = "unchanged!";
	CHECK(ks_date_format(2022, 3, 7, out) == 0);
	CHECK_STR(out, "2022-03-07");
	memcpy(out, "unchanged!", 11);
	CHECK(ks_date_format(2022, 2, 30, out) == -1);
	CHECK(ks_date_format(999, 1, 1, out) == -1);
	CHECK_STR(out, "unchanged!");
}

/* Day numbers: known values, and every day from 1000-01-01 to 9999-12-31
 * converts there and back and follows the day before it. */
static void test_civil(void)
{
	CHECK(ks_date_days(1970, 1, 1) == 0);
	CHECK(ks_date_days(2022, 3, 27) == 19078);
	CHECK(ks_date_days(1969, 12, 31) == -1);
	CHECK(ks_date_days(1000, 1, 1) == -354285);
	CHECK(ks_date_days(9999, 12, 31) == 2932896);
	long y = 1000;
	int m = 1, d = 1, bad = 0;
	for (long days = -354285; days <= 2932896; days++) {
		long cy;
		int cm, cd;
		ks_date_civil(days, &cy, &cm, &cd);
		if (cy != y || cm != m || cd != d || ks_date_days(y, m, d) != days)
			bad++;
		if (!ks_date_real((int)y, m, ++d)) { /* the next day */
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	CHECK(bad == 0);
	CHECK(y == 10000 && m == 1 && d == 1);
	ks_date_civil(0, NULL, NULL, NULL); /* every out-parameter may be NULL */
}

/* ks_date_read of s at i: "Y-M-D@end" when a date is written there,
 * "none" when not (into out). */
static const char *read_at(const char *s, size_t i, char out[32])
{
	int y = -1, m = -1, d = -1;
	size_t end = 999;
	if (!ks_date_read(s, strlen(s), i, &y, &m, &d, &end)) {
		CHECK(y == -1 && m == -1 && d == -1 && end == 999); /* nothing set */
		return "none";
	}
	snprintf(out, 32, "%d-%d-%d@%zu", y, m, d, end);
	return out;
}

static void test_read(void)
{
	char b[32];
	/* year first: the three separators, one or two digits, the end */
	CHECK_STR(read_at("2022-03-27", 0, b), "2022-3-27@10");
	CHECK_STR(read_at("2022/3/7 and more", 0, b), "2022-3-7@8");
	CHECK_STR(read_at("2022.12.01", 0, b), "2022-12-1@10");
	CHECK_STR(read_at("2022-03/27", 0, b), "none"); /* one separator throughout */
	CHECK_STR(read_at("2022-03-27T10:00:00Z", 0, b), "2022-3-27@10");
	CHECK_STR(read_at("2022-03-271", 0, b), "none"); /* a digit after the day */
	CHECK_STR(read_at("20221-03-27", 0, b), "none");
	CHECK_STR(read_at("22-03-27", 0, b), "none");
	/* 年月日 with spaces around the words, full-width digits */
	CHECK_STR(read_at("2022年3月27日(日)", 0, b), "2022-3-27@16");
	CHECK_STR(read_at("2022 年 3 月 27 日", 0, b), "2022-3-27@21");
	CHECK_STR(read_at("２０２２年１２月１日", 0, b), "2022-12-1@30");
	CHECK_STR(read_at("2022年3月", 0, b), "none");
	/* English, either order, suffixes, commas, abbreviations */
	CHECK_STR(read_at("March 27, 2022", 0, b), "2022-3-27@14");
	CHECK_STR(read_at("Sept. 1st 2022!", 0, b), "2022-9-1@14");
	CHECK_STR(read_at("mar 2nd,2022", 0, b), "2022-3-2@12");
	CHECK_STR(read_at("Mar 2nda 2022", 0, b), "none"); /* a letter after the suffix */
	CHECK_STR(read_at("27 March 2022", 0, b), "2022-3-27@13");
	CHECK_STR(read_at("Sun, 27 Mar 2022 10:00:00 GMT", 5, b), "2022-3-27@16");
	CHECK_STR(read_at("Ma 27 2022", 0, b), "none");
	CHECK_STR(read_at("March 272022", 0, b), "none");	/* day and year touch */
	CHECK_STR(read_at("March ２７２０２２", 0, b), "none"); /* in any width */
	/* the shape only: a date that is not real is still read */
	CHECK_STR(read_at("2022-02-30", 0, b), "2022-2-30@10");
	/* only from i, never past n */
	CHECK_STR(read_at("x 2022-03-27", 2, b), "2022-3-27@12");
	CHECK_STR(read_at("x 2022-03-27", 0, b), "none");
	CHECK_STR(read_at("2022-03-27", 10, b), "none");
	int y, m, d;
	size_t end;
	CHECK(ks_date_read("2022-03-27", 9, 0, &y, &m, &d, &end) && d == 2 && end == 9);
	CHECK(!ks_date_read("2022-03-27", 8, 0, &y, &m, &d, &end));
	CHECK(!ks_date_read(NULL, 0, 0, &y, &m, &d, &end));
}

static void test_digits(void)
{
	size_t i = 0;
	CHECK(ks_date_digits("59x", 3, &i, 1, 4) == 59 && i == 2);
	i = 0;
	CHECK(ks_date_digits("５9", strlen("５9"), &i, 1, 4) == 59 && i == 4);
	i = 1;
	CHECK(ks_date_digits("#12345", 6, &i, 1, 4) == -1 && i == 1); /* too many */
	CHECK(ks_date_digits("#1234５", strlen("#1234５"), &i, 1, 4) == -1 && i == 1);
	CHECK(ks_date_digits("#x", 2, &i, 1, 4) == -1 && i == 1); /* too few */
	i = 0;
	CHECK(ks_date_digits("7", 1, &i, 2, 2) == -1 && i == 0);
	/* a full-width digit cut at n is no digit */
	i = 0;
	CHECK(ks_date_digits("1\xEF\xBC", 3, &i, 1, 2) == 1 && i == 1);
}

TEST_MAIN(TEST(test_validator), TEST(test_format), TEST(test_civil), TEST(test_read),
	  TEST(test_digits))
