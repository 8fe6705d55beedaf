/* check.c - whether a file is a servable index (the contract is in
 * check.h): the "ksd-check" VFS, the check of a file alone through it, the
 * probe and the scan on an open index, and reindex's integrity check. */
#include "kensaku/check.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"

struct ks_check {
	sqlite3 *db;
};

static pthread_once_t g_chk_once = PTHREAD_ONCE_INIT;

/* Runs sql on db and reads its first row; KS_ERR_CORRUPT with what and
 * SQLite's message when that fails. *text gets the first column's text
 * (up to n bytes) when text is not NULL. */
static int probe(sqlite3 *db, const char *what, const char *sql, char *text, size_t n,
		 struct ks_err *err)
{
	sqlite3_stmt *q = NULL;
	int r = sqlite3_prepare_v2(db, sql, -1, &q, NULL);

	if (r == SQLITE_OK)
		r = sqlite3_step(q);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		int rc = ks_err_set(err, KS_ERR_CORRUPT, "%s: %s", what, sqlite3_errmsg(db));

		sqlite3_finalize(q);
		return rc;
	}
	if (text) {
		const unsigned char *t = r == SQLITE_ROW ? sqlite3_column_text(q, 0) : NULL;

		snprintf(text, n, "%s", t ? (const char *)t : "?");
	}
	sqlite3_finalize(q);
	return KS_OK;
}

/* PRAGMA quick_check(1) on db: KS_OK or KS_ERR_CORRUPT with its verdict. */
static int quick_check(sqlite3 *db, struct ks_err *err)
{
	char res[200];
	int rc = probe(db, "quick_check", "PRAGMA quick_check(1)", res, sizeof(res), err);

	if (rc == KS_OK && strcmp(res, "ok") != 0)
		rc = ks_err_set(err, KS_ERR_CORRUPT, "quick_check: %s", res);
	return rc;
}

/* ---- the check VFS (check.h) ------------------------------------------
 * A writable in-memory copy cost as much memory as the index (855 MB peak
 * seen). No other file than the index opens through it (temp_store is
 * memory). */

struct chk_file {
	sqlite3_file base;
	sqlite3_file *real; /* the wrapped VFS's file, right after this struct */
};

static sqlite3_vfs *g_real_vfs;
static sqlite3_vfs g_chk_vfs;

#define REAL(f) (((struct chk_file *)(f))->real)

static int chk_close(sqlite3_file *f)
{
	return REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
}

static int chk_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	int rc = REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
	unsigned char *b = buf;

	/* header bytes 18 and 19: 2 (WAL) reads as 1 (rollback journal) */
	for (sqlite3_int64 k = 18; rc == SQLITE_OK && k <= 19; k++)
		if (off <= k && k < off + amt && b[k - off] == 2)
			b[k - off] = 1;
	return rc;
}

static int chk_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	(void)f, (void)buf, (void)amt, (void)off;
	return SQLITE_IOERR_WRITE;
}

static int chk_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	(void)f, (void)size;
	return SQLITE_IOERR_TRUNCATE;
}

static int chk_sync(sqlite3_file *f, int flags)
{
	(void)f, (void)flags;
	return SQLITE_OK; /* nothing was written */
}

static int chk_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int chk_lock(sqlite3_file *f, int level)
{
	(void)f, (void)level;
	return SQLITE_OK;
}

static int chk_reserved(sqlite3_file *f, int *out)
{
	(void)f;
	*out = 0;
	return SQLITE_OK;
}

static int chk_fcntl(sqlite3_file *f, int op, void *arg)
{
	(void)f, (void)op, (void)arg;
	return SQLITE_NOTFOUND;
}

static int chk_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int chk_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)) & ~SQLITE_IOCAP_IMMUTABLE;
}

/* version 1: no shared memory (so no WAL) and no memory map */
static const sqlite3_io_methods chk_io = {
    .iVersion = 1,
    .xClose = chk_close,
    .xRead = chk_read,
    .xWrite = chk_write,
    .xTruncate = chk_truncate,
    .xSync = chk_sync,
    .xFileSize = chk_size,
    .xLock = chk_lock,
    .xUnlock = chk_lock,
    .xCheckReservedLock = chk_reserved,
    .xFileControl = chk_fcntl,
    .xSectorSize = chk_sector,
    .xDeviceCharacteristics = chk_devchar,
};

static int chk_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	sqlite3_file *real = (sqlite3_file *)((struct chk_file *)f + 1);
	int got = 0, rc;

	(void)vfs;
	f->pMethods = NULL;
	REAL(f) = real;
	real->pMethods = NULL;
	if (!(flags & SQLITE_OPEN_MAIN_DB))
		return SQLITE_CANTOPEN; /* a journal or WAL beside the index, a temp file */
	rc = g_real_vfs->xOpen(
	    g_real_vfs, name, real,
	    (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY, &got);
	if (rc != SQLITE_OK)
		return rc;
	f->pMethods = &chk_io;
	if (out)
		*out = (got & ~SQLITE_OPEN_READONLY) | SQLITE_OPEN_READWRITE;
	return SQLITE_OK;
}

static int chk_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs, (void)name, (void)sync;
	return SQLITE_IOERR_DELETE;
}

static int chk_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	size_t n = strlen(name);

	(void)vfs;
	if ((n > 8 && !strcmp(name + n - 8, "-journal")) ||
	    (n > 4 && !strcmp(name + n - 4, "-wal"))) {
		*out = 0;
		return SQLITE_OK;
	}
	return g_real_vfs->xAccess(g_real_vfs, name, flags, out);
}

static void chk_vfs_init(void)
{
	g_real_vfs = sqlite3_vfs_find(NULL);
	if (!g_real_vfs)
		return;
	g_chk_vfs = *g_real_vfs;
	g_chk_vfs.szOsFile = (int)sizeof(struct chk_file) + g_real_vfs->szOsFile;
	g_chk_vfs.zName = "ksd-check";
	g_chk_vfs.pNext = NULL;
	g_chk_vfs.xOpen = chk_open;
	g_chk_vfs.xDelete = chk_delete;
	g_chk_vfs.xAccess = chk_access;
	if (sqlite3_vfs_register(&g_chk_vfs, 0) != SQLITE_OK)
		g_real_vfs = NULL;
}

int ks_check_open(const char *path, long long size, struct ks_check **out, struct ks_err *err)
{
	struct ks_check *c;

	pthread_once(&g_chk_once, chk_vfs_init);
	if (size < KS_CHECK_MIN_BYTES)
		return ks_err_set(err, KS_ERR_CORRUPT, "%lld bytes are too few for an index", size);
	if (!g_real_vfs)
		return ks_err_set(err, KS_ERR_NOMEM, "no VFS to check %s with", path);
	if (!(c = calloc(1, sizeof(*c))))
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    "ksd-check") != SQLITE_OK ||
	    ks_fts_register(c->db, NULL) != SQLITE_OK) {
		int rc = ks_err_set(err, KS_ERR_IO, "cannot open %s to check it: %s", path,
				    c->db ? sqlite3_errmsg(c->db) : "out of memory");

		ks_check_close(c);
		return rc;
	}
	*out = c;
	return KS_OK;
}

int ks_check_run(struct ks_check *c, int content, struct ks_err *err)
{
	int rc = KS_OK;

	if (sqlite3_exec(c->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL) != SQLITE_OK)
		rc = ks_err_set(err, KS_ERR_CORRUPT, "%s", sqlite3_errmsg(c->db));
	if (rc == KS_OK)
		rc = quick_check(c->db, err);
	if (rc == KS_OK &&
	    sqlite3_exec(
		c->db,
		content ? "INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)"
			: "INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 0)",
		NULL, NULL, NULL) != SQLITE_OK)
		rc = ks_err_set(err, KS_ERR_CORRUPT, "the full-text index is damaged: %s",
				sqlite3_errmsg(c->db));
	return rc;
}

void ks_check_close(struct ks_check *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	free(c);
}

int ks_check_probe(struct ks_store *s, struct ks_err *err)
{
	struct ks_store_stats stats;
	int rc = ks_store_stats(s, &stats, err);

	if (rc == KS_OK)
		rc =
		    probe(ks_store_db(s), "the full-text index can't be read",
			  "SELECT rowid FROM items_fts WHERE items_fts MATCH '\"kensaku\"' LIMIT 1",
			  NULL, 0, err);
	return rc;
}

int ks_check_scan(struct ks_store *s, struct ks_err *err)
{
	sqlite3 *db = ks_store_db(s);
	int rc = KS_OK;

	if (sqlite3_exec(db,
			 "PRAGMA query_only=0; CREATE VIRTUAL TABLE temp.ksd_check USING "
			 "fts5vocab(main, items_fts, instance)",
			 NULL, NULL, NULL) != SQLITE_OK)
		rc = ks_err_set(err, KS_ERR_CORRUPT, "the full-text index can't be read: %s",
				sqlite3_errmsg(db));
	if (rc == KS_OK)
		rc = probe(db, "the full-text index is damaged",
			   "SELECT count(*) FROM temp.ksd_check", NULL, 0, err);
	if (rc == KS_OK)
		rc = quick_check(db, err);
	return rc;
}

int ks_store_integrity(struct ks_store *s, struct ks_err *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ks_store_db(s), "PRAGMA integrity_check(1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return ks_store_dberr(s, "integrity_check", err);
	int rc = KS_OK;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		if (!r || strcmp(r, "ok") != 0)
			rc = ks_err_set(err, KS_ERR_CORRUPT, "[store] integrity_check: %s",
					r ? r : "?");
	} else {
		rc = ks_store_dberr(s, "integrity_check", err);
	}
	sqlite3_finalize(st);
	if (rc == KS_OK &&
	    sqlite3_exec(ks_store_db(s),
			 "INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 0)",
			 NULL, NULL, NULL) != SQLITE_OK)
		rc = ks_err_set(err, KS_ERR_CORRUPT, "[store] fts integrity-check: %s",
				sqlite3_errmsg(ks_store_db(s)));
	return rc;
}

int ks_check_wal_in_use(struct ks_store *s)
{
	sqlite3_file *wal = NULL;
	sqlite3_int64 size = 0;
	if (!s || sqlite3_file_control(ks_store_db(s), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) !=
		      SQLITE_OK ||
	    !wal || !wal->pMethods)
		return 0;
	return wal->pMethods->xFileSize(wal, &size) != SQLITE_OK || size > 0;
}
