/* pool.c - per-thread read-only connections and generation switching.
 *
 * Locks: g_mu guards the slot list and the file identity; each slot's mu
 * is held by its thread for the length of a request. The thread that
 * notices a new generation only trylocks other slots (g_mu, then slot), so
 * it never waits on a request and never deadlocks. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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
static char *g_path;
static struct ksd_slot *g_slots;
static struct file_id g_fid;
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

	if (stat(path, &st) != 0)
		return -errno;
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

/* Closes idle connections of old generations (caller holds g_mu). */
static void sweep_locked(unsigned long gen)
{
	struct ksd_slot *s;

	for (s = g_slots; s; s = s->next) {
		if (pthread_mutex_trylock(&s->mu) != 0)
			continue; /* in use: its thread closes it on release */
		if (s->store && !s->stale && s->generation != gen) {
			ks_store_close(s->store);
			s->store = NULL;
		}
		pthread_mutex_unlock(&s->mu);
	}
}

/* Notices a new generation: at most every KSD_POOL_CHECK_MS unless now
 * is set (a connection is about to be opened: whatever file it gets must
 * not be older than what other threads serve), and at once after
 * ksd_pool_reload. Can't fail: a path that can't be stat'ed keeps the
 * current generation. */
static void check_file(int now_too)
{
	long long now = now_ms();
	struct file_id fid;
	int forced;

	if (!now_too && !atomic_load(&g_reload) && now < atomic_load(&g_next_check_ms))
		return;
	if (now_too)
		pthread_mutex_lock(&g_mu);
	else if (pthread_mutex_trylock(&g_mu) != 0)
		return; /* another thread is checking */
	forced = atomic_exchange(&g_reload, 0);
	if (!forced && !now_too && now < atomic_load(&g_next_check_ms))
		goto out;
	atomic_store(&g_next_check_ms, now + KSD_POOL_CHECK_MS);
	if (file_id_get(g_path, &fid) != 0) {
		if (!forced)
			goto out;
		fid = g_fid;
	}
	if (forced || !file_id_same(&fid, &g_fid)) {
		unsigned long gen = atomic_fetch_add(&g_gen, 1) + 1;

		g_fid = fid;
		ksd_log_info("pool", "index %s changed: generation %lu%s", g_path, gen,
			     forced ? " (reload)" : "");
		sweep_locked(gen);
	}
out:
	pthread_mutex_unlock(&g_mu);
}

int ksd_pool_init(const char *path, struct ks_err *err)
{
	struct ks_store *st = NULL;
	struct file_id fid;
	int rc;

	if (file_id_get(path, &fid) != 0)
		return ks_err_set(err, KS_ERR_IO, "cannot open index %s: %s", path,
				  strerror(errno));
	rc = ks_store_open(path, KS_STORE_READONLY, &st, err);
	if (rc != KS_OK)
		return rc;
	ks_store_close(st);
	if (!g_key_ok) {
		if (pthread_key_create(&g_key, slot_destroy) != 0)
			return ks_err_set(err, KS_ERR_NOMEM, "pthread_key_create failed");
		g_key_ok = 1;
	}
	free(g_path);
	g_path = strdup(path);
	if (!g_path)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	g_fid = fid;
	atomic_store(&g_next_check_ms, now_ms() + KSD_POOL_CHECK_MS);
	return KS_OK;
}

void ksd_pool_shutdown(void)
{
	struct ksd_slot *s, *next;

	if (!g_key_ok)
		return;
	pthread_setspecific(g_key, NULL);
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
		 * current generation first, so no thread serves an older one. */
		check_file(1);
		gen = atomic_load(&g_gen);
		struct ks_store *st = NULL;
		struct ks_err e2 = {{0}};
		int rc = ks_store_open(g_path, KS_STORE_READONLY, &st, &e2);

		if (rc == KS_OK) {
			ks_store_close(s->store);
			s->store = st;
			s->generation = gen;
			s->stale = 0;
		} else if (s->store) {
			s->stale = 1;
			/* Keep serving the previous generation; retried next time. */
			ksd_log_info("pool", "cannot open generation %lu, keeping %lu: %s", gen,
				     s->generation, e2.msg);
		} else {
			pthread_mutex_unlock(&s->mu);
			if (err)
				*err = e2;
			return rc;
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
	if (s->store && !s->stale && s->generation != atomic_load(&g_gen)) {
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
