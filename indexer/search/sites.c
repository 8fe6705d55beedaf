/* sites.c - the site: filter: items by the sites they link to (sites.h). */
#include "sites.h"

#include <stdlib.h>

#include "store_internal.h"

static int cmp_rowid(const void *a, const void *b)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;
	return x < y ? -1 : x > y;
}

/* Appends the items of one site key to *v (of *n, room *cap). */
static int items_of_site(struct ks_store *s, const char *key, sqlite3_int64 **v, size_t *n,
			 size_t *cap, struct ks_err *err)
{
	static const char sel[] = "SELECT item FROM item_links WHERE site = ?1"
				  " OR (site >= ?1 || '.' AND site < ?1 || '/')";
	sqlite3_stmt *st = ks_store_stmt(s, sel, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int r, rc = KS_OK;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			sqlite3_int64 *nv = realloc(*v, nc * sizeof *nv);
			if (!nv) {
				rc = ks_err_set(err, KS_ERR_NOMEM, "[sites] out of memory");
				break;
			}
			*v = nv;
			*cap = nc;
		}
		(*v)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	if (rc == KS_OK && r != SQLITE_DONE)
		rc = ks_store_dberr(s, "site filter", err);
	sqlite3_reset(st);
	return rc;
}

int ks_sites_items(struct ks_store *s, char *const *keys, size_t n, sqlite3_int64 **out,
		   size_t *n_out, struct ks_err *err)
{
	sqlite3_int64 *v = NULL;
	size_t cnt = 0, cap = 0, w = 0;
	int rc = KS_OK;
	for (size_t i = 0; rc == KS_OK && i < n; i++)
		rc = items_of_site(s, keys[i], &v, &cnt, &cap, err);
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
