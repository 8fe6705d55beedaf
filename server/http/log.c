/* log.c - the request log and tagged notices on stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define LOG_PATH_MAX 200

static atomic_int g_quiet;

void ksd_log_set_quiet(int quiet)
{
	atomic_store(&g_quiet, quiet);
}

/* Copies s into out (size n > 4) with control bytes, spaces and '\\' as
 * \xHH, cut at LOG_PATH_MAX bytes with "..." appended. Can't fail. */
static void clean(const char *s, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; s && s[i] && o + 5 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= LOG_PATH_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f || c == ' ' || c == '\\') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

void ksd_log_request(const char *method, const char *path, int status, double ms, long long hits,
		     const char *client)
{
	char m[32], p[LOG_PATH_MAX * 4 + 8], h[32] = "", cl[80] = "";

	if (atomic_load(&g_quiet))
		return;
	clean(method, m, sizeof(m));
	clean(path, p, sizeof(p));
	if (hits >= 0)
		snprintf(h, sizeof(h), " hits=%lld", hits);
	if (client) {
		char c[64];

		clean(client, c, sizeof(c));
		snprintf(cl, sizeof(cl), " client=%s", c); /* cut is fine in a log */
	}
	fprintf(stderr, "%s %s %d %.1fms%s%s\n", m, p, status, ms, h, cl);
}

void ksd_log_info(const char *tag, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); /* truncation is fine for a log line */
	va_end(ap);
	fprintf(stderr, "[%s] %s\n", tag, msg);
}
