/* cache.c - the search response cache: KSD_CACHE_SHARDS shards, each a
 * chained hash table plus an LRU list under one mutex, bounded in bytes.
 * See cache.h for the tagging rule that keeps entries from outliving an
 * index change. */
#include "cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#define KSD_CACHE_SHARDS 16
#define KSD_CACHE_BUCKETS 2048 /* per shard; a power of two */

struct entry {
	struct entry *hnext;	   /* hash chain */
	struct entry *prev, *next; /* LRU list, most recent first */
	uint64_t hash;
	unsigned long generation, epoch;
	long long hits;
	size_t klen, blen; /* key bytes, then value bytes, in data */
	size_t split;	   /* length of the value's first part */
	char data[];
};

struct shard {
	pthread_mutex_t mu;
	struct entry *buckets[KSD_CACHE_BUCKETS];
	struct entry *head, *tail;
	size_t bytes, entries;
};

static struct shard *g_shards; /* KSD_CACHE_SHARDS of them, or NULL: disabled */
static size_t g_shard_max;     /* byte budget of one shard */
static size_t g_max;
static atomic_ulong g_epoch = 1;
static atomic_ullong g_hits, g_misses, g_inserts, g_evictions;

static size_t entry_cost(const struct entry *e)
{
	return sizeof(*e) + e->klen + e->blen;
}

static void lru_unlink(struct shard *s, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		s->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		s->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push_front(struct shard *s, struct entry *e)
{
	e->prev = NULL;
	e->next = s->head;
	if (s->head)
		s->head->prev = e;
	s->head = e;
	if (!s->tail)
		s->tail = e;
}

/* Unlinks e from its chain and the LRU list and frees it (shard locked). */
static void remove_entry(struct shard *s, struct entry *e)
{
	struct entry **pp = &s->buckets[e->hash & (KSD_CACHE_BUCKETS - 1)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	lru_unlink(s, e);
	s->bytes -= entry_cost(e);
	s->entries--;
	free(e);
}

static struct entry *find(struct shard *s, uint64_t h, const void *key, size_t klen)
{
	struct entry *e;

	for (e = s->buckets[h & (KSD_CACHE_BUCKETS - 1)]; e; e = e->hnext)
		if (e->hash == h && e->klen == klen && memcmp(e->data, key, klen) == 0)
			return e;
	return NULL;
}

static void free_all(void)
{
	if (!g_shards)
		return;
	for (int i = 0; i < KSD_CACHE_SHARDS; i++) {
		struct entry *e = g_shards[i].head, *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
		pthread_mutex_destroy(&g_shards[i].mu);
	}
	free(g_shards);
	g_shards = NULL;
}

int ksd_cache_init(size_t max_bytes)
{
	free_all();
	g_max = 0;
	g_shard_max = 0;
	if (max_bytes == 0)
		return 0;
	g_shards = calloc(KSD_CACHE_SHARDS, sizeof(*g_shards));
	if (!g_shards)
		return -1;
	for (int i = 0; i < KSD_CACHE_SHARDS; i++)
		pthread_mutex_init(&g_shards[i].mu, NULL);
	g_max = max_bytes;
	g_shard_max = max_bytes / KSD_CACHE_SHARDS;
	return 0;
}

void ksd_cache_shutdown(void)
{
	free_all();
	g_max = 0;
	g_shard_max = 0;
}

int ksd_cache_enabled(void)
{
	return g_shards != NULL;
}

unsigned long ksd_cache_epoch(void)
{
	return atomic_load(&g_epoch);
}

void ksd_cache_bump(void)
{
	atomic_fetch_add(&g_epoch, 1);
}

char *ksd_cache_get(const void *key, size_t klen, unsigned long generation, unsigned long epoch,
		    size_t *len, size_t *split, long long *hits)
{
	uint64_t h;
	struct shard *s;
	struct entry *e;
	char *out = NULL;

	if (!g_shards)
		return NULL;
	h = XXH3_64bits(key, klen);
	s = &g_shards[h % KSD_CACHE_SHARDS];
	pthread_mutex_lock(&s->mu);
	e = find(s, h, key, klen);
	if (e && (e->generation != generation || e->epoch != epoch)) {
		remove_entry(s, e); /* computed before an index change */
		e = NULL;
	}
	if (e && (out = malloc(e->blen + 1))) {
		memcpy(out, e->data + e->klen, e->blen);
		out[e->blen] = '\0';
		*len = e->blen;
		*split = e->split;
		*hits = e->hits;
		lru_unlink(s, e);
		lru_push_front(s, e);
	}
	pthread_mutex_unlock(&s->mu);
	atomic_fetch_add(out ? &g_hits : &g_misses, 1);
	return out;
}

void ksd_cache_put(const void *key, size_t klen, unsigned long generation, unsigned long epoch,
		   const char *head, size_t hlen, const char *tail, size_t tlen, long long hits)
{
	uint64_t h;
	struct shard *s;
	struct entry *e, *old;
	size_t len = hlen + tlen;

	if (!g_shards || sizeof(*e) + klen + len > g_shard_max / 8)
		return;
	if (epoch != atomic_load(&g_epoch))
		return; /* already stale */
	e = malloc(sizeof(*e) + klen + len);
	if (!e)
		return;
	h = XXH3_64bits(key, klen);
	e->hash = h;
	e->generation = generation;
	e->epoch = epoch;
	e->hits = hits;
	e->klen = klen;
	e->blen = len;
	e->split = hlen;
	e->prev = e->next = e->hnext = NULL;
	memcpy(e->data, key, klen);
	memcpy(e->data + klen, head, hlen);
	memcpy(e->data + klen + hlen, tail, tlen);
	s = &g_shards[h % KSD_CACHE_SHARDS];
	pthread_mutex_lock(&s->mu);
	old = find(s, h, key, klen);
	if (old)
		remove_entry(s, old);
	while (s->tail && s->bytes + entry_cost(e) > g_shard_max) {
		remove_entry(s, s->tail);
		atomic_fetch_add(&g_evictions, 1);
	}
	e->hnext = s->buckets[h & (KSD_CACHE_BUCKETS - 1)];
	s->buckets[h & (KSD_CACHE_BUCKETS - 1)] = e;
	lru_push_front(s, e);
	s->bytes += entry_cost(e);
	s->entries++;
	pthread_mutex_unlock(&s->mu);
	atomic_fetch_add(&g_inserts, 1);
}

void ksd_cache_stats(struct ksd_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->hits = atomic_load(&g_hits);
	out->misses = atomic_load(&g_misses);
	out->inserts = atomic_load(&g_inserts);
	out->evictions = atomic_load(&g_evictions);
	out->max_bytes = g_max;
	if (!g_shards)
		return;
	for (int i = 0; i < KSD_CACHE_SHARDS; i++) {
		pthread_mutex_lock(&g_shards[i].mu);
		out->bytes += g_shards[i].bytes;
		out->entries += g_shards[i].entries;
		pthread_mutex_unlock(&g_shards[i].mu);
	}
}
