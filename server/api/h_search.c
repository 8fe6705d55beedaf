/* h_search.c - GET /api/search: parameters -> ks_search_run -> the
 * library's JSON body. No SQL and no hit shaping here. Also the parsing of
 * the search parameters every query endpoint shares (trend, feed, CSV). */
#include "ksd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kensaku/search.h>

#include "cache.h"
#include "param.h"
#include "lease.h"

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
	if (ksd_param_flag(rq, "exact", &exact, rp) < 0 ||
	    ksd_param_flag(rq, "explain", &p->explain, rp) < 0)
		return -1;
	p->expand = !exact;
	return 0;
}

/* Appends a length-prefixed string (NULL distinct from "") to key. */
static size_t key_str(unsigned char *key, size_t at, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;

	memcpy(key + at, &n, sizeof(n));
	at += sizeof(n);
	if (s) {
		memcpy(key + at, s, n);
		at += n;
	}
	return at;
}

/* The cache key of p: every parameter that shapes the body, in a fixed
 * order; malloc'd, its length in *len; NULL on out of memory. */
static unsigned char *search_key(const struct ks_search_params *p, size_t *len)
{
	const char *strs[] = {p->q, p->section, p->from, p->to, p->entity};
	int ints[] = {p->limit, p->offset, (int)p->sort, p->expand, p->explain};
	size_t cap = sizeof(ints), at = 0;
	unsigned char *key;

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		cap += sizeof(uint32_t) + (strs[i] ? strlen(strs[i]) : 0);
	key = malloc(cap);
	if (!key)
		return NULL;
	memcpy(key, ints, sizeof(ints));
	at = sizeof(ints);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		at = key_str(key, at, strs[i]);
	*len = at;
	return key;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Every integer a query can hold: the range is ks_search_params_check's. */
#define ANY_INT 999999999

/* The parameters of a search from rq, checked; 0, or -1 with a 400 in rp. */
static int search_params(const struct ksd_req *rq, struct ks_search_params *p, struct ksd_reply *rp)
{
	const char *v;

	if (ksd_search_params_from(rq, p, rp) < 0)
		return -1;
	if (ksd_param_int(rq, "limit", -ANY_INT, ANY_INT, &p->limit) < 0) {
		ksd_reply_error(rp, 400, "bad_request", "limit must be an integer from 1 to %d",
				KS_LIMIT_MAX);
		return -1;
	}
	if (ksd_param_int(rq, "offset", -ANY_INT, ANY_INT, &p->offset) < 0) {
		ksd_reply_error(rp, 400, "bad_request", "offset must be an integer from 0 to %d",
				KS_OFFSET_MAX);
		return -1;
	}
	if ((v = ksd_req_param(rq, "sort")) && ks_sort_parse(v, &p->sort) != KS_OK) {
		ksd_reply_error(rp, 400, "bad_request", "sort must be relevance, newest or oldest");
		return -1;
	}
	if (ksd_search_params_valid(p, rp) < 0)
		return -1;
	return 0;
}

/* The cache's side of a search (cache.h): the key and the epoch read before
 * the lease, and the generation of the lease. */
struct cached {
	unsigned char *key; /* NULL: the cache is off */
	size_t klen;
	unsigned long tag, generation;
};

/* Replies from the cache when it holds the body of the search of lease's
 * snapshot, with this request's took_ms; 1 when it did, 0 on a miss. */
static int reply_cached(const struct cached *c, const struct ksd_lease *lease,
			const struct timespec *t0, struct ksd_reply *rp)
{
	int changed = 1;
	long long hits = 0;
	size_t len = 0, split = 0, blen = 0;
	char *v, *body;

	/* check the snapshot for commits; the epoch after that looks up */
	if (ks_store_data_changed(lease->store, &changed, NULL) != KS_OK || changed)
		ksd_cache_bump();
	v = ksd_cache_get(c->key, c->klen, lease->generation, ksd_cache_epoch(), &len, &split,
			  &hits);
	if (!v)
		return 0;
	body = ks_result_body_join(v, split, ms_since(t0), v + split, len - split, &blen);
	free(v);
	if (!body)
		return 0; /* out of memory: computed again */
	ksd_reply_body_new(rp, 200, KSD_CT_JSON, body, blen);
	rp->hits = hits;
	rp->x_cache = "HIT";
	return 1;
}

/* Replies with the body of res, storing it in the cache first (c->key). */
static void reply_result(const struct cached *c, const struct ks_result *res, struct ksd_reply *rp)
{
	char *head = NULL, *tail = NULL, *body = NULL;
	size_t hlen, tlen, blen = 0;

	rp->hits = (long long)res->n_hits;
	if (!c->key) {
		ksd_reply_json_new(rp, 200, ks_result_json(res));
		return;
	}
	if (ks_result_body_parts(res, &head, &tail) == 0) {
		hlen = strlen(head);
		tlen = strlen(tail);
		ksd_cache_put(c->key, c->klen, c->generation, c->tag, head, hlen, tail, tlen,
			      rp->hits);
		body = ks_result_body_join(head, hlen, res->took_ms, tail, tlen, &blen);
	}
	free(head);
	free(tail);
	if (!body) {
		ksd_reply_json_new(rp, 500, NULL);
		return;
	}
	ksd_reply_body_new(rp, 200, KSD_CT_JSON, body, blen);
	rp->x_cache = "MISS";
}

void ksd_h_search(const struct ksd_req *rq, struct ksd_reply *rp)
{
	struct ks_search_params p;
	struct ks_result *res = NULL;
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	struct timespec t0;
	struct cached c = {0};
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (search_params(rq, &p, rp) < 0)
		return;
	/* the rule of cache.h: the epoch read before the lease (whose read
	 * transaction is this request's snapshot) tags what it computes */
	if (ksd_cache_enabled()) {
		c.key = search_key(&p, &c.klen);
		c.tag = ksd_cache_epoch();
	}
	if (ksd_lease_or_reply(&lease, rp) < 0)
		goto out;
	c.generation = lease.generation;
	if (c.key && reply_cached(&c, &lease, &t0, rp)) {
		ksd_pool_release(&lease);
		goto out;
	}
	rc = ks_search_run(lease.store, &p, &res, &err);
	ksd_pool_release(&lease);
	if (rc != KS_OK)
		ksd_reply_rc(rp, rc, err.msg);
	else
		reply_result(&c, res, rp);
	ks_result_free(res);
out:
	free(c.key);
}
