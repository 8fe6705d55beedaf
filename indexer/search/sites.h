/* sites.h - the site: filter of a search (private to the indexer
 * library): the items linking to some sites, read from item_links
 * (store/links.h). */
#ifndef KS_SITES_H
#define KS_SITES_H

#include <sqlite3.h>
#include <stddef.h>

#include "kensaku/err.h"
#include "kensaku/store.h"

/* The rowids, ascending and distinct, of the items with a link on one of
 * the sites of keys[0..n) (site keys: store/site.h) or a subdomain of
 * one; *out malloc'd (NULL when none). KS_OK, KS_ERR_NOMEM, or the
 * store's error. */
int ks_sites_items(struct ks_store *s, char *const *keys, size_t n, sqlite3_int64 **out,
		   size_t *n_out, struct ks_err *err);

#endif
