/* charset.c - text in a Japanese mail or web charset as UTF-8, strictly,
 * through ICU (charset.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include "charset.h"
#include "kensaku/err.h"

/* Tried in this order when no charset is named or the named one fails. */
static const char *const fallback[] = {"UTF-8", "ISO-2022-JP", "EUC-JP", "Shift_JIS"};

/* 1 when the UTF-8 text s[0..n) holds a control character other than tab,
 * line feed, form feed and carriage return (C0, DEL or C1). */
static int has_controls(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7F ||
		    (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] < 0xA0))
			return 1;
	}
	return 0;
}

/* ICU's to-Unicode callback: stops at the first invalid byte, as
 * UCNV_TO_U_CALLBACK_STOP does, except at an ISO-2022-JP escape that
 * follows another one with no text between (an empty segment: ICU reports
 * it, some Japanese mailers write it, and the switch it names is already
 * made). */
static void stop_but_empty_segment(const void *ctx, UConverterToUnicodeArgs *args,
				   const char *units, int32_t n, UConverterCallbackReason reason,
				   UErrorCode *err)
{
	static const char escapes[][4] = {"\x1b(B", "\x1b(J", "\x1b(I", "\x1b$@", "\x1b$B"};
	(void)ctx;
	(void)args;
	if (reason != UCNV_IRREGULAR || *err != U_ILLEGAL_ESCAPE_SEQUENCE || n != 3)
		return;
	for (size_t k = 0; k < sizeof escapes / sizeof escapes[0]; k++)
		if (!memcmp(units, escapes[k], 3))
			*err = U_ZERO_ERROR;
}

/* The UTF-16 text of s[0..n) in cv's charset, stopping at the first
 * invalid byte: *u malloc'd (NUL-terminated), its length in *nu. */
static int to_utf16(UConverter *cv, const char *s, int32_t n, UChar **u, int32_t *nu)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t cap = n + 1, got;
	for (int pass = 0; pass < 2; pass++) {
		UChar *b = malloc((size_t)cap * sizeof *b);
		if (!b)
			return KS_ERR_NOMEM;
		st = U_ZERO_ERROR;
		ucnv_resetToUnicode(cv);
		got = ucnv_toUChars(cv, b, cap, s, n, &st);
		if (U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING) {
			*u = b;
			*nu = got;
			return KS_OK;
		}
		free(b);
		if (st != U_BUFFER_OVERFLOW_ERROR && st != U_STRING_NOT_TERMINATED_WARNING)
			break;
		cap = got + 1;
	}
	return st == U_MEMORY_ALLOCATION_ERROR ? KS_ERR_NOMEM : KS_ERR_PARSE;
}

int ks_charset_to_utf8(const char *charset, const char *s, size_t n, char **out, size_t *len)
{
	UErrorCode st = U_ZERO_ERROR;
	UConverter *cv;
	UChar *u = NULL;
	char *o = NULL;
	int32_t nu = 0, no = 0;
	int rc;

	if (!charset || n > INT32_MAX / 4)
		return KS_ERR_PARSE;
	cv = ucnv_open(charset, &st);
	if (U_FAILURE(st))
		return st == U_MEMORY_ALLOCATION_ERROR ? KS_ERR_NOMEM : KS_ERR_PARSE;
	ucnv_setToUCallBack(cv, stop_but_empty_segment, NULL, NULL, NULL, &st);
	rc = KS_ERR_PARSE;
	if (U_FAILURE(st) || (rc = to_utf16(cv, s ? s : "", (int32_t)n, &u, &nu)) != KS_OK)
		goto out;
	u_strToUTF8(NULL, 0, &no, u, nu, &st); /* the size: an overflow "error" */
	rc = KS_ERR_PARSE;
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		goto out;
	rc = KS_ERR_NOMEM;
	if (!(o = malloc((size_t)no + 1)))
		goto out;
	st = U_ZERO_ERROR;
	u_strToUTF8(o, no + 1, NULL, u, nu, &st);
	rc = KS_ERR_PARSE;
	if (U_FAILURE(st) || has_controls(o, (size_t)no))
		goto out;
	*out = o;
	*len = (size_t)no;
	o = NULL;
	rc = KS_OK;
out:
	free(o);
	free(u);
	ucnv_close(cv);
	return rc;
}

int ks_charset_any_to_utf8(const char *charset, const char *s, size_t n, char **out,
			   size_t *len)
{
	int rc = charset ? ks_charset_to_utf8(charset, s, n, out, len) : KS_ERR_PARSE;
	for (size_t k = 0; rc == KS_ERR_PARSE && k < sizeof fallback / sizeof fallback[0]; k++)
		rc = ks_charset_to_utf8(fallback[k], s, n, out, len);
	return rc;
}
