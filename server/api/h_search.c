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
#include "pool.h"

/* Parses an optionally negative decimal integer of at most 9 digits (no
 * spaces, no '+'); 1 on success. */
static int parse_int(const char *s, int *out)
{
	int neg = 0, n = 0, digits = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s; s++, digits++) {
		if (*s < '0' || *s > '9' || digits >= 9)
			return 0;
		n = n * 10 + (*s - '0');
	}
	if (!digits)
		return 0;
	*out = neg ? -n : n;
	return 1;
}

/* Parses a boolean parameter: absent, "0" or "false" -> 0; "1" or "true"
 * -> 1; anything else is a 400 naming it. 0 on success. */
static int parse_flag(const struct ksd_req *rq, const char *name, int *out, struct ksd_reply *rp)
{
	const char *v = ksd_req_param(rq, name);

	*out = 0;
	if (!v || !strcmp(v, "0") || !strcmp(v, "false"))
		return 0;
	if (!strcmp(v, "1") || !strcmp(v, "true")) {
		*out = 1;
		return 0;
	}
	ksd_reply_error(rp, 400, "bad_request", "%s must be 0 or 1", name);
	return -1;
}

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
	if (parse_flag(rq, "exact", &exact, rp) < 0 ||
	    parse_flag(rq, "explain", &p->explain, rp) < 0)
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

void ksd_h_search(const struct ksd_req *rq, struct ksd_reply *rp)
{
	struct ks_search_params p;
	struct ks_result *res = NULL;
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	struct timespec t0;
	unsigned char *key = NULL;
	size_t klen = 0;
	unsigned long tag = 0;
	const char *v;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);

	if (ksd_search_params_from(rq, &p, rp) < 0)
		return;
	if ((v = ksd_req_param(rq, "limit")) && !parse_int(v, &p.limit)) {
		ksd_reply_error(rp, 400, "bad_request", "limit must be an integer from 1 to %d",
				KS_LIMIT_MAX);
		return;
	}
	if ((v = ksd_req_param(rq, "offset")) && !parse_int(v, &p.offset)) {
		ksd_reply_error(rp, 400, "bad_request", "offset must be an integer from 0 to %d",
				KS_OFFSET_MAX);
		return;
	}
	if ((v = ksd_req_param(rq, "sort")) && ks_sort_parse(v, &p.sort) != KS_OK) {
		ksd_reply_error(rp, 400, "bad_request", "sort must be relevance, newest or oldest");
		return;
	}
	if (ks_search_params_check(&p, &err) != KS_OK) {
		ksd_reply_error(rp, 400, "bad_request", "%s",
				err.msg[0] ? err.msg : "bad search parameter");
		return;
	}
	/* the rule of cache.h: the epoch read before the lease (whose read
	 * transaction is this request's snapshot) tags what it computes */
	if (ksd_cache_enabled()) {
		key = search_key(&p, &klen);
		tag = ksd_cache_epoch();
	}
	rc = ksd_pool_acquire(&lease, &err);
	if (rc != KS_OK) {
		free(key);
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	if (key) {
		int changed = 1;
		long long hits = 0;
		size_t len = 0;
		char *body;

		/* then check the snapshot for commits; the epoch after that
		 * looks up */
		if (ks_store_data_changed(lease.store, &changed, NULL) != KS_OK || changed)
			ksd_cache_bump();
		body = ksd_cache_get(key, klen, lease.generation, ksd_cache_epoch(), ms_since(&t0),
				     &len, &hits);
		if (body) {
			ksd_pool_release(&lease);
			free(key);
			ksd_reply_body_new(rp, 200, KSD_CT_JSON, body, len);
			rp->hits = hits;
			rp->x_cache = "HIT";
			return;
		}
	}
	rc = ks_search_run(lease.store, &p, &res, &err);
	ksd_pool_release(&lease);
	if (rc != KS_OK) {
		free(key);
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	rp->hits = (long long)res->n_hits;
	if (key) {
		json_t *j = ks_result_json(res);
		char *body = j ? ks_json_body(j) : NULL;

		json_decref(j);
		if (body) {
			size_t len = strlen(body);

			ksd_cache_put(key, klen, lease.generation, tag, body, len, rp->hits);
			ksd_reply_body_new(rp, 200, KSD_CT_JSON, body, len);
			rp->x_cache = "MISS";
		} else {
			ksd_reply_json_new(rp, 500, NULL);
		}
		free(key);
	} else {
		ksd_reply_json_new(rp, 200, ks_result_json(res));
	}
	ks_result_free(res);
}
