/* http.h - the listening socket and the libmicrohttpd daemon.
 *
 * http.c turns each MHD request into a struct ksd_req (checking URI
 * length, NUL bytes, UTF-8 and request bodies first), hands it to the
 * router, queues the reply through reply.c, and at the end of each request
 * writes the log line and the metrics. */
#ifndef KSD_HTTP_H
#define KSD_HTTP_H

#include <stddef.h>

#include <kensaku/err.h>

struct ksd_http_config {
	int listen_fd;	      /* a bound, listening socket (ksd_http_listen) */
	unsigned threads;     /* worker threads, >= 1 */
	const char *web_root; /* realpath of the web UI folder, or NULL */
	int deadline_ms;      /* per-request deadline from arrival, 0 = none */
	unsigned per_client;  /* connections per direct peer, requests in flight per
				 client behind a trusted proxy; 0 = the default */
	unsigned queue_max;   /* heavy requests waiting for a worker; 0 = default */
};

#define KSD_PER_CLIENT_DEFAULT 200u
#define KSD_QUEUE_PER_WORKER 64u /* default queue: this many per worker thread */

/* Parses spec "HOST:PORT", "[V6]:PORT" or ":PORT" (all interfaces), binds
 * and listens. On success sets *fd and writes "http://HOST:PORT" with the
 * bound port into url (n bytes). Returns KS_ERR_ARG for a malformed spec
 * (a usage error) and KS_ERR_IO when the address can't be bound. */
int ksd_http_listen(const char *spec, int *fd, char *url, size_t n, struct ks_err *err);

/* Starts serving on cfg->listen_fd (which the daemon then owns), with
 * cfg->threads HTTP threads and as many workers for the heavy routes
 * (search and the other index-reading API routes; admit.h): those wait in
 * a queue of cfg->queue_max, are refused with 503 + Retry-After when it is
 * full, and get 503 when their deadline passed while waiting. The cheap
 * routes (/healthz, /metrics, static files) are answered at once on the
 * HTTP threads. Set the trusted proxies (peer.h) before. KS_ERR_IO when
 * libmicrohttpd or the workers refuse to start. Call once. */
int ksd_http_start(const struct ksd_http_config *cfg, struct ks_err *err);

/* Stops accepting connections; requests on open connections are still
 * answered, with `Connection: close`. Connections the kernel had already
 * queued are taken in first, and it returns once every connection is
 * closed or none has started a request for 250 ms (at most 5 s): a
 * request sent before the signal is read and counted by ksd_http_active. */
void ksd_http_quiesce(void);

/* Requests whose headers arrived and whose response is not fully sent. */
long ksd_http_active(void);

/* Stops the workers (jobs still queued get 503), then the daemon (joins
 * its threads, closes every connection). Safe to call when it never
 * started. */
void ksd_http_stop(void);

#endif
