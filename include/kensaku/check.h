/* check.h - whether a file is a servable index: the checks a server runs
 * before it serves a file (kensakud at start and before each switch to a
 * new generation), and reindex's before its rename (ks_store_integrity in
 * store.h). Each returns KS_OK or KS_ERR_CORRUPT with the reason in err
 * (the other codes name a failure to check, not a verdict).
 *
 * A file renamed over a served one is checked alone, in place: the FTS5
 * integrity-check is an INSERT, which SQLite refuses on a read-only
 * connection, and checking a writable in-memory copy instead costs as much
 * memory as the index. ks_check_open opens the file through the "ksd-check"
 * VFS, which wraps the default one: the database file is opened O_RDONLY
 * underneath (nothing can be written to it) but reported writable to
 * SQLite, whose write transaction never dirties a page for the check;
 * writes and truncates fail, no lock is taken, a -wal or -journal beside it
 * reads as absent and none can be created, and the WAL marks of the header
 * read as rollback mode: the file alone, as immutable=1 reads it. Memory is
 * SQLite's page cache, whatever the file's size. */
#ifndef KENSAKU_CHECK_H
#define KENSAKU_CHECK_H

#include "err.h"
#include "store.h"

#define KS_CHECK_MIN_BYTES 512 /* fewer bytes can't be an index */

struct ks_check;

/* Opens the file at path (size bytes, as the caller stat'ed it) alone for
 * ks_check_run. KS_ERR_CORRUPT for a file of fewer than KS_CHECK_MIN_BYTES,
 * KS_ERR_IO when it can't be opened, KS_ERR_NOMEM. On success *out is set
 * and must be closed with ks_check_close. Thread-safe. */
int ks_check_open(const char *path, long long size, struct ks_check **out, struct ks_err *err);

/* PRAGMA quick_check and the FTS5 integrity-check (every doclist, the term
 * and doclist indexes, the averages; with content, also against the text
 * retokenized by this binary's tokenizer) of c's file. */
int ks_check_run(struct ks_check *c, int content, struct ks_err *err);

/* Closes c. Accepts NULL. */
void ks_check_close(struct ks_check *c);

/* 1 when the WAL that s's connection reads holds frames, looked at through
 * the connection's own descriptor (a writer may have unlinked the -wal at
 * its close while s still reads it), and when its size can't be read (the
 * safe answer); 0 when it is empty or s reads no WAL (a rollback-journal
 * file). A server asks this before it reads a generation whose path now
 * holds another file. */
int ks_check_wal_in_use(struct ks_store *s);

/* On an open index: its counts can be read (ks_store_stats) and the FTS5
 * index answers a term lookup. */
int ks_check_probe(struct ks_store *s, struct ks_err *err);

/* On an open index, when the file can't be checked alone (too big, or its
 * -wal holds frames the file lacks): a full fts5vocab scan (every doclist
 * decodes; the file itself stays read-only, only the temp schema is
 * written) and PRAGMA quick_check. */
int ks_check_scan(struct ks_store *s, struct ks_err *err);

#endif
