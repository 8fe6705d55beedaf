/* utf8.c - UTF-8 decoding, validation and counting (utf8.h), on ICU's
 * U8_NEXT so that every reader of UTF-8 in kensaku, ICU included, agrees
 * on what is well-formed and how far an ill-formed piece reaches. */
#include "kensaku/utf8.h"

#include "utf8_internal.h"

/* 1 when b is a continuation byte (10xxxxxx). */
static int cont(char b)
{
	return ((unsigned char)b & 0xC0) == 0x80;
}

long ks_utf8_decode(const char *s, size_t n, size_t *len)
{
	return ks_utf8_decode_inline(s, n, len);
}

long ks_utf8_last(const char *s, size_t n, size_t *start)
{
	size_t len, i = ks_utf8_floor(s, n, n - 1);
	*start = i;
	return ks_utf8_decode(s + i, n - i, &len);
}

int ks_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, len;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if (ks_utf8_decode(s + i, n - i, &len) < 0)
			return 0;
		i += len;
	}
	return 1;
}

int ks_utf8_text(const char *s, size_t n)
{
	size_t i = 0, len;
	while (i < n) {
		long c = ks_utf8_decode(s + i, n - i, &len);
		if (c < 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
			return 0;
		i += len;
	}
	return 1;
}

size_t ks_utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; s && i < n; i++)
		c += !cont(s[i]);
	return c;
}

size_t ks_utf8_floor(const char *s, size_t n, size_t i)
{
	while (i > 0 && i < n && cont(s[i]))
		i--;
	return i;
}

size_t ks_utf8_ceil(const char *s, size_t n, size_t i)
{
	while (i < n && cont(s[i]))
		i++;
	return i;
}

size_t ks_utf8_step(const char *s, size_t n, size_t i, long k)
{
	for (; k > 0 && i < n; k--)
		i = ks_utf8_ceil(s, n, i + 1);
	for (; k < 0 && i > 0; k++)
		i = ks_utf8_floor(s, n, i - 1);
	return i;
}
