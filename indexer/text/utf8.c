/* utf8.c - UTF-8 decoding, validation and counting (utf8.h), on ICU's
 * U8_NEXT so that every reader of UTF-8 in kensaku, ICU included, agrees
 * on what is well-formed and how far an ill-formed piece reaches. */
#include "kensaku/utf8.h"

#include <stdint.h>

#include <unicode/utf8.h>

long ks_utf8_decode(const char *s, size_t n, size_t *len)
{
	int32_t i = 0, end = n < 4 ? (int32_t)n : 4;
	UChar32 c;
	U8_NEXT(s, i, end, c);
	*len = (size_t)i;
	return c < 0 ? -1 : (long)c;
}

long ks_utf8_last(const char *s, size_t n, size_t *start)
{
	size_t i = n - 1, len;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
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
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}
