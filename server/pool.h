/* pool.h - read-only index connections, one per worker thread, and the
 * switch to a new index generation.
 *
 * Each thread that serves requests owns one slot holding one read-only
 * struct ks_store. A generation is one identity of the index file (device,
 * inode, size, mtime). `kensaku reindex` renames a new file over the path:
 * the next request after the change is noticed (stat at most every
 * KSD_POOL_CHECK_MS, or at once after ksd_pool_reload) opens a fresh
 * connection for the new generation; a connection of an old generation is
 * closed as soon as no request uses it (by its thread on release, or by the
 * thread that noticed the change when the slot is idle). A request always
 * runs to its end on the connection it acquired. Commits of `kensaku index`
 * into the same file need no switch: SQLite shows them to the next read.
 *
 * A changed file becomes a generation only after a check (open, counts,
 * an FTS5 probe, and PRAGMA quick_check for a new inode); a file that fails
 * it is refused with one log line and the current generation goes on
 * serving: from each thread's open connection, or, for a thread that has
 * none, from a shared spare connection (the one the check opened). */
#ifndef KSD_POOL_H
#define KSD_POOL_H

#include <kensaku/err.h>
#include <kensaku/store.h>

#define KSD_POOL_CHECK_MS 100

struct ksd_slot;

/* What a request holds while it uses the index. */
struct ksd_lease {
	struct ksd_slot *slot;
	struct ks_store *store;
	unsigned long generation;
};

/* Remembers path and checks, read-only, that it is a servable index (the
 * check of a new generation, with quick_check); its error names the file.
 * On failure returns the library's rc (KS_ERR_IO, KS_ERR_CORRUPT, ...) with
 * err set, and the pool stays unusable. Call once, before any thread. */
int ksd_pool_init(const char *path, struct ks_err *err);

/* Closes every connection and forgets the path. Call after the HTTP
 * daemon has stopped (no request in flight). Safe to call twice. */
void ksd_pool_shutdown(void);

/* Gives the calling thread its connection for the current generation,
 * switching first when the file changed. On success *out is set and must
 * be released with ksd_pool_release by the same thread. When the new
 * generation can't be opened the previous connection, if any, is kept.
 * Fails (KS_ERR_IO/CORRUPT/...) only when no connection can be had. */
int ksd_pool_acquire(struct ksd_lease *out, struct ks_err *err);

/* Ends a lease; closes the connection when its generation is old. */
void ksd_pool_release(struct ksd_lease *l);

/* Starts a new generation now (SIGHUP): every connection is reopened on
 * its next use. Async-signal-safe: only sets an atomic flag. */
void ksd_pool_reload(void);

/* The current generation number: 1 at start, +1 at every switch. */
unsigned long ksd_pool_generation(void);

#endif
