/* pool_internal.h - what the pool of leases (pool.c) gives the watcher
 * and switcher (watch.c) inside the server: file identities, opening a
 * file as a serving connection, starting, switching and stopping a
 * generation. Not for the handlers (pool.h is their interface). */
#ifndef KSD_POOL_INTERNAL_H
#define KSD_POOL_INTERNAL_H

#include <pthread.h>
#include <sys/types.h>
#include <time.h>

#include <kensaku/err.h>
#include <kensaku/store.h>

/* The identity of a file: dev and ino tell generations apart; size and
 * mtime also tell a refused file from the same file changed since. */
struct ksd_file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/* stat()s path into *out (zeroed first); 0, or -1 with errno set. */
int ksd_file_id_get(const char *path, struct ksd_file_id *out);

/* 1 when a and b are the same file (device and inode). */
int ksd_same_file(const struct ksd_file_id *a, const struct ksd_file_id *b);

/* 1 when a and b are the same file with the same size and mtime. */
int ksd_same_version(const struct ksd_file_id *a, const struct ksd_file_id *b);

/* Initializes cv to time out on CLOCK_MONOTONIC (ksd_after_ms). */
void ksd_cond_init_monotonic(pthread_cond_t *cv);

/* The monotonic time ms from now, for pthread_cond_timedwait on the
 * pool's condition variables (CLOCK_MONOTONIC). */
struct timespec ksd_after_ms(long ms);

/* Opens path read-only as serving connections do, without a memory map
 * (snapshot: the file alone, see KS_STORE_SNAPSHOT), and makes sure the
 * connection got the file fid names: the path is stat'ed before and
 * after. KS_ERR_BUSY when the file changed; the store's codes. */
int ksd_pool_open(const char *path, const struct ksd_file_id *fid, int snapshot,
		  struct ks_store **out, struct ks_err *err);

/* Starts serving st, the file fid at path, as the current generation (st
 * becomes the pool's); hook (may be NULL) runs at the start of every
 * ksd_pool_acquire. KS_ERR_NOMEM (st closed). Call before any lease. */
int ksd_pool_start(const char *path, const struct ksd_file_id *fid, struct ks_store *st,
		   void (*hook)(void), struct ks_err *err);

/* The file of the current generation. */
void ksd_pool_current(struct ksd_file_id *out);

/* Makes fid (checked) the current generation: waits until no lease is
 * out, closes every connection, then opens the file at the path. Sets
 * *gen to the new generation number, and returns KS_OK or why the file
 * can't be opened (the generation changes even then: no connection serves
 * the old file any more). */
int ksd_pool_switch(const struct ksd_file_id *fid, unsigned long *gen, struct ks_err *e);

/* Closes every connection and forgets the path (no lease may be out).
 * Safe to call twice. */
void ksd_pool_stop(void);

#endif
