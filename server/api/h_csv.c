/* h_csv.c - GET /api/search.csv: every match of a search as CSV, one page
 * per response (ks_csv_page). Parameters: those of /api/search (q, section,
 * from, to, entity, exact), sort (default newest), limit (rows per page,
 * 1..10000, default 1000), cursor (from the previous page), bom (0|1: a
 * UTF-8 BOM before the header row, for Excel). When more rows remain the
 * reply carries `Link: <same URL with cursor=C>; rel="next"` and
 * `X-Next-Cursor: C`. */
#include "ksd.h"

#include <stdlib.h>
#include <string.h>

#include <kensaku/csv.h>
#include <kensaku/search.h>

#include "param.h"
#include "lease.h"

#define CT_CSV "text/csv; charset=utf-8; header=present"

/* Appends s percent-encoded (all but RFC 3986 unreserved bytes) to out at
 * *at; out has room for 3 * strlen(s) more bytes. */
static void encode(char *out, size_t *at, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			out[(*at)++] = (char)*p;
		} else {
			out[(*at)++] = '%';
			out[(*at)++] = hex[*p >> 4];
			out[(*at)++] = hex[*p & 15];
		}
	}
}

/* `</api/search.csv?...&cursor=C>; rel="next"`: the request's parameters
 * but its cursor, then the next one. malloc'd; NULL on out of memory. */
static char *next_link(const struct ksd_req *rq, const char *cursor)
{
	size_t i, need = 64 + 3 * strlen(cursor), at = 0;
	char *s;

	for (i = 0; i < rq->n_params; i++)
		need += 3 * (strlen(rq->params[i].key) + strlen(rq->params[i].value)) + 2;
	if (!(s = malloc(need)))
		return NULL;
	memcpy(s, "</api/search.csv?", 17);
	at = 17;
	for (i = 0; i < rq->n_params; i++) {
		if (!strcmp(rq->params[i].key, "cursor"))
			continue;
		encode(s, &at, rq->params[i].key);
		s[at++] = '=';
		encode(s, &at, rq->params[i].value);
		s[at++] = '&';
	}
	memcpy(s + at, "cursor=", 7);
	at += 7;
	encode(s, &at, cursor);
	memcpy(s + at, ">; rel=\"next\"", 14); /* with the NUL */
	return s;
}

void ksd_h_csv(const struct ksd_req *rq, struct ksd_reply *rp)
{
	struct ks_search_params p;
	struct ks_csv_opts o = {KS_CSV_LIMIT_DEFAULT, NULL, 0};
	struct ks_csv_page pg;
	struct ksd_lease lease;
	struct ks_err err = {{0}};
	const char *v;
	char *link;
	int rc;

	if (ksd_search_params_from(rq, &p, rp) < 0)
		return;
	p.sort = KS_SORT_NEWEST;
	if ((v = ksd_req_param(rq, "sort")) && ks_sort_parse(v, &p.sort) != KS_OK) {
		ksd_reply_error(rp, 400, "bad_request", "sort must be relevance, newest or oldest");
		return;
	}
	if (ksd_param_int(rq, "limit", 1, KS_CSV_LIMIT_MAX, &o.limit) < 0) {
		ksd_reply_error(rp, 400, "bad_request", "limit must be an integer from 1 to %d",
				KS_CSV_LIMIT_MAX);
		return;
	}
	if (ksd_param_int(rq, "bom", 0, 1, &o.bom) < 0) {
		ksd_reply_error(rp, 400, "bad_request", "bom must be 0 or 1");
		return;
	}
	o.cursor = ksd_req_param(rq, "cursor");
	if (ksd_search_params_valid(&p, rp) < 0)
		return;
	if (ksd_lease_or_reply(&lease, rp) < 0)
		return;
	rc = ks_csv_page(lease.store, &p, &o, &pg, &err);
	ksd_pool_release(&lease);
	if (rc != KS_OK) {
		ks_csv_page_clear(&pg);
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	link = pg.next[0] ? next_link(rq, pg.next) : NULL;
	if ((pg.next[0] && !link) ||
	    ksd_reply_header(rp, "Content-Disposition", "attachment; filename=\"kensaku.csv\"") <
		0 ||
	    ksd_reply_header(rp, "Access-Control-Expose-Headers", "Link, X-Next-Cursor") < 0 ||
	    (link && (ksd_reply_header(rp, "Link", link) < 0 ||
		      ksd_reply_header(rp, "X-Next-Cursor", pg.next) < 0))) {
		free(link);
		unsigned flags = rp->flags;

		ks_csv_page_clear(&pg);
		ksd_reply_clear(rp); /* drops the headers added so far */
		rp->flags = flags;
		ksd_reply_error(rp, 500, "internal", "out of memory");
		return;
	}
	free(link);
	ksd_reply_body_new(rp, 200, CT_CSV, pg.data, pg.len);
	rp->hits = pg.rows;
	pg.data = NULL;
	ks_csv_page_clear(&pg);
}
