/* test_date.c - the one date validator (its year floor and calendar) and
 * the one civil-date converter (date.h). */
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

TEST_MAIN(TEST(test_validator), TEST(test_format), TEST(test_civil))
