/* test_cache.c - kensakud's search response cache (server/api/cache.c):
 * took_ms splicing, tags (generation, epoch), the byte bound and LRU
 * order, refusal of bodies of another shape, and the disabled cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "harness.h"

static const char BODY[] = "{\"query\":\"a \\\"took_ms\\\": b\",\"total\":3,\"offset\":0,"
			   "\"limit\":20,\"took_ms\":12.5,\"hits\":[{\"took_ms\":1}]}";

static void test_took_span(void)
{
	size_t a = 0, b = 0;

	CHECK(ksd_cache_took_span(BODY, strlen(BODY), &a, &b) == 0);
	CHECK(b - a == 4 && memcmp(BODY + a, "12.5", 4) == 0);
	/* other shapes are refused */
	const char *bad[] = {"",
			     "{}",
			     "[1]",
			     "{\"total\":1,\"took_ms\":2}",
			     "{\"query\":\"x\",\"hits\":[{\"took_ms\":1}]}",
			     "{\"query\":\"unterminated",
			     "{\"query\":\"x\",\"took_ms\":"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(ksd_cache_took_span(bad[i], strlen(bad[i]), &a, &b) != 0);
}

static void test_hit_and_tags(void)
{
	size_t len = 0;
	long long hits = -1;
	char *s;
	unsigned long e;

	CHECK(ksd_cache_init(1 << 20) == 0);
	e = ksd_cache_epoch();
	CHECK(ksd_cache_get("k", 1, 1, e, 0.5, &len, &hits) == NULL);
	ksd_cache_put("k", 1, 1, e, BODY, strlen(BODY), 7);
	s = ksd_cache_get("k", 1, 1, e, 0.25, &len, &hits);
	CHECK(s != NULL);
	if (s) {
		CHECK(strstr(s, "\"took_ms\":0.25,") != NULL);
		CHECK(strstr(s, "12.5") == NULL);
		CHECK(len == strlen(s) && len == strlen(BODY) - 4 + 4);
		CHECK(hits == 7);
		free(s);
	}
	s = ksd_cache_get("k", 1, 1, e, 3, &len, &hits);
	CHECK(s && strstr(s, "\"took_ms\":3.0,")); /* jansson's form of a whole real */
	free(s);
	CHECK(ksd_cache_get("K", 1, 1, e, 1, &len, &hits) == NULL); /* other key */
	CHECK(ksd_cache_get("k", 1, 2, e, 1, &len, &hits) == NULL); /* other generation */
	ksd_cache_bump();
	CHECK(ksd_cache_get("k", 1, 1, ksd_cache_epoch(), 1, &len, &hits) == NULL); /* bumped */
	/* a put tagged with an epoch that is no longer current is dropped */
	ksd_cache_put("old", 3, 1, e, BODY, strlen(BODY), 1);
	CHECK(ksd_cache_get("old", 3, 1, e, 1, &len, &hits) == NULL);
	/* a body of another shape is not stored */
	e = ksd_cache_epoch();
	ksd_cache_put("x", 1, 1, e, "{\"error\":{}}", 12, 0);
	CHECK(ksd_cache_get("x", 1, 1, e, 1, &len, &hits) == NULL);
	struct ksd_cache_stats st;
	ksd_cache_stats(&st);
	CHECK(st.hits == 2 && st.max_bytes == 1 << 20);
	ksd_cache_shutdown();
}

static void test_bound_and_lru(void)
{
	char key[32];
	size_t len;
	long long hits;
	struct ksd_cache_stats st;
	const size_t max = 256 * 1024;

	CHECK(ksd_cache_init(max) == 0);
	unsigned long e = ksd_cache_epoch();
	/* key 0 is read after every put, so it stays the most recently used */
	ksd_cache_put("key0", 4, 1, e, BODY, strlen(BODY), 0);
	for (int i = 1; i < 20000; i++) {
		int n = snprintf(key, sizeof(key), "key%d", i);
		ksd_cache_put(key, (size_t)n, 1, e, BODY, strlen(BODY), 0);
		free(ksd_cache_get("key0", 4, 1, e, 1, &len, &hits));
	}
	ksd_cache_stats(&st);
	CHECK(st.bytes <= max);
	CHECK(st.entries > 100 && st.entries < 20000);
	CHECK(st.evictions > 0);
	char *s = ksd_cache_get("key0", 4, 1, e, 1, &len, &hits);
	CHECK(s != NULL); /* the hot key survived every eviction */
	free(s);
	CHECK(ksd_cache_get("key1", 4, 1, e, 1, &len, &hits) == NULL); /* the coldest went */
	s = ksd_cache_get("key19999", 8, 1, e, 1, &len, &hits);
	CHECK(s != NULL);
	free(s);
	ksd_cache_shutdown();
}

static void test_disabled(void)
{
	size_t len;
	long long hits;

	CHECK(ksd_cache_init(0) == 0);
	CHECK(!ksd_cache_enabled());
	ksd_cache_put("k", 1, 1, ksd_cache_epoch(), BODY, strlen(BODY), 0);
	CHECK(ksd_cache_get("k", 1, 1, ksd_cache_epoch(), 1, &len, &hits) == NULL);
	ksd_cache_shutdown();
}

TEST_MAIN(TEST(test_took_span), TEST(test_hit_and_tags), TEST(test_bound_and_lru),
	  TEST(test_disabled))
