/* h_issues.c - GET /api/issues/{n}: one whole issue, shaped by the library.
 * n is decimal digits only (else 400); numbers past 18 digits can't exist
 * (404). */
#include "ksd.h"

#include <stdlib.h>
#include <string.h>

#include <kensaku/search.h>

#include "pool.h"

void ksd_h_issue(const struct ksd_req *rq, const char *rest, struct ksd_reply *rp)
{
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	json_t *j = NULL;
	size_t i, n = strlen(rest);
	long long num = 0;
	int rc;

	(void)rq;
	if (n == 0 || strchr(rest, '/')) {
		ksd_reply_error(rp, 404, "not_found", "no such issue");
		return;
	}
	for (i = 0; i < n; i++) {
		if (rest[i] < '0' || rest[i] > '9') {
			ksd_reply_error(rp, 400, "bad_request",
					"the issue number must be a positive integer");
			return;
		}
	}
	if (n > 18) {
		ksd_reply_error(rp, 404, "not_found", "no such issue");
		return;
	}
	num = strtoll(rest, NULL, 10);
	rc = ksd_pool_acquire(&lease, &err);
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	rc = ks_issue_json(lease.store, num, &j, &err);
	ksd_pool_release(&lease);
	if (rc == KS_ERR_NOTFOUND) {
		ksd_reply_error(rp, 404, "not_found", "no issue %lld", num);
		return;
	}
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	ksd_reply_json_new(rp, 200, j);
}
