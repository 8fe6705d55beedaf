/* ksd.h - kensakud's request and reply, the route table and the handlers.
 *
 * The HTTP glue (http.c) turns an MHD request into a struct ksd_req: method,
 * decoded path, query parameters (first occurrence of each name, already
 * checked to be NUL-free valid UTF-8) and the few headers handlers need.
 * The router picks a handler; the handler fills a struct ksd_reply (status,
 * JSON or file body, a few header flags) and never sees MHD, so handlers run
 * in tests without sockets. reply.c is the only file that turns a reply
 * into an MHD response.
 *
 * Ownership rule: a reply owns its json, body and fd; ksd_reply_clear()
 * frees them. Every string in a request is owned by whoever built it and
 * outlives the handler call.
 *
 * Server functions are prefixed ksd_ so they never collide with the
 * kensaku_core library's ks_ names. */
#ifndef KSD_H
#define KSD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define KSD_MAX_PARAMS 64 /* distinct query parameter names; more is a 400 */
#define KSD_URI_MAX 8192  /* longer request targets are 414 */
#define KSD_CT_JSON "application/json; charset=utf-8"
#define KSD_DEADLINE_MS                                                                            \
	2000 /* per-request deadline from arrival (the library gets what is left)                  \
	      */

enum ksd_method { KSD_GET = 0, KSD_HEAD, KSD_OPTIONS, KSD_OTHER };

struct ksd_param {
	const char *key;
	const char *value;
};

struct ksd_req {
	enum ksd_method method;
	const char *method_name; /* as sent, for logs */
	const char *path;	 /* percent-decoded path, NUL-free valid UTF-8 */
	struct ksd_param params[KSD_MAX_PARAMS];
	size_t n_params;	   /* first occurrence of each name, in order */
	const char *if_none_match; /* If-None-Match header or NULL */
	const char *web_root;	   /* realpath of --web, or NULL when missing */
	int deadline_ms;	   /* per-query deadline (0 = none) */
	const char *host;	   /* Host header or NULL (feed URLs) */
	int https;		   /* a trusted proxy says the client used TLS */
	int conn_fd;		   /* the connection's socket, <= 0 when none (tests) */
};

/* Reply flags: which header groups reply.c adds. */
enum ksd_reply_flags {
	KSD_R_CORS = 1 << 0,   /* Access-Control-Allow-Origin: * (API, healthz) */
	KSD_R_STATIC = 1 << 1, /* CSP and friends (static UI responses) */
	KSD_R_NOSTORE = 1 << 2 /* Cache-Control: no-store */
};

#define KSD_EXTRA_HEADERS 4

/* A response header a handler adds (ksd_reply_header); value is owned. */
struct ksd_header {
	const char *name; /* static string */
	char *value;
};

struct ksd_reply {
	int status;
	json_t *json; /* JSON body (owned), or NULL */
	char *body;   /* text body (owned, malloc'd), or NULL */
	size_t body_len;
	const char *content_type; /* for body and fd; static string */
	int fd;			  /* file body (owned), -1 when none */
	uint64_t fd_size;
	char etag[96];		   /* ETag header when non-empty */
	const char *cache_control; /* static string or NULL */
	const char *allow;	   /* Allow header (405, OPTIONS) or NULL */
	unsigned flags;		   /* enum ksd_reply_flags */
	long long hits;		   /* hits returned (search), -1 otherwise; for logs */
	const char *x_cache;	   /* X-Cache header ("HIT"/"MISS", search) or NULL */
	const char *route;	   /* metrics label; set by the router */
	struct ksd_header extra[KSD_EXTRA_HEADERS]; /* more headers (Link, ...) */
	size_t n_extra;
};

/* Sets r to an empty 500 reply with no body, fd -1, hits -1. Can't fail. */
void ksd_reply_init(struct ksd_reply *r);

/* Frees r's json, body and fd and re-initializes it. Accepts NULL. */
void ksd_reply_clear(struct ksd_reply *r);

/* Sets status and a JSON body, taking ownership of j (a NULL j, from an
 * out-of-memory builder, becomes a 500 error reply). */
void ksd_reply_json_new(struct ksd_reply *r, int status, json_t *j);

/* Sets status and a text body of len bytes (malloc'd; r takes it) with
 * content_type (a static string); any body set before is dropped, the
 * ETag kept. */
void ksd_reply_body_new(struct ksd_reply *r, int status, const char *content_type, char *body,
			size_t len);

/* Sets status and the error object {"error":{"code","message"}}; message
 * is printf-formatted. Any body already set is dropped. */
void ksd_reply_error(struct ksd_reply *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds the response header name (a static string) with a copy of value,
 * which must hold no CR or LF. Returns 0, or -1 when the copy failed or
 * KSD_EXTRA_HEADERS are already set (the header is then left out). Headers
 * go out on every status; ksd_reply_clear drops them. */
int ksd_reply_header(struct ksd_reply *r, const char *name, const char *value);

/* The value of query parameter name in rq, or NULL when absent. An empty
 * value counts as absent (forms send `section=` for "any"). */
const char *ksd_req_param(const struct ksd_req *rq, const char *name);

enum ksd_target_rc {
	KSD_TARGET_OK = 0,
	KSD_TARGET_TOO_LONG, /* 414 */
	KSD_TARGET_BAD_PATH, /* 400: NUL or invalid UTF-8 in the decoded path */
	KSD_TARGET_BAD_QUERY /* 400: a bad name or value, or too many names */
};

/* Parses the raw request target (len bytes as sent, "/path?query") into
 * rq->path and rq->params: the path is percent-decoded; the query is split
 * at '&' into name[=value] pairs, '+' read as a space, then decoded (a '%'
 * without two hex digits stays); names and values must be NUL-free valid
 * UTF-8; the first occurrence of each name is kept, at most KSD_MAX_PARAMS
 * names. The decoded strings go to buf (size >= len + 1), which must
 * outlive rq. On failure the error reply (414 or 400) is in rp and the
 * return value says which check failed. Never reads past target + len. */
enum ksd_target_rc ksd_req_parse_target(struct ksd_req *rq, const char *target, size_t len,
					char *buf, size_t size, struct ksd_reply *rp);

/* The router: picks the handler for rq->path and method, fills rp (always;
 * 404/405 included) and sets rp->route. */
void ksd_router_dispatch(const struct ksd_req *rq, struct ksd_reply *rp);

/* The route label of rq when it is a heavy route (one that reads the index
 * per request: search, items, issues, csv, trend, entities, entity,
 * analyze, feed) asked with GET or HEAD, else NULL. Pure. */
const char *ksd_router_heavy(const struct ksd_req *rq);

/* 1 when rq (GET or HEAD) goes to the static UI handler: no API route and
 * not under /api. Pure. */
int ksd_router_is_static(const struct ksd_req *rq);

/* Handlers: each fills rp from rq (GET semantics; the router has already
 * dealt with OPTIONS and other methods, and reply.c drops bodies for HEAD).
 * `rest` is the path after the route prefix (items, issues). */
void ksd_h_search(const struct ksd_req *rq, struct ksd_reply *rp);
void ksd_h_item(const struct ksd_req *rq, const char *rest, struct ksd_reply *rp);
void ksd_h_issue(const struct ksd_req *rq, const char *rest, struct ksd_reply *rp);
void ksd_h_healthz(const struct ksd_req *rq, struct ksd_reply *rp);
void ksd_h_metrics(const struct ksd_req *rq, struct ksd_reply *rp);
void ksd_h_static(const struct ksd_req *rq, struct ksd_reply *rp);
void ksd_h_trend(const struct ksd_req *rq, struct ksd_reply *rp);
void ksd_h_entities(const struct ksd_req *rq, struct ksd_reply *rp);
void ksd_h_entity(const struct ksd_req *rq, const char *rest, struct ksd_reply *rp);
void ksd_h_analyze(const struct ksd_req *rq, struct ksd_reply *rp);
void ksd_h_feed(const struct ksd_req *rq, struct ksd_reply *rp);
void ksd_h_csv(const struct ksd_req *rq, struct ksd_reply *rp);

struct ks_search_params;

/* Fills p from the query parameters every query endpoint shares: q,
 * section, from, to, entity, exact (0|1: turns bilingual expansion off),
 * explain (0|1); the deadline from rq. Returns 0, or -1 with a 400 in rp
 * for a malformed flag. The caller still runs ks_search_params_check. */
int ksd_search_params_from(const struct ksd_req *rq, struct ks_search_params *p,
			   struct ksd_reply *rp);

/* 1 when the If-None-Match header value inm (a list, weak or strong tags,
 * or "*") names etag (quoted, as sent in ETag); 0 otherwise. */
int ksd_etag_matches(const char *inm, const char *etag);

/* Writes "SCHEME://HOST" to out (n bytes), SCHEME "https" when rq->https
 * (and a Host header is used), else "http": HOST is the request's Host header
 * when it is a valid host[:port] (a DNS name or IPv4 address, or an [IPv6]
 * literal), else the address the connection was accepted on, else
 * "localhost" (handlers run without sockets in tests). Can't fail. */
void ksd_base_url(const struct ksd_req *rq, char *out, size_t n);

/* Maps a library rc from a store/search call to the HTTP error reply
 * (TIMEOUT -> 503 timeout, NOTFOUND -> 404, ARG -> 400, IO/CORRUPT/VERSION
 * -> 503 unavailable, others -> 500 internal). msg is the library's reason. */
void ksd_reply_rc(struct ksd_reply *r, int rc, const char *msg);

#endif
