/* h_items.c - GET /api/items/{id}: one item, shaped by the library.
 * Its strings are cut to the limits of item.h (ks_item_json_clamp), so the
 * body is at most ~140 KB even on an index built before the limits. */
#include "ksd.h"

#include <string.h>

#include <kensaku/item.h>
#include <kensaku/search.h>

#include "lease.h"

#define ID_MAX 47 /* struct ks_hit's id holds 48 bytes */

void ksd_h_item(const struct ksd_req *rq, const char *rest, struct ksd_reply *rp)
{
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	struct ks_hit *hit = NULL;
	size_t n = strlen(rest);
	int rc;

	(void)rq;
	if (n == 0 || n > ID_MAX || strchr(rest, '/')) {
		ksd_reply_error(rp, 404, "not_found", "no such item");
		return;
	}
	if (ksd_lease_or_reply(&lease, rp) < 0)
		return;
	rc = ks_item_get(lease.store, rest, &hit, &err);
	ksd_pool_release(&lease);
	if (rc == KS_ERR_NOTFOUND) {
		ksd_reply_error(rp, 404, "not_found", "no such item");
		return;
	}
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	json_t *j = ks_hit_json(hit, 0);
	ks_hit_free(hit);
	if (j && ks_item_json_clamp(j) < 0) {
		json_decref(j);
		j = NULL;
	}
	ksd_reply_json_new(rp, 200, j);
}
