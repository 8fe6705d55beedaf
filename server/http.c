/* http.c - libmicrohttpd glue: listen socket, daemon options, the access
 * handler (request checks -> struct ksd_req -> router -> reply.c), and the
 * completion hook (log line, metrics, drain accounting). */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
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

#include "ksd.h"
#include "log.h"
#include "metrics.h"
#include "reply.h"

#define CONN_TIMEOUT_S 10u
#define CONN_LIMIT 4096u /* at most; less when the file limit is lower */
#define FDS_RESERVED 64u /* descriptors kept for the index, logs, static files */
#define PER_IP_LIMIT 200u
#define CONN_MEMORY (64u * 1024u)
#define GRACE_MS 250	  /* after SIGTERM: quiet time that ends the intake */
#define GRACE_MAX_MS 5000 /* the intake ends after this at most */

/* Per-request state, created by the URI callback (once per request) and
 * freed by the completion hook. */
struct ctx {
	struct timespec t0;
	char *target; /* the raw request target (NULL when too long) */
	size_t target_len;
	char *decoded; /* ksd_req_parse_target's strings */
	int too_long;  /* request target longer than KSD_URI_MAX */
	int started;   /* the access handler ran: counted as active */
	int has_body;  /* Content-Length > 0 or Transfer-Encoding */
	int queued;    /* a response is queued; later calls drain the body */
	int status;
	long long hits;
	const char *route;
	char method[16];
	char path[256];
};

static struct MHD_Daemon *g_daemon;
static const char *g_web_root;
static int g_deadline_ms = KSD_DEADLINE_MS;
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

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)c;
	(void)socket_ctx;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&g_conns, 1);
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&g_conns, 1);
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

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct ctx *x = calloc(1, sizeof(*x));
	size_t len = strlen(uri);

	(void)cls;
	(void)c;
	if (!x)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	x->hits = -1;
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
	return x;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct ctx *x = *req_cls;
	double ms;

	(void)cls;
	(void)c;
	(void)toe;
	if (!x)
		return;
	if (x->started) {
		ms = since_ms(&x->t0);
		ksd_metrics_observe(x->route, x->status, ms / 1e3);
		ksd_log_request(x->method, x->path, x->status, ms, x->hits);
		atomic_fetch_sub(&g_active, 1);
	}
	free(x->target);
	free(x->decoded);
	free(x);
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct ctx *x = *req_cls;
	struct ksd_req rq;
	struct ksd_reply rp;
	enum ksd_target_rc target = KSD_TARGET_TOO_LONG;
	int closing = atomic_load(&g_closing);
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	(void)upload_data;
	if (!x)
		return MHD_NO; /* out of memory in on_uri: drop the connection */
	if (x->queued) {
		*upload_data_size = 0; /* a body we refused: discard it */
		return MHD_YES;
	}
	if (!x->started) {
		x->started = 1;
		atomic_fetch_add(&g_active, 1);
		atomic_store(&g_last_start_ms, mono_ms());
		ksd_metrics_start();
		copy_cut(x->method, sizeof(x->method), method);
		copy_cut(x->path, sizeof(x->path), url);
		x->route = "other";
		x->has_body = has_body(c);
		/* libmicrohttpd 0.9.75 closes the connection after a response
		 * queued on this first call, so answer now only when we want
		 * the connection gone (a body we won't read, a huge URI);
		 * everything else is answered on the next call, keeping the
		 * connection alive. */
		if (!x->has_body && !x->too_long)
			return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	x->queued = 1;

	memset(&rq, 0, sizeof(rq));
	ksd_reply_init(&rp);
	rq.method = method_of(method);
	rq.method_name = method;
	rq.web_root = g_web_root;
	rq.deadline_ms = g_deadline_ms;
	rq.if_none_match =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	rq.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	{
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

		rq.conn_fd = ci ? (int)ci->connect_fd : -1;
	}
	/* libmicrohttpd's own decoding of the path (url) and arguments is not
	 * used: the raw target goes through the same parser as fuzz_http */
	(void)url;
	if (x->too_long)
		ksd_reply_error(&rp, 414, "uri_too_long",
				"the request target is longer than %d bytes", KSD_URI_MAX);
	else
		target = ksd_req_parse_target(&rq, x->target, x->target_len, x->decoded,
					      x->target_len + 1, &rp);
	if (target == KSD_TARGET_TOO_LONG) {
		closing = 1;
	} else if (target == KSD_TARGET_BAD_PATH) {
		/* the 400 is in rp */
	} else if (rq.method != KSD_OTHER && x->has_body) {
		ksd_reply_error(&rp, 413, "payload_too_large",
				"this server accepts no request body");
		closing = 1;
	} else if (target == KSD_TARGET_OK) {
		ksd_router_dispatch(&rq, &rp);
	}
	if (x->has_body)
		closing = 1; /* the body is left unread: the connection can't go on */
	if (rp.route)
		x->route = rp.route;
	x->status = rp.status;
	x->hits = rp.hits;
	ret = ksd_reply_queue(c, &rp, closing);
	ksd_reply_clear(&rp);
	return ret;
}

int ksd_http_listen(const char *spec, int *fd, char *url, size_t n, struct ks_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[8], hbuf[NI_MAXHOST], pbuf[NI_MAXSERV];
	const char *colon, *h = spec;
	size_t hl, i;
	int s = -1, one = 1, rc, w;

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
	if (atoi(colon + 1) > 65535)
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
		return ks_err_set(err, KS_ERR_IO, "cannot listen on %s: %s", spec, strerror(errno));
	if (getsockname(s, (struct sockaddr *)&ss, &sl) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, hbuf, sizeof(hbuf), pbuf, sizeof(pbuf),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		close(s);
		return ks_err_set(err, KS_ERR_IO, "cannot read the bound address of %s", spec);
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
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
	unsigned int conns = connection_limit();

	if (MHD_is_feature_supported(MHD_FEATURE_POLL) == MHD_YES)
		flags |= MHD_USE_POLL;
	g_web_root = cfg->web_root;
	g_deadline_ms = cfg->deadline_ms;
	g_daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_LISTEN_SOCKET,
	    (MHD_socket)cfg->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)(cfg->threads > 1 ? cfg->threads : 0), MHD_OPTION_CONNECTION_TIMEOUT,
	    CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    PER_IP_LIMIT, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_END);
	if (!g_daemon)
		return ks_err_set(err, KS_ERR_IO, "libmicrohttpd could not start");
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
			ksd_log_info("kensakud", "took in %d queued connection(s)", n);
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
	if (g_daemon)
		MHD_stop_daemon(g_daemon);
	g_daemon = NULL;
}
