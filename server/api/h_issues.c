/* h_issues.c - GET /api/issues/{n}: one whole issue (ks_issue_get), shaped
 * by the library's render layer (ks_issue_json).
 * n is decimal digits only (else 400); numbers past 18 digits can't exist
 * (404). The body is bounded by the limits of item.h: at most
 * KS_MAX_ISSUE_ITEMS items and KS_MAX_ISSUE_CHARS characters of text (at
 * most ~1.7 MB). An index built before the limits may hold more: such an
 * issue gets its first KS_MAX_ISSUE_ITEMS items and "truncated": true (one
 * had 1M items, a 118 MB body and a 2 GB server), and each item's strings
 * are cut to the limits. */
#include "ksd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kensaku/item.h>
#include <kensaku/search.h>

#include "lease.h"

/* Cuts every item of the issue body j to the limits; -1 on out of memory. */
static int clamp_items(json_t *j)
{
	json_t *items = json_object_get(j, "items"), *it;
	size_t i;

	json_array_foreach(items, i, it)
	{
		if (ks_item_json_clamp(it) < 0)
			return -1;
	}
	return 0;
}

void ksd_h_issue(const struct ksd_req *rq, const char *rest, struct ksd_reply *rp)
{
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	struct ks_issue_result *is = NULL;
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
	if (ksd_lease_or_reply(&lease, rp) < 0)
		return;
	rc = ks_issue_get(lease.store, num, &is, &err);
	ksd_pool_release(&lease);
	if (rc == KS_ERR_NOTFOUND) {
		ksd_reply_error(rp, 404, "not_found", "no issue %lld", num);
		return;
	}
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	j = ks_issue_json(is);
	ks_issue_result_free(is);
	if (j && clamp_items(j) < 0) {
		json_decref(j);
		j = NULL;
	}
	ksd_reply_json_new(rp, 200, j);
}
