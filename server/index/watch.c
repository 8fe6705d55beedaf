/* watch.c - the watcher of the index path and the switcher: a thread
 * that stats the path every KSD_POOL_CHECK_MS, checks a new file (or the
 * same one after ksd_pool_reload) and has the pool (pool.c) switch to it
 * when it passes (the contract is in pool.h).
 *
 * Locks: g_vmu serializes checks, so a file is checked by one thread at a
 * time; it is taken before the pool's lock, and a check (which can read
 * the whole file) runs holding only g_vmu. g_tmu/g_tcv only pace and stop
 * the checker thread. */
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
#include "pool.h"
#include "pool_internal.h"

static pthread_mutex_t g_vmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static char *g_path;		     /* the index path (g_vmu) */
static struct ksd_file_id g_bad_fid; /* the last file refused (g_vmu) */
static int g_bad;		     /* g_bad_fid is set (g_vmu) */
static atomic_int g_reload;

static pthread_mutex_t g_tmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_tcv;
static pthread_t g_thread;
static int g_thread_on, g_stop;

static void once_init(void)
{
	ksd_cond_init_monotonic(&g_tcv);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
static int check_alone(const char *path, const struct ksd_file_id *fid, int content, int *done,
		       struct ks_err *err)
{
	struct ksd_file_id a, b;
	struct ks_check *c = NULL;
	int rc;

	*done = 0;
	if (ksd_file_id_get(path, &a) != 0 || !ksd_same_file(&a, fid))
		return ks_err_set(err, KS_ERR_BUSY, "%s was replaced meanwhile", path);
	if ((unsigned long long)a.size > KSD_POOL_DEEP_MAX)
		return KS_OK;
	rc = ks_check_open(path, (long long)a.size, &c, err);
	if (rc != KS_OK)
		return rc;
	/* the file the checks read is fid: stat'ed before the open and after */
	if (ksd_file_id_get(path, &a) != 0 || !ksd_same_file(&a, fid)) {
		rc = ks_err_set(err, KS_ERR_BUSY, "%s was replaced meanwhile", path);
		goto out;
	}
	rc = ks_check_run(c, content, err);
	*done = rc == KS_OK;
	/* no lock keeps a writer out (`kensaku index` checkpointing into the
	 * file): a file changed while it was read gets no verdict */
	if (rc == KS_ERR_CORRUPT && (ksd_file_id_get(path, &b) != 0 || !ksd_same_version(&a, &b)))
		rc = ks_err_set(err, KS_ERR_BUSY, "%s changed while it was checked", path);
out:
	ks_check_close(c);
	return rc;
}

/* The last validate() trusted reindex's stamp (g_vmu). */
static int g_stamped;

/* 1 when the file at path is fid and matches the stamp reindex left
 * beside it (ks_verify_matches: same size and XXH3-128 of every byte). */
static int stamped(const char *path, const struct ksd_file_id *fid)
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
static int validate(const char *path, const struct ksd_file_id *fid, int snapshot,
		    struct ks_err *err)
{
	struct ks_store *st = NULL;
	int done = 0, rc = ksd_pool_open(path, fid, snapshot, &st, err);

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

/* Makes fid (checked) the current generation: waits until no lease is
 * out, closes every connection, then opens the new file. Holding g_vmu. */
static void switch_to(const struct ksd_file_id *fid, int forced, double check_s)
{
	struct ks_err e = {{0}};
	unsigned long gen;
	double t0 = now_s();
	int rc = ksd_pool_switch(fid, &gen, &e);

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
	struct ksd_file_id fid, cur;
	struct ks_err e = {{0}};
	double t0;
	int forced, rc;

	if (wait)
		pthread_mutex_lock(&g_vmu);
	else if (pthread_mutex_trylock(&g_vmu) != 0)
		return;
	forced = atomic_exchange(&g_reload, 0);
	if (!g_path || ksd_file_id_get(g_path, &fid) != 0)
		goto out;
	ksd_pool_current(&cur);
	if (!forced && ksd_same_file(&fid, &cur))
		goto out;
	if (!forced && g_bad && ksd_same_version(&fid, &g_bad_fid))
		goto out; /* already refused: wait for another file (or SIGHUP) */
	/* a new file is checked alone, without touching the -wal/-shm the
	 * current generation's connections share (pool.h) */
	t0 = now_s();
	rc = validate(g_path, &fid, !ksd_same_file(&fid, &cur), &e);
	if (rc == KS_ERR_BUSY)
		goto out; /* replaced again during the check: the next one sees it */
	if (rc != KS_OK) {
		g_bad_fid = fid;
		g_bad = 1;
		ksd_log_info("pool",
			     "index %s changed but the new file can't be served (%s): still "
			     "serving generation %lu",
			     g_path, e.msg, ksd_pool_generation());
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
		struct timespec ts = ksd_after_ms(KSD_POOL_CHECK_MS);

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

/* The pool's acquire hook: a pending ksd_pool_reload is checked before
 * the lease (pool.h). */
static void reload_pending(void)
{
	if (atomic_load(&g_reload))
		check_file(1);
}

int ksd_pool_init(const char *path, struct ks_err *err)
{
	struct ks_store *st = NULL;
	struct ks_err e = {{0}};
	struct ksd_file_id fid;
	int rc, tries;

	pthread_once(&g_once, once_init);
	ksd_pool_shutdown();
	/* the same check as a new generation's, so a damaged file is refused
	 * at start with the reason; nothing else of this process has it open,
	 * so the usual open is safe and sees the WAL too */
	for (tries = 0;; tries++) {
		if (ksd_file_id_get(path, &fid) != 0)
			return ks_err_set(err, KS_ERR_IO, "cannot open index %s: %s", path,
					  strerror(errno));
		rc = validate(path, &fid, 0, &e);
		if (rc == KS_OK)
			rc = ksd_pool_open(path, &fid, 0, &st, &e);
		if (rc != KS_ERR_BUSY || tries == 2)
			break;
	}
	if (rc != KS_OK) {
		if (strstr(e.msg, path))
			return ks_err_set(err, rc, "%s", e.msg);
		return ks_err_set(err, rc, "cannot serve %s: %s", path, e.msg);
	}
	pthread_mutex_lock(&g_vmu);
	g_path = strdup(path);
	g_bad = 0;
	rc = g_path ? ksd_pool_start(path, &fid, st, reload_pending, err)
		    : ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	if (!g_path)
		ks_store_close(st);
	pthread_mutex_unlock(&g_vmu);
	if (rc != KS_OK) {
		ksd_pool_shutdown();
		return rc;
	}
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
	ksd_pool_stop();
	free(g_path);
	g_path = NULL;
	pthread_mutex_unlock(&g_vmu);
}

void ksd_pool_reload(void)
{
	atomic_store(&g_reload, 1);
}
