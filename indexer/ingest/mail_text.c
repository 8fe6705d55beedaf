/* mail_text.c - the body parts of an email message and their text as
 * UTF-8 (mail_text.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "kensaku/err.h"
#include "mail_text.h"

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
		 (rc = ks_charset_any_to_utf8(charset, (const char *)a->data, a->len, out, len)) ==
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
