/* pool.h - the read-only index connections the worker threads share, and
 * the switch to a new index generation. pool.c holds the leases and
 * switches the connections; watch.c watches the path, checks a new file
 * (the library's check.h) and starts the init, reload and shutdown.
 *
 * A generation is one file at the index path, told apart by device and
 * inode: `kensaku reindex` (or a deploy) renames a new file over the path.
 * Commits of `kensaku index` into the same file are not a new generation:
 * SQLite shows them to the next read. Overwriting a served file in place
 * (cp over it) is not supported; SIGHUP forces a check and reopen.
 *
 * Connections are shared: a request leases an idle one, or opens one more
 * when none is idle. A checker thread stats the path every
 * KSD_POOL_CHECK_MS. A file with a new identity becomes the next
 * generation only after a check of the file alone (SQLite immutable=1:
 * no locks, no -wal/-shm): it opens as an index, its counts can be read,
 * a term lookup works, and — unless it is byte for byte the file
 * `kensaku reindex` checked and stamped (verify.h) — the file passes
 * PRAGMA quick_check and the FTS5 integrity-check with the content
 * comparison, read in place through a VFS that can't write (check.h: no
 * copy of the file is made, so the check's memory is SQLite's page cache
 * whatever the index's size; files over KSD_POOL_DEEP_MAX: quick_check and
 * a full fts5vocab scan instead). A file that fails is logged once with
 * the reason and the current generation keeps serving from its open
 * connections.
 *
 * The switch waits until no lease is out (new leases wait meanwhile),
 * closes every connection of the old generation, and only then opens the
 * new file through SQLite's usual path. So the process never has two
 * files at the same path open at once: they would share the path's -wal
 * and -shm, and opening the second truncates the -shm under the first
 * (SIGBUS) or mixes one file's WAL frames into the other's pages. A
 * request therefore runs to its end on one generation, and a switch
 * delays new requests by the longest request in flight.
 *
 * A lease is one read transaction, started by ksd_pool_acquire: every
 * statement of a request reads the same snapshot of the file, even while
 * `kensaku index` commits. Before the switch, the -wal and -shm at the
 * path already serve the next file: when a new file is at the path and the
 * WAL holds frames (`kensaku index` ran right after a reindex), they are
 * not this generation's, and a lease waits for the switch instead of
 * reading them. */
#ifndef KSD_POOL_H
#define KSD_POOL_H

#include <kensaku/err.h>
#include <kensaku/store.h>

#define KSD_POOL_CHECK_MS 100		 /* how often the checker stats the path */
#define KSD_POOL_WAIT_MS 10000		 /* longest wait for an idle connection */
#define KSD_POOL_DEEP_MAX (256ull << 20) /* biggest file given the FTS5 integrity-check */

struct ksd_slot;

/* What a request holds while it uses the index. */
struct ksd_lease {
	struct ksd_slot *slot;
	struct ks_store *store;
	unsigned long generation;
};

/* Checks, read-only, that path is a servable index (the check of a new
 * generation) and keeps that connection; starts the checker thread. On
 * failure returns the library's rc (KS_ERR_IO, KS_ERR_CORRUPT, ...) with
 * err naming the file, and the pool stays unusable. Call once, before the
 * worker threads, with the signals the main thread waits for blocked. */
int ksd_pool_init(const char *path, struct ks_err *err);

/* Stops the checker thread and closes every connection. Call after the
 * HTTP daemon has stopped (no lease out). Safe to call twice. */
void ksd_pool_shutdown(void);

/* Leases a connection of the current generation, in a read transaction:
 * an idle one, else a new one when the file at the path is the current
 * generation's, else waits (at most KSD_POOL_WAIT_MS in all) for one to be
 * released, or for the switch away from a WAL another file wrote to. Runs
 * a pending ksd_pool_reload first. On success *out is set and must be
 * given back with ksd_pool_release. Fails (KS_ERR_IO) only when no
 * connection can be had: the file is gone or refused and none is open, or
 * the wait ran out, or its read transaction can't start (err says why).
 * Never call it while holding a lease. */
int ksd_pool_acquire(struct ksd_lease *out, struct ks_err *err);

/* Ends the lease's read transaction and gives its connection back.
 * Accepts an empty lease. */
void ksd_pool_release(struct ksd_lease *l);

/* Asks for a check of the file now, even when its identity is unchanged
 * (SIGHUP): if it passes, every connection is reopened (a new generation).
 * Async-signal-safe: only sets an atomic flag. */
void ksd_pool_reload(void);

/* The current generation number: 1 at start, +1 at every switch. */
unsigned long ksd_pool_generation(void);

#endif
