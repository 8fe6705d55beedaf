/* log.h - kensakud's stderr log: one line per request and tagged notices.
 *
 * Lines are written with one stdio call each, so lines of concurrent
 * threads never interleave. Paths are cut and control bytes escaped, so a
 * request can't forge log lines. */
#ifndef KSD_LOG_H
#define KSD_LOG_H

/* Silences (quiet = 1) or enables the per-request lines. Notices stay. */
void ksd_log_set_quiet(int quiet);

/* `GET /api/search 200 1.2ms hits=12 client=203.0.113.5`; hits < 0 omits
 * the hits field, a NULL client the client field (http.c names the client
 * when trusted proxies are configured). Status 0: the request ended
 * without a response of ours. */
void ksd_log_request(const char *method, const char *path, int status, double ms, long long hits,
		     const char *client);

/* `[tag] message` on stderr, printf-formatted. */
void ksd_log_info(const char *tag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
