/* pool.c - the leases of shared read-only index connections, and the
 * switch of the connections to a new generation (the contract is in
 * pool.h; the watcher deciding when to switch is watch.c).
 *
 * Locks: g_mu guards the connection lists, the counters and g_fid; g_cv
 * (on g_mu) wakes threads waiting for an idle connection and the switch
 * waiting for the last lease. watch.c's check lock is taken before g_mu. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <kensaku/check.h>

#include "pool_internal.h"

struct ksd_slot {
	struct ks_store *store;
	struct ksd_slot *next;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static char *g_path;
static struct ksd_slot *g_idle;	 /* idle connections of the current generation */
static int g_open;		 /* connections of this generation, leased or idle */
static int g_leased;		 /* leases out, and opens in progress */
static int g_waiting;		 /* threads waiting on g_cv */
static int g_switching;		 /* a switch waits for g_leased == 0 */
static struct ksd_file_id g_fid; /* the file of the current generation */
static atomic_ulong g_gen = 1;
static void (*g_hook)(void); /* run by ksd_pool_acquire (watch.c's reload) */

void ksd_cond_init_monotonic(pthread_cond_t *cv)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &a);
	pthread_condattr_destroy(&a);
}

static void once_init(void)
{
	ksd_cond_init_monotonic(&g_cv);
}

struct timespec ksd_after_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

int ksd_file_id_get(const char *path, struct ksd_file_id *out)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) != 0)
		return -1;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	out->size = st.st_size;
	out->mtime = st.st_mtim;
	return 0;
}

int ksd_same_file(const struct ksd_file_id *a, const struct ksd_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

int ksd_same_version(const struct ksd_file_id *a, const struct ksd_file_id *b)
{
	return ksd_same_file(a, b) && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

int ksd_pool_open(const char *path, const struct ksd_file_id *fid, int snapshot,
		  struct ks_store **out, struct ks_err *err)
{
	struct ksd_file_id a;
	struct ks_store *st = NULL;
	int rc;

	if (ksd_file_id_get(path, &a) != 0)
		return ks_err_set(err, KS_ERR_IO, "cannot open index %s: %s", path,
				  strerror(errno));
	if (!ksd_same_file(&a, fid))
		return ks_err_set(err, KS_ERR_BUSY, "%s was replaced meanwhile", path);
	/* no memory map: see KS_STORE_NO_MMAP (a served file truncated in place) */
	rc = ks_store_open(
	    path, KS_STORE_READONLY | KS_STORE_NO_MMAP | (snapshot ? KS_STORE_SNAPSHOT : 0), &st,
	    err);
	if (rc != KS_OK)
		return rc;
	if (ksd_file_id_get(path, &a) != 0 || !ksd_same_file(&a, fid)) {
		ks_store_close(st);
		return ks_err_set(err, KS_ERR_BUSY, "%s was replaced meanwhile", path);
	}
	*out = st;
	return KS_OK;
}

/* A slot for st, or NULL (st closed). */
static struct ksd_slot *slot_new(struct ks_store *st)
{
	struct ksd_slot *s = calloc(1, sizeof(*s));

	if (!s) {
		ks_store_close(st);
		return NULL;
	}
	s->store = st;
	return s;
}

static void slot_free(struct ksd_slot *s)
{
	ks_store_close(s->store);
	free(s);
}

/* Closes every idle connection (caller holds g_mu). */
static void close_idle_locked(void)
{
	while (g_idle) {
		struct ksd_slot *s = g_idle;

		g_idle = s->next;
		slot_free(s);
		g_open--;
	}
}

/* Adds st as an idle connection (caller holds g_mu); closes it when out
 * of memory. */
static void add_idle_locked(struct ks_store *st)
{
	struct ksd_slot *s = slot_new(st);

	if (!s)
		return;
	s->next = g_idle;
	g_idle = s;
	g_open++;
}

int ksd_pool_start(const char *path, const struct ksd_file_id *fid, struct ks_store *st,
		   void (*hook)(void), struct ks_err *err)
{
	pthread_once(&g_once, once_init);
	pthread_mutex_lock(&g_mu);
	g_path = strdup(path);
	if (!g_path) {
		pthread_mutex_unlock(&g_mu);
		ks_store_close(st);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	g_fid = *fid;
	g_hook = hook;
	add_idle_locked(st);
	pthread_mutex_unlock(&g_mu);
	return KS_OK;
}

void ksd_pool_current(struct ksd_file_id *out)
{
	pthread_mutex_lock(&g_mu);
	*out = g_fid;
	pthread_mutex_unlock(&g_mu);
}

int ksd_pool_switch(const struct ksd_file_id *fid, unsigned long *gen, struct ks_err *e)
{
	struct ks_store *st = NULL;
	int rc;

	pthread_mutex_lock(&g_mu);
	g_switching = 1;
	while (g_leased > 0)
		pthread_cond_wait(&g_cv, &g_mu);
	close_idle_locked();
	rc = ksd_pool_open(g_path, fid, 0, &st, e);
	*gen = atomic_fetch_add(&g_gen, 1) + 1;
	g_fid = *fid;
	if (rc == KS_OK)
		add_idle_locked(st);
	g_switching = 0;
	pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_mu);
	return rc;
}

void ksd_pool_stop(void)
{
	pthread_mutex_lock(&g_mu);
	close_idle_locked();
	free(g_path);
	g_path = NULL;
	g_hook = NULL;
	pthread_mutex_unlock(&g_mu);
}

/* Takes an idle connection, or opens one more, or waits (see
 * ksd_pool_acquire); counted in g_leased. NULL with the reason in e. */
static struct ksd_slot *take(const struct timespec *until, struct ks_err *e)
{
	struct ksd_slot *s = NULL;
	int open_failed = 0, timed_out = 0;

	pthread_mutex_lock(&g_mu);
	while (!s && g_path) {
		struct ksd_file_id fid;

		if (!g_switching && g_idle) {
			s = g_idle;
			g_idle = s->next;
			g_leased++;
			break;
		}
		if (!g_switching && !open_failed && ksd_file_id_get(g_path, &fid) == 0 &&
		    ksd_same_file(&fid, &g_fid)) {
			/* one more connection; counted as leased, so no switch
			 * runs while it opens */
			struct ks_store *st = NULL;
			struct ksd_file_id want = g_fid;
			int rc;

			g_leased++;
			pthread_mutex_unlock(&g_mu);
			rc = ksd_pool_open(g_path, &want, 0, &st, e);
			s = rc == KS_OK ? slot_new(st) : NULL;
			pthread_mutex_lock(&g_mu);
			if (s) {
				g_open++;
				break;
			}
			if (rc == KS_OK)
				ks_err_set(e, KS_ERR_NOMEM, "out of memory");
			g_leased--;
			if (g_waiting || g_switching)
				pthread_cond_broadcast(&g_cv);
			open_failed = 1;
			continue;
		}
		if (timed_out || (!g_switching && g_open == 0))
			break;
		/* a switch is running, or every connection is leased and no new
		 * one can be opened (the file is gone, refused or not yet checked) */
		g_waiting++;
		timed_out = pthread_cond_timedwait(&g_cv, &g_mu, until) == ETIMEDOUT;
		g_waiting--;
	}
	if (s)
		; /* leased */
	else if (!g_path)
		ks_err_set(e, KS_ERR_IO, "no index configured");
	else if (timed_out)
		ks_err_set(e, KS_ERR_IO, "no index connection became free in %d ms",
			   KSD_POOL_WAIT_MS);
	else if (!open_failed)
		ks_err_set(e, KS_ERR_IO,
			   "%s is not the checked file of generation %lu (moved away, replaced or "
			   "refused)",
			   g_path, atomic_load(&g_gen));
	pthread_mutex_unlock(&g_mu);
	return s;
}

/* Gives a leased slot back (its read transaction ended). */
static void give_back(struct ksd_slot *s)
{
	pthread_mutex_lock(&g_mu);
	s->next = g_idle;
	g_idle = s;
	g_leased--;
	if (g_waiting || g_switching)
		pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_mu);
}

/* 1 when the file at the path is not this generation's and the WAL this
 * connection reads holds frames. The -wal and -shm belong to the path, not
 * to a file: after a rename, frames written there by `kensaku index` are
 * the new file's (reindex empties the WAL before it renames), and a read
 * of this generation would take pages from them. The WAL is looked at
 * through the connection's own descriptor: the writer may have unlinked
 * it at its close, while this process still reads it. The caller holds a
 * lease, so g_fid can't change meanwhile. */
static int foreign_wal(struct ksd_slot *s)
{
	struct ksd_file_id fid;

	if (ksd_file_id_get(g_path, &fid) != 0 || ksd_same_file(&fid, &g_fid))
		return 0;
	return ks_check_wal_in_use(s->store);
}

int ksd_pool_acquire(struct ksd_lease *out, struct ks_err *err)
{
	struct timespec until = ksd_after_ms(KSD_POOL_WAIT_MS);
	struct ks_err e = {{0}};
	int started;

	if (g_hook)
		g_hook();
	for (;;) {
		struct ksd_slot *s = take(&until, &e);
		struct timespec pause;

		if (!s)
			break;
		/* one read transaction per lease, started here: every statement
		 * of the request reads this snapshot, even while `kensaku index`
		 * commits; taken before the WAL is looked at, so frames written
		 * after the look are not in it */
		if (ks_store_read_begin(s->store, &started, &e) != KS_OK) {
			give_back(s);
			break;
		}
		if (!foreign_wal(s)) {
			out->slot = s;
			out->store = s->store;
			out->generation = atomic_load(&g_gen);
			return KS_OK;
		}
		/* wait for the checker to switch to the new file (pool.h) */
		ks_store_read_end(s->store);
		give_back(s);
		pause = ksd_after_ms(20);
		if (pause.tv_sec > until.tv_sec ||
		    (pause.tv_sec == until.tv_sec && pause.tv_nsec >= until.tv_nsec)) {
			ks_err_set(&e, KS_ERR_IO,
				   "%s was replaced and is being written to before it was checked",
				   g_path);
			break;
		}
		pthread_mutex_lock(&g_mu);
		g_waiting++;
		(void)pthread_cond_timedwait(&g_cv, &g_mu, &pause);
		g_waiting--;
		pthread_mutex_unlock(&g_mu);
	}
	if (err)
		*err = e;
	return KS_ERR_IO;
}

void ksd_pool_release(struct ksd_lease *l)
{
	if (!l || !l->slot)
		return;
	ks_store_read_end(l->slot->store);
	give_back(l->slot);
	l->slot = NULL;
	l->store = NULL;
}

unsigned long ksd_pool_generation(void)
{
	return atomic_load(&g_gen);
}
