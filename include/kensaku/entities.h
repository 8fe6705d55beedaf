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

/* Autocomplete: the entities and CVE ids of the index with a spelling that
 * starts with prefix (case and width do not matter; "" lists the most
 * frequent), optionally only of kind (NULL: any), at most limit
 * (1..KS_SUGGEST_MAX), most tagged items first:
 *   {"prefix": prefix, "entities": [{"name", "kind", "count",
 *    "spellings": [...]}]}
 * Only entities tagging at least one item are listed. deadline_ms > 0
 * bounds the time spent (KS_ERR_TIMEOUT past it). *out is a new reference.
 * Fails with KS_ERR_DB / KS_ERR_NOMEM / KS_ERR_TIMEOUT. */
int ks_entities_suggest(struct ks_store *s, const char *prefix, const char *kind, int limit,
			int deadline_ms, json_t **out, struct ks_err *err);

/* One entity by any spelling or a CVE id: the same object shape as one
 * element of ks_entities_suggest's list (count may be 0) in *out (new
 * reference); KS_ERR_NOTFOUND when text is neither a gazetteer spelling
 * nor a CVE id. deadline_ms as for ks_entities_suggest. */
int ks_entity_info(struct ks_store *s, const char *text, int deadline_ms, json_t **out,
		   struct ks_err *err);

#endif
