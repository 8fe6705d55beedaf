/* pool.c - shared read-only connections, the checker thread and the
 * generation switch (the contract is in pool.h).
 *
 * Locks: g_mu guards the connection lists, the counters and g_fid; g_cv
 * (on g_mu) wakes threads waiting for an idle connection and the switch
 * waiting for the last lease. g_vmu serializes checks, so a file is
 * checked by one thread at a time; it is taken before g_mu, and a check
 * (which can read the whole file) runs holding only g_vmu. g_tmu/g_tcv
 * only pace and stop the checker thread. */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <kensaku/check.h>
#include <kensaku/verify.h>

#include "log.h"

struct ksd_slot {
	struct ks_store *store;
	struct ksd_slot *next;
};

/* The identity of a file: dev and ino tell generations apart; size and
 * mtime also tell a refused file from the same file changed since. */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv;
static pthread_mutex_t g_vmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static char *g_path;
static struct ksd_slot *g_idle;	 /* idle connections of the current generation */
static int g_open;		 /* connections of this generation, leased or idle */
static int g_leased;		 /* leases out, and opens in progress */
static int g_waiting;		 /* threads waiting on g_cv */
static int g_switching;		 /* a switch waits for g_leased == 0 */
static struct file_id g_fid;	 /* the file of the current generation */
static struct file_id g_bad_fid; /* the last file refused (g_vmu) */
static int g_bad;		 /* g_bad_fid is set (g_vmu) */
static atomic_ulong g_gen = 1;
static atomic_int g_reload;

static pthread_mutex_t g_tmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_tcv;
static pthread_t g_thread;
static int g_thread_on, g_stop;

static void once_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&g_cv, &a);
	pthread_cond_init(&g_tcv, &a);
	pthread_condattr_destroy(&a);
}

/* The monotonic time ms from now, for pthread_cond_timedwait. */
static struct timespec after_ms(long ms)
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int file_id_get(const char *path, struct file_id *out)
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

static int same_file(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static int same_version(const struct file_id *a, const struct file_id *b)
{
	return same_file(a, b) && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Opens path read-only (snapshot: the file alone, see KS_STORE_SNAPSHOT)
 * and makes sure the connection got the file fid names: the path is
 * stat'ed before and after. KS_ERR_BUSY when the file changed. */
static int open_file(const char *path, const struct file_id *fid, int snapshot,
		     struct ks_store **out, struct ks_err *err)
{
	struct file_id a;
	struct ks_store *st = NULL;
	int rc;

	if (file_id_get(path, &a) != 0)
		return ks_err_set(err, KS_ERR_IO, "cannot open index %s: %s", path,
				  strerror(errno));
	if (!same_file(&a, fid))
		return ks_err_set(err, KS_ERR_BUSY, "%s was replaced meanwhile", path);
	/* no memory map: see KS_STORE_NO_MMAP (a served file truncated in place) */
	rc = ks_store_open(
	    path, KS_STORE_READONLY | KS_STORE_NO_MMAP | (snapshot ? KS_STORE_SNAPSHOT : 0), &st,
	    err);
	if (rc != KS_OK)
		return rc;
	if (file_id_get(path, &a) != 0 || !same_file(&a, fid)) {
		ks_store_close(st);
		return ks_err_set(err, KS_ERR_BUSY, "%s was replaced meanwhile", path);
	}
	*out = st;
	return KS_OK;
}

/* 1 when the -wal beside path holds frames. */
static int wal_has_frames(const char *path)
{
	char wal[4096];
	struct stat st;
	int n = snprintf(wal, sizeof(wal), "%s-wal", path);

	return n > 0 && (size_t)n < sizeof(wal) && stat(wal, &st) == 0 && st.st_size > 0;
}

/* Checks the file at path alone (whose identity must be fid), in place
 * (ks_check_open). Sets *done to 0 without checking a file larger than
 * KSD_POOL_DEEP_MAX. */
static int check_alone(const char *path, const struct file_id *fid, int content, int *done,
		       struct ks_err *err)
{
	struct file_id a, b;
	struct ks_check *c = NULL;
	int rc;

	*done = 0;
	if (file_id_get(path, &a) != 0 || !same_file(&a, fid))
		return ks_err_set(err, KS_ERR_BUSY, "%s was replaced meanwhile", path);
	if ((unsigned long long)a.size > KSD_POOL_DEEP_MAX)
		return KS_OK;
	rc = ks_check_open(path, (long long)a.size, &c, err);
	if (rc != KS_OK)
		return rc;
	/* the file the checks read is fid: stat'ed before the open and after */
	if (file_id_get(path, &a) != 0 || !same_file(&a, fid)) {
		rc = ks_err_set(err, KS_ERR_BUSY, "%s was replaced meanwhile", path);
		goto out;
	}
	rc = ks_check_run(c, content, err);
	*done = rc == KS_OK;
	/* no lock keeps a writer out (`kensaku index` checkpointing into the
	 * file): a file changed while it was read gets no verdict */
	if (rc == KS_ERR_CORRUPT && (file_id_get(path, &b) != 0 || !same_version(&a, &b)))
		rc = ks_err_set(err, KS_ERR_BUSY, "%s changed while it was checked", path);
out:
	ks_check_close(c);
	return rc;
}

/* The last validate() trusted reindex's stamp (g_vmu). */
static int g_stamped;

/* 1 when the file at path is fid and matches the stamp reindex left
 * beside it (ks_verify_matches: same size and XXH3-128 of every byte). */
static int stamped(const char *path, const struct file_id *fid)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return 0;
	ok = fstat(fd, &st) == 0 && st.st_dev == fid->dev && st.st_ino == fid->ino &&
	     ks_verify_matches(path, fd);
	close(fd);
	return ok;
}

/* Checks that the file at path, whose identity is fid, can be served. On
 * a connection that reads it as serving connections would (snapshot: the
 * file alone, see KS_STORE_SNAPSHOT): it opens as an index, its counts
 * can be read, the FTS5 index answers a term lookup. Then check_alone();
 * when that is skipped (a big file, or the -wal holds frames the file
 * alone lacks), PRAGMA quick_check and a full fts5vocab scan (every
 * doclist decodes) on the connection. KS_OK, KS_ERR_BUSY when the file
 * changed during the check (no verdict), else the reason in err. */
static int validate(const char *path, const struct file_id *fid, int snapshot, struct ks_err *err)
{
	struct ks_store *st = NULL;
	int done = 0, rc = open_file(path, fid, snapshot, &st, err);

	if (rc != KS_OK)
		return rc;
	rc = ks_check_probe(st, err);
	/* a file `kensaku reindex` checked as strongly and stamped is not
	 * checked again (verify.h): byte for byte the same file */
	g_stamped = rc == KS_OK && !wal_has_frames(path) && stamped(path, fid);
	if (g_stamped)
		done = 1;
	/* the text is compared with the index only when this binary's
	 * tokenizer built it: an index that asks for a reindex is served */
	if (rc == KS_OK && !done && (snapshot || !wal_has_frames(path)))
		rc = check_alone(path, fid, ks_store_check_version(st, NULL) == KS_OK, &done, err);
	if (rc == KS_OK && !done)
		rc = ks_check_scan(st, err);
	ks_store_close(st);
	return rc;
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

/* Makes fid (checked) the current generation: waits until no lease is
 * out, closes every connection, then opens the new file. Holding g_vmu. */
static void switch_to(const struct file_id *fid, int forced, double check_s)
{
	struct ks_store *st = NULL;
	struct ks_err e = {{0}};
	unsigned long gen;
	int rc;

	double t0 = now_s();

	pthread_mutex_lock(&g_mu);
	g_switching = 1;
	while (g_leased > 0)
		pthread_cond_wait(&g_cv, &g_mu);
	close_idle_locked();
	rc = open_file(g_path, fid, 0, &st, &e);
	gen = atomic_fetch_add(&g_gen, 1) + 1;
	g_fid = *fid;
	if (rc == KS_OK)
		add_idle_locked(st);
	g_switching = 0;
	pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_mu);
	if (rc == KS_OK)
		ksd_log_info("pool",
			     "index %s changed: generation %lu%s, checked in %.3f s%s, requests "
			     "held %.1f ms for the switch",
			     g_path, gen, forced ? " (reload)" : "", check_s,
			     g_stamped ? " (reindex's verification stamp)" : "",
			     (now_s() - t0) * 1e3);
	else
		ksd_log_info("pool", "index %s changed: generation %lu, but it can't be opened: %s",
			     g_path, gen, e.msg);
}

/* Looks at the file at the path (every KSD_POOL_CHECK_MS from the checker
 * thread, at once after ksd_pool_reload) and switches to it when it is a
 * new file that passes validate(). A refused file is logged once and
 * remembered until it changes; a missing path keeps what is open. */
static void check_file(int wait)
{
	struct file_id fid, cur;
	struct ks_err e = {{0}};
	double t0;
	int forced, rc;

	if (wait)
		pthread_mutex_lock(&g_vmu);
	else if (pthread_mutex_trylock(&g_vmu) != 0)
		return;
	forced = atomic_exchange(&g_reload, 0);
	if (!g_path || file_id_get(g_path, &fid) != 0)
		goto out;
	pthread_mutex_lock(&g_mu);
	cur = g_fid;
	pthread_mutex_unlock(&g_mu);
	if (!forced && same_file(&fid, &cur))
		goto out;
	if (!forced && g_bad && same_version(&fid, &g_bad_fid))
		goto out; /* already refused: wait for another file (or SIGHUP) */
	/* a new file is checked alone, without touching the -wal/-shm the
	 * current generation's connections share (pool.h) */
	t0 = now_s();
	rc = validate(g_path, &fid, !same_file(&fid, &cur), &e);
	if (rc == KS_ERR_BUSY)
		goto out; /* replaced again during the check: the next one sees it */
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
	switch_to(&fid, forced, now_s() - t0);
out:
	pthread_mutex_unlock(&g_vmu);
}

static void *checker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g_tmu);
	while (!g_stop) {
		struct timespec ts = after_ms(KSD_POOL_CHECK_MS);

		while (!g_stop && pthread_cond_timedwait(&g_tcv, &g_tmu, &ts) != ETIMEDOUT)
			;
		if (g_stop)
			break;
		pthread_mutex_unlock(&g_tmu);
		check_file(0);
		pthread_mutex_lock(&g_tmu);
	}
	pthread_mutex_unlock(&g_tmu);
	return NULL;
}

int ksd_pool_init(const char *path, struct ks_err *err)
{
	struct ks_store *st = NULL;
	struct ks_err e = {{0}};
	struct file_id fid;
	int rc, tries;

	pthread_once(&g_once, once_init);
	ksd_pool_shutdown();
	/* the same check as a new generation's, so a damaged file is refused
	 * at start with the reason; nothing else of this process has it open,
	 * so the usual open is safe and sees the WAL too */
	for (tries = 0;; tries++) {
		if (file_id_get(path, &fid) != 0)
			return ks_err_set(err, KS_ERR_IO, "cannot open index %s: %s", path,
					  strerror(errno));
		rc = validate(path, &fid, 0, &e);
		if (rc == KS_OK)
			rc = open_file(path, &fid, 0, &st, &e);
		if (rc != KS_ERR_BUSY || tries == 2)
			break;
	}
	if (rc != KS_OK) {
		if (strstr(e.msg, path))
			return ks_err_set(err, rc, "%s", e.msg);
		return ks_err_set(err, rc, "cannot serve %s: %s", path, e.msg);
	}
	pthread_mutex_lock(&g_mu);
	g_path = strdup(path);
	if (!g_path) {
		pthread_mutex_unlock(&g_mu);
		ks_store_close(st);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	g_fid = fid;
	g_bad = 0;
	add_idle_locked(st);
	pthread_mutex_unlock(&g_mu);
	g_stop = 0;
	if (pthread_create(&g_thread, NULL, checker, NULL) != 0) {
		ksd_pool_shutdown();
		return ks_err_set(err, KS_ERR_NOMEM, "cannot start the index checker thread");
	}
	g_thread_on = 1;
	return KS_OK;
}

void ksd_pool_shutdown(void)
{
	if (g_thread_on) {
		pthread_mutex_lock(&g_tmu);
		g_stop = 1;
		pthread_cond_broadcast(&g_tcv);
		pthread_mutex_unlock(&g_tmu);
		pthread_join(g_thread, NULL);
		g_thread_on = 0;
	}
	pthread_mutex_lock(&g_vmu);
	pthread_mutex_lock(&g_mu);
	close_idle_locked();
	free(g_path);
	g_path = NULL;
	pthread_mutex_unlock(&g_mu);
	pthread_mutex_unlock(&g_vmu);
}

/* Takes an idle connection, or opens one more, or waits (see
 * ksd_pool_acquire); counted in g_leased. NULL with the reason in e. */
static struct ksd_slot *take(const struct timespec *until, struct ks_err *e)
{
	struct ksd_slot *s = NULL;
	int open_failed = 0, timed_out = 0;

	pthread_mutex_lock(&g_mu);
	while (!s && g_path) {
		struct file_id fid;

		if (!g_switching && g_idle) {
			s = g_idle;
			g_idle = s->next;
			g_leased++;
			break;
		}
		if (!g_switching && !open_failed && file_id_get(g_path, &fid) == 0 &&
		    same_file(&fid, &g_fid)) {
			/* one more connection; counted as leased, so no switch
			 * runs while it opens */
			struct ks_store *st = NULL;
			struct file_id want = g_fid;
			int rc;

			g_leased++;
			pthread_mutex_unlock(&g_mu);
			rc = open_file(g_path, &want, 0, &st, e);
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
	struct file_id fid;
	sqlite3_file *wal = NULL;
	sqlite3_int64 size = 0;

	if (file_id_get(g_path, &fid) != 0 || same_file(&fid, &g_fid))
		return 0;
	if (sqlite3_file_control(ks_store_db(s->store), "main", SQLITE_FCNTL_JOURNAL_POINTER,
				 &wal) != SQLITE_OK ||
	    !wal || !wal->pMethods)
		return 0; /* no WAL open: a rollback-journal file */
	return wal->pMethods->xFileSize(wal, &size) != SQLITE_OK || size > 0;
}

int ksd_pool_acquire(struct ksd_lease *out, struct ks_err *err)
{
	struct timespec until = after_ms(KSD_POOL_WAIT_MS);
	struct ks_err e = {{0}};
	int started;

	if (atomic_load(&g_reload))
		check_file(1);
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
		pause = after_ms(20);
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

void ksd_pool_reload(void)
{
	atomic_store(&g_reload, 1);
}

unsigned long ksd_pool_generation(void)
{
	return atomic_load(&g_gen);
}
