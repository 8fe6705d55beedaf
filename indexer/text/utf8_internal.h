/* utf8_internal.h - ks_utf8_decode (utf8.h) as an inline function, for the
 * text layer's hot loops (the tokenizer's normalization decodes every code
 * point of every document); utf8.c defines the exported one with it. */
#ifndef KS_UTF8_INTERNAL_H
#define KS_UTF8_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <unicode/utf8.h>

/* As ks_utf8_decode. */
static inline long ks_utf8_decode_inline(const char *s, size_t n, size_t *len)
{
	int32_t i = 0, end = n < 4 ? (int32_t)n : 4;
	UChar32 c;
	U8_NEXT(s, i, end, c);
	*len = (size_t)i;
	return c < 0 ? -1 : (long)c;
}

#endif
