/* h_entities.c - GET /api/entities?prefix=&kind=&limit= (autocomplete over
 * the CVE ids and gazetteer entities the index holds) and GET
 * /api/entities/{name} (one entity by any spelling or a CVE id). */
#include "ksd.h"

#include <string.h>

#include <kensaku/entities.h>

#include "param.h"
#include "pool.h"

void ksd_h_entities(const struct ksd_req *rq, struct ksd_reply *rp)
{
	const char *prefix = ksd_req_param(rq, "prefix");
	const char *kind = ksd_req_param(rq, "kind");
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	json_t *body = NULL;

	int limit = KS_SUGGEST_DEFAULT, rc;

	if (ksd_param_int(rq, "limit", 1, KS_SUGGEST_MAX, &limit) < 0) {
		ksd_reply_error(rp, 400, "bad_request", "limit must be an integer from 1 to %d",
				KS_SUGGEST_MAX);
		return;
	}
	if (kind && !ks_entity_kind_valid(kind)) {
		ksd_reply_error(rp, 400, "bad_request",
				"kind must be cve, vendor, product, actor, malware, vuln or org");
		return;
	}
	if (prefix && strlen(prefix) > KS_ENTITY_TEXT_MAX) {
		ksd_reply_error(rp, 400, "bad_request", "prefix is longer than %d bytes",
				KS_ENTITY_TEXT_MAX);
		return;
	}
	rc = ksd_pool_acquire(&lease, &err);
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	rc = ks_entities_suggest(lease.store, prefix ? prefix : "", kind, limit, rq->deadline_ms,
				 &body, &err);
	ksd_pool_release(&lease);
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	ksd_reply_json_new(rp, 200, body);
}

void ksd_h_entity(const struct ksd_req *rq, const char *rest, struct ksd_reply *rp)
{
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	json_t *body = NULL;
	int rc;

	if (!rest[0]) {
		ksd_reply_error(rp, 404, "not_found", "no entity named");
		return;
	}
	if (strlen(rest) > KS_ENTITY_TEXT_MAX) {
		ksd_reply_error(rp, 400, "bad_request", "an entity name is at most %d bytes",
				KS_ENTITY_TEXT_MAX);
		return;
	}
	rc = ksd_pool_acquire(&lease, &err);
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	rc = ks_entity_info(lease.store, rest, rq->deadline_ms, &body, &err);
	ksd_pool_release(&lease);
	if (rc == KS_ERR_NOTFOUND) {
		ksd_reply_error(rp, 404, "not_found", "no entity or CVE id by that name");
		return;
	}
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	ksd_reply_json_new(rp, 200, body);
}
