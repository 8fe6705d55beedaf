/* fetch.c - one conditional, bounded http(s) GET with libcurl (fetch.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "kensaku/buf.h"
#include "kensaku/fetch.h"

struct ks_fetch {
	CURL *h;
	struct ks_fetch_opts o; /* every field set (defaults filled in) */
	char errbuf[CURL_ERROR_SIZE];
	int public_only;  /* ks_fetch_public_only */
	char refused[48]; /* the address public_only refused in this transfer */
};

/* Where the write callback puts the body: a buffer capped at max bytes. */
struct sink {
	struct ks_buf b;
	long long max;
	int over; /* the body passed max: the transfer was aborted */
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct sink *k = ctx;
	size_t len = size * n;
	if ((long long)(k->b.len + len) > k->max) {
		k->over = 1;
		return 0; /* CURLE_WRITE_ERROR: the transfer stops here */
	}
	ks_buf_add(&k->b, data, len);
	return k->b.oom ? 0 : len;
}

int ks_fetch_ip_public(const char *ip)
{
	unsigned char a[16];
	if (ip && inet_pton(AF_INET6, ip, a) == 1) {
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(a, mapped, 12) != 0) {
			static const unsigned char zero[15] = {0};
			return !(memcmp(a, zero, 15) == 0 && a[15] <= 1) && /* :: and ::1 */
			       (a[0] & 0xfe) != 0xfc &&			    /* fc00::/7 */
			       !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80) &&  /* fe80::/10 */
			       a[0] != 0xff;				    /* multicast */
		}
		memmove(a, a + 12, 4);
	} else if (!ip || inet_pton(AF_INET, ip, a) != 1) {
		return 0;
	}
	return a[0] != 0 && a[0] != 10 && a[0] != 127 && a[0] < 224 &&
	       !(a[0] == 169 && a[1] == 254) && !(a[0] == 172 && (a[1] & 0xf0) == 16) &&
	       !(a[0] == 192 && a[1] == 168) && !(a[0] == 100 && (a[1] & 0xc0) == 64);
}

/* Called on each connection before a request is sent on it: refuses a
 * non-public address when f->public_only. */
static int on_connected(void *ctx, char *ip, char *local_ip, int port, int local_port)
{
	struct ks_fetch *f = ctx;
	(void)local_ip;
	(void)port;
	(void)local_port;
	if (!f->public_only || ks_fetch_ip_public(ip))
		return CURL_PREREQFUNC_OK;
	snprintf(f->refused, sizeof f->refused, "%s", ip ? ip : "?");
	return CURL_PREREQFUNC_ABORT;
}

void ks_fetch_public_only(struct ks_fetch *f, int on)
{
	f->public_only = on != 0;
}

int ks_fetch_new(const struct ks_fetch_opts *o, struct ks_fetch **out, struct ks_err *err)
{
	struct ks_fetch *f = calloc(1, sizeof *f);
	if (!f || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(f);
		return ks_err_set(err, KS_ERR_NOMEM, "[fetch] libcurl could not start");
	}
	if (o)
		f->o = *o;
	if (f->o.connect_timeout_ms <= 0)
		f->o.connect_timeout_ms = KS_FETCH_CONNECT_TIMEOUT_S * 1000L;
	if (f->o.timeout_ms <= 0)
		f->o.timeout_ms = KS_FETCH_TIMEOUT_S * 1000L;
	if (f->o.max_redirects == 0)
		f->o.max_redirects = KS_FETCH_MAX_REDIRECTS;
	if (f->o.max_bytes <= 0)
		f->o.max_bytes = KS_MAX_FILE_BYTES;
	if (!(f->h = curl_easy_init())) {
		ks_fetch_free(f);
		return ks_err_set(err, KS_ERR_NOMEM, "[fetch] libcurl could not start");
	}
	CURL *h = f->h;
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "kensaku/" KS_VERSION);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, f->o.max_redirects > 0 ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS,
			 (long)(f->o.max_redirects > 0 ? f->o.max_redirects : 0));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, f->o.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, f->o.timeout_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->o.max_bytes);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding libcurl decodes */
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);	  /* no error page is downloaded */
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_connected);
	curl_easy_setopt(h, CURLOPT_PREREQDATA, f);
	*out = f;
	return KS_OK;
}

void ks_fetch_free(struct ks_fetch *f)
{
	if (!f)
		return;
	if (f->h)
		curl_easy_cleanup(f->h);
	curl_global_cleanup();
	free(f);
}

void ks_fetch_result_clear(struct ks_fetch_result *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->etag);
	free(r->last_modified);
	free(r->content_type);
	free(r->final_url);
	memset(r, 0, sizeof *r);
}

int ks_fetch_is_url(const char *s)
{
	if (!s || !isalpha((unsigned char)*s))
		return 0;
	while (isalnum((unsigned char)*s) || *s == '+' || *s == '-' || *s == '.')
		s++;
	return !strncmp(s, "://", 3);
}

/* KS_OK when url is an absolute http(s) URL; else KS_ERR_ARG with err set. */
static int check_scheme(const char *url, struct ks_err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	int rc = KS_OK;
	if (!u)
		return ks_err_set(err, KS_ERR_NOMEM, "[fetch] out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		rc = ks_err_set(err, KS_ERR_ARG, "%s: not a URL kensaku can read", url);
	else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
		rc = ks_err_set(err, KS_ERR_ARG,
				"%s: only http and https URLs are fetched (not %s)", url, scheme);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

char *ks_fetch_resolve(const char *base, const char *ref)
{
	CURLU *u = NULL;
	char *abs = NULL, *out = NULL, *trimmed = NULL;
	size_t n;
	if (!base || !ref)
		return NULL;
	while (isspace((unsigned char)*ref))
		ref++;
	for (n = strlen(ref); n && isspace((unsigned char)ref[n - 1]); n--)
		;
	if (!n || !(trimmed = strndup(ref, n)) || !(u = curl_url()))
		goto out;
	if (curl_url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, trimmed, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
		out = strdup(abs);
out:
	curl_free(abs);
	curl_url_cleanup(u);
	free(trimmed);
	return out;
}

/* A header of the last response (the one after every redirect), as a
 * malloc'd copy in *out (NULL when absent). -1 on out of memory. */
static int last_header(CURL *h, const char *name, char **out)
{
	struct curl_header *hd = NULL;
	*out = NULL;
	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK || !hd->value)
		return 0;
	return (*out = strdup(hd->value)) ? 0 : -1;
}

/* The request's conditional headers, appended to *list; -1 on out of
 * memory. A validator holding a line break is not sent. */
static int conditions(const struct ks_fetch_validators *v, struct curl_slist **list)
{
	static const char *const names[] = {"If-None-Match: ", "If-Modified-Since: "};
	const char *vals[] = {v ? v->etag : NULL, v ? v->last_modified : NULL};
	for (size_t i = 0; i < 2; i++) {
		struct ks_buf b = {0};
		struct curl_slist *l;
		if (!vals[i] || !vals[i][0] || strpbrk(vals[i], "\r\n"))
			continue;
		ks_buf_str(&b, names[i]);
		ks_buf_str(&b, vals[i]);
		l = b.oom ? NULL : curl_slist_append(*list, b.p);
		ks_buf_free(&b);
		if (!l)
			return -1;
		*list = l;
	}
	return 0;
}

/* The reason a transfer that ended with code c failed, in err. */
static int failure(struct ks_fetch *f, const char *url, CURLcode c, const struct sink *k,
		   struct ks_err *err)
{
	const char *why = f->errbuf[0] ? f->errbuf : curl_easy_strerror(c);
	switch (c) {
	case CURLE_OUT_OF_MEMORY:
		return ks_err_set(err, KS_ERR_NOMEM, "[fetch] %s: out of memory", url);
	case CURLE_FILESIZE_EXCEEDED:
		return ks_err_set(err, KS_ERR_PARSE,
				  "%s: skipped: over %lld bytes (its Content-Length)", url,
				  f->o.max_bytes);
	case CURLE_WRITE_ERROR:
		if (!k->over)
			return ks_err_set(err, KS_ERR_NOMEM, "[fetch] %s: out of memory", url);
		return ks_err_set(err, KS_ERR_PARSE, "%s: skipped: over %lld bytes (stopped there)",
				  url, f->o.max_bytes);
	case CURLE_HTTP_RETURNED_ERROR: {
		long status = 0;
		curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &status);
		return ks_err_set(err, KS_ERR_IO, "%s: HTTP %ld", url, status);
	}
	case CURLE_OPERATION_TIMEDOUT:
		return ks_err_set(err, KS_ERR_TIMEOUT, "%s: timed out (%s)", url, why);
	case CURLE_TOO_MANY_REDIRECTS:
		return ks_err_set(err, KS_ERR_IO, "%s: more than %d redirects", url,
				  f->o.max_redirects > 0 ? f->o.max_redirects : 0);
	case CURLE_ABORTED_BY_CALLBACK:
		return ks_err_set(err, KS_ERR_IO, "%s: refused: %s is not a public address", url,
				  f->refused);
	case CURLE_UNSUPPORTED_PROTOCOL:
		return ks_err_set(err, KS_ERR_IO,
				  "%s: redirected to a URL that is not http or https (%s)", url,
				  why);
	default:
		return ks_err_set(err, KS_ERR_IO, "%s: %s", url, why);
	}
}

/* Fills r from the answered transfer on h whose body is in k: KS_OK for a
 * 2xx or a 304 (when conditional), else KS_ERR_IO "HTTP <status>". */
static int answer(struct ks_fetch *f, const char *url, int conditional, struct sink *k,
		  struct ks_fetch_result *r, struct ks_err *err)
{
	char *final = NULL, *ctype = NULL, *ip = NULL;
	curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(f->h, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip)
		snprintf(r->ip, sizeof r->ip, "%s", ip);
	curl_easy_getinfo(f->h, CURLINFO_EFFECTIVE_URL, &final);
	curl_easy_getinfo(f->h, CURLINFO_CONTENT_TYPE, &ctype);
	if (r->status == 304 && conditional)
		r->not_modified = 1;
	else if (r->status < 200 || r->status > 299)
		return ks_err_set(
		    err, KS_ERR_IO, "%s: HTTP %ld%s", url, r->status,
		    r->status / 100 == 3 && r->status != 304 ? " (a redirect not followed)" : "");
	if (!(r->final_url = strdup(final ? final : url)) ||
	    (ctype && !(r->content_type = strdup(ctype))) ||
	    last_header(f->h, "ETag", &r->etag) != 0 ||
	    last_header(f->h, "Last-Modified", &r->last_modified) != 0)
		return ks_err_set(err, KS_ERR_NOMEM, "[fetch] %s: out of memory", url);
	if (r->not_modified)
		return KS_OK;
	ks_buf_add(&k->b, "", 0); /* an empty body is "" */
	r->len = k->b.len;
	if (!(r->body = ks_buf_take(&k->b)))
		return ks_err_set(err, KS_ERR_NOMEM, "[fetch] %s: out of memory", url);
	return KS_OK;
}

int ks_fetch_get(struct ks_fetch *f, const char *url, const struct ks_fetch_validators *v,
		 struct ks_fetch_result *out, struct ks_err *err)
{
	struct ks_fetch_result r = {0};
	struct sink k = {.max = f->o.max_bytes};
	struct curl_slist *hdrs = NULL;
	int rc = check_scheme(url, err);
	memset(out, 0, sizeof *out);
	if (rc != KS_OK)
		return rc;
	if (conditions(v, &hdrs) != 0)
		return ks_err_set(err, KS_ERR_NOMEM, "[fetch] out of memory");
	f->errbuf[0] = 0;
	f->refused[0] = 0;
	curl_easy_setopt(f->h, CURLOPT_URL, url);
	curl_easy_setopt(f->h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(f->h, CURLOPT_WRITEDATA, &k);
	CURLcode c = curl_easy_perform(f->h);
	long redirects = 0;
	curl_off_t wire = 0;
	curl_easy_getinfo(f->h, CURLINFO_REDIRECT_COUNT, &redirects);
	curl_easy_getinfo(f->h, CURLINFO_SIZE_DOWNLOAD_T, &wire);
	rc =
	    c == CURLE_OK ? answer(f, url, hdrs != NULL, &k, &r, err) : failure(f, url, c, &k, err);
	curl_easy_setopt(f->h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	ks_buf_free(&k.b);
	if (rc != KS_OK)
		ks_fetch_result_clear(&r);
	*out = r;
	out->requests = 1 + redirects;
	out->wire_bytes = (long long)wire;
	return rc;
}

/* The format a Content-Type names, or KS_FMT_AUTO when none. */
static enum ks_format format_of_type(const char *ct)
{
	static const struct {
		const char *type;
		enum ks_format fmt;
	} types[] = {
	    {"text/html", KS_FMT_HTML},
	    {"application/xhtml+xml", KS_FMT_HTML},
	    {"application/rss+xml", KS_FMT_FEED},
	    {"application/atom+xml", KS_FMT_FEED},
	    {"application/rdf+xml", KS_FMT_FEED},
	    {"application/xml", KS_FMT_FEED},
	    {"text/xml", KS_FMT_FEED},
	    {"application/x-ndjson", KS_FMT_JSONL},
	    {"application/jsonl", KS_FMT_JSONL},
	    {"application/json", KS_FMT_JSONL},
	    {"text/plain", KS_FMT_TEXT},
	};
	size_t n = ct ? strcspn(ct, "; \t") : 0;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (n == strlen(types[i].type) && !strncasecmp(ct, types[i].type, n))
			return types[i].fmt;
	return KS_FMT_AUTO;
}

enum ks_format ks_fetch_format(const char *content_type, const char *data, size_t len,
			       enum ks_format fallback)
{
	enum ks_format f = ks_ingest_detect(data, len);
	if (f != KS_FMT_TEXT)
		return f;
	f = format_of_type(content_type);
	return f != KS_FMT_AUTO ? f : fallback;
}
