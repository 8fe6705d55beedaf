/* pool.c - per-thread read-only connections and generation switching.
 *
 * Locks: g_mu guards the slot list, the file identity and the spare; each
 * slot's mu is held by its thread for the length of a request. The thread
 * that notices a new generation only trylocks other slots (g_mu, then
 * slot), so it never waits on a request and never deadlocks. g_vmu
 * serializes the check of a new file. Lock order: a thread's own slot mu,
 * then the spare's mu, then g_vmu, then g_mu; other slots and the spare
 * are only trylocked by a thread holding g_mu.
 *
 * A changed file becomes a new generation only after it passed a check
 * (it opens, its counts can be read, the FTS5 index answers and, for a
 * new inode, PRAGMA quick_check): a truncated or damaged file renamed over
 * the index is refused with one log line, and the previous generation goes
 * on serving from the connections that have it open. The connection the
 * check opened is kept as the spare: a thread that has no connection and
 * can't open the file at the path (it is gone, or is the refused one)
 * borrows it, one request at a time, instead of answering 503. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"

struct ksd_slot {
	pthread_mutex_t mu;
	struct ks_store *store;
	unsigned long generation;
	int stale; /* store is kept past its generation: the new one failed */
	struct ksd_slot *next;
};

/* The identity of the index file: a change starts a new generation. */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_vmu = PTHREAD_MUTEX_INITIALIZER;
static char *g_path;
static struct ksd_slot *g_slots;
static struct ksd_slot g_spare = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, NULL};
static struct file_id g_fid;	 /* the checked file of the current generation */
static struct file_id g_bad_fid; /* the last file that failed its check (g_vmu) */
static int g_bad;		 /* g_bad_fid is set (g_vmu) */
static pthread_key_t g_key;
static int g_key_ok;
static atomic_ulong g_gen = 1;
static atomic_int g_reload;
static atomic_llong g_next_check_ms;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int file_id_get(const char *path, struct file_id *out)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) != 0)
		return errno ? -errno : -1;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	out->size = st.st_size;
	out->mtime = st.st_mtim;
	return 0;
}

static int file_id_same(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* 1 when the file at the path is the current generation's checked file
 * (caller holds g_mu). */
static int path_is_current_locked(void)
{
	struct file_id fid;

	return file_id_get(g_path, &fid) == 0 && file_id_same(&fid, &g_fid);
}

static int path_is_current(void)
{
	int same;

	pthread_mutex_lock(&g_mu);
	same = path_is_current_locked();
	pthread_mutex_unlock(&g_mu);
	return same;
}

/* Unlinks s from the slot list (caller holds g_mu). */
static void slot_unlink(struct ksd_slot *s)
{
	struct ksd_slot **pp;

	for (pp = &g_slots; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			return;
		}
	}
}

/* Thread exit: the slot's connection goes with its thread. */
static void slot_destroy(void *p)
{
	struct ksd_slot *s = p;

	pthread_mutex_lock(&g_mu);
	slot_unlink(s);
	pthread_mutex_unlock(&g_mu);
	ks_store_close(s->store);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Moves idle connections of old generations to generation gen, whose
 * checked file is g_fid (caller holds g_mu): each is replaced only when a
 * connection to that same file could be opened, so a thread never trades
 * its connection to a file that is gone for nothing. A slot in use is left
 * to its thread (ksd_pool_release, then the next acquire). */
static void sweep_locked(unsigned long gen)
{
	struct ksd_slot *s;

	for (s = g_slots; s; s = s->next) {
		struct ks_store *st = NULL;

		if (pthread_mutex_trylock(&s->mu) != 0)
			continue;
		if (s->store && s->generation != gen &&
		    ks_store_open(g_path, KS_STORE_READONLY, &st, NULL) == KS_OK) {
			if (path_is_current_locked()) {
				ks_store_close(s->store);
				s->store = st;
				s->generation = gen;
				s->stale = 0;
			} else {
				ks_store_close(st);
			}
		}
		pthread_mutex_unlock(&s->mu);
	}
}

/* Checks that the file at path, whose identity is fid, is an index that
 * can be served: it opens, its counts can be read, the FTS5 index answers
 * a query and, when deep (a new inode: a file renamed in from outside
 * rather than commits of `kensaku index`), PRAGMA quick_check passes (it
 * reads every page once: about a second per GB from the page cache).
 * KS_OK with the open connection in *out; KS_ERR_BUSY when the file
 * changed during the check (no verdict on either file); else the reason
 * in err. */
static int validate(const char *path, const struct file_id *fid, int deep, struct ks_store **out,
		    struct ks_err *err)
{
	struct ks_store *st = NULL;
	struct ks_store_stats stats;
	struct file_id after;
	sqlite3_stmt *q = NULL;
	int rc = ks_store_open(path, KS_STORE_READONLY, &st, err);

	if (rc != KS_OK)
		return rc;
	if (file_id_get(path, &after) != 0 || !file_id_same(&after, fid)) {
		ks_store_close(st);
		return ks_err_set(err, KS_ERR_BUSY, "%s changed while it was checked", path);
	}
	rc = ks_store_stats(st, &stats, err);
	if (rc == KS_OK) {
		/* reads the FTS5 structure record and a doclist */
		int r = sqlite3_prepare_v2(ks_store_db(st),
					   "SELECT rowid FROM items_fts WHERE items_fts MATCH "
					   "'\"kensaku\"' LIMIT 1",
					   -1, &q, NULL);

		while (r == SQLITE_OK && (r = sqlite3_step(q)) == SQLITE_ROW)
			;
		if (r != SQLITE_OK && r != SQLITE_DONE)
			rc = ks_err_set(err, KS_ERR_CORRUPT, "the full-text index can't be read: %s",
					sqlite3_errmsg(ks_store_db(st)));
		sqlite3_finalize(q);
	}
	if (rc == KS_OK && deep) {
		int r = sqlite3_prepare_v2(ks_store_db(st), "PRAGMA quick_check(1)", -1, &q, NULL);

		if (r == SQLITE_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
			const char *res = (const char *)sqlite3_column_text(q, 0);

			if (!res || strcmp(res, "ok") != 0)
				rc = ks_err_set(err, KS_ERR_CORRUPT, "quick_check: %s",
						res ? res : "?");
		} else {
			rc = ks_err_set(err, KS_ERR_CORRUPT, "quick_check: %s",
					sqlite3_errmsg(ks_store_db(st)));
		}
		sqlite3_finalize(q);
	}
	if (rc != KS_OK) {
		ks_store_close(st);
		return rc;
	}
	*out = st;
	return KS_OK;
}

/* Makes st (a connection of generation gen) the spare, unless the spare
 * is in use (caller holds g_mu); closes whatever is not kept. */
static void spare_set_locked(struct ks_store *st, unsigned long gen)
{
	if (pthread_mutex_trylock(&g_spare.mu) != 0) {
		ks_store_close(st);
		return;
	}
	ks_store_close(g_spare.store);
	g_spare.store = st;
	g_spare.generation = gen;
	g_spare.stale = 0;
	pthread_mutex_unlock(&g_spare.mu);
}

/* Notices a new generation: at most every KSD_POOL_CHECK_MS unless wait
 * is set (a connection is about to be opened: whatever file it gets must
 * not be older than what other threads serve, so wait for a check another
 * thread is running), and at once after ksd_pool_reload. A changed file
 * becomes the new generation only when validate() passes; a file that
 * fails is logged once and remembered, and the current generation goes on.
 * Can't fail: a path that can't be stat'ed keeps the current generation. */
static void check_file(int wait)
{
	long long now = now_ms();
	struct file_id fid, cur;
	struct ks_store *st = NULL;
	struct ks_err e = {{0}};
	unsigned long gen;
	int forced, rc;

	if (!wait && !atomic_load(&g_reload) && now < atomic_load(&g_next_check_ms))
		return;
	if (wait)
		pthread_mutex_lock(&g_vmu);
	else if (pthread_mutex_trylock(&g_vmu) != 0)
		return; /* another thread is checking */
	forced = atomic_exchange(&g_reload, 0);
	if (!forced && !wait && now < atomic_load(&g_next_check_ms))
		goto out;
	atomic_store(&g_next_check_ms, now + KSD_POOL_CHECK_MS);
	if (file_id_get(g_path, &fid) != 0)
		goto out; /* moved away: keep serving what is open */
	pthread_mutex_lock(&g_mu);
	cur = g_fid;
	pthread_mutex_unlock(&g_mu);
	if (!forced && file_id_same(&fid, &cur))
		goto out;
	if (!forced && g_bad && file_id_same(&fid, &g_bad_fid))
		goto out; /* already refused: wait for another file (or SIGHUP) */
	rc = validate(g_path, &fid, forced || fid.ino != cur.ino || fid.dev != cur.dev, &st, &e);
	if (rc == KS_ERR_BUSY)
		goto out; /* changed again during the check: the next one sees it */
	if (rc != KS_OK) {
		g_bad_fid = fid;
		g_bad = 1;
		ksd_log_info("pool",
			     "index %s changed but the new file can't be served (%s): still "
			     "serving generation %lu",
			     g_path, e.msg, atomic_load(&g_gen));
		goto out;
	}
	g_bad = 0;
	pthread_mutex_lock(&g_mu);
	gen = atomic_fetch_add(&g_gen, 1) + 1;
	g_fid = fid;
	ksd_log_info("pool", "index %s changed: generation %lu%s", g_path, gen,
		     forced ? " (reload)" : "");
	spare_set_locked(st, gen);
	sweep_locked(gen);
	pthread_mutex_unlock(&g_mu);
out:
	pthread_mutex_unlock(&g_vmu);
}

int ksd_pool_init(const char *path, struct ks_err *err)
{
	struct ks_store *st = NULL;
	struct ks_err e = {{0}};
	struct file_id fid;
	int rc, tries;

	/* the same check as a new generation's, so a damaged file is refused
	 * at start with the reason */
	for (tries = 0;; tries++) {
		if (file_id_get(path, &fid) != 0)
			return ks_err_set(err, KS_ERR_IO, "cannot open index %s: %s", path,
					  strerror(errno));
		rc = validate(path, &fid, 1, &st, &e);
		if (rc != KS_ERR_BUSY || tries == 2)
			break;
	}
	if (rc != KS_OK) {
		if (strstr(e.msg, path))
			return ks_err_set(err, rc, "%s", e.msg);
		return ks_err_set(err, rc, "cannot serve %s: %s", path, e.msg);
	}
	if (!g_key_ok) {
		if (pthread_key_create(&g_key, slot_destroy) != 0) {
			ks_store_close(st);
			return ks_err_set(err, KS_ERR_NOMEM, "pthread_key_create failed");
		}
		g_key_ok = 1;
	}
	free(g_path);
	g_path = strdup(path);
	if (!g_path) {
		ks_store_close(st);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	g_fid = fid;
	g_bad = 0;
	pthread_mutex_lock(&g_mu);
	spare_set_locked(st, atomic_load(&g_gen));
	pthread_mutex_unlock(&g_mu);
	atomic_store(&g_next_check_ms, now_ms() + KSD_POOL_CHECK_MS);
	return KS_OK;
}

void ksd_pool_shutdown(void)
{
	struct ksd_slot *s, *next;

	if (!g_key_ok)
		return;
	pthread_setspecific(g_key, NULL);
	pthread_mutex_lock(&g_spare.mu);
	ks_store_close(g_spare.store);
	g_spare.store = NULL;
	pthread_mutex_unlock(&g_spare.mu);
	pthread_mutex_lock(&g_mu);
	for (s = g_slots; s; s = next) {
		next = s->next;
		ks_store_close(s->store);
		pthread_mutex_destroy(&s->mu);
		free(s);
	}
	g_slots = NULL;
	free(g_path);
	g_path = NULL;
	pthread_mutex_unlock(&g_mu);
}

/* The calling thread's slot, created and registered on first use. */
static struct ksd_slot *my_slot(void)
{
	struct ksd_slot *s = pthread_getspecific(g_key);

	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	if (pthread_setspecific(g_key, s) != 0) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return NULL;
	}
	pthread_mutex_lock(&g_mu);
	s->next = g_slots;
	g_slots = s;
	pthread_mutex_unlock(&g_mu);
	return s;
}

int ksd_pool_acquire(struct ksd_lease *out, struct ks_err *err)
{
	struct ksd_slot *s;
	unsigned long gen;

	if (!g_path)
		return ks_err_set(err, KS_ERR_IO, "no index configured");
	check_file(0);
	s = my_slot();
	if (!s)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	pthread_mutex_lock(&s->mu);
	gen = atomic_load(&g_gen);
	if (!s->store || s->generation != gen) {
		/* Opening reads whatever file is at the path now: make it the
		 * current generation first (so no thread serves an older one),
		 * and keep the connection only if the file it opened is that
		 * generation's checked file. */
		struct ks_store *st = NULL;
		struct ks_err e2 = {{0}};
		int rc;

		check_file(1);
		gen = atomic_load(&g_gen);
		rc = path_is_current() ? ks_store_open(g_path, KS_STORE_READONLY, &st, &e2)
				       : KS_ERR_IO;
		if (rc == KS_OK && !path_is_current()) {
			ks_store_close(st);
			st = NULL;
			rc = KS_ERR_IO;
		}
		if (rc == KS_ERR_IO && !e2.msg[0])
			ks_err_set(&e2, rc,
				   "%s is not the checked file of generation %lu (moved away, "
				   "changed, or refused)",
				   g_path, gen);
		if (rc == KS_OK) {
			ks_store_close(s->store);
			s->store = st;
			s->generation = gen;
			s->stale = 0;
		} else if (s->store) {
			/* Keep serving the previous generation; retried next time. */
			if (!s->stale)
				ksd_log_info("pool", "cannot open generation %lu, keeping %lu: %s",
					     gen, s->generation, e2.msg);
			s->stale = 1;
		} else {
			/* No connection of our own: borrow the spare (serialized). */
			pthread_mutex_unlock(&s->mu);
			s = &g_spare;
			pthread_mutex_lock(&s->mu);
			if (!s->store) {
				pthread_mutex_unlock(&s->mu);
				if (err)
					*err = e2;
				return rc;
			}
		}
	}
	out->slot = s;
	out->store = s->store;
	out->generation = s->generation;
	return KS_OK;
}

void ksd_pool_release(struct ksd_lease *l)
{
	struct ksd_slot *s;

	if (!l || !l->slot)
		return;
	s = l->slot;
	/* A connection of an old generation is closed at once (its file may
	 * be gone: free it), unless the path holds no servable file right now:
	 * then it is all this thread can answer from. */
	if (s->store && !s->stale && s->generation != atomic_load(&g_gen) && path_is_current()) {
		ks_store_close(s->store);
		s->store = NULL;
	}
	pthread_mutex_unlock(&s->mu);
	l->slot = NULL;
	l->store = NULL;
}

void ksd_pool_reload(void)
{
	atomic_store(&g_reload, 1);
}

unsigned long ksd_pool_generation(void)
{
	return atomic_load(&g_gen);
}
