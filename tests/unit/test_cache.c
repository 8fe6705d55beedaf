/* test_cache.c - kensakud's search response cache (server/api/cache.c):
 * values kept as given in two parts, tags (generation, epoch), the byte
 * bound and LRU order, and the disabled cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "harness.h"

/* A value in two parts, as h_search.c stores a body around its took_ms. */
static const char HEAD[] = "{\"query\":\"a\",\"took_ms\":";
static const char TAIL[] = ",\"hits\":[]}";
#define BODY HEAD /* the one-part values of the bound and LRU tests */

/* Stores HEAD + TAIL under key. */
static void put2(const char *key, unsigned long generation, unsigned long epoch, long long hits)
{
	ksd_cache_put(key, strlen(key), generation, epoch, HEAD, strlen(HEAD), TAIL, strlen(TAIL),
		      hits);
}

static void test_hit_and_tags(void)
{
	size_t len = 0, split = 0;
	long long hits = -1;
	char *s;
	unsigned long e;

	CHECK(ksd_cache_init(1 << 20) == 0);
	e = ksd_cache_epoch();
	CHECK(ksd_cache_get("k", 1, 1, e, &len, &split, &hits) == NULL);
	put2("k", 1, e, 7);
	s = ksd_cache_get("k", 1, 1, e, &len, &split, &hits);
	CHECK(s != NULL);
	if (s) {
		/* the value comes back as stored, its parts apart: nothing edited */
		CHECK(len == strlen(HEAD) + strlen(TAIL) && len == strlen(s));
		CHECK(split == strlen(HEAD) && !memcmp(s, HEAD, split) && !strcmp(s + split, TAIL));
		CHECK(hits == 7);
		free(s);
	}
	CHECK(ksd_cache_get("K", 1, 1, e, &len, &split, &hits) == NULL); /* other key */
	CHECK(ksd_cache_get("k", 1, 2, e, &len, &split, &hits) == NULL); /* other generation */
	ksd_cache_bump();
	CHECK(ksd_cache_get("k", 1, 1, ksd_cache_epoch(), &len, &split, &hits) ==
	      NULL); /* bumped */
	/* a put tagged with an epoch that is no longer current is dropped */
	put2("old", 1, e, 1);
	CHECK(ksd_cache_get("old", 3, 1, e, &len, &split, &hits) == NULL);
	struct ksd_cache_stats st;
	ksd_cache_stats(&st);
	CHECK(st.hits == 1 && st.max_bytes == 1 << 20);
	ksd_cache_shutdown();
}

static void test_bound_and_lru(void)
{
	char key[32];
	size_t len, split;
	long long hits;
	struct ksd_cache_stats st;
	const size_t max = 256 * 1024;

	CHECK(ksd_cache_init(max) == 0);
	unsigned long e = ksd_cache_epoch();
	/* key 0 is read after every put, so it stays the most recently used */
	ksd_cache_put("key0", 4, 1, e, BODY, strlen(BODY), "", 0, 0);
	for (int i = 1; i < 20000; i++) {
		int n = snprintf(key, sizeof(key), "key%d", i);
		ksd_cache_put(key, (size_t)n, 1, e, BODY, strlen(BODY), "", 0, 0);
		free(ksd_cache_get("key0", 4, 1, e, &len, &split, &hits));
	}
	ksd_cache_stats(&st);
	CHECK(st.bytes <= max);
	CHECK(st.entries > 100 && st.entries < 20000);
	CHECK(st.evictions > 0);
	char *s = ksd_cache_get("key0", 4, 1, e, &len, &split, &hits);
	CHECK(s != NULL); /* the hot key survived every eviction */
	free(s);
	CHECK(ksd_cache_get("key1", 4, 1, e, &len, &split, &hits) == NULL); /* the coldest went */
	s = ksd_cache_get("key19999", 8, 1, e, &len, &split, &hits);
	CHECK(s != NULL);
	free(s);
	ksd_cache_shutdown();
}

static void test_disabled(void)
{
	size_t len, split;
	long long hits;

	CHECK(ksd_cache_init(0) == 0);
	CHECK(!ksd_cache_enabled());
	put2("k", 1, ksd_cache_epoch(), 0);
	CHECK(ksd_cache_get("k", 1, 1, ksd_cache_epoch(), &len, &split, &hits) == NULL);
	ksd_cache_shutdown();
}

TEST_MAIN(TEST(test_hit_and_tags), TEST(test_bound_and_lru), TEST(test_disabled))
