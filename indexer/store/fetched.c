/* fetched.c - the validators of fetched URLs and the pages of feeds
 * (fetched.h), schema 4. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetched.h"
#include "store_internal.h"

/* A malloc'd copy of column i of st (NULL when SQL NULL); -1 on out of
 * memory. */
static int column_dup(sqlite3_stmt *st, int i, char **out)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	*out = v ? strdup(v) : NULL;
	return v && !*out ? -1 : 0;
}

void ks_fetched_clear(struct ks_fetched *v)
{
	if (!v)
		return;
	free(v->etag);
	free(v->last_modified);
	memset(v, 0, sizeof *v);
}

int ks_fetched_get(struct ks_store *s, const char *url, struct ks_fetched *out, int *found,
		   struct ks_err *err)
{
	static const char sql[] = "SELECT etag, last_modified FROM fetched WHERE url = ?1";
	struct ks_fetched v = {0};
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	int r, rc = KS_OK;
	memset(out, 0, sizeof *out);
	*found = 0;
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		if (column_dup(st, 0, &v.etag) != 0 || column_dup(st, 1, &v.last_modified) != 0)
			rc = ks_err_set(err, KS_ERR_NOMEM, "[store][fetched] out of memory");
	} else if (r != SQLITE_DONE) {
		rc = ks_store_dberr(s, "fetched", err);
	}
	sqlite3_reset(st);
	if (rc != KS_OK) {
		ks_fetched_clear(&v);
		return rc;
	}
	*found = r == SQLITE_ROW;
	*out = v;
	return KS_OK;
}

/* Steps the cached write statement st (bindings made) and resets it. */
static int run(struct ks_store *s, sqlite3_stmt *st, const char *what, struct ks_err *err)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? KS_OK : ks_store_dberr(s, what, err);
	sqlite3_reset(st);
	return rc;
}

int ks_fetched_put(struct ks_store *s, const char *url, const char *etag, const char *last_modified,
		   struct ks_err *err)
{
	static const char sql[] = "INSERT OR REPLACE INTO fetched(url, etag, last_modified,"
				  " fetched_at) VALUES (?1, ?2, ?3, ?4)";
	char when[32];
	time_t t = time(NULL);
	struct tm tm;
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	if (!st)
		return ks_store_rc(s);
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, etag, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, last_modified, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, when, -1, SQLITE_STATIC);
	return run(s, st, "record fetched URL", err);
}

int ks_fetched_set_pages(struct ks_store *s, const char *feed, char *const *pages, size_t n,
			 struct ks_err *err)
{
	static const char del[] = "DELETE FROM feed_pages WHERE feed = ?1";
	static const char ins[] = "INSERT OR IGNORE INTO feed_pages(feed, page) VALUES (?1, ?2)";
	sqlite3_stmt *st = ks_store_stmt(s, del, err);
	int rc;
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	rc = run(s, st, "feed pages", err);
	for (size_t i = 0; rc == KS_OK && i < n; i++) {
		if (!(st = ks_store_stmt(s, ins, err)))
			return ks_store_rc(s);
		sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, pages[i], -1, SQLITE_STATIC);
		rc = run(s, st, "feed pages", err);
	}
	return rc;
}

/* Reads the pages of feed into *out (n of them, each malloc'd). */
static int read_pages(struct ks_store *s, const char *feed, char ***out, size_t *n,
		      struct ks_err *err)
{
	static const char sql[] = "SELECT page FROM feed_pages WHERE feed = ?1 ORDER BY page";
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	char **v = NULL;
	size_t k = 0;
	int r = SQLITE_DONE, rc = KS_OK;
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	while (rc == KS_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		char **nv = realloc(v, (k + 1) * sizeof *v);
		if (!nv || (v = nv, column_dup(st, 0, &v[k]) != 0) || !v[k])
			rc = ks_err_set(err, KS_ERR_NOMEM, "[store][fetched] out of memory");
		else
			k++;
	}
	if (rc == KS_OK && r != SQLITE_DONE)
		rc = ks_store_dberr(s, "feed pages", err);
	sqlite3_reset(st);
	*out = v;
	*n = k;
	return rc;
}

int ks_fetched_each_page(struct ks_store *s, const char *feed,
			 int (*fn)(const char *page, void *ctx), void *ctx, struct ks_err *err)
{
	char **pages = NULL;
	size_t n = 0;
	int rc = read_pages(s, feed, &pages, &n, err);
	for (size_t i = 0; i < n; i++) {
		if (rc == KS_OK)
			rc = fn(pages[i], ctx);
		free(pages[i]);
	}
	free(pages);
	return rc;
}

int ks_fetched_page_holds(struct ks_store *s, const char *feed, long long number,
			  struct ks_err *err)
{
	static const char sql[] = "SELECT 1 FROM issues i JOIN feed_pages p ON p.page = i.source"
				  " WHERE p.feed = ?1 AND i.number = ?2";
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	int r, rc;
	if (!st)
		return -ks_store_rc(s);
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, number);
	r = sqlite3_step(st);
	rc = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -ks_store_dberr(s, "feed pages", err);
	sqlite3_reset(st);
	return rc;
}
