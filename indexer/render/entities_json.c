/* entities_json.c - the JSON bodies of autocomplete (/api/entities) and
 * entity pages (/api/entities/NAME), from the hits of entities.h. */
#include "kensaku/entities.h"

json_t *ks_entity_hit_json(const struct ks_entity_hit *h)
{
	const struct ks_entity *e = h->e;
	json_t *sp = json_array();
	for (size_t i = 0; sp && e && i < e->n_spellings; i++)
		if (json_array_append_new(sp, json_string(e->spellings[i]))) {
			json_decref(sp);
			return NULL;
		}
	if (sp && !e && json_array_append_new(sp, json_string(h->cve))) {
		json_decref(sp);
		return NULL;
	}
	return sp ? json_pack("{s:s, s:s, s:I, s:o}", "name", ks_entity_hit_name(h), "kind",
			      ks_entity_hit_kind(h), "count", (json_int_t)h->count, "spellings", sp)
		  : NULL;
}

json_t *ks_entity_hits_json(const char *prefix, const struct ks_entity_hits *h)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < h->n; i++)
		if (json_array_append_new(list, ks_entity_hit_json(&h->v[i]))) {
			json_decref(list);
			list = NULL;
		}
	return list ? json_pack("{s:s, s:o}", "prefix", prefix ? prefix : "", "entities", list)
		    : NULL;
}
