/* http.c - libmicrohttpd glue: listen socket, daemon options, the access
 * handler (request checks -> struct ksd_req -> router -> reply.c), and the
 * completion hook (log line, metrics, drain accounting). */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <strings.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include <kensaku/num.h>

#include "admit.h"
#include "ksd.h"
#include "log.h"
#include "metrics.h"
#include "peer.h"
#include "reply.h"

#define CONN_TIMEOUT_S 10u
#define CONN_LIMIT 4096u /* at most; less when the file limit is lower */
#define FDS_RESERVED 64u /* descriptors kept for the index, logs, static files */
/* Per-connection memory (libmicrohttpd's pool: the request line and headers
 * are read into it, the response headers are built in it). 128 KiB lets a
 * request line of up to ~100 KiB reach our own checks (a 70 KB target gets
 * the JSON 414 of KSD_URI_MAX, not libmicrohttpd's bare one), and bounds a
 * connection's memory: the pool is reserved once per connection and only
 * the pages a client fills become resident. Longer lines still get
 * libmicrohttpd's own 414 (no JSON body: it never calls us). */
#define CONN_MEMORY (128u * 1024u)
#define GRACE_MS 250		  /* after SIGTERM: quiet time that ends the intake */
#define GRACE_MAX_MS 5000	  /* the intake ends after this at most */
#define XFF_MAX 8		  /* X-Forwarded-For headers read per request */
#define HEADERS_MAX (32u * 1024u) /* header fields past the request line: more is a 431 */

enum phase { PH_INLINE = 0, PH_WAITING, PH_READY };

struct ctx;

/* Per-connection state (the MHD_OPTION_NOTIFY_CONNECTION socket context),
 * created when the connection opens and freed when it closes. It owns the
 * request in progress, so a request libmicrohttpd gives up on without
 * calling the completion hook is still logged, counted and freed. */
struct conn {
	struct ctx *cur;
	struct ksd_addr peer;
	int counted; /* peer counted in KSD_PEER_CONNS */
};

/* Per-request state, created by the URI callback (once per request) and
 * freed by the completion hook, by the next request's URI callback, or
 * when the connection closes, whichever comes first. */
struct ctx {
	struct ksd_admit_job job; /* a heavy route's run on a worker */
	struct conn *conn;	  /* NULL when its allocation failed */
	struct MHD_Connection *c;
	struct timespec t0;
	char *target; /* the raw request target (NULL when too long) */
	size_t target_len;
	char *decoded;	    /* ksd_req_parse_target's strings */
	const char *uri_at; /* where libmicrohttpd's copy of the target starts */
	int too_long;	    /* request target longer than KSD_URI_MAX */
	int started;	    /* the access handler ran: counted as active */
	int has_body;	    /* Content-Length > 0 or Transfer-Encoding */
	int queued;	    /* a response is queued; later calls drain the body */
	int closing;	    /* the response says Connection: close */
	int inflight;	    /* client counted in KSD_PEER_INFLIGHT */
	enum phase phase;
	struct ksd_addr client;
	struct ksd_req rq;
	struct ksd_reply rp;
	int status;
	long long hits;
	const char *route;
	char method[16];
	char path[256];
};

static struct MHD_Daemon *g_daemon;
static const char *g_web_root;
static int g_deadline_ms = KSD_DEADLINE_MS;
static unsigned g_per_client = KSD_PER_CLIENT_DEFAULT;
static int g_inplace; /* libmicrohttpd hands on_uri its own read buffer */
static atomic_long g_active;
static atomic_int g_closing;
static atomic_long g_conns;	     /* open connections */
static atomic_llong g_last_start_ms; /* when the last request started */

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double since_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void copy_cut(char *dst, size_t n, const char *src)
{
	size_t len = src ? strlen(src) : 0;

	if (len >= n)
		len = n - 1;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Ends x: the log line and metrics (status 0 when libmicrohttpd ended the
 * request without our response: it answered a malformed or oversized
 * request itself, or the client left), the counters, and frees it. */
static void finish(struct ctx *x)
{
	char client[KSD_ADDR_TEXT] = "";
	double ms = since_ms(&x->t0);

	if (x->conn && x->conn->cur == x)
		x->conn->cur = NULL;
	if (!x->started) {
		ksd_metrics_start();
		copy_cut(x->method, sizeof(x->method), "-");
		copy_cut(x->path, sizeof(x->path), x->target ? x->target : "-");
	}
	if (ksd_peer_n_trusted() > 0)
		ksd_addr_format(&x->client, client);
	ksd_metrics_observe(x->route ? x->route : "other", x->status, ms / 1e3);
	ksd_log_request(x->method, x->path, x->status, ms, x->hits, client[0] ? client : NULL);
	if (x->started)
		atomic_fetch_sub(&g_active, 1);
	if (x->inflight)
		ksd_peer_give(KSD_PEER_INFLIGHT, &x->client);
	ksd_reply_clear(&x->rp);
	free(x->target);
	free(x->decoded);
	free(x);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct conn *k = *socket_ctx;

	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		atomic_fetch_add(&g_conns, 1);
		k = calloc(1, sizeof(*k));
		if (k) {
			ksd_addr_from_sockaddr(ci ? ci->client_addr : NULL, &k->peer);
			k->counted = !ksd_peer_is_trusted(&k->peer) &&
				     ksd_peer_take(KSD_PEER_CONNS, &k->peer, UINT_MAX) == 0;
		}
		*socket_ctx = k;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		atomic_fetch_sub(&g_conns, 1);
		if (k && k->cur)
			finish(k->cur); /* libmicrohttpd dropped it silently */
		if (k && k->counted)
			ksd_peer_give(KSD_PEER_CONNS, &k->peer);
		free(k);
		*socket_ctx = NULL;
	}
}

/* Refuses a connection from an address that already holds g_per_client
 * connections (trusted proxies are never refused). */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct ksd_addr a;

	(void)cls;
	(void)len;
	ksd_addr_from_sockaddr(sa, &a);
	if (ksd_peer_is_trusted(&a) || ksd_peer_count(KSD_PEER_CONNS, &a) < g_per_client)
		return MHD_YES;
	ksd_metrics_refused();
	return MHD_NO;
}

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct ctx *x = calloc(1, sizeof(*x));
	struct conn *k = conn_of(c);
	size_t len = strlen(uri);

	(void)cls;
	if (k && k->cur)
		finish(k->cur); /* the last request ended without the hook */
	if (!x)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	x->hits = -1;
	x->uri_at = uri;
	x->conn = k;
	if (k)
		x->client = k->peer;
	ksd_reply_init(&x->rp);
	x->too_long = len > KSD_URI_MAX;
	if (!x->too_long) {
		/* the raw target, parsed by ksd_req_parse_target (req.c) */
		x->target = malloc(len + 1);
		x->decoded = malloc(len + 1);
		if (!x->target || !x->decoded) {
			free(x->target);
			free(x->decoded);
			free(x);
			return NULL;
		}
		memcpy(x->target, uri, len + 1);
		x->target_len = len;
	}
	if (k)
		k->cur = x;
	/* kensakud never reads libmicrohttpd's parsed arguments. In 0.9.x
	 * this callback gets the request line in MHD's read buffer, before
	 * MHD_parse_arguments_ runs on what follows the '?' (connection.c,
	 * parse_initial_message_line): ending the string there leaves MHD
	 * nothing to parse. Parsing ~1,000 arguments ran the connection's
	 * pool dry, and MHD then dropped the connection without an answer. */
	if (g_inplace) {
		char *q = strchr((char *)(uintptr_t)uri, '?');

		if (q)
			q[1] = '\0';
	}
	return x;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct ctx *x = *req_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (x)
		finish(x);
	*req_cls = NULL;
}

static enum ksd_method method_of(const char *m)
{
	if (strcmp(m, MHD_HTTP_METHOD_GET) == 0)
		return KSD_GET;
	if (strcmp(m, MHD_HTTP_METHOD_HEAD) == 0)
		return KSD_HEAD;
	if (strcmp(m, MHD_HTTP_METHOD_OPTIONS) == 0)
		return KSD_OPTIONS;
	return KSD_OTHER;
}

/* 1 when the request announces a body (Content-Length > 0 or chunked). */
static int has_body(struct MHD_Connection *c)
{
	const char *cl =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);

	if (te)
		return 1;
	if (!cl)
		return 0;
	while (*cl == '0' || *cl == ' ' || *cl == '\t')
		cl++;
	return *cl != '\0';
}

/* 1 when the request line held a NUL byte inside the target: MHD ends the
 * target it gives on_uri at the first NUL, but the HTTP version that
 * follows the target in the same buffer starts further on. */
static int target_has_nul(const struct ctx *x, const char *version)
{
	uintptr_t end = (uintptr_t)x->uri_at + strlen(x->target ? x->target : "");
	uintptr_t ver = (uintptr_t)version;

	if (!g_inplace || !x->target || !version || !version[0])
		return 0;
	return ver > end + 1 && ver - end < CONN_MEMORY;
}

/* 1 when the header fields (the request minus its target) pass
 * HEADERS_MAX: the connection memory lets a long target through, not a
 * header block of that size. */
static int headers_too_big(const struct ctx *x, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);

	return ci && ci->header_size > x->target_len + HEADERS_MAX;
}

struct xff {
	const char *v[XFF_MAX];
	size_t n;
};

static enum MHD_Result add_xff(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct xff *f = cls;

	(void)kind;
	if (strcasecmp(key, "X-Forwarded-For") == 0 && value) {
		if (f->n == XFF_MAX)
			memmove(f->v, f->v + 1, sizeof(f->v[0]) * (XFF_MAX - 1));
		f->v[f->n < XFF_MAX ? f->n++ : XFF_MAX - 1] = value;
	}
	return MHD_YES;
}

/* The first call for a request: counts it, notes what the log needs and
 * who the client is (X-Forwarded-For from a trusted proxy). */
static void start(struct ctx *x, struct MHD_Connection *c, const char *method, const char *url)
{
	x->started = 1;
	atomic_fetch_add(&g_active, 1);
	atomic_store(&g_last_start_ms, mono_ms());
	ksd_metrics_start();
	copy_cut(x->method, sizeof(x->method), method);
	copy_cut(x->path, sizeof(x->path), url);
	x->route = "other";
	x->has_body = has_body(c);
	if (x->conn && ksd_peer_is_trusted(&x->conn->peer)) {
		struct xff f = {{0}, 0};

		MHD_get_connection_values(c, MHD_HEADER_KIND, add_xff, &f);
		if (ksd_peer_client(&x->conn->peer, f.v, f.n, &x->client))
			x->inflight =
			    ksd_peer_take(KSD_PEER_INFLIGHT, &x->client, g_per_client) == 0 ? 1
											    : -1;
	}
}

/* 1 when a trusted proxy sent the request saying its client used TLS
 * (X-Forwarded-Proto: https); anyone else's word is ignored. */
static int forwarded_https(const struct ctx *x, struct MHD_Connection *c)
{
	const char *p;

	if (!x->conn || !ksd_peer_is_trusted(&x->conn->peer))
		return 0;
	p = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
	return p && strcasecmp(p, "https") == 0;
}

/* Queues x->rp (x->rp is then cleared). */
static enum MHD_Result send_reply(struct ctx *x, struct MHD_Connection *c)
{
	int queued;

	if (x->rp.route)
		x->route = x->rp.route;
	x->status = x->rp.status;
	x->hits = x->rp.hits;
	x->queued = 1;
	queued = ksd_reply_queue(c, &x->rp, x->closing || atomic_load(&g_closing));
	ksd_reply_clear(&x->rp);
	return queued ? MHD_YES : MHD_NO;
}

static void busy(struct ksd_reply *rp, const char *code, const char *msg, int status)
{
	ksd_reply_error(rp, status, code, "%s", msg);
	(void)ksd_reply_header(rp, "Retry-After", "1");
}

/* A heavy route's run on a worker: the deadline counts from the request's
 * arrival, so the library gets what the queue wait left of it. */
static void run_job(struct ksd_admit_job *j)
{
	struct ctx *x = (struct ctx *)(void *)((char *)j - offsetof(struct ctx, job));
	long long left = g_deadline_ms - (long long)since_ms(&x->t0);

	if (j->cancelled)
		busy(&x->rp, "unavailable", "the server is shutting down", 503);
	else if (g_deadline_ms > 0 && left <= 0)
		busy(&x->rp, "timeout", "the request waited too long for a worker", 503);
	else {
		x->rq.deadline_ms = g_deadline_ms > 0 ? (int)left : 0;
		ksd_router_dispatch(&x->rq, &x->rp);
	}
	x->phase = PH_READY;
	MHD_resume_connection(x->c);
}

/* Answers x: inline for the cheap routes and every refusal, or hands a
 * heavy route to a worker (suspending the connection). */
static enum MHD_Result answer(struct ctx *x, struct MHD_Connection *c)
{
	const char *heavy;

	if (x->inflight < 0) {
		x->inflight = 0;
		busy(&x->rp, "too_many_requests", "too many requests in flight from this client",
		     429);
		return send_reply(x, c);
	}
	heavy = ksd_router_heavy(&x->rq);
	if (!heavy) {
		ksd_router_dispatch(&x->rq, &x->rp);
		return send_reply(x, c);
	}
	x->rp.route = heavy;
	if (ksd_admit_reserve() != 0) {
		busy(&x->rp, "busy", "the server is busy; try again in a moment", 503);
		return send_reply(x, c);
	}
	x->c = c;
	x->job.run = run_job;
	x->phase = PH_WAITING;
	MHD_suspend_connection(c);
	ksd_admit_push(&x->job);
	return MHD_YES;
}

/* Fills x->rq from the request and checks it: the error reply, if any,
 * is in x->rp. Returns 1 when the request may go on to the router. */
static int prepare(struct ctx *x, struct MHD_Connection *c, const char *method, const char *version)
{
	struct ksd_req *rq = &x->rq;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	enum ksd_target_rc target;

	rq->method = method_of(method);
	rq->method_name = method;
	rq->web_root = g_web_root;
	rq->deadline_ms = g_deadline_ms;
	rq->if_none_match =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	rq->host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	rq->https = forwarded_https(x, c);
	rq->conn_fd = ci ? (int)ci->connect_fd : -1;
	x->closing = x->has_body; /* a body left unread: the connection can't go on */
	if (x->too_long) {
		ksd_reply_error(&x->rp, 414, "uri_too_long",
				"the request target is longer than %d bytes", KSD_URI_MAX);
		x->closing = 1;
		return 0;
	}
	if (headers_too_big(x, c)) {
		ksd_reply_error(&x->rp, 431, "headers_too_large",
				"the request's header fields are longer than %u bytes",
				HEADERS_MAX);
		x->closing = 1;
		return 0;
	}
	if (target_has_nul(x, version)) {
		ksd_reply_error(&x->rp, 400, "bad_request", "the request target holds a NUL byte");
		x->closing = 1;
		return 0;
	}
	/* libmicrohttpd's own decoding of the path and arguments is not used:
	 * the raw target goes through the same parser as fuzz_http */
	target = ksd_req_parse_target(rq, x->target, x->target_len, x->decoded, x->target_len + 1,
				      &x->rp);
	if (target == KSD_TARGET_BAD_QUERY && ksd_router_is_static(rq) && !x->has_body) {
		/* a page of the UI is served whatever its query holds: the
		 * page's script reads the query and shows the error itself */
		ksd_reply_clear(&x->rp);
		rq->n_params = 0;
		target = KSD_TARGET_OK;
	}
	if (target == KSD_TARGET_TOO_LONG)
		x->closing = 1;
	if (target != KSD_TARGET_OK)
		return 0;
	if (rq->method != KSD_OTHER && x->has_body) {
		ksd_reply_error(&x->rp, 413, "payload_too_large",
				"this server accepts no request body");
		return 0;
	}
	return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct ctx *x = *req_cls;

	(void)cls;
	(void)upload_data;
	if (!x)
		return MHD_NO; /* out of memory in on_uri: drop the connection */
	if (x->queued) {
		*upload_data_size = 0; /* a body we refused: discard it */
		return MHD_YES;
	}
	if (!x->started) {
		start(x, c, method, url);
		/* libmicrohttpd 0.9.75 closes the connection after a response
		 * queued on this first call, so answer now only when we want
		 * the connection gone (a body we won't read, a huge URI, a
		 * NUL in the target); everything else is answered on the next
		 * call, keeping the connection alive. */
		if (!x->has_body && !x->too_long && !target_has_nul(x, version))
			return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (x->phase == PH_READY)
		return send_reply(x, c);
	if (x->phase == PH_WAITING)
		return MHD_YES; /* not resumed yet */
	if (!prepare(x, c, method, version))
		return send_reply(x, c);
	return answer(x, c);
}

int ksd_http_listen(const char *spec, int *fd, char *url, size_t n, struct ks_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[8], hbuf[NI_MAXHOST], pbuf[NI_MAXSERV];
	const char *colon, *h = spec;
	size_t hl, i;
	int s = -1, one = 1, rc, w, pn;

	if (spec[0] == '[') {
		const char *close_br = strchr(spec, ']');

		if (!close_br || close_br[1] != ':')
			return ks_err_set(err, KS_ERR_ARG, "bad --listen %s: want [V6ADDR]:PORT",
					  spec);
		h = spec + 1;
		hl = (size_t)(close_br - h);
		colon = close_br + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return ks_err_set(err, KS_ERR_ARG, "bad --listen %s: want HOST:PORT", spec);
		hl = (size_t)(colon - spec);
	}
	if (hl >= sizeof(host) || strlen(colon + 1) == 0 || strlen(colon + 1) > 5)
		return ks_err_set(err, KS_ERR_ARG, "bad --listen %s: want HOST:PORT", spec);
	memcpy(host, h, hl);
	host[hl] = '\0';
	for (i = 1; colon[i]; i++)
		if (colon[i] < '0' || colon[i] > '9')
			return ks_err_set(err, KS_ERR_ARG, "bad --listen %s: bad port", spec);
	if (ks_parse_int(colon + 1, 0, 65535, &pn) != 0) /* digits only: out of range */
		return ks_err_set(err, KS_ERR_ARG, "bad --listen %s: port out of range", spec);
	memcpy(port, colon + 1, strlen(colon + 1) + 1);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc != 0)
		return ks_err_set(err, KS_ERR_ARG, "bad --listen %s: %s", spec, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (s < 0)
			continue;
		(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, ai->ai_addr, ai->ai_addrlen) == 0 && listen(s, 511) == 0)
			break;
		rc = errno;
		close(s);
		s = -1;
		errno = rc;
	}
	freeaddrinfo(res);
	if (s < 0)
		return ks_err_set(err, KS_ERR_IO, "[http][listen] cannot listen on %s: %s", spec,
				  strerror(errno));
	if (getsockname(s, (struct sockaddr *)&ss, &sl) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, hbuf, sizeof(hbuf), pbuf, sizeof(pbuf),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		close(s);
		return ks_err_set(err, KS_ERR_IO,
				  "[http][listen] cannot read the bound address of %s", spec);
	}
	if (ss.ss_family == AF_INET6)
		w = snprintf(url, n, "http://[%s]:%s", hbuf, pbuf);
	else
		w = snprintf(url, n, "http://%s:%s", hbuf, pbuf);
	if (w < 0 || (size_t)w >= n) {
		close(s);
		return ks_err_set(err, KS_ERR_ARG, "address too long");
	}
	*fd = s;
	return KS_OK;
}

/* Raises the soft limit on open files to the hard one and returns how
 * many connections fit under it (at most CONN_LIMIT). */
static unsigned int connection_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1000u;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want =
		    rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 : rl.rlim_max;

		if (want > rl.rlim_cur) {
			rl.rlim_cur = want;
			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= CONN_LIMIT + FDS_RESERVED)
		return CONN_LIMIT;
	return rl.rlim_cur > 2 * FDS_RESERVED ? (unsigned int)(rl.rlim_cur - FDS_RESERVED) : 64u;
}

int ksd_http_start(const struct ksd_http_config *cfg, struct ks_err *err)
{
	/* poll, not epoll: libmicrohttpd 0.9.75 can panic ("Failed to remove
	 * listen FD from epoll set") when MHD_quiesce_daemon races a worker of
	 * an epoll thread pool, which turned a SIGTERM drain into an abort */
	unsigned int flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	unsigned int conns = connection_limit();
	unsigned workers = cfg->threads > 1 ? cfg->threads : 1;

	if (MHD_is_feature_supported(MHD_FEATURE_POLL) == MHD_YES)
		flags |= MHD_USE_POLL;
	g_web_root = cfg->web_root;
	g_deadline_ms = cfg->deadline_ms;
	g_per_client = cfg->per_client ? cfg->per_client : KSD_PER_CLIENT_DEFAULT;
	g_inplace = strncmp(MHD_get_version(), "0.9.", 4) == 0;
	if (ksd_admit_start(workers,
			    cfg->queue_max ? cfg->queue_max : KSD_QUEUE_PER_WORKER * workers) != 0)
		return ks_err_set(err, KS_ERR_IO, "[http][start] cannot start the worker threads");
	/* the per-address connection limit is ours (on_accept), not
	 * MHD_OPTION_PER_IP_CONNECTION_LIMIT: a trusted proxy is exempt */
	g_daemon = MHD_start_daemon(
	    flags, 0, on_accept, NULL, on_request, NULL, MHD_OPTION_LISTEN_SOCKET,
	    (MHD_socket)cfg->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)(cfg->threads > 1 ? cfg->threads : 0), MHD_OPTION_CONNECTION_TIMEOUT,
	    CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, conns, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)CONN_MEMORY, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
	    on_connection, NULL, MHD_OPTION_END);
	if (!g_daemon) {
		ksd_admit_stop();
		return ks_err_set(err, KS_ERR_IO, "[http][start] libmicrohttpd could not start");
	}
	return KS_OK;
}

/* Accepts every connection queued on the listening socket s (the kernel
 * completed them, their clients may have sent a request already) and
 * hands it to the daemon, which serves it like the others. */
static int adopt_backlog(MHD_socket s)
{
	int n = 0, fl = fcntl(s, F_GETFL);

	if (fl < 0 || fcntl(s, F_SETFL, fl | O_NONBLOCK) != 0)
		return 0;
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept(s, (struct sockaddr *)&ss, &sl);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return n; /* EAGAIN: the queue is empty */
		}
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		/* the daemon owns fd from here, and closes it on failure */
		if (MHD_add_connection(g_daemon, fd, (struct sockaddr *)&ss, sl) == MHD_YES)
			n++;
	}
}

void ksd_http_quiesce(void)
{
	long long t0 = mono_ms(), now;
	MHD_socket s;

	atomic_store(&g_closing, 1);
	if (!g_daemon)
		return;
	s = MHD_quiesce_daemon(g_daemon);
	/* shutdown first: a worker still in poll() holds the socket open past
	 * close(), and connections would queue on it meanwhile. Before that,
	 * the connections already queued are taken in: their clients
	 * connected before the signal */
	if (s != MHD_INVALID_SOCKET) {
		int n = adopt_backlog(s);

		if (n > 0)
			ksd_log_info("http", "took in %d queued connection(s)", n);
		shutdown(s, SHUT_RDWR);
		close(s);
	}
	/* A request sent before the signal on a kept-alive (or just adopted)
	 * connection can still sit unread in its socket: wait until no
	 * connection is open, or none started a request for GRACE_MS. Every
	 * answer from now on says Connection: close, so each connection asks
	 * at most once more. */
	while (atomic_load(&g_conns) > 0 && (now = mono_ms()) - t0 < GRACE_MAX_MS &&
	       now - (atomic_load(&g_last_start_ms) > t0 ? atomic_load(&g_last_start_ms) : t0) <
		   GRACE_MS) {
		struct timespec ts = {0, 5 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
}

long ksd_http_active(void)
{
	return atomic_load(&g_active);
}

void ksd_http_stop(void)
{
	/* the workers first: a job they still hold resumes its connection,
	 * which must happen before the daemon closes it */
	ksd_admit_stop();
	if (g_daemon)
		MHD_stop_daemon(g_daemon);
	g_daemon = NULL;
}
