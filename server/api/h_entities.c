/* h_entities.c - GET /api/entities?prefix=&kind=&limit= (autocomplete over
 * the CVE ids and gazetteer entities the index holds) and GET
 * /api/entities/{name} (one entity by any spelling or a CVE id). */
#include "ksd.h"

#include <string.h>

#include <kensaku/entities.h>

#include "pool.h"

/* Parses limit: absent -> default, else 1..KS_SUGGEST_MAX; 0 on success. */
static int parse_limit(const char *v, int *out)
{
	int n = 0, digits = 0;

	*out = KS_SUGGEST_DEFAULT;
	if (!v)
		return 0;
	for (; *v; v++, digits++) {
		if (*v < '0' || *v > '9' || digits >= 3)
			return -1;
		n = n * 10 + (*v - '0');
	}
	if (n < 1 || n > KS_SUGGEST_MAX)
		return -1;
	*out = n;
	return 0;
}

void ksd_h_entities(const struct ksd_req *rq, struct ksd_reply *rp)
{
	const char *prefix = ksd_req_param(rq, "prefix");
	const char *kind = ksd_req_param(rq, "kind");
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	json_t *body = NULL;
	int limit, rc;

	if (parse_limit(ksd_req_param(rq, "limit"), &limit) < 0) {
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
