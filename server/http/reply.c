/* reply.c - reply helpers for handlers and the MHD response builder. */
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include <kensaku/err.h>
#include <kensaku/search.h>

#include "log.h"

#define CT_JSON KSD_CT_JSON
#define CSP                                                                                        \
	"default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; "          \
	"base-uri 'none'; frame-ancestors 'none'"
/* Served when even the error body can't be built (out of memory). */
static const char k_oom_body[] =
    "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";

void ksd_reply_init(struct ksd_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
	r->fd = -1;
	r->hits = -1;
}

void ksd_reply_clear(struct ksd_reply *r)
{
	const char *route;

	if (!r)
		return;
	route = r->route;
	json_decref(r->json);
	free(r->body);
	if (r->fd >= 0)
		close(r->fd);
	for (size_t i = 0; i < r->n_extra; i++)
		free(r->extra[i].value);
	ksd_reply_init(r);
	r->route = route;
}

int ksd_reply_header(struct ksd_reply *r, const char *name, const char *value)
{
	char *v;

	if (r->n_extra == KSD_EXTRA_HEADERS || !(v = strdup(value)))
		return -1;
	r->extra[r->n_extra].name = name;
	r->extra[r->n_extra].value = v;
	r->n_extra++;
	return 0;
}

/* Drops any body r holds, keeping flags, route and headers. */
static void drop_body(struct ksd_reply *r)
{
	json_decref(r->json);
	r->json = NULL;
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->content_type = NULL;
	r->etag[0] = '\0';
}

void ksd_reply_body_new(struct ksd_reply *r, int status, const char *content_type, char *body,
			size_t len)
{
	char etag[sizeof(r->etag)];

	memcpy(etag, r->etag, sizeof(etag));
	drop_body(r);
	memcpy(r->etag, etag, sizeof(etag));
	r->status = status;
	r->body = body;
	r->body_len = len;
	r->content_type = content_type;
}

void ksd_reply_json_new(struct ksd_reply *r, int status, json_t *j)
{
	drop_body(r);
	if (!j) {
		r->status = 500;
		r->json = ks_error_json("internal", "out of memory");
		r->content_type = CT_JSON;
		return;
	}
	r->status = status;
	r->json = j;
	r->content_type = CT_JSON;
}

void ksd_reply_error(struct ksd_reply *r, int status, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); /* a cut message is still a message */
	va_end(ap);
	ksd_reply_json_new(r, status, ks_error_json(code, msg));
	r->hits = -1;
}

void ksd_reply_rc(struct ksd_reply *r, int rc, const char *msg)
{
	switch (rc) {
	case KS_ERR_TIMEOUT:
		ksd_reply_error(r, 503, "timeout", "the query took too long; try a narrower one");
		break;
	case KS_ERR_NOTFOUND:
		ksd_reply_error(r, 404, "not_found", "%s", msg && msg[0] ? msg : "not found");
		break;
	case KS_ERR_ARG:
		ksd_reply_error(r, 400, "bad_request", "%s",
				msg && msg[0] ? msg : "bad request parameter");
		break;
	case KS_ERR_IO:
	case KS_ERR_CORRUPT:
	case KS_ERR_VERSION:
	case KS_ERR_BUSY:
		ksd_log_info("reply", "%s: %s", ks_rc_name(rc), msg ? msg : "");
		ksd_reply_error(r, 503, "unavailable", "the index is not available right now");
		break;
	default:
		ksd_log_info("reply", "%s: %s", ks_rc_name(rc), msg ? msg : "");
		ksd_reply_error(r, 500, "internal", "internal error (%s)", ks_rc_name(rc));
		break;
	}
}

static void add(struct MHD_Response *resp, const char *name, const char *value)
{
	/* Fails only on out of memory or a bad header name; the reply goes out
	 * without that header. */
	(void)MHD_add_response_header(resp, name, value);
}

int ksd_reply_queue(struct MHD_Connection *c, struct ksd_reply *rp, int closing)
{
	struct MHD_Response *resp = NULL;
	enum MHD_Result ret;

	if (rp->fd >= 0) {
		resp = MHD_create_response_from_fd64(rp->fd_size, rp->fd);
		if (resp)
			rp->fd = -1; /* the response owns it now */
	} else if (rp->json) {
		char *s = ks_json_body(rp->json); /* the CLI's exact bytes */

		if (s) {
			resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
			if (!resp)
				free(s);
		}
	} else if (rp->body) {
		resp =
		    MHD_create_response_from_buffer(rp->body_len, rp->body, MHD_RESPMEM_MUST_FREE);
		if (resp)
			rp->body = NULL;
	} else {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!resp) {
		rp->status = 500;
		rp->content_type = CT_JSON;
		resp = MHD_create_response_from_buffer(sizeof(k_oom_body) - 1, (void *)k_oom_body,
						       MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return 0;
	}
	if (rp->content_type && rp->status != 204 && rp->status != 304)
		add(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rp->content_type);
	add(resp, "X-Content-Type-Options", "nosniff");
	if (rp->etag[0])
		add(resp, MHD_HTTP_HEADER_ETAG, rp->etag);
	if (rp->flags & KSD_R_NOSTORE)
		add(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	else if (rp->cache_control)
		add(resp, MHD_HTTP_HEADER_CACHE_CONTROL, rp->cache_control);
	if (rp->allow)
		add(resp, MHD_HTTP_HEADER_ALLOW, rp->allow);
	if (rp->x_cache)
		add(resp, "X-Cache", rp->x_cache);
	for (size_t i = 0; i < rp->n_extra; i++)
		add(resp, rp->extra[i].name, rp->extra[i].value);
	if (rp->flags & KSD_R_CORS) {
		add(resp, "Access-Control-Allow-Origin", "*");
		if (rp->status == 204 && rp->allow) {
			add(resp, "Access-Control-Allow-Methods", rp->allow);
			add(resp, "Access-Control-Allow-Headers", "Content-Type, If-None-Match");
			add(resp, "Access-Control-Max-Age", "86400");
		}
	}
	if (rp->flags & KSD_R_STATIC) {
		add(resp, "Content-Security-Policy", CSP);
		add(resp, "X-Frame-Options", "DENY");
		add(resp, "Referrer-Policy", "no-referrer");
	}
	if (closing)
		add(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, (unsigned)rp->status, resp);
	MHD_destroy_response(resp);
	return ret == MHD_YES;
}

int ksd_etag_matches(const char *inm, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = inm;

	while (*p) {
		const char *start, *end;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end - start == 1 && *start == '*')
			return 1;
		if (end - start > 2 && start[0] == 'W' && start[1] == '/')
			start += 2;
		if ((size_t)(end - start) == n && memcmp(start, etag, n) == 0)
			return 1;
	}
	return 0;
}
