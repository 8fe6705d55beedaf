/* buf.c - the growable byte buffer of buf.h. */
#include "kensaku/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n more bytes and a NUL; 0, or -1 with b->oom set (no
 * memory, or past the cap). */
static int reserve(struct ks_buf *b, size_t n)
{
	size_t max = b->max ? b->max : KS_BUF_MAX;
	if (b->oom)
		return -1;
	if (n > max - b->len) {
		b->oom = 1;
		return -1;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return -1;
		}
		b->p = p;
		b->cap = cap;
	}
	return 0;
}

void ks_buf_add(struct ks_buf *b, const void *s, size_t n)
{
	if (reserve(b, n) < 0)
		return;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void ks_buf_printf(struct ks_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if (reserve(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void ks_buf_str(struct ks_buf *b, const char *s)
{
	ks_buf_add(b, s, strlen(s));
}

char *ks_buf_take(struct ks_buf *b)
{
	char *p = b->oom ? NULL : b->p ? b->p : strdup("");
	if (b->oom)
		free(b->p);
	memset(b, 0, sizeof *b);
	return p;
}

void ks_buf_free(struct ks_buf *b)
{
	if (!b)
		return;
	free(b->p);
	memset(b, 0, sizeof *b);
}
