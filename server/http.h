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
	int deadline_ms;      /* per-query deadline, 0 = none */
};

/* Parses spec "HOST:PORT", "[V6]:PORT" or ":PORT" (all interfaces), binds
 * and listens. On success sets *fd and writes "http://HOST:PORT" with the
 * bound port into url (n bytes). Returns KS_ERR_ARG for a malformed spec
 * (a usage error) and KS_ERR_IO when the address can't be bound. */
int ksd_http_listen(const char *spec, int *fd, char *url, size_t n, struct ks_err *err);

/* Starts serving on cfg->listen_fd (which the daemon then owns).
 * KS_ERR_IO when libmicrohttpd refuses to start. Call once. */
int ksd_http_start(const struct ksd_http_config *cfg, struct ks_err *err);

/* Stops accepting connections; requests on open connections are still
 * answered, with `Connection: close`. Connections the kernel had already
 * queued are taken in first, and it returns once every connection is
 * closed or none has started a request for 250 ms (at most 5 s): a
 * request sent before the signal is read and counted by ksd_http_active. */
void ksd_http_quiesce(void);

/* Requests whose headers arrived and whose response is not fully sent. */
long ksd_http_active(void);

/* Stops the daemon (joins its threads, closes every connection). Safe to
 * call when it never started. */
void ksd_http_stop(void);

#endif
