/* metrics.c - kensaku_requests_total{route,status}, the
 * kensaku_request_duration_seconds histogram per route, and gauges. */
#include "metrics.h"

#include "cache.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kensaku/buf.h>

#ifndef KS_VERSION
#define KS_VERSION "0"
#endif

/* Every label router.c gives a route, then "static" and "other". */
static const char *const k_routes[] = {"search",   "items",  "issues",	"csv",	"trend",
				       "entities", "entity", "analyze", "feed", "healthz",
				       "metrics",  "static", "other"};
#define N_ROUTES (sizeof(k_routes) / sizeof(k_routes[0]))
#define ROUTE_OTHER (N_ROUTES - 1)

static const double k_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				  0.1,	  0.25,	 0.5,	 1,	2.5,  5,     10};
#define N_BOUNDS (sizeof(k_bounds) / sizeof(k_bounds[0]))

#define STATUS_MIN 100
#define STATUS_N 500	     /* 100..599 */
#define STATUS_NONE STATUS_N /* status 0: ended without a response of ours */

static atomic_ullong g_count[N_ROUTES][STATUS_N + 1];
static atomic_ullong g_refused;
static atomic_ullong g_bucket[N_ROUTES][N_BOUNDS + 1]; /* last: +Inf only */
static atomic_ullong g_sum_ns[N_ROUTES];
static atomic_ullong g_total[N_ROUTES];
static atomic_llong g_in_flight;

void ksd_metrics_start(void)
{
	atomic_fetch_add(&g_in_flight, 1);
}

long long ksd_metrics_in_flight(void)
{
	return atomic_load(&g_in_flight);
}

static size_t route_index(const char *route)
{
	size_t i;

	for (i = 0; route && i < N_ROUTES; i++)
		if (strcmp(route, k_routes[i]) == 0)
			return i;
	return ROUTE_OTHER;
}

void ksd_metrics_refused(void)
{
	atomic_fetch_add(&g_refused, 1);
}

void ksd_metrics_observe(const char *route, int status, double seconds)
{
	size_t r = route_index(route), b, s;

	if (status != 0 && (status < STATUS_MIN || status >= STATUS_MIN + STATUS_N))
		status = 500;
	s = status == 0 ? STATUS_NONE : (size_t)(status - STATUS_MIN);
	if (seconds < 0)
		seconds = 0;
	atomic_fetch_add(&g_count[r][s], 1);
	for (b = 0; b < N_BOUNDS && seconds > k_bounds[b]; b++)
		;
	atomic_fetch_add(&g_bucket[r][b], 1);
	atomic_fetch_add(&g_sum_ns[r], (unsigned long long)(seconds * 1e9));
	atomic_fetch_add(&g_total[r], 1);
	atomic_fetch_sub(&g_in_flight, 1);
}

#define RENDER_MAX ((size_t)1 << 20) /* the text's cap: 1 MiB */

/* kensaku_requests_total: every route and status seen. */
static void render_requests(struct ks_buf *t)
{
	ks_buf_str(t, "# HELP kensaku_requests_total HTTP requests served, by route and status.\n"
		      "# TYPE kensaku_requests_total counter\n");
	for (size_t r = 0; r < N_ROUTES; r++)
		for (size_t s = 0; s <= STATUS_N; s++) {
			unsigned long long c = atomic_load(&g_count[r][s]);

			if (c)
				ks_buf_printf(
				    t, "kensaku_requests_total{route=\"%s\",status=\"%zu\"} %llu\n",
				    k_routes[r], s == STATUS_NONE ? 0 : s + STATUS_MIN, c);
		}
}

/* kensaku_request_duration_seconds: one histogram per route. */
static void render_durations(struct ks_buf *t)
{
	ks_buf_str(t,
		   "# HELP kensaku_request_duration_seconds Time to answer a request, by route.\n"
		   "# TYPE kensaku_request_duration_seconds histogram\n");
	for (size_t r = 0; r < N_ROUTES; r++) {
		unsigned long long cum = 0, total = atomic_load(&g_total[r]);

		for (size_t b = 0; b < N_BOUNDS; b++) {
			cum += atomic_load(&g_bucket[r][b]);
			ks_buf_printf(
			    t,
			    "kensaku_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} "
			    "%llu\n",
			    k_routes[r], k_bounds[b], cum);
		}
		cum += atomic_load(&g_bucket[r][N_BOUNDS]);
		if (cum > total)
			total = cum; /* a request counted between the two loads */
		ks_buf_printf(
		    t, "kensaku_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
		    k_routes[r], total);
		ks_buf_printf(t, "kensaku_request_duration_seconds_sum{route=\"%s\"} %.9f\n",
			      k_routes[r], (double)atomic_load(&g_sum_ns[r]) / 1e9);
		ks_buf_printf(t, "kensaku_request_duration_seconds_count{route=\"%s\"} %llu\n",
			      k_routes[r], total);
	}
}

/* The index, in-flight, admission and reindex gauges of g. */
static void render_gauges(struct ks_buf *t, const struct ksd_gauges *g)
{
	ks_buf_printf(t,
		      "# HELP kensaku_items Items in the index.\n# TYPE kensaku_items gauge\n"
		      "kensaku_items %lld\n",
		      g->items);
	ks_buf_printf(
	    t,
	    "# HELP kensaku_index_generation Index generations seen since start (+1 per "
	    "switch).\n# TYPE kensaku_index_generation gauge\nkensaku_index_generation %lu\n",
	    g->generation);
	ks_buf_printf(t,
		      "# HELP kensaku_requests_in_flight Requests being served.\n"
		      "# TYPE kensaku_requests_in_flight gauge\nkensaku_requests_in_flight %lld\n",
		      atomic_load(&g_in_flight));
	ks_buf_printf(
	    t,
	    "# HELP kensaku_admission_queued Heavy requests waiting for a worker.\n"
	    "# TYPE kensaku_admission_queued gauge\nkensaku_admission_queued %ld\n"
	    "# HELP kensaku_admission_running Heavy requests on a worker now.\n"
	    "# TYPE kensaku_admission_running gauge\nkensaku_admission_running %ld\n"
	    "# HELP kensaku_admission_workers Worker threads for heavy requests.\n"
	    "# TYPE kensaku_admission_workers gauge\nkensaku_admission_workers %u\n"
	    "# HELP kensaku_admission_queue_max Heavy requests that may wait.\n"
	    "# TYPE kensaku_admission_queue_max gauge\nkensaku_admission_queue_max %u\n"
	    "# HELP kensaku_admission_rejected_total Heavy requests refused (queue full).\n"
	    "# TYPE kensaku_admission_rejected_total counter\n"
	    "kensaku_admission_rejected_total %llu\n"
	    "# HELP kensaku_connections_refused_total Connections refused: the address "
	    "held its limit.\n# TYPE kensaku_connections_refused_total counter\n"
	    "kensaku_connections_refused_total %llu\n",
	    g->queued, g->running, g->workers, g->queue_max, g->rejected,
	    (unsigned long long)atomic_load(&g_refused));
	ks_buf_printf(
	    t,
	    "# HELP kensaku_reindex_needed 1 when the index was built by another tokenizer or "
	    "ICU.\n# TYPE kensaku_reindex_needed gauge\nkensaku_reindex_needed %d\n",
	    g->reindex_needed ? 1 : 0);
}

/* The search cache's counters and gauges. */
static void render_cache(struct ks_buf *t)
{
	struct ksd_cache_stats cs;

	ksd_cache_stats(&cs);
	ks_buf_printf(
	    t,
	    "# HELP kensaku_search_cache_hits_total Searches answered from the cache.\n"
	    "# TYPE kensaku_search_cache_hits_total counter\n"
	    "kensaku_search_cache_hits_total %llu\n"
	    "# HELP kensaku_search_cache_misses_total Searches the cache could not "
	    "answer.\n"
	    "# TYPE kensaku_search_cache_misses_total counter\n"
	    "kensaku_search_cache_misses_total %llu\n"
	    "# HELP kensaku_search_cache_evictions_total Entries evicted for space.\n"
	    "# TYPE kensaku_search_cache_evictions_total counter\n"
	    "kensaku_search_cache_evictions_total %llu\n"
	    "# HELP kensaku_search_cache_bytes Bytes held by the search cache.\n"
	    "# TYPE kensaku_search_cache_bytes gauge\nkensaku_search_cache_bytes %zu\n"
	    "# HELP kensaku_search_cache_entries Entries in the search cache.\n"
	    "# TYPE kensaku_search_cache_entries gauge\nkensaku_search_cache_entries %zu\n"
	    "# HELP kensaku_search_cache_max_bytes The cache's size limit (0: off).\n"
	    "# TYPE kensaku_search_cache_max_bytes gauge\n"
	    "kensaku_search_cache_max_bytes %zu\n",
	    cs.hits, cs.misses, cs.evictions, cs.bytes, cs.entries, cs.max_bytes);
}

char *ksd_metrics_render(const struct ksd_gauges *g, size_t *len)
{
	struct ks_buf t = {.max = RENDER_MAX};

	render_requests(&t);
	render_durations(&t);
	render_gauges(&t, g);
	render_cache(&t);
	ks_buf_printf(
	    &t,
	    "# HELP kensaku_build_info The running version.\n# TYPE kensaku_build_info gauge\n"
	    "kensaku_build_info{version=\"%s\"} 1\n",
	    KS_VERSION);
	*len = t.len;
	return ks_buf_take(&t);
}
