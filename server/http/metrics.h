/* metrics.h - request counters and latency histograms, rendered in the
 * Prometheus text exposition format (version 0.0.4).
 *
 * Counters are lock-free atomics, updated once per finished request. */
#ifndef KSD_METRICS_H
#define KSD_METRICS_H

#include <stddef.h>

/* Values sampled at scrape time. */
struct ksd_gauges {
	long long items;	  /* items in the index, -1 when unknown */
	unsigned long generation; /* the pool's generation number */
	int reindex_needed;	  /* 1 when the index's tokenizer/ICU differ */
	long queued, running;	  /* admission: waiting for / on a worker */
	unsigned workers, queue_max;
	unsigned long long rejected; /* admission: refused, queue full */
};

/* Marks a request as started (in flight until its ksd_metrics_observe).
 * Can't fail. */
void ksd_metrics_start(void);

/* Counts one connection refused by the per-address limit. Can't fail. */
void ksd_metrics_refused(void);

/* Requests started and not yet observed. */
long long ksd_metrics_in_flight(void);

/* Counts one request of route (a router label; unknown labels count as
 * "other") that ended with status after seconds, and ends its in-flight
 * mark: call exactly once per ksd_metrics_start. Status 0 (counted as
 * status="0") is a request that ended without a response of ours; other
 * statuses outside 100..599 count as 500. Can't fail. */
void ksd_metrics_observe(const char *route, int status, double seconds);

/* Renders every metric; returns a malloc'd NUL-terminated text (length in
 * *len) or NULL on out of memory. */
char *ksd_metrics_render(const struct ksd_gauges *g, size_t *len);

#endif
