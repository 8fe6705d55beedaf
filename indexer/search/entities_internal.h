/* entities_internal.h - item tags inside the indexer library, read by
 * search.c for facets and scan.c for the entity filter (written by
 * store/tags.c; not part of the public API). */
#ifndef KS_ENTITIES_INTERNAL_H
#define KS_ENTITIES_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

#include "kensaku/err.h"
#include "kensaku/facet.h"
#include "kensaku/store.h"

/* The cve and entity facets (top KS_FACET_TOP of each by count) of the n
 * matching rowids, sorted ascending, into malloc'd arrays (*cves, *n_cves;
 * *ents, *n_ents), which the caller frees with their keys; left untouched
 * when n is 0. KS_ERR_NOMEM, KS_ERR_DB. */
int ks_entities_facets(struct ks_store *s, const sqlite3_int64 *rowids, size_t n,
		       struct ks_facet **cves, size_t *n_cves, struct ks_facet **ents,
		       size_t *n_ents, struct ks_err *err);

/* The rowids tagged with entity (a CVE id or any spelling of a gazetteer
 * name; other text is looked up as given), ascending, in a malloc'd array
 * (*out, *n; *out may be NULL when n is 0). */
int ks_entities_items(struct ks_store *s, const char *entity, sqlite3_int64 **out, size_t *n,
		      struct ks_err *err);

/* 1 when rowid is in the ascending array set of n. */
int ks_entities_has(const sqlite3_int64 *set, size_t n, sqlite3_int64 rowid);

#endif
