/* h_health.c - GET /healthz (is the index readable, how big, which
 * generation; the body is the render layer's ks_health_json) and GET
 * /metrics (Prometheus text). */
#include "ksd.h"

#include <kensaku/search.h>
#include <kensaku/store.h>

#include "admit.h"
#include "metrics.h"
#include "pool.h"

void ksd_h_healthz(const struct ksd_req *rq, struct ksd_reply *rp)
{
	struct ksd_lease lease;
	struct ks_store_stats st;
	struct ks_err err = {{0}};
	int rc, stale;

	(void)rq;
	rc = ksd_pool_acquire(&lease, &err);
	if (rc != KS_OK) {
		ksd_reply_error(rp, 503, "unavailable", "the index can't be opened");
		return;
	}
	rc = ks_store_stats(lease.store, &st, &err);
	stale = rc == KS_OK && ks_store_check_version(lease.store, NULL) == KS_ERR_VERSION;
	ksd_pool_release(&lease);
	if (rc != KS_OK) {
		ksd_reply_error(rp, 503, "unavailable", "the index can't be read");
		return;
	}
	ksd_reply_json_new(rp, 200, ks_health_json(&st, lease.generation, stale));
}

void ksd_h_metrics(const struct ksd_req *rq, struct ksd_reply *rp)
{
	struct ksd_gauges g = {-1, 0, 0, 0, 0, 0, 0, 0};
	struct ksd_admit_stats as;
	struct ksd_lease lease;
	struct ks_store_stats st;
	size_t len = 0;
	char *text;

	(void)rq;
	if (ksd_pool_acquire(&lease, NULL) == KS_OK) {
		if (ks_store_stats(lease.store, &st, NULL) == KS_OK)
			g.items = st.items;
		g.reindex_needed = ks_store_check_version(lease.store, NULL) == KS_ERR_VERSION;
		ksd_pool_release(&lease);
	}
	g.generation = ksd_pool_generation();
	ksd_admit_stats(&as);
	g.queued = as.queued;
	g.running = as.running;
	g.workers = as.workers;
	g.queue_max = as.queue_max;
	g.rejected = as.rejected;
	text = ksd_metrics_render(&g, &len);
	if (!text) {
		ksd_reply_error(rp, 500, "internal", "out of memory");
		return;
	}
	ksd_reply_body_new(rp, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}
