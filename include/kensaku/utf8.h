/* utf8.h - the one place that reads UTF-8: decoding a code point (strict:
 * no overlongs, surrogates or code points past U+10FFFF), validating a
 * string, and counting code points. Everything here is pure, never
 * allocates and never fails; s needs no NUL terminator. */
#ifndef KENSAKU_UTF8_H
#define KENSAKU_UTF8_H

#include <stddef.h>

/* Decodes the code point at the start of s[0..n) (n >= 1) and sets *len to
 * the bytes it takes. Returns the code point, or -1 for an ill-formed
 * sequence; *len is then the length of its maximal subpart (>= 1), so that
 * a loop replacing each ill-formed piece with U+FFFD advances as ICU's
 * U8_NEXT and the WHATWG decoder do. */
long ks_utf8_decode(const char *s, size_t n, size_t *len);

/* The code point of the last character of s[0..n) (n >= 1), with *start
 * set to the offset where it begins; -1 when that character is
 * ill-formed. */
long ks_utf8_last(const char *s, size_t n, size_t *start);

/* 1 when s[0..n) is well-formed UTF-8 (NUL bytes allowed), else 0. */
int ks_utf8_valid(const char *s, size_t n);

/* 1 when s[0..n) is well-formed UTF-8 text: no NUL and no other C0
 * control but tab, LF and CR. */
int ks_utf8_text(const char *s, size_t n);

/* The number of code points in s[0..n) (bytes that are not continuation
 * bytes); s may be NULL when n is 0. */
size_t ks_utf8_chars(const char *s, size_t n);

/* The character boundary at or before byte i of s[0..n) (i <= n; n
 * itself is a boundary): where to cut s to at most i bytes. */
size_t ks_utf8_floor(const char *s, size_t n, size_t i);

/* The character boundary at or after byte i of s[0..n) (i <= n). */
size_t ks_utf8_ceil(const char *s, size_t n, size_t i);

/* The byte offset k characters after (k > 0) or before (k < 0) the
 * boundary i of s[0..n), clamped to [0, n]. ks_utf8_step(s, n, 0, k) is
 * the length of s's first k characters. */
size_t ks_utf8_step(const char *s, size_t n, size_t i, long k);

#endif
