/* router.c - the route table; OPTIONS, 404 and 405 for every route. */
#include "ksd.h"

#include <string.h>

#define ALLOW "GET, HEAD, OPTIONS"

struct route {
	const char *path; /* exact path, or a prefix when it ends with '/' */
	const char *label;
	unsigned flags;
	int heavy; /* reads the index per request: runs on a worker (admit.h) */
	void (*fn)(const struct ksd_req *rq, struct ksd_reply *rp);
	void (*fn_rest)(const struct ksd_req *rq, const char *rest, struct ksd_reply *rp);
};

static const struct route k_routes[] = {
    {"/api/search", "search", KSD_R_CORS, 1, ksd_h_search, NULL},
    {"/api/items/", "items", KSD_R_CORS, 1, NULL, ksd_h_item},
    {"/api/issues/", "issues", KSD_R_CORS, 1, NULL, ksd_h_issue},
    {"/api/search.csv", "csv", KSD_R_CORS, 1, ksd_h_csv, NULL},
    {"/api/trend", "trend", KSD_R_CORS, 1, ksd_h_trend, NULL},
    {"/api/entities", "entities", KSD_R_CORS, 1, ksd_h_entities, NULL},
    {"/api/entities/", "entity", KSD_R_CORS, 1, NULL, ksd_h_entity},
    {"/api/analyze", "analyze", KSD_R_CORS, 1, ksd_h_analyze, NULL},
    {"/feed.atom", "feed", KSD_R_CORS, 1, ksd_h_feed, NULL},
    {"/healthz", "healthz", KSD_R_CORS | KSD_R_NOSTORE, 0, ksd_h_healthz, NULL},
    {"/metrics", "metrics", KSD_R_NOSTORE, 0, ksd_h_metrics, NULL},
};

/* The route for path and the rest after a prefix route, or NULL. */
static const struct route *find(const char *path, const char **rest)
{
	size_t i;

	for (i = 0; i < sizeof(k_routes) / sizeof(k_routes[0]); i++) {
		const struct route *r = &k_routes[i];
		size_t n = strlen(r->path);

		if (r->path[n - 1] == '/') {
			if (strncmp(path, r->path, n) == 0) {
				*rest = path + n;
				return r;
			}
		} else if (strcmp(path, r->path) == 0) {
			*rest = "";
			return r;
		}
	}
	return NULL;
}

static int is_api(const char *path)
{
	return strcmp(path, "/api") == 0 || strncmp(path, "/api/", 5) == 0;
}

const char *ksd_router_heavy(const struct ksd_req *rq)
{
	const char *rest = "";
	const struct route *r = find(rq->path, &rest);

	if (!r || !r->heavy || (rq->method != KSD_GET && rq->method != KSD_HEAD))
		return NULL;
	return r->label;
}

int ksd_router_is_static(const struct ksd_req *rq)
{
	const char *rest = "";

	return !find(rq->path, &rest) && !is_api(rq->path) &&
	       (rq->method == KSD_GET || rq->method == KSD_HEAD);
}

void ksd_router_dispatch(const struct ksd_req *rq, struct ksd_reply *rp)
{
	const char *rest = "";
	const struct route *r = find(rq->path, &rest);
	int api = r || is_api(rq->path);

	rp->route = r ? r->label : api ? "other" : "static";
	rp->flags |= r ? r->flags : api ? KSD_R_CORS : KSD_R_STATIC;
	if (!r && api) {
		ksd_reply_error(rp, 404, "not_found", "no such API endpoint");
		return;
	}
	if (rq->method == KSD_OPTIONS) {
		rp->status = 204;
		rp->allow = ALLOW;
		return;
	}
	if (rq->method != KSD_GET && rq->method != KSD_HEAD) {
		ksd_reply_error(rp, 405, "method_not_allowed",
				"only GET, HEAD and OPTIONS are allowed here");
		rp->allow = ALLOW;
		return;
	}
	if (!r)
		ksd_h_static(rq, rp);
	else if (r->fn)
		r->fn(rq, rp);
	else
		r->fn_rest(rq, rest, rp);
}
