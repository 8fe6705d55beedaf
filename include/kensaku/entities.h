/* entities.h - what the index knows about entities: every item is tagged
 * at index time with the CVE ids and gazetteer entities (lexicon.h) its
 * title and quote mention (table item_entities, schema 2). Search facets
 * and the entity filter live in search.h; this is the lookup side. */
#ifndef KENSAKU_ENTITIES_H
#define KENSAKU_ENTITIES_H

#include <jansson.h>

#include "err.h"
#include "lexicon.h"
#include "store.h"

#define KS_SUGGEST_DEFAULT 10
#define KS_SUGGEST_MAX 50
#define KS_ENTITY_TEXT_MAX 200 /* longer prefixes and names are a client error */

/* The canonical name under which text is stored: a CVE id in canonical
 * form (written into buf), the gazetteer name of any spelling, else text
 * itself. Never NULL. */
const char *ks_entity_resolve(const char *text, char buf[KS_CVE_MAX]);

/* 1 when kind is "cve" or a gazetteer kind (vendor, product, actor,
 * malware, vuln, org). */
int ks_entity_kind_valid(const char *kind);

/* One entity or CVE id with the number of items it tags. The gazetteer
 * entry e (static) gives its name, kind and spellings; for a CVE id e is
 * NULL and cve (owned by the hit) is the canonical id, its only spelling. */
struct ks_entity_hit {
	const struct ks_entity *e;
	char *cve;
	long long count;
};

/* A list of hits (owns v and every hit's cve). */
struct ks_entity_hits {
	struct ks_entity_hit *v;
	size_t n;
};

/* The hit's canonical name and kind ("cve" for a CVE id). Never NULL. */
const char *ks_entity_hit_name(const struct ks_entity_hit *h);
const char *ks_entity_hit_kind(const struct ks_entity_hit *h);

/* Autocomplete: the entities and CVE ids of the index with a spelling that
 * starts with prefix (case and width do not matter; "" lists the most
 * frequent), optionally only of kind (NULL: any), at most limit
 * (1..KS_SUGGEST_MAX), most tagged items first (ties by name), into *out
 * (cleared first; free with ks_entity_hits_clear). Only entities tagging at
 * least one item are listed. deadline_ms > 0 bounds the time spent
 * (KS_ERR_TIMEOUT past it). Fails with KS_ERR_DB / KS_ERR_NOMEM /
 * KS_ERR_TIMEOUT. */
int ks_entities_find(struct ks_store *s, const char *prefix, const char *kind, int limit,
		     int deadline_ms, struct ks_entity_hits *out, struct ks_err *err);

/* One entity by any spelling or a CVE id (count may be 0) into *out
 * (zeroed first; free with ks_entity_hit_clear); KS_ERR_NOTFOUND when text
 * is neither a gazetteer spelling nor a CVE id. deadline_ms as for
 * ks_entities_find. */
int ks_entity_lookup(struct ks_store *s, const char *text, int deadline_ms,
		     struct ks_entity_hit *out, struct ks_err *err);

/* Free what a hit or a list owns (not the struct itself); accept NULL. */
void ks_entity_hit_clear(struct ks_entity_hit *h);
void ks_entity_hits_clear(struct ks_entity_hits *h);

/* ---- rendered (indexer/render/entities_json.c) ----
 * One hit as {"name", "kind", "count", "spellings": [...]}, NULL when out
 * of memory; a new reference. */
json_t *ks_entity_hit_json(const struct ks_entity_hit *h);

/* {"prefix": prefix, "entities": [hit, ...]}, NULL when out of memory; a
 * new reference. */
json_t *ks_entity_hits_json(const char *prefix, const struct ks_entity_hits *h);

#endif
