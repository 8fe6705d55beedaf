/* store.h - the index file: schema, migrations, pragmas and writes.
 *
 * One struct ks_store wraps one SQLite connection and is used by one thread
 * at a time. Every connection the project opens goes through ks_store_open,
 * which registers the kensaku tokenizer and the ks_matches() auxiliary
 * function on it. */
#ifndef KENSAKU_STORE_H
#define KENSAKU_STORE_H

#include <sqlite3.h>

#include "err.h"
#include "item.h"

/* 2: item_entities (entity and CVE tags); 3: item_words (word maps);
 * 4: fetched and feed_pages (the validators of fetched URLs, the pages
 * of feeds: indexer/store/fetched.h); 5: item_links (every link of an
 * item and its site: indexer/store/links.h) */
#define KS_SCHEMA_VERSION 5

enum ks_store_flags {
	KS_STORE_READONLY = 1 << 0, /* SQLITE_OPEN_READONLY; the server's mode */
	KS_STORE_CREATE = 1 << 1,   /* create the file and schema if missing */
	KS_STORE_BULK = 1 << 2,	    /* fresh file being built: no journal, no fsync */
	/* read-only view of the file alone (SQLite immutable=1): no locks, no
	 * -wal/-shm; for checking a file renamed over a served one without
	 * touching the sidecar files the served connections share */
	KS_STORE_SNAPSHOT = 1 << 3,
	/* read-only: no memory map. A long-running reader (kensakud) reads a
	 * file truncated in place (`cp` over it truncates first) as a short
	 * read, an error, where mapped pages past its new end kill the process
	 * with SIGBUS */
	KS_STORE_NO_MMAP = 1 << 4
};

struct ks_store;

/* Opens the index at path. With KS_STORE_CREATE a missing file is created
 * with the current schema; an older schema is migrated (not when read-only).
 * Fails with KS_ERR_CORRUPT when the file is not a kensaku index or is
 * damaged, KS_ERR_IO when it cannot be opened. On success *out owns the
 * connection; on failure *out is untouched. */
int ks_store_open(const char *path, int flags, struct ks_store **out, struct ks_err *err);

/* Closes the connection and frees s. Accepts NULL. */
void ks_store_close(struct ks_store *s);

/* The underlying connection, owned by s (for search.c and tests). */
sqlite3 *ks_store_db(struct ks_store *s);

/* Sets *changed to 1 when another connection (another process: `kensaku
 * index`) committed to the file since the previous call on s, or on the
 * first call; else to 0 (PRAGMA data_version). Cheap: a cached statement.
 * Fails with the SQLite error mapped to a ks rc. */
int ks_store_data_changed(struct ks_store *s, int *changed, struct ks_err *err);

/* KS_OK when the index was built with this binary's tokenizer and ICU
 * versions and schema; KS_ERR_VERSION with a "reindex needed" message
 * otherwise (a schema 1 index predates entity tags; an index with items
 * but no word maps, schema 2 or migrated from it, predates word maps). */
int ks_store_check_version(struct ks_store *s, struct ks_err *err);

/* Transactions. begin takes the write lock immediately (BEGIN IMMEDIATE). */
int ks_store_begin(struct ks_store *s, struct ks_err *err);
int ks_store_commit(struct ks_store *s, struct ks_err *err);
void ks_store_rollback(struct ks_store *s);

/* Read transactions: one snapshot of the file for every statement from
 * ks_store_read_begin to ks_store_read_end, even while another process
 * commits, and one lock round instead of one per statement. begin starts
 * one (and takes the snapshot at once) unless s is already in a
 * transaction: *started is 1 when it did, and only then may the caller end
 * it. Fails with KS_ERR_DB / KS_ERR_BUSY / KS_ERR_NOMEM. end commits (a
 * read can't fail to; rolls back if it does) and accepts a store in no
 * transaction. */
int ks_store_read_begin(struct ks_store *s, int *started, struct ks_err *err);
void ks_store_read_end(struct ks_store *s);

/* Looks up the content hash recorded for source (a canonical file path).
 * Sets *found to 1 and copies the hash (hex, NUL-terminated) into hash_out
 * when present, *found = 0 otherwise. */
int ks_store_source_hash(struct ks_store *s, const char *source, char hash_out[65], int *found,
			 struct ks_err *err);

/* Replaces everything indexed from source by batch (items of source that
 * are gone are deleted; an issue that another source already holds is
 * replaced, and a warning is written to err->msg with KS_OK). Records hash.
 * Call inside a transaction. */
int ks_store_put_source(struct ks_store *s, const char *source, const char *hash,
			const struct ks_batch *batch, struct ks_err *err);

/* Deletes everything indexed from source. Call inside a transaction. */
int ks_store_forget_source(struct ks_store *s, const char *source, struct ks_err *err);

/* Calls fn(source, ctx) for each source path recorded; stops when fn
 * returns non-zero and returns that value. */
int ks_store_each_source(struct ks_store *s, int (*fn)(const char *source, void *ctx), void *ctx,
			 struct ks_err *err);

/* The BM25 column weights, "title, quote": a title term weighs ten times a
 * quote term. Named once: the schema's FTS5 default rank and every ks_rank
 * call of the search layer use it. */
#define KS_RANK_WEIGHTS "10.0, 1.0"

/* The meta key of the index's secret (64 hex digits of random bytes, made
 * when the index is created or first opened by a writer): keys the MAC of
 * CSV cursors. It never leaves the index file. */
#define KS_META_MAC_KEY "mac_key"

/* Writes a metadata key (meta table). */
int ks_store_meta_set(struct ks_store *s, const char *key, const char *value, struct ks_err *err);

/* Reads a metadata key into a malloc'd string (*out, caller frees), or
 * *out = NULL when absent. */
int ks_store_meta_get(struct ks_store *s, const char *key, char **out, struct ks_err *err);

/* Bulk load of a fresh file: bulk_begin stops indexing items as they are
 * inserted; bulk_end builds the FTS index from all items at once (FTS5
 * 'rebuild', about five times faster than row by row) and restores the
 * per-row trigger. Call outside a transaction. */
int ks_store_bulk_begin(struct ks_store *s, struct ks_err *err);
int ks_store_bulk_end(struct ks_store *s, struct ks_err *err);

/* Rebuilds the FTS index into one segment (after a bulk load). */
int ks_store_optimize(struct ks_store *s, struct ks_err *err);

/* PRAGMA integrity_check plus the FTS5 integrity-check of the index's own
 * structure (rank 0: without re-tokenizing every item, which would double
 * the cost of a reindex); KS_ERR_CORRUPT with the first problem. */
int ks_store_integrity(struct ks_store *s, struct ks_err *err);

/* Puts s's file in WAL journal mode (PRAGMA journal_mode=WAL); KS_OK or
 * KS_ERR_DB. */
int ks_store_set_wal(struct ks_store *s, struct ks_err *err);

/* Empties the WAL of the index file at path into it (a TRUNCATE
 * checkpoint on a connection of its own, waiting up to 10 s for other
 * connections). KS_OK when there is no file at path or it is not a valid
 * database; KS_ERR_BUSY when the checkpoint could not run. */
int ks_store_checkpoint_path(const char *path, struct ks_err *err);

/* Counts for stats/healthz. */
struct ks_store_stats {
	long long items;
	long long issues;
	long long sources;
	char first_date[16]; /* "" when unknown */
	char last_date[16];
	char built_at[32];    /* meta build time, ISO 8601 UTC */
	char tokenizer[48];   /* tokenizer version recorded in the index */
	char icu[24];	      /* ICU version recorded in the index */
	char generation[40];  /* changes on every reindex */
	char segmenter[48];   /* segmenter of the word maps ("" before schema 3 or any item) */
	long long file_bytes; /* size of the main file */
};
int ks_store_stats(struct ks_store *s, struct ks_store_stats *out, struct ks_err *err);

#endif
