/* links.h - the links of items (private to the indexer library): which
 * URLs an item may keep, the site key a URL is filed under, and the
 * item_links table the store writes with each item and a search reads
 * for `site:` filters (search/sites.h) and the `links` of a hit (hit.h).
 *
 * Stored in item_links(item, n, url, site): one row per link of an item
 * (n = 0, 1, ... in the item's order; the item's url, when it is a link,
 * is n = 0), site = the URL's host lower-cased with its labels reversed
 * ("www.Example.com" -> "com.example.www"), so a site and all its
 * subdomains are one range of the index on site: "com.example" itself,
 * then "com.example." up to "com.example/". Rows go with their item
 * (trigger items_ad_links). Which URLs are links, and their site keys:
 * site.h. */
#ifndef KS_LINKS_H
#define KS_LINKS_H

#include <sqlite3.h>
#include <stddef.h>

#include "kensaku/err.h"
#include "kensaku/item.h"
#include "site.h"

/* The table and its index and trigger (schema 5), for CREATE. */
#define KS_LINKS_TABLE                                                                             \
	"item_links(item INTEGER NOT NULL, n INTEGER NOT NULL, url TEXT NOT NULL,"                 \
	" site TEXT NOT NULL, PRIMARY KEY(item, n)) WITHOUT ROWID"
#define KS_LINKS_INDEX "item_links_site ON item_links(site, item)"
#define KS_LINKS_TRIGGER                                                                           \
	"items_ad_links AFTER DELETE ON items BEGIN"                                               \
	" DELETE FROM item_links WHERE item = old.rowid; END"

/* Fills item_links from the url of every item (n = 0), for an index
 * migrated from before schema 5; rows already there are kept. */
#define KS_LINKS_BACKFILL                                                                          \
	"INSERT OR IGNORE INTO item_links(item, n, url, site) SELECT rowid, 0, url,"               \
	" ks_link_site(url) FROM items WHERE ks_link_site(url) IS NOT NULL"

/* For a file of an older schema read as it is: the url of each item as
 * its only link. */
#define KS_LINKS_VIEW                                                                              \
	"CREATE TEMP VIEW item_links(item, n, url, site) AS SELECT rowid, 0, url,"                 \
	" ks_link_site(url) FROM items WHERE ks_link_site(url) IS NOT NULL"

/* The statement ks_links_put runs (prepared by the store). */
#define KS_LINKS_INSERT "INSERT INTO item_links(item, n, url, site) VALUES (?1, ?2, ?3, ?4)"

/* Writes the links of it (those with a site key) under item, the rowid
 * of the item row just inserted, through ins, KS_LINKS_INSERT prepared on
 * the store's connection, inside the transaction that inserted the item.
 * KS_OK, or KS_ERR_DB (the connection's error says why). */
int ks_links_put(sqlite3_stmt *ins, sqlite3_int64 item, const struct ks_item *it);

#endif
