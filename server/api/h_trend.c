/* h_trend.c - GET /api/trend: counts of matching items per month or year,
 * for the same filters as /api/search: the counts from ks_trend_run, the
 * body from the library's render layer (ks_trend_json). */
#include "ksd.h"

#include <kensaku/search.h>
#include <kensaku/trend.h>

#include "param.h"
#include "lease.h"

void ksd_h_trend(const struct ksd_req *rq, struct ksd_reply *rp)
{
	struct ks_search_params p;
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	enum ks_interval iv;
	struct ks_trend *t = NULL;
	int rc;

	if (ksd_search_params_from(rq, &p, rp) < 0)
		return;
	if (ks_interval_parse(ksd_req_param(rq, "interval"), &iv) != KS_OK) {
		ksd_reply_error(rp, 400, "bad_request", "interval must be month or year");
		return;
	}
	if (ksd_search_params_valid(&p, rp) < 0)
		return;
	if (ksd_lease_or_reply(&lease, rp) < 0)
		return;
	rc = ks_trend_run(lease.store, &p, iv, &t, &err);
	ksd_pool_release(&lease);
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	ksd_reply_json_new(rp, 200, ks_trend_json(t));
	ks_trend_free(t);
}
