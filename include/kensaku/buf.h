/* buf.h - a growable, NUL-terminated byte buffer with a hard size cap
 * (after curl's dynbuf): every append either fits or sets oom and leaves
 * the buffer as it was, so builders append freely and check once.
 *
 * Ownership: a zeroed struct ks_buf is an empty buffer; ks_buf_free or
 * ks_buf_take ends it. */
#ifndef KENSAKU_BUF_H
#define KENSAKU_BUF_H

#include <stddef.h>

#define KS_BUF_MAX ((size_t)1 << 30) /* default cap: 1 GiB */

struct ks_buf {
	char *p;    /* the bytes, NUL-terminated once anything was added; NULL before */
	size_t len; /* bytes held, without the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* cap on len (0: KS_BUF_MAX) */
	int oom;    /* an append failed (no memory, or past max): later ones are no-ops */
};

/* Appends n bytes of s. Can't fail: on failure sets b->oom. */
void ks_buf_add(struct ks_buf *b, const void *s, size_t n);

/* Appends the NUL-terminated s. */
void ks_buf_str(struct ks_buf *b, const char *s);

/* Appends printf-style formatted text. Can't fail: on failure (no memory,
 * past the cap, or an encoding error) sets b->oom. */
void ks_buf_printf(struct ks_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns b's bytes (caller frees; "" when nothing was added, NULL on
 * out of memory or after a failed append) and empties b. */
char *ks_buf_take(struct ks_buf *b);

/* Frees b's bytes and empties it. Accepts NULL. */
void ks_buf_free(struct ks_buf *b);

#endif
