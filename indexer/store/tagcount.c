/* tagcount.c - a process-wide snapshot of the item count of every tag name
 * (tagcount.h). One snapshot is current; readers hold a reference, so a
 * rebuild never frees one in use. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tagcount.h"

static const char KEY_META[] = "SELECT (SELECT value FROM meta WHERE key = 'generation'),"
			       " (SELECT value FROM meta WHERE key = 'seq'),"
			       " (SELECT count(*) FROM item_entities)";
static const char ALL_COUNTS[] = "SELECT name, count(*) FROM item_entities GROUP BY name";

struct snap {
	struct ks_tagcounts pub; /* first: a pointer to pub is a pointer to the snap */
	char key[160];
	int refs;
	struct ks_tagcount *v;
	char *names; /* every name, NUL-separated */
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snap *g_cur;

static void snap_unref_locked(struct snap *p)
{
	if (p && --p->refs == 0) {
		free(p->v);
		free(p->names);
		free(p);
	}
}

/* The key of the index s reads now. */
static int state_key(struct ks_store *s, char key[160], struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, KEY_META, err);
	if (!st)
		return ks_store_rc(s);
	int r = sqlite3_step(st), rc = KS_OK;
	if (r == SQLITE_ROW) {
		const char *gen = (const char *)sqlite3_column_text(st, 0);
		const char *seq = (const char *)sqlite3_column_text(st, 1);
		snprintf(key, 160, "%.60s/%.30s/%lld", gen ? gen : "", seq ? seq : "",
			 (long long)sqlite3_column_int64(st, 2));
	} else {
		rc = ks_store_dberr(s, "tag counts", err);
	}
	sqlite3_reset(st);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ks_tagcount *)a)->name, ((const struct ks_tagcount *)b)->name);
}

/* Reads every name's count into a new snapshot (refs 1). */
static int build(struct ks_store *s, const char *key, struct snap **out, struct ks_err *err)
{
	struct snap *p = calloc(1, sizeof *p);
	size_t cap = 0, bytes = 0, bcap = 0;
	int r, rc = KS_OK;
	sqlite3_stmt *st = p ? ks_store_stmt(s, ALL_COUNTS, err) : NULL;
	if (!p)
		return ks_err_set(err, KS_ERR_NOMEM, "[tagcount] out of memory");
	if (!st) {
		free(p);
		return KS_ERR_DB;
	}
	size_t *offs = NULL; /* name offsets while names grows */
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		size_t len = name ? strlen(name) + 1 : 0;
		if (!name && sqlite3_column_type(st, 0) == SQLITE_NULL)
			continue;
		if (!name) { /* SQLite could not allocate the text */
			rc = ks_err_set(err, KS_ERR_NOMEM, "[tagcount] out of memory");
			break;
		}
		if (p->pub.n == cap) {
			cap = cap ? cap * 2 : 1024;
			struct ks_tagcount *nv = realloc(p->v, cap * sizeof *nv);
			size_t *no = realloc(offs, cap * sizeof *no);
			if (nv)
				p->v = nv;
			if (no)
				offs = no;
			if (!nv || !no) {
				rc = ks_err_set(err, KS_ERR_NOMEM, "[tagcount] out of memory");
				break;
			}
		}
		if (bytes + len > bcap) {
			size_t nb = bcap ? bcap * 2 : 16384;
			while (nb < bytes + len)
				nb *= 2;
			char *nn = realloc(p->names, nb);
			if (!nn) {
				rc = ks_err_set(err, KS_ERR_NOMEM, "[tagcount] out of memory");
				break;
			}
			p->names = nn;
			bcap = nb;
		}
		memcpy(p->names + bytes, name, len);
		offs[p->pub.n] = bytes;
		p->v[p->pub.n].cve = !strncmp(name, "CVE-", 4);
		p->v[p->pub.n].count = sqlite3_column_int64(st, 1);
		p->pub.n++;
		bytes += len;
	}
	if (rc == KS_OK && r != SQLITE_DONE)
		rc = ks_store_dberr(s, "tag counts", err);
	sqlite3_reset(st);
	if (rc == KS_OK) {
		for (size_t i = 0; i < p->pub.n; i++)
			p->v[i].name = p->names + offs[i];
		/* GROUP BY name yields the index's order (BINARY): sort anyway,
		 * the lookups depend on it */
		if (p->pub.n)
			qsort(p->v, p->pub.n, sizeof *p->v, by_name);
		p->pub.v = p->v;
		snprintf(p->key, sizeof p->key, "%s", key);
		p->refs = 1;
		*out = p;
	} else {
		free(p->v);
		free(p->names);
		free(p);
	}
	free(offs);
	return rc;
}

int ks_tagcounts_get(struct ks_store *s, const struct ks_tagcounts **out, struct ks_err *err)
{
	char key[160];
	struct snap *p = NULL;
	int rc = state_key(s, key, err);
	if (rc != KS_OK)
		return rc;
	pthread_mutex_lock(&g_lock);
	if (g_cur && !strcmp(g_cur->key, key)) {
		g_cur->refs++;
		*out = &g_cur->pub;
		pthread_mutex_unlock(&g_lock);
		return KS_OK;
	}
	pthread_mutex_unlock(&g_lock);
	/* build outside the lock: other threads keep using the old snapshot */
	if ((rc = build(s, key, &p, err)) != KS_OK)
		return rc;
	pthread_mutex_lock(&g_lock);
	if (g_cur && !strcmp(g_cur->key, key)) {
		snap_unref_locked(p); /* another thread built the same one first */
		p = g_cur;
	} else {
		struct snap *old = g_cur;
		g_cur = p; /* the build's reference becomes the global one */
		snap_unref_locked(old);
	}
	p->refs++; /* the caller's */
	*out = &p->pub;
	pthread_mutex_unlock(&g_lock);
	return KS_OK;
}

void ks_tagcounts_release(const struct ks_tagcounts *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&g_lock);
	snap_unref_locked((struct snap *)(void *)t);
	pthread_mutex_unlock(&g_lock);
}

size_t ks_tagcounts_lower(const struct ks_tagcounts *t, const char *key)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(t->v[mid].name, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long long ks_tagcounts_of(const struct ks_tagcounts *t, const char *name)
{
	size_t i = ks_tagcounts_lower(t, name);
	return i < t->n && !strcmp(t->v[i].name, name) ? t->v[i].count : 0;
}
