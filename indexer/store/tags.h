/* tags.h - writing item tags: every stored item is tagged with the CVE ids
 * and gazetteer entities (lexicon.h) its title and quote mention, in the
 * item_entities table (schema 2). The store writes them as it stores items;
 * the search layer reads them (search/entities_internal.h). Private to the
 * indexer library. */
#ifndef KS_TAGS_H
#define KS_TAGS_H

#include <sqlite3.h>

#include "kensaku/err.h"

/* The item_entities table: one row per (item, CVE id or entity). */
#define KS_ENTITIES_TABLE                                                                          \
	"item_entities(item INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,"             \
	" PRIMARY KEY(item, name)) WITHOUT ROWID"

/* The statement ks_tags_put runs (prepared by the store). */
#define KS_TAGS_INSERT "INSERT OR IGNORE INTO item_entities(item, name, kind) VALUES (?1, ?2, ?3)"

/* Tags item (its rowid) with every CVE id and gazetteer entity found in its
 * title and quote (quote may be NULL) through ins, KS_TAGS_INSERT prepared
 * on the store's connection. Call inside the transaction that inserted the
 * item. KS_OK; KS_ERR_DB when a row can't be written (the connection's
 * error says why); KS_ERR_NOMEM. */
int ks_tags_put(sqlite3_stmt *ins, sqlite3_int64 item, const char *title, const char *quote);

#endif
