/* charset.h - text in a Japanese mail or web charset as UTF-8 (private to
 * ingest: the email reader's MIME parts, HTML pages that declare no
 * charset).
 *
 * Conversion is by ICU and strict: no replacement character is ever made
 * up, and a result holding a control character other than tab, line feed,
 * form feed and carriage return is refused (a wrong guess usually gives
 * one). ICU's Japanese converters are the Windows supersets mail and old
 * web pages really use (NEC and IBM extensions such as ① and ㈱; in
 * Shift_JIS 0x5C is a backslash, not a yen sign). An ISO-2022-JP escape
 * that follows another with no text between (an empty segment, which some
 * Japanese mailers write) is accepted. */
#ifndef KS_CHARSET_H
#define KS_CHARSET_H

#include <stddef.h>

/* s[0..n) converted from charset (a name or alias ICU knows: "Shift_JIS",
 * "iso-2022-jp", "x-sjis", "windows-31j", ...) to UTF-8: malloc'd,
 * NUL-terminated, its length in *len. Returns KS_OK; KS_ERR_PARSE when
 * ICU does not know charset, the bytes are not valid in it or they give a
 * control character; KS_ERR_NOMEM. */
int ks_charset_to_utf8(const char *charset, const char *s, size_t n, char **out, size_t *len);

/* s[0..n) in charset (NULL: none named), else in the first of UTF-8,
 * ISO-2022-JP, EUC-JP and Shift_JIS that reads it, as ks_charset_to_utf8
 * gives it. KS_ERR_PARSE when none does. */
int ks_charset_any_to_utf8(const char *charset, const char *s, size_t n, char **out,
			   size_t *len);

#endif
