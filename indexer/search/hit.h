/* hit.h - item rows into struct ks_hit, for every module that shows items
 * (search.c, scan.c's CSV and feed walks). Private to the indexer library. */
#ifndef KS_HIT_H
#define KS_HIT_H

#include <sqlite3.h>

#include "kensaku/hit.h"
#include "kensaku/store.h"

/* The item columns ks_hit_read expects, in order (a score column follows):
 * the last is the item's links joined by '\n' (a link has no controls). */
#define KS_HIT_COLS                                                                                \
	"i.rowid, i.issue, i.position, i.date, i.section, i.title, i.quote, i.url,"                \
	" (SELECT group_concat(url, char(10)) FROM (SELECT url FROM item_links"                    \
	" WHERE item = i.rowid ORDER BY n))"

/* Fills *h (zeroed first) from the current row of st: KS_HIT_COLS then the
 * score. 0, or -1 on out of memory (free what was copied with
 * ks_hit_clear). */
int ks_hit_read(sqlite3_stmt *st, struct ks_hit *h);

/* Reads the item of rowid into *h (no highlights, score 0). KS_ERR_NOTFOUND
 * when there is no such item (a writer removed it since the scan). */
int ks_hit_by_rowid(struct ks_store *s, sqlite3_int64 rowid, struct ks_hit *h, struct ks_err *err);

/* Frees the strings of h (not h itself). */
void ks_hit_clear(struct ks_hit *h);

#endif
