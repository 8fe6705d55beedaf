/* h_search.c - GET /api/search: parameters -> ks_search_run -> the
 * library's JSON body. No SQL and no hit shaping here. Also the parsing of
 * the search parameters every query endpoint shares (trend, feed, CSV). */
#include "ksd.h"

#include <stdlib.h>
#include <string.h>

#include <kensaku/search.h>

#include "pool.h"

/* Parses an optionally negative decimal integer of at most 9 digits (no
 * spaces, no '+'); 1 on success. */
static int parse_int(const char *s, int *out)
{
	int neg = 0, n = 0, digits = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s; s++, digits++) {
		if (*s < '0' || *s > '9' || digits >= 9)
			return 0;
		n = n * 10 + (*s - '0');
	}
	if (!digits)
		return 0;
	*out = neg ? -n : n;
	return 1;
}

/* Parses a boolean parameter: absent, "0" or "false" -> 0; "1" or "true"
 * -> 1; anything else is a 400 naming it. 0 on success. */
static int parse_flag(const struct ksd_req *rq, const char *name, int *out, struct ksd_reply *rp)
{
	const char *v = ksd_req_param(rq, name);

	*out = 0;
	if (!v || !strcmp(v, "0") || !strcmp(v, "false"))
		return 0;
	if (!strcmp(v, "1") || !strcmp(v, "true")) {
		*out = 1;
		return 0;
	}
	ksd_reply_error(rp, 400, "bad_request", "%s must be 0 or 1", name);
	return -1;
}

int ksd_search_params_from(const struct ksd_req *rq, struct ks_search_params *p,
			   struct ksd_reply *rp)
{
	int exact = 0;

	ks_search_params_init(p);
	p->q = ksd_req_param(rq, "q");
	p->section = ksd_req_param(rq, "section");
	p->from = ksd_req_param(rq, "from");
	p->to = ksd_req_param(rq, "to");
	p->entity = ksd_req_param(rq, "entity");
	p->deadline_ms = rq->deadline_ms;
	if (parse_flag(rq, "exact", &exact, rp) < 0 ||
	    parse_flag(rq, "explain", &p->explain, rp) < 0)
		return -1;
	p->expand = !exact;
	return 0;
}

void ksd_h_search(const struct ksd_req *rq, struct ksd_reply *rp)
{
	struct ks_search_params p;
	struct ks_result *res = NULL;
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	const char *v;
	int rc;

	if (ksd_search_params_from(rq, &p, rp) < 0)
		return;
	if ((v = ksd_req_param(rq, "limit")) && !parse_int(v, &p.limit)) {
		ksd_reply_error(rp, 400, "bad_request", "limit must be an integer from 1 to %d",
				KS_LIMIT_MAX);
		return;
	}
	if ((v = ksd_req_param(rq, "offset")) && !parse_int(v, &p.offset)) {
		ksd_reply_error(rp, 400, "bad_request", "offset must be an integer from 0 to %d",
				KS_OFFSET_MAX);
		return;
	}
	if ((v = ksd_req_param(rq, "sort")) && ks_sort_parse(v, &p.sort) != KS_OK) {
		ksd_reply_error(rp, 400, "bad_request", "sort must be relevance, newest or oldest");
		return;
	}
	if (ks_search_params_check(&p, &err) != KS_OK) {
		ksd_reply_error(rp, 400, "bad_request", "%s",
				err.msg[0] ? err.msg : "bad search parameter");
		return;
	}
	rc = ksd_pool_acquire(&lease, &err);
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	rc = ks_search_run(lease.store, &p, &res, &err);
	ksd_pool_release(&lease);
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	ksd_reply_json_new(rp, 200, ks_result_json(res));
	rp->hits = (long long)res->n_hits;
	ks_result_free(res);
}
