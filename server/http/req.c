/* req.c - pure helpers over requests: the request target parser (raw
 * bytes -> path and parameters, what http.c runs for every request and
 * fuzz_http fuzzes), parameter lookup and UTF-8 validation. */
#include "ksd.h"

#include <string.h>

#include <kensaku/utf8.h>

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) into out (at least n bytes) as libmicrohttpd did: with
 * plus, '+' is a space; %XX (two hex digits) is that byte, any other '%'
 * stays as it is. Returns the decoded length; no NUL is added. */
static size_t decode(const char *s, size_t n, int plus, char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		int hi, lo;

		if (c == '%' && n - i >= 3 && (hi = hex_value((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hex_value((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 3;
		} else {
			out[o++] = plus && c == '+' ? ' ' : (char)c;
			i++;
		}
	}
	return o;
}

/* Adds one name[=value] pair (raw s[0..n)) to rq, decoding into *at.
 * Returns NULL, or the reason the request is refused. */
static const char *add_pair(struct ksd_req *rq, const char *s, size_t n, char **at)
{
	const char *eq = memchr(s, '=', n);
	size_t rk = eq ? (size_t)(eq - s) : n, kn, vn, i;
	char *key = *at, *value = NULL;

	kn = decode(s, rk, 1, key);
	key[kn] = '\0';
	*at += kn + 1;
	if (memchr(key, '\0', kn) || !ks_utf8_valid(key, kn))
		return "a query parameter name is not valid UTF-8";
	if (eq) {
		value = *at;
		vn = decode(eq + 1, n - rk - 1, 1, value);
		value[vn] = '\0';
		*at += vn + 1;
		if (memchr(value, '\0', vn))
			return "a query parameter holds a NUL byte";
		if (!ks_utf8_valid(value, vn))
			return "a query parameter is not valid UTF-8";
	}
	for (i = 0; i < rq->n_params; i++)
		if (strcmp(rq->params[i].key, key) == 0)
			return NULL; /* duplicates: the first one wins */
	if (rq->n_params == KSD_MAX_PARAMS)
		return "too many query parameters";
	rq->params[rq->n_params].key = key;
	rq->params[rq->n_params].value = value ? value : "";
	rq->n_params++;
	return NULL;
}

enum ksd_target_rc ksd_req_parse_target(struct ksd_req *rq, const char *target, size_t len,
					char *buf, size_t size, struct ksd_reply *rp)
{
	const char *q = memchr(target, '?', len), *end = target + len;
	size_t pn = q ? (size_t)(q - target) : len;
	char *at = buf;

	rq->path = "";
	rq->n_params = 0;
	if (len > KSD_URI_MAX || size < len + 1) {
		ksd_reply_error(rp, 414, "uri_too_long",
				"the request target is longer than %d bytes", KSD_URI_MAX);
		return KSD_TARGET_TOO_LONG;
	}
	pn = decode(target, pn, 0, at);
	at[pn] = '\0';
	if (memchr(at, '\0', pn) || !ks_utf8_valid(at, pn)) {
		ksd_reply_error(rp, 400, "bad_request", "the path is not valid UTF-8 text");
		return KSD_TARGET_BAD_PATH;
	}
	rq->path = at;
	at += pn + 1;
	/* name=value pairs split at '&'; an empty pair is an empty name, a
	 * trailing '&' ends the list (libmicrohttpd's rules) */
	for (const char *p = q ? q + 1 : end; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *why = add_pair(rq, p, (size_t)(stop - p), &at);

		if (why) {
			ksd_reply_error(rp, 400, "bad_request", "%s", why);
			return KSD_TARGET_BAD_QUERY;
		}
		p = amp ? amp + 1 : end;
	}
	return KSD_TARGET_OK;
}

const char *ksd_req_param(const struct ksd_req *rq, const char *name)
{
	size_t i;

	for (i = 0; i < rq->n_params; i++)
		if (strcmp(rq->params[i].key, name) == 0)
			return rq->params[i].value && rq->params[i].value[0] ? rq->params[i].value
									     : NULL;
	return NULL;
}
