/* h_entities.c - GET /api/entities?prefix=&kind=&limit= (autocomplete over
 * the CVE ids and gazetteer entities the index holds) and GET
 * /api/entities/{name} (one entity by any spelling or a CVE id). */
#include "ksd.h"

#include <string.h>

#include <kensaku/entities.h>

#include "param.h"
#include "pool.h"

/* What one request asks: the entity called name, or (name NULL) the
 * autocomplete list of prefix, kind and limit. */
struct entity_ask {
	const char *name;
	const char *prefix;
	const char *kind;
	int limit;
};

/* Reads the answer to a under one lease and renders it into *body (a new
 * reference). The codes of ksd_pool_acquire, ks_entities_find and
 * ks_entity_lookup; KS_ERR_NOMEM when rendering fails. */
static int entity_body(const struct entity_ask *a, int deadline_ms, json_t **body,
		       struct ks_err *err)
{
	struct ksd_lease lease;
	struct ks_entity_hits hits;
	struct ks_entity_hit hit;
	int rc = ksd_pool_acquire(&lease, err);
	if (rc != KS_OK)
		return rc;
	if (a->name)
		rc = ks_entity_lookup(lease.store, a->name, deadline_ms, &hit, err);
	else
		rc = ks_entities_find(lease.store, a->prefix, a->kind, a->limit, deadline_ms, &hits,
				      err);
	ksd_pool_release(&lease);
	if (rc != KS_OK)
		return rc;
	if (a->name) {
		*body = ks_entity_hit_json(&hit);
		ks_entity_hit_clear(&hit);
	} else {
		*body = ks_entity_hits_json(a->prefix, &hits);
		ks_entity_hits_clear(&hits);
	}
	return *body ? KS_OK : ks_err_set(err, KS_ERR_NOMEM, "[entities] out of memory");
}

/* Answers a: 200 with its body, 404 when the entity is unknown, else the
 * error's reply. */
static void entity_reply(const struct ksd_req *rq, const struct entity_ask *a, struct ksd_reply *rp)
{
	struct ks_err err = {{0}};
	json_t *body = NULL;
	int rc = entity_body(a, rq->deadline_ms, &body, &err);
	if (rc == KS_ERR_NOTFOUND)
		ksd_reply_error(rp, 404, "not_found", "no entity or CVE id by that name");
	else if (rc != KS_OK)
		ksd_reply_rc(rp, rc, err.msg);
	else
		ksd_reply_json_new(rp, 200, body);
}

void ksd_h_entities(const struct ksd_req *rq, struct ksd_reply *rp)
{
	const char *prefix = ksd_req_param(rq, "prefix");
	struct entity_ask a = {NULL, prefix ? prefix : "", ksd_req_param(rq, "kind"),
			       KS_SUGGEST_DEFAULT};

	if (ksd_param_int(rq, "limit", 1, KS_SUGGEST_MAX, &a.limit) < 0) {
		ksd_reply_error(rp, 400, "bad_request", "limit must be an integer from 1 to %d",
				KS_SUGGEST_MAX);
		return;
	}
	if (a.kind && !ks_entity_kind_valid(a.kind)) {
		ksd_reply_error(rp, 400, "bad_request",
				"kind must be cve, vendor, product, actor, malware, vuln or org");
		return;
	}
	if (strlen(a.prefix) > KS_ENTITY_TEXT_MAX) {
		ksd_reply_error(rp, 400, "bad_request", "prefix is longer than %d bytes",
				KS_ENTITY_TEXT_MAX);
		return;
	}
	entity_reply(rq, &a, rp);
}

void ksd_h_entity(const struct ksd_req *rq, const char *rest, struct ksd_reply *rp)
{
	struct entity_ask a = {rest, NULL, NULL, 0};

	if (!rest[0]) {
		ksd_reply_error(rp, 404, "not_found", "no entity named");
		return;
	}
	if (strlen(rest) > KS_ENTITY_TEXT_MAX) {
		ksd_reply_error(rp, 400, "bad_request", "an entity name is at most %d bytes",
				KS_ENTITY_TEXT_MAX);
		return;
	}
	entity_reply(rq, &a, rp);
}
