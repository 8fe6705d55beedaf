/* mail_text.c - the body parts of an email message and their text as
 * UTF-8 (mail_text.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include "kensaku/err.h"
#include "mail_text.h"

/* Tried in this order when the declared charset fails (mail_text.h). */
static const char *const fallback[] = {"UTF-8", "ISO-2022-JP", "EUC-JP", "Shift_JIS"};

struct body_parts {
	GMimePart *html, *text;
};

static void take_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct body_parts *b = data;
	GMimeContentType *ct;
	(void)parent;
	if (!GMIME_IS_PART(part) || g_mime_part_is_attachment(GMIME_PART(part)))
		return;
	if (!(ct = g_mime_object_get_content_type(part)))
		return;
	if (!b->html && g_mime_content_type_is_type(ct, "text", "html"))
		b->html = GMIME_PART(part);
	else if (!b->text && g_mime_content_type_is_type(ct, "text", "plain"))
		b->text = GMIME_PART(part);
}

void ks_mail_body_parts(GMimeMessage *msg, GMimePart **html, GMimePart **text)
{
	struct body_parts b = {0};
	g_mime_message_foreach(msg, take_part, &b);
	*html = b.html;
	*text = b.text;
}

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

int ks_mail_to_utf8(const char *charset, const char *s, size_t n, char **out, size_t *len)
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

/* 1 when part is base64 whose encoded bytes are not base64: a byte outside
 * the alphabet, or a length no encoder writes (cut short). */
static int broken_base64(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *raw = w ? g_mime_data_wrapper_get_stream(w) : NULL;
	char buf[4096];
	ssize_t got;
	size_t alpha = 0;
	int bad = 0;
	if (!raw || g_mime_data_wrapper_get_encoding(w) != GMIME_CONTENT_ENCODING_BASE64)
		return 0;
	g_mime_stream_reset(raw);
	while (!bad && (got = g_mime_stream_read(raw, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < got; i++) {
			unsigned char c = (unsigned char)buf[i];
			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=')
				alpha++;
			else if (!strchr(" \t\r\n", c))
				bad = 1;
		}
	}
	g_mime_stream_reset(raw);
	return bad || alpha % 4 == 1;
}

/* The charset name c as a reason may show it: printable ASCII, else a
 * placeholder. */
static const char *shown(const char *c)
{
	if (!c)
		return "(none)";
	for (const char *p = c; *p; p++)
		if (*p <= ' ' || *p > '~')
			return "(unreadable)";
	return c;
}

/* s[0..n) in charset, else in the first fallback that reads it. */
static int convert_any(const char *charset, const char *s, size_t n, char **out, size_t *len)
{
	int rc = charset ? ks_mail_to_utf8(charset, s, n, out, len) : KS_ERR_PARSE;
	for (size_t k = 0; rc == KS_ERR_PARSE && k < sizeof fallback / sizeof fallback[0]; k++)
		rc = ks_mail_to_utf8(fallback[k], s, n, out, len);
	return rc;
}

/* Undoes RFC 3676 format=flowed in place: a line that ends in a space
 * (not the signature separator "-- ") goes on in the next line of the
 * same quote depth, losing that space when delsp; a space that starts an
 * unquoted line is stuffing and goes. *n is the new length. */
static void unflow(char *s, size_t *n, int delsp)
{
	size_t r = 0, w = 0;
	int joining = 0, depth = -1;
	while (r < *n) {
		const char *nl = memchr(s + r, '\n', *n - r);
		size_t end = nl ? (size_t)(nl - s) : *n, q = r, l;
		while (q < end && s[q] == '>')
			q++;
		if (joining && (int)(q - r) != depth) /* a new quote depth ends the paragraph */
			s[w++] = '\n';
		if (!joining || (int)(q - r) != depth) {
			memmove(s + w, s + r, q - r);
			w += q - r;
		}
		depth = (int)(q - r);
		q += q == r && q < end && s[q] == ' '; /* stuffing (kept after quote marks) */
		l = end - q - (end > q && s[end - 1] == '\r');
		joining = l && s[q + l - 1] == ' ' && !(l == 3 && !memcmp(s + q, "-- ", 3));
		memmove(s + w, s + q, l);
		w += l - (joining && delsp);
		if (!joining && nl)
			s[w++] = '\n';
		r = nl ? end + 1 : end;
	}
	s[w] = 0;
	*n = w;
}

/* The value of the Content-Type parameter name of part is word (ASCII case
 * ignored). */
static int param_is(GMimePart *part, const char *name, const char *word)
{
	const char *v = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), name);
	return v && !strcasecmp(v, word);
}

int ks_mail_part_utf8(GMimePart *part, char **out, size_t *len, char *why, size_t cap)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
	const char *charset =
	    g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *a;
	int rc = KS_ERR_PARSE;

	sub = sub ? sub : "plain";
	if (broken_base64(part)) {
		snprintf(why, cap,
			 "its text/%.20s part is broken base64 (bytes outside the "
			 "alphabet, or cut short)",
			 shown(sub));
		return KS_ERR_PARSE;
	}
	if (!(mem = g_mime_stream_mem_new()))
		return KS_ERR_NOMEM;
	if (w && g_mime_data_wrapper_write_to_stream(w, mem) < 0)
		snprintf(why, cap, "its text/%.20s part could not be decoded", shown(sub));
	else if ((a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem))) &&
		 (rc = convert_any(charset, (const char *)a->data, a->len, out, len)) ==
		     KS_ERR_PARSE)
		snprintf(why, cap,
			 "its text/%.20s part is not text in charset %.40s, nor in UTF-8, "
			 "ISO-2022-JP, EUC-JP or Shift_JIS",
			 shown(sub), shown(charset));
	g_object_unref(mem);
	if (rc == KS_OK && param_is(part, "format", "flowed"))
		unflow(*out, len, param_is(part, "delsp", "yes"));
	return rc;
}
