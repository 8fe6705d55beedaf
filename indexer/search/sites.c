/* sites.c - the site: filter: items by the sites they link to (sites.h). */
#include "sites.h"

#include <stdlib.h>

#include "store_internal.h"

static int cmp_rowid(const void *a, const void *b)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;
	return x < y ? -1 : x > y;
}

/* The items linking to a site key's host or its subdomains. */
static const char SITE_ITEMS[] = "SELECT item FROM item_links WHERE site = ?1"
				 " OR (site >= ?1 || '.' AND site < ?1 || '/')";

int ks_sites_items(struct ks_store *s, char *const *keys, size_t n, sqlite3_int64 **out,
		   size_t *n_out, struct ks_err *err)
{
	sqlite3_int64 *v = NULL;
	size_t cnt = 0, cap = 0, w = 0;
	int rc = KS_OK;
	for (size_t i = 0; rc == KS_OK && i < n; i++)
		rc = ks_store_rowids(s, SITE_ITEMS, keys[i], &v, &cnt, &cap, "site filter", err);
	if (rc != KS_OK) {
		free(v);
		return rc;
	}
	if (cnt)
		qsort(v, cnt, sizeof *v, cmp_rowid);
	for (size_t i = 0; i < cnt; i++)
		if (w == 0 || v[w - 1] != v[i])
			v[w++] = v[i];
	*out = v;
	*n_out = w;
	return KS_OK;
}
