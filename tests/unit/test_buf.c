/* test_buf.c - the capped growable buffer (buf.h): appends, printf, the
 * cap, and the take/free ends of its life. */
#include "harness.h"
#include "kensaku/buf.h"

static void test_append_and_take(void)
{
	struct ks_buf b = {0};
	char *p = ks_buf_take(&b);
	CHECK_STR(p, ""); /* nothing added: an empty string, not NULL */
	free(p);
	ks_buf_str(&b, "kensaku");
	ks_buf_add(&b, " ", 1);
	ks_buf_printf(&b, "%s=%d %.2f %zu", "items", 42, 0.5, (size_t)7);
	CHECK(b.len == strlen("kensaku items=42 0.50 7"));
	p = ks_buf_take(&b);
	CHECK_STR(p, "kensaku items=42 0.50 7");
	CHECK(b.p == NULL && b.len == 0 && !b.oom); /* take empties it */
	free(p);
}

/* printf past the first allocation and many times over. */
static void test_printf_grows(void)
{
	struct ks_buf b = {0};
	for (int i = 0; i < 1000; i++)
		ks_buf_printf(&b, "%04d,", i);
	CHECK(!b.oom && b.len == 5000);
	CHECK(b.p && !strncmp(b.p + 4995, "0999,", 5) && b.p[5000] == 0);
	char big[3000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	ks_buf_printf(&b, "[%s]", big);
	CHECK(b.len == 5000 + 3001 && b.p[b.len - 1] == ']');
	ks_buf_free(&b);
	CHECK(b.p == NULL && b.len == 0);
	ks_buf_free(NULL); /* accepts NULL */
}

/* The cap: an append past it sets oom, leaves the bytes as they were and
 * makes later appends no-ops; take then gives NULL. */
static void test_cap(void)
{
	struct ks_buf b = {.max = 10};
	ks_buf_printf(&b, "%s", "0123456789");
	CHECK(!b.oom && b.len == 10);
	ks_buf_printf(&b, "%d", 1);
	CHECK(b.oom && b.len == 10 && !strcmp(b.p, "0123456789"));
	ks_buf_str(&b, "");
	CHECK(b.oom);
	CHECK(ks_buf_take(&b) == NULL);
	CHECK(b.p == NULL && !b.oom);
	struct ks_buf c = {.max = 4};
	ks_buf_printf(&c, "%s", "abcde");
	CHECK(c.oom && c.len == 0);
	ks_buf_free(&c);
}

TEST_MAIN(TEST(test_append_and_take), TEST(test_printf_grows), TEST(test_cap))
