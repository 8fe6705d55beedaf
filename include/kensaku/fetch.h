/* fetch.h - one http(s) GET with libcurl: conditional, bounded, and
 * nothing more.
 *
 * ks_fetch_get asks for a URL with the validators of the copy the caller
 * already holds (ETag, Last-Modified) and hands back either the new body
 * and its validators, or "not modified" (304), or a reason why not. It
 * writes nowhere: what becomes of the bytes is the caller's (build.c keeps
 * the validators in the index, fetched.h).
 *
 * Limits (struct ks_fetch_opts; 0 in a field means its default):
 *   - only http:// and https:// URLs, and redirects only to them;
 *   - at most KS_FETCH_MAX_REDIRECTS redirects followed;
 *   - a connection within KS_FETCH_CONNECT_TIMEOUT_S seconds, the whole
 *     transfer (redirects included) within KS_FETCH_TIMEOUT_S seconds;
 *   - a body of at most KS_MAX_FILE_BYTES bytes (ingest.h) once decoded
 *     (gzip, deflate and whatever else libcurl decodes are asked for with
 *     Accept-Encoding and decoded by it): a larger one is refused from
 *     its Content-Length or aborted as soon as it passes the cap.
 * Requests carry "User-Agent: kensaku/VERSION".
 *
 * Ownership: a struct ks_fetch_result is filled by ks_fetch_get and its
 * strings and body are freed by ks_fetch_result_clear. */
#ifndef KENSAKU_FETCH_H
#define KENSAKU_FETCH_H

#include <stddef.h>

#include "err.h"
#include "ingest.h"

#define KS_FETCH_CONNECT_TIMEOUT_S 10
#define KS_FETCH_TIMEOUT_S 60
#define KS_FETCH_MAX_REDIRECTS 5

struct ks_fetch_opts {
	long connect_timeout_ms; /* 0: KS_FETCH_CONNECT_TIMEOUT_S seconds */
	long timeout_ms;	 /* the whole transfer; 0: KS_FETCH_TIMEOUT_S seconds */
	int max_redirects;	 /* 0: KS_FETCH_MAX_REDIRECTS; -1: none followed */
	long long max_bytes;	 /* 0: KS_MAX_FILE_BYTES */
};

/* The validators of the copy a caller holds; either may be NULL. */
struct ks_fetch_validators {
	const char *etag;	   /* sent as If-None-Match */
	const char *last_modified; /* sent as If-Modified-Since */
};

struct ks_fetch_result {
	int not_modified;     /* 1: 304, the caller's copy is current; no body */
	long status;	      /* the final HTTP status (200, 304, ...) */
	char *body;	      /* the decoded body, NUL-terminated; NULL on a 304 */
	size_t len;	      /* bytes of body */
	char *etag;	      /* the response's ETag, NULL when none */
	char *last_modified;  /* its Last-Modified, NULL when none */
	char *content_type;   /* its Content-Type, NULL when none */
	char *final_url;      /* the URL answered after redirects (relative links
				 resolve against it) */
	char ip[48];	      /* the address that answered last ("" when none did) */
	long requests;	      /* requests made: 1 + redirects followed */
	long long wire_bytes; /* body bytes received, before decoding */
};

struct ks_fetch;

/* A fetcher: one libcurl handle, so connections to a host are reused
 * from one ks_fetch_get to the next. o may be NULL (every default).
 * KS_OK with *out set, or KS_ERR_NOMEM. Free with ks_fetch_free. */
int ks_fetch_new(const struct ks_fetch_opts *o, struct ks_fetch **out, struct ks_err *err);

/* From this call on, refuses (on) or allows (off: the default) answers
 * from an address that is not public (ks_fetch_ip_public), redirects
 * included: such a request fails with KS_ERR_IO "url: refused: ADDRESS is
 * not a public address" before anything is sent. For the links a fetched
 * document names (a feed's pages), so that a feed from the internet can't
 * have kensaku read and index the machine's own or its network's
 * services. */
void ks_fetch_public_only(struct ks_fetch *f, int on);

/* 1 when ip (an IPv4 or IPv6 address as text) is public: not loopback,
 * private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
 * (169.254/16, fe80::/10), shared (100.64/10), unspecified, multicast or
 * reserved (240/4), also when mapped in IPv6; 0 otherwise and for text
 * that is no address. Pure. */
int ks_fetch_ip_public(const char *ip);

/* Frees f and its connections. Accepts NULL. */
void ks_fetch_free(struct ks_fetch *f);

/* GETs url, conditionally when v holds validators (v may be NULL).
 * KS_OK with *out filled (a 2xx with its body, or a 304 with
 * not_modified set), else, with err set to "url: reason" and *out
 * zeroed but for requests and wire_bytes (what the failure cost):
 *   KS_ERR_ARG      not an http(s) URL ("only http and https URLs are
 *                   fetched");
 *   KS_ERR_TIMEOUT  no connection or no whole answer in time;
 *   KS_ERR_PARSE    a body over the size cap (as a file over it is);
 *   KS_ERR_IO       any other failure: a name that does not resolve, a
 *                   refused connection, TLS, too many redirects, a
 *                   redirect to another scheme, an HTTP status other
 *                   than 2xx or 304 ("HTTP 404");
 *   KS_ERR_NOMEM.
 * Nothing is written anywhere but *out. */
int ks_fetch_get(struct ks_fetch *f, const char *url, const struct ks_fetch_validators *v,
		 struct ks_fetch_result *out, struct ks_err *err);

/* Frees what r holds and zeroes it. Accepts NULL. */
void ks_fetch_result_clear(struct ks_fetch_result *r);

/* 1 when s is a URL (a scheme, then "://"), whatever the scheme: the
 * arguments of `kensaku index` that are fetched rather than read. Pure. */
int ks_fetch_is_url(const char *s);

/* ref resolved against base (an absolute URL), as a browser follows a
 * link; a malloc'd absolute URL without its #fragment, or NULL when ref
 * is empty, unusable or NULL, or on out of memory. */
char *ks_fetch_resolve(const char *base, const char *ref);

/* The format of a fetched body: the one its bytes show
 * (ks_ingest_detect); when they show none but plain text, the one its
 * Content-Type names (text/html and application/xhtml+xml: HTML;
 * application/rss+xml, application/atom+xml, application/rdf+xml,
 * text/xml, application/xml: FEED; application/x-ndjson,
 * application/jsonl, application/json: JSONL; text/plain: TEXT); else
 * fallback. Pure. */
enum ks_format ks_fetch_format(const char *content_type, const char *data, size_t len,
			       enum ks_format fallback);

#endif
