/* test_num.c - the one integer parser (num.h): what it takes, what it
 * refuses, ranges at the edges of int, and no overflow on long input. */
#include <limits.h>

#include "harness.h"
#include "kensaku/num.h"

static void test_accepts(void)
{
	int v = -1;
	CHECK(ks_parse_int("0", 0, 10, &v) == 0 && v == 0);
	CHECK(ks_parse_int("20", 1, 100, &v) == 0 && v == 20);
	CHECK(ks_parse_int("007", 1, 100, &v) == 0 && v == 7); /* leading zeros */
	CHECK(ks_parse_int("-5", -10, 10, &v) == 0 && v == -5);
	CHECK(ks_parse_int("-0", 0, 10, &v) == 0 && v == 0);
	CHECK(ks_parse_int("2147483647", INT_MIN, INT_MAX, &v) == 0 && v == INT_MAX);
	CHECK(ks_parse_int("-2147483648", INT_MIN, INT_MAX, &v) == 0 && v == INT_MIN);
	CHECK(ks_parse_int("00000000000000000000000000042", 0, 100, &v) == 0 && v == 42);
}

static void test_refuses(void)
{
	static const char *const bad[] = {"",	 "-",	"+5",  " 5", "5 ",	    "5x", "0x10",
					  "1e3", "5.0", "--5", "٣",  "\xEF\xBC\x95" /* ５ */};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int v = 77;
		CHECK(ks_parse_int(bad[i], INT_MIN, INT_MAX, &v) == -1);
		CHECK(v == 77); /* untouched */
	}
	int v = 77;
	CHECK(ks_parse_int(NULL, 0, 1, &v) == -1);
	CHECK(ks_parse_int("0", 1, 100, &v) == -1);
	CHECK(ks_parse_int("101", 1, 100, &v) == -1);
	CHECK(ks_parse_int("-1", 0, 100, &v) == -1);
	CHECK(ks_parse_int("2147483648", INT_MIN, INT_MAX, &v) == -1);
	CHECK(ks_parse_int("-2147483649", INT_MIN, INT_MAX, &v) == -1);
	/* digits enough to overflow any integer type are still just too big */
	CHECK(ks_parse_int("99999999999999999999999999999999999999", 0, INT_MAX, &v) == -1);
	CHECK(ks_parse_int("-99999999999999999999999999999999999999", INT_MIN, 0, &v) == -1);
	CHECK(ks_parse_int("18446744073709551621", 0, 10, &v) == -1); /* 2^64 + 5 */
	CHECK(ks_parse_int("-5", 1, 10, &v) == -1);
	CHECK(ks_parse_int("5", -10, -1, &v) == -1);
	CHECK(v == 77);
}

TEST_MAIN(TEST(test_accepts), TEST(test_refuses))
