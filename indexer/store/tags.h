/* tags.h - writing item tags: every stored item is tagged with the CVE ids
 * and gazetteer entities (lexicon.h) its title and quote mention, in the
 * item_entities table (schema 2). The store writes them as it stores items;
 * the search layer reads them (search/entities_internal.h). Private to the
 * indexer library. */
#ifndef KS_TAGS_H
#define KS_TAGS_H

#include <sqlite3.h>

#include "kensaku/err.h"
#include "kensaku/store.h"

/* The item_entities table: one row per (item, CVE id or entity). */
#define KS_ENTITIES_TABLE                                                                          \
	"item_entities(item INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,"             \
	" PRIMARY KEY(item, name)) WITHOUT ROWID"

/* Tags item (its rowid) with every CVE id and gazetteer entity found in its
 * title and quote (quote may be NULL). Call inside the transaction that
 * inserted the item. Fails with KS_ERR_DB (or another store code) or
 * KS_ERR_NOMEM. */
int ks_tags_put(struct ks_store *s, sqlite3_int64 item, const char *title, const char *quote,
		struct ks_err *err);

#endif
