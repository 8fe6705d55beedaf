/* store_internal.h - what the indexer library's own modules share about a
 * store (not part of the public API). */
#ifndef KS_STORE_INTERNAL_H
#define KS_STORE_INTERNAL_H

#include <sqlite3.h>

#include "kensaku/store.h"

/* Returns the cached prepared statement for sql (a string literal: it is
 * looked up by address), reset and with bindings cleared; NULL with err set
 * on failure, when ks_store_rc(s) tells what failed. The statement stays
 * owned by s. */
sqlite3_stmt *ks_store_stmt(struct ks_store *s, const char *sql, struct ks_err *err);

/* Sets err from the connection's last error; returns KS_ERR_DB (or
 * KS_ERR_BUSY / KS_ERR_CORRUPT / KS_ERR_TIMEOUT / KS_ERR_NOMEM by code). */
int ks_store_dberr(struct ks_store *s, const char *what, struct ks_err *err);

/* The code of the connection's last error, as ks_store_dberr gives it
 * (KS_ERR_CORRUPT for a damaged file ...), without touching any err. */
int ks_store_rc(struct ks_store *s);

/* Appends the first column (a rowid) of every row of the cached statement
 * sql, its ?1 bound to text, to *v (*n used of *cap, grown as needed).
 * KS_OK; KS_ERR_NOMEM; else the connection's error as ks_store_dberr
 * gives it, what naming the lookup. *v stays the caller's either way. */
int ks_store_rowids(struct ks_store *s, const char *sql, const char *text, sqlite3_int64 **v,
		    size_t *n, size_t *cap, const char *what, struct ks_err *err);

struct ks_memo;

/* The store's memo of item lengths and tags (memo.h); never NULL for an
 * open store. */
struct ks_memo *ks_store_memo(struct ks_store *s);

/* The fts5_api of db (fts.c), or NULL. */
fts5_api *ks_fts5_api(sqlite3 *db);

/* Registers the kensaku tokenizer and the ks_rank() auxiliary function on
 * db (fts.c): with memo (not NULL) ks_rank reads document lengths from it,
 * which must outlive db's use of the function. Returns an SQLite code. */
int ks_fts_register(sqlite3 *db, struct ks_memo *memo);

/* Registers ks_rank on api (rank.c) for db, reading document lengths from
 * memo when it is not NULL; an SQLite code. */
int ks_rank_register(fts5_api *api, sqlite3 *db, struct ks_memo *memo);

/* The tokenizer owned by the store, for query translation. */
struct ks_tok *ks_store_tok(struct ks_store *s);

/* Arms (ms > 0) or disarms (ms == 0) the per-query deadline. */
void ks_store_deadline(struct ks_store *s, int ms);

/* 1 when the deadline armed with ks_store_deadline has passed. */
int ks_store_deadline_hit(struct ks_store *s);

#endif
