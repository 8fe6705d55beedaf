/* h_feed.c - GET /feed.atom?q=&section=&from=&to=&entity=&exact=&limit=:
 * the newest matching items as an Atom feed (ks_feed_atom), with an ETag
 * of the body so feed readers polling it get 304 while nothing changed.
 *
 * Absolute URLs in the feed start with http:// and the request's Host
 * header when it is a valid host[:port] (a name, IPv4 or [IPv6] literal),
 * else the address the connection was accepted on (the listen address). */
#include "ksd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kensaku/build.h>
#include <kensaku/feed.h>
#include <kensaku/search.h>

#include "param.h"
#include "lease.h"

#define CT_ATOM "application/atom+xml; charset=utf-8"

void ksd_h_feed(const struct ksd_req *rq, struct ksd_reply *rp)
{
	struct ks_search_params p;
	struct ks_feed_opts o;
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	char base[300], hash[33];
	char *body = NULL;
	size_t len = 0;
	int rc;

	if (ksd_search_params_from(rq, &p, rp) < 0)
		return;
	o.limit = KS_FEED_LIMIT_DEFAULT;
	if (ksd_param_int(rq, "limit", 1, KS_FEED_LIMIT_MAX, &o.limit) < 0) {
		ksd_reply_error(rp, 400, "bad_request", "limit must be an integer from 1 to %d",
				KS_FEED_LIMIT_MAX);
		return;
	}
	if (ksd_search_params_valid(&p, rp) < 0)
		return;
	ksd_base_url(rq, base, sizeof(base));
	o.base = base;
	if (ksd_lease_or_reply(&lease, rp) < 0)
		return;
	rc = ks_feed_atom(lease.store, &p, &o, &body, &len, &err);
	ksd_pool_release(&lease);
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	ks_hash_hex(body, len, hash);
	snprintf(rp->etag, sizeof(rp->etag), "\"%s\"", hash);
	rp->cache_control = "no-cache";
	if (rq->if_none_match && ksd_etag_matches(rq->if_none_match, rp->etag)) {
		free(body);
		rp->status = 304;
		return;
	}
	ksd_reply_body_new(rp, 200, CT_ATOM, body, len);
}
