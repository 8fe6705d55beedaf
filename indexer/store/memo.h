/* memo.h - per-connection read caches of what ranking and facets need for
 * every matching row (private to the indexer library).
 *
 * A search that matches tens of thousands of items needs each one's
 * document length (BM25) and tags (cve/entity facets). Read row by row
 * from SQLite, that costs a B-tree seek per match and dominates the query;
 * the memo holds both as sorted arrays, loaded on first need with one
 * sequential read each.
 *
 * Staleness: an item's rowid is never reused within an index file, and an
 * item's length and tags never change under its rowid (the indexer deletes
 * and inserts, never updates), so a memo can only lack rows added since it
 * was loaded. Lookups report those as misses; callers read them from
 * SQLite and call ks_memo_note_miss, and a memo with many misses is
 * reloaded at its next use. One memo belongs to one connection (one thread
 * at a time), like the store that owns it. */
#ifndef KS_MEMO_H
#define KS_MEMO_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define KS_MEMO_LOAD_AFTER 1024 /* rows one statement reads one by one before it loads */

struct ks_memo;

/* A new, empty memo; NULL on out of memory. */
struct ks_memo *ks_memo_new(void);

/* Frees m. Accepts NULL. */
void ks_memo_free(struct ks_memo *m);

/* ---- document lengths (tokens over all columns, from items_fts_docsize) */

/* 1 when the lengths are loaded and not due for a reload. */
int ks_memo_lengths_ready(const struct ks_memo *m);

/* (Re)loads every length from db. Returns an SQLite code; on failure the
 * memo has no lengths (callers go on reading rows one by one). */
int ks_memo_lengths_load(struct ks_memo *m, sqlite3 *db);

/* 1 with *len set when rowid's length is known, 0 on a miss. *hint (start
 * it at 0) remembers where the last lookup ended, so ascending rowids cost
 * a step each instead of a binary search. */
int ks_memo_length(const struct ks_memo *m, sqlite3_int64 rowid, int *len, size_t *hint);

/* ---- tags (item_entities) */

/* 1 when the tags are loaded and not due for a reload. */
int ks_memo_tags_ready(const struct ks_memo *m);

/* (Re)loads every item's tags from db. Returns an SQLite code; on failure
 * the memo has no tags. */
int ks_memo_tags_load(struct ks_memo *m, sqlite3 *db);

/* 1 with the item's tag ids in *ids[0..*n) when rowid is known (*n may be
 * 0: an item without tags), 0 on a miss. *hint as for ks_memo_length. */
int ks_memo_tags(const struct ks_memo *m, sqlite3_int64 rowid, const uint32_t **ids, size_t *n,
		 size_t *hint);

/* The number of distinct tags, and a tag's name and kind ("cve", ...). */
size_t ks_memo_tag_count(const struct ks_memo *m);
const char *ks_memo_tag_name(const struct ks_memo *m, uint32_t id);
const char *ks_memo_tag_kind(const struct ks_memo *m, uint32_t id);

/* The id of name, adding it (with kind) when the memo has not seen it;
 * UINT32_MAX on out of memory. */
uint32_t ks_memo_tag_id(struct ks_memo *m, const char *name, const char *kind);

/* A zeroed array of at least n counters owned by m, for counting tags;
 * the caller zeroes again what it touched before its next use. NULL on
 * out of memory. */
long long *ks_memo_counters(struct ks_memo *m, size_t n);

/* ---- word maps (item_words, words.h) */

/* One item's word maps: the continuation bitmaps of its title and quote
 * (bit i set: FTS5 position i of that column is inside a word; bytes past
 * the end are zero) and its length in words. The pointers are into the
 * memo, valid until its next load or free. */
struct ks_words_row {
	const unsigned char *title, *quote;
	int n_title, n_quote; /* bitmap bytes */
	uint32_t words;	      /* words over both columns: positions - set bits */
};

/* 1 when the word maps are loaded and not due for a reload. */
int ks_memo_words_ready(const struct ks_memo *m);

/* (Re)loads every item's word maps (item_words) and position counts
 * (items_fts_docsize), one sequential read of each merged by rowid.
 * Returns an SQLite code; on failure the memo has no maps. SQLITE_OK with
 * nothing loaded (ks_memo_words_ready 0, ks_memo_words_present 0) when the
 * index has no item_words table (schema 2 and older). An item whose map is
 * malformed or that has no docsize row is left out (a miss). */
int ks_memo_words_load(struct ks_memo *m, sqlite3 *db);

/* 1 with *out set when rowid's maps are known, 0 on a miss. *hint as for
 * ks_memo_length. */
int ks_memo_words(const struct ks_memo *m, sqlite3_int64 rowid, struct ks_words_row *out,
		  size_t *hint);

/* The mean words per item over the loaded items; 1.0 when none. */
double ks_memo_words_avg(const struct ks_memo *m);

/* 1 after a load found the item_words table. */
int ks_memo_words_present(const struct ks_memo *m);

/* Bytes the loaded word maps take (arrays and bitmaps), for the record. */
size_t ks_memo_words_bytes(const struct ks_memo *m);

/* ---- staleness */

/* Counts one row that was not in the memo (lengths, tags or word maps); past a
 * threshold the memo reloads at its next use. */
void ks_memo_note_miss(struct ks_memo *m);

#endif
