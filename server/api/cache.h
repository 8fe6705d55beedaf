/* cache.h - a bounded, sharded LRU cache of /api/search response bodies.
 *
 * Keys are byte strings (the canonical search parameters, built by the
 * handler). Each entry is tagged with the pool generation and the cache
 * epoch it was computed at; a lookup only returns an entry whose tags equal
 * the caller's, so an entry never outlives an index change:
 * - a new generation (`kensaku reindex` renamed a file in, SIGHUP) has a
 *   new generation number;
 * - a commit of `kensaku index` into the same file is noticed by the first
 *   request on each connection after it (PRAGMA data_version), which calls
 *   ksd_cache_bump().
 * The rule for callers: read the epoch BEFORE the request's snapshot
 * begins (before leasing its connection) and tag what it computes with it;
 * then check the connection for commits (bump on a change; a connection's
 * first check counts as one) and look up with the epoch read after that.
 * Why it holds: an entry tagged T came from a snapshot that began after T
 * was read, so it holds every commit whose bump T counts; a request that
 * starts after a commit C checks a snapshot that holds C, so C has been
 * bumped by the time it reads its lookup epoch, which then differs from
 * the tag of any entry whose snapshot lacks C. A put whose tag is already
 * stale is dropped.
 *
 * Values are opaque bytes in two parts: h_search.c stores a body as the
 * parts around its took_ms value (ks_result_body_parts) and joins them
 * with the time of the request that reads it (ks_result_body_join), so a
 * hit reports its own (tiny) time and the cache never edits a body.
 * Thread-safe; lock per shard. */
#ifndef KSD_CACHE_H
#define KSD_CACHE_H

#include <stddef.h>

#define KSD_CACHE_MB_DEFAULT 32

struct ksd_cache_stats {
	unsigned long long hits, misses, inserts, evictions;
	size_t bytes, entries, max_bytes;
};

/* Sizes the cache to max_bytes of keys and bodies (0 disables it: every
 * lookup misses, puts are dropped). Call once before any thread; calling
 * again empties it. Returns 0, or -1 on out of memory (cache disabled). */
int ksd_cache_init(size_t max_bytes);

/* Frees every entry; the cache is disabled afterwards. */
void ksd_cache_shutdown(void);

/* 1 when the cache holds anything at all (max_bytes > 0). */
int ksd_cache_enabled(void);

/* The current epoch; ksd_cache_bump() advances it, invalidating every
 * entry tagged with an older one. Lock-free. */
unsigned long ksd_cache_epoch(void);
void ksd_cache_bump(void);

/* Looks key up. On a hit returns a malloc'd copy of the value stored
 * (its two parts one after the other, NUL-terminated; caller frees), its
 * length in *len, the length of its first part in *split and the hit count
 * stored with it in *hits; NULL on a miss (or out of memory). */
char *ksd_cache_get(const void *key, size_t klen, unsigned long generation, unsigned long epoch,
		    size_t *len, size_t *split, long long *hits);

/* Stores a copy of the value head (hlen bytes) + tail (tlen bytes) under
 * key, evicting least recently used entries of its shard as needed. Values
 * larger than an eighth of a shard are not stored. Can't fail (on out of
 * memory nothing is stored). */
void ksd_cache_put(const void *key, size_t klen, unsigned long generation, unsigned long epoch,
		   const char *head, size_t hlen, const char *tail, size_t tlen, long long hits);

/* Counters and sizes, for /metrics. */
void ksd_cache_stats(struct ksd_cache_stats *out);

#endif
