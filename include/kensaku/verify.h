/* verify.h - the stamp `kensaku reindex` leaves beside an index it has
 * fully checked, so a server switching to that file can trust it without
 * checking it again.
 *
 * Reindex runs PRAGMA integrity_check and the FTS5 integrity-check before
 * its rename; a server taking a new file at the path (kensakud) would
 * otherwise repeat checks of the same strength, which cost seconds on a
 * large index (2 s for 100 000 items) while the old generation serves. The
 * stamp DB.verified holds the size and the XXH3-128 hash of every byte of
 * the checked file: a file at DB with the same size and hash is, byte for
 * byte, the file that passed (hashing reads it at memory speed). A file
 * renamed in from anywhere else, damaged afterwards, or written to by
 * `kensaku index` since has another hash and gets the full check. */
#ifndef KENSAKU_VERIFY_H
#define KENSAKU_VERIFY_H

#include "err.h"

/* Hashes the file checked_path (reindex's temp file, complete and synced)
 * and writes the stamp for db_path (db_path.verified) through a temp file
 * renamed into place, so a reader sees the old stamp or the new one. Call
 * before renaming checked_path to db_path. KS_ERR_IO on failure (the
 * caller may go on without a stamp: servers then check the file fully). */
int ks_verify_stamp(const char *checked_path, const char *db_path, struct ks_err *err);

/* 1 when the open file fd (the one at db_path a server is about to serve)
 * has the size and hash of db_path's stamp, 0 when there is no stamp, it
 * describes another file, or anything can't be read. Never fails. */
int ks_verify_matches(const char *db_path, int fd);

#endif
