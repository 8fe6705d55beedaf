/* fuzz_http.c - kensakud's request handling without sockets: the raw
 * request target goes through ksd_req_parse_target and ksd_router_dispatch
 * exactly as server/http/http.c runs them (every route: search and its
 * parameter checks, items, issues, CSV, trend, entities, analyze, feed,
 * health, metrics, the static files), over a small real index, with the
 * response cache on.
 *
 * Input: the raw request target, optionally after a method and a space
 * ("HEAD /x", "OPTIONS /x", "POST /x"); GET otherwise. An input that
 * starts with "RAW\n" is instead sent, byte for byte, to the real daemon
 * (server/http/http.c: libmicrohttpd, the connection and request hooks, the
 * worker queue) started in this process on 127.0.0.1:0; the invariants
 * then are: a request head that ends (CRLF CRLF) gets an answer, every
 * answer is a 1xx-4xx (never 5xx), and no sanitizer report or leak (the
 * daemon is stopped at exit, so LeakSanitizer sees every request freed).
 *
 * Invariants (each failure aborts):
 * - the parse agrees with a plain reference decoder written from the
 *   contract in ksd.h: same verdict, same path, same names and values in
 *   the same order; every string is NUL-free valid UTF-8, names distinct;
 * - no reply is a 5xx, whatever the input;
 * - every 4xx carries {"error": {"code": string, "message": non-empty}};
 * - a JSON body (json, or text with a JSON content type) is valid JSON,
 *   and a 2xx text body has a content type;
 * - no sanitizer report, no leak (ksd_reply_clear frees everything).
 *
 * KS_FUZZ_HTTP_TRACE=1 prints each input's status and route. */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cache.h"
#include "http.h"
#include "fuzz.h"
#include "kensaku/ingest.h"
#include "kensaku/store.h"
#include "ksd.h"
#include "log.h"
#include "pool.h"

static char g_dir[512], g_db[600], g_web[600], g_web_real[PATH_MAX];
static int g_ready;
static int g_port; /* the in-process daemon's, once started */

static void cleanup(void)
{
	char cmd[700];

	if (g_port)
		ksd_http_stop();
	ksd_pool_shutdown();
	ksd_cache_shutdown();
	if (g_dir[0] && snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir) < (int)sizeof(cmd))
		(void)!system(cmd);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[800];
	int fd, n = snprintf(p, sizeof(p), "%s/%s", dir, name);

	FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(p), "path too long");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	FUZZ_ASSERT(fd >= 0, "cannot write %s", p);
	FUZZ_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "short write");
	close(fd);
}

/* The index (tests/data/integration/base.jsonl: sections, dates, CVEs,
 * entities), a web root, the pool and the cache, once per process. */
static void setup(void)
{
	struct ks_err err = {{0}};
	struct ks_batch b = {0};
	struct ks_store *s = NULL;
	const char *tmp = getenv("TMPDIR");
	char *data = NULL, sub[700];
	long n = 0;
	FILE *f;

	if (g_ready)
		return;
	snprintf(g_dir, sizeof(g_dir), "%s/ks-fuzz-http-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	FUZZ_ASSERT(mkdtemp(g_dir) != NULL, "mkdtemp failed");
	atexit(cleanup);
	snprintf(g_db, sizeof(g_db), "%s/k.db", g_dir);
	snprintf(g_web, sizeof(g_web), "%s/web", g_dir);
	FUZZ_ASSERT(mkdir(g_web, 0755) == 0, "mkdir web");
	write_file(g_web, "index.html", "<!doctype html><p>kensaku</p>");
	write_file(g_web, "app.js", "console.log(1);");
	write_file(g_web, ".hidden", "secret");
	snprintf(sub, sizeof(sub), "%s/lib", g_web);
	FUZZ_ASSERT(mkdir(sub, 0755) == 0, "mkdir lib");
	write_file(sub, "index.html", "<p>lib</p>");
	write_file(sub, "a.json", "{\"a\": 1}");
	FUZZ_ASSERT(realpath(g_web, g_web_real) != NULL, "realpath web");

	f = fopen(KS_SOURCE_DIR "/tests/data/integration/base.jsonl", "rb");
	FUZZ_ASSERT(f != NULL, "cannot read base.jsonl");
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n + 1);
		FUZZ_ASSERT(data && fread(data, 1, (size_t)n, f) == (size_t)n, "read base.jsonl");
		data[n] = '\0';
	}
	fclose(f);
	FUZZ_ASSERT(ks_ingest_parse("base.jsonl", data, (size_t)n, KS_FMT_AUTO, &b, &err) == KS_OK,
		    "%s", err.msg);
	FUZZ_ASSERT(ks_store_open(g_db, KS_STORE_CREATE, &s, &err) == KS_OK, "%s", err.msg);
	FUZZ_ASSERT(ks_store_begin(s, &err) == KS_OK, "%s", err.msg);
	FUZZ_ASSERT(ks_store_put_source(s, "base.jsonl", "0", &b, &err) == KS_OK, "%s", err.msg);
	FUZZ_ASSERT(ks_store_commit(s, &err) == KS_OK, "%s", err.msg);
	ks_store_close(s);
	ks_batch_clear(&b);
	free(data);
	FUZZ_ASSERT(ksd_pool_init(g_db, &err) == KS_OK, "%s", err.msg);
	FUZZ_ASSERT(ksd_cache_init((size_t)4 << 20) == 0, "cache init");
	g_ready = 1;
}

/* ---- the reference decoder (independent of req.c) */

struct ref {
	int verdict; /* enum ksd_target_rc */
	char *path;
	size_t n;
	char *key[KSD_MAX_PARAMS], *value[KSD_MAX_PARAMS];
};

static int hex(int c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* A malloc'd decoded copy of s[0..n); *len its length (NULs included). */
static char *ref_decode(const char *s, size_t n, int plus, size_t *len)
{
	char *o = malloc(n + 1);
	size_t i, k = 0;

	FUZZ_ASSERT(o != NULL, "out of memory");
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hex((unsigned char)s[i + 1]) >= 0 &&
		    hex((unsigned char)s[i + 2]) >= 0) {
			o[k++] = (char)(hex((unsigned char)s[i + 1]) * 16 +
					hex((unsigned char)s[i + 2]));
			i += 2;
		} else {
			o[k++] = plus && s[i] == '+' ? ' ' : s[i];
		}
	}
	o[k] = '\0';
	*len = k;
	return o;
}

static int clean(const char *s, size_t n)
{
	return memchr(s, '\0', n) == NULL && fuzz_utf8_valid(s, n);
}

static void ref_parse(const char *t, size_t len, struct ref *r)
{
	const char *q = memchr(t, '?', len), *p, *end = t + len;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (len > KSD_URI_MAX) {
		r->verdict = KSD_TARGET_TOO_LONG;
		return;
	}
	r->path = ref_decode(t, q ? (size_t)(q - t) : len, 0, &n);
	if (!clean(r->path, n)) {
		r->verdict = KSD_TARGET_BAD_PATH;
		return;
	}
	for (p = q ? q + 1 : end; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		size_t kn, vn = 0, i;
		char *k = ref_decode(p, (size_t)((eq ? eq : stop) - p), 1, &kn);
		char *v = eq ? ref_decode(eq + 1, (size_t)(stop - eq - 1), 1, &vn) : NULL;
		int dup = 0;

		p = amp ? amp + 1 : end;
		if (!clean(k, kn) || (v && !clean(v, vn))) {
			free(k);
			free(v);
			r->verdict = KSD_TARGET_BAD_QUERY;
			return;
		}
		for (i = 0; i < r->n; i++)
			dup |= strcmp(r->key[i], k) == 0;
		if (dup) {
			free(k);
			free(v);
			continue;
		}
		if (r->n == KSD_MAX_PARAMS) {
			free(k);
			free(v);
			r->verdict = KSD_TARGET_BAD_QUERY;
			return;
		}
		r->key[r->n] = k;
		r->value[r->n] = v ? v : strdup("");
		FUZZ_ASSERT(r->value[r->n] != NULL, "out of memory");
		r->n++;
	}
}

static void ref_free(struct ref *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->key[i]);
		free(r->value[i]);
	}
	free(r->path);
}

/* ---- checks on the reply */

static void check_reply(const struct ksd_reply *rp, const char *what)
{
	FUZZ_ASSERT(rp->status >= 200 && rp->status < 500, "%s: status %d", what, rp->status);
	if (rp->status >= 400) {
		json_t *e = json_object_get(rp->json, "error");
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg = json_string_value(json_object_get(e, "message"));

		FUZZ_ASSERT(code && msg && msg[0], "%s: %d without the error object", what,
			    rp->status);
	}
	if (rp->json) {
		char *text = json_dumps(rp->json, JSON_ENCODE_ANY);
		json_t *back = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

		FUZZ_ASSERT(back != NULL, "%s: the JSON body does not serialize", what);
		json_decref(back);
		free(text);
	}
	if (rp->body) {
		FUZZ_ASSERT(rp->content_type != NULL, "%s: a body without a content type", what);
		if (strncmp(rp->content_type, "application/json", 16) == 0) {
			json_error_t je;
			json_t *j = json_loadb(rp->body, rp->body_len, JSON_DECODE_ANY, &je);

			FUZZ_ASSERT(j != NULL, "%s: body is not JSON: %s", what, je.text);
			json_decref(j);
		}
	}
}

/* Starts the daemon in this process on 127.0.0.1:0 (once). */
static void start_daemon(void)
{
	struct ksd_http_config cfg = {-1, 2, NULL, KSD_DEADLINE_MS, 0, 0};
	struct ks_err err = {{0}};
	char url[300], *colon;

	if (g_port)
		return;
	cfg.web_root = g_web_real;
	FUZZ_ASSERT(ksd_http_listen("127.0.0.1:0", &cfg.listen_fd, url, sizeof(url), &err) == KS_OK,
		    "%s", err.msg);
	FUZZ_ASSERT(ksd_http_start(&cfg, &err) == KS_OK, "%s", err.msg);
	colon = strrchr(url, ':');
	g_port = atoi(colon + 1);
	ksd_log_set_quiet(1);
}

/* 1 when data[0..len) starts with a well-formed request head, which must
 * get an answer: a request line "METHOD SP target SP HTTP/1.x" of printable
 * ASCII, then header lines, every line ended by CR LF (no bare CR or LF, no
 * NUL, no control byte), up to the empty line. For anything else
 * libmicrohttpd may close the connection without a word (it is not HTTP). */
static int well_formed_head(const uint8_t *data, size_t len)
{
	size_t i = 0, spaces = 0, line = 0;

	while (i < len && data[i] >= 'A' && data[i] <= 'Z')
		i++;
	if (i == 0)
		return 0;
	for (; i + 1 < len; i++) {
		if (data[i] == '\r' && data[i + 1] == '\n') {
			if (line == 0 &&
			    (spaces != 2 || i < 8 || memcmp(data + i - 8, "HTTP/1.", 7)))
				return 0;
			if (i + 3 < len && data[i + 2] == '\r' && data[i + 3] == '\n')
				return 1;
			line++, i++;
			continue;
		}
		if (data[i] < 0x20 || data[i] > 0x7E)
			return 0;
		spaces += line == 0 && data[i] == ' ';
	}
	return 0;
}

/* 1 when the request line of data[0..len) ends in HTTP/1.x. For another
 * major version (HTTP/2.0, HTTP/0.9) libmicrohttpd answers 505 itself, as
 * RFC 9110 says (nginx does the same): the one 5xx a client can ask for. */
static int version_ok(const uint8_t *data, size_t len)
{
	size_t e = 0;

	while (e < len && data[e] != '\r' && data[e] != '\n')
		e++;
	return e >= 8 && memcmp(data + e - 8, "HTTP/1.", 7) == 0;
}

/* Sends data[0..len) on a new connection and reads what the daemon
 * answers. A complete request head is not followed by a half-close:
 * libmicrohttpd 0.9.75 closes a connection at EOF once its request was
 * read, so a search (answered after a suspension) would lose its answer
 * (a limit of that version, logged as status 0). The read ends when the
 * daemon closes, after 10 s without a first byte, or 200 ms of silence
 * after one. */
static void wire(const uint8_t *data, size_t len)
{
	struct sockaddr_in sa = {0};
	char buf[65536];
	size_t got = 0, sent = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), head;
	ssize_t n;

	FUZZ_ASSERT(fd >= 0, "socket");
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)g_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	FUZZ_ASSERT(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect");
	while (sent < len && (n = send(fd, data + sent, len - sent, MSG_NOSIGNAL)) > 0)
		sent += (size_t)n;
	head = well_formed_head(data, len) && sent == len;
	if (!head)
		shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};

		if (poll(&p, 1, got ? 200 : 10000) <= 0)
			break;
		n = recv(fd, buf + got, got < 64 ? sizeof(buf) - got : sizeof(buf) - 64, 0);
		if (n <= 0)
			break;
		got = got < 64 ? got + (size_t)n : 64; /* keep the start only */
	}
	close(fd);
	FUZZ_ASSERT(!head || got > 0, "a request head without an answer");
	FUZZ_ASSERT(got < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[9] != '5' ||
			(memcmp(buf + 9, "505", 3) == 0 && !version_ok(data, len)),
		    "a 5xx on the wire: %.12s", buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char *prefix, *name;
		enum ksd_method m;
	} methods[] = {{"GET ", "GET", KSD_GET},
		       {"HEAD ", "HEAD", KSD_HEAD},
		       {"OPTIONS ", "OPTIONS", KSD_OPTIONS},
		       {"POST ", "POST", KSD_OTHER},
		       {"DELETE ", "DELETE", KSD_OTHER}};
	const char *t = (const char *)data;
	struct ksd_req rq;
	struct ksd_reply rp;
	struct ref ref;
	enum ksd_target_rc rc;
	const char *method = "GET";
	char *buf, *target;
	size_t i, len = size;

	setup();
	if (size >= 4 && memcmp(data, "RAW\n", 4) == 0) {
		start_daemon();
		wire(data + 4, size - 4);
		return 0;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = KSD_GET;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t n = strlen(methods[i].prefix);

		if (len >= n && memcmp(t, methods[i].prefix, n) == 0) {
			rq.method = methods[i].m;
			method = methods[i].name;
			t += n;
			len -= n;
			break;
		}
	}
	/* exact-size copies, so a read past either end is an ASan report */
	target = malloc(len ? len : 1);
	buf = malloc(len + 1);
	FUZZ_ASSERT(target && buf, "out of memory");
	memcpy(target, t, len);
	rq.method_name = method;
	rq.web_root = g_web_real;
	rq.deadline_ms = KSD_DEADLINE_MS;
	rq.conn_fd = -1;
	ksd_reply_init(&rp);
	rc = ksd_req_parse_target(&rq, target, len, buf, len + 1, &rp);

	ref_parse(target, len, &ref);
	FUZZ_ASSERT((int)rc == ref.verdict, "verdict %d, reference %d", (int)rc, ref.verdict);
	if (rc == KSD_TARGET_OK) {
		FUZZ_ASSERT(strcmp(rq.path, ref.path) == 0, "path %s, reference %s", rq.path,
			    ref.path);
		FUZZ_ASSERT(rq.n_params == ref.n, "%zu params, reference %zu", rq.n_params, ref.n);
		for (i = 0; i < rq.n_params; i++) {
			FUZZ_ASSERT(strcmp(rq.params[i].key, ref.key[i]) == 0 &&
					strcmp(rq.params[i].value, ref.value[i]) == 0,
				    "param %zu: %s=%s, reference %s=%s", i, rq.params[i].key,
				    rq.params[i].value, ref.key[i], ref.value[i]);
			FUZZ_ASSERT(fuzz_utf8_valid(rq.params[i].value, strlen(rq.params[i].value)),
				    "value not UTF-8");
		}
		FUZZ_ASSERT(rp.status == 500 && !rp.json, "a reply before dispatch");
		ksd_router_dispatch(&rq, &rp);
		FUZZ_ASSERT(rp.route != NULL, "no route label");
	} else {
		FUZZ_ASSERT(rp.status == (rc == KSD_TARGET_TOO_LONG ? 414 : 400),
			    "status %d for %d", rp.status, (int)rc);
	}
	if (getenv("KS_FUZZ_HTTP_TRACE"))
		fprintf(stderr, "%s %.*s -> %d %s\n", method, (int)(len < 120 ? len : 120), target,
			rp.status, rp.route ? rp.route : "-");
	check_reply(&rp, method);
	ksd_reply_clear(&rp);
	ref_free(&ref);
	free(buf);
	free(target);
	return 0;
}
