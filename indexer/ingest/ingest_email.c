/* ingest_email.c - email as delivered: one message a file (.eml, a
 * Maildir's messages) or an mbox (messages after "From " lines, read
 * with GMime's parser in mbox mode); each message one issue.
 *
 * A message's body (mail_text.h) is its text/html part through the HTML
 * extractor (html_extract.h), else, when it has none or the HTML holds no
 * items, its text/plain part through the plain-text parser
 * (ks_ingest_text). The issue number is the one the Subject names
 * ("Issue #59", "第59号", "Vol. 59"), else the body's; the date is the
 * body's, else one written in the Subject, else the Date: header's day as
 * the sender wrote it (its own time zone). The issue's title is the
 * Subject. Every item's line is the line its message starts on (its
 * "From " line in an mbox).
 *
 * A message that cannot be read (a header GMime cannot parse, no text
 * part, broken base64, text in no known charset, no items, no number, a
 * number an earlier message of the file gave) makes a one-message file
 * fail ("name:line: reason"); in an mbox it is skipped and reported
 * ("name:line: message N skipped: reason") and the rest is read. Items
 * past the limits of item.h are skipped and reported. */
#define _GNU_SOURCE /* memmem */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "html_extract.h"
#include "kensaku/date.h"
#include "kensaku/ingest.h"
#include "charset.h"
#include "mail_text.h"

/* The name the plain-text parser is given for a message's text (its
 * messages "LABEL:LINE: reason" are then told apart and rewritten). */
#define TEXT_LABEL "text"
#define NO_NUMBER "no issue number (none in the Subject or the body)"

struct mail {
	const char *name;
	const char *data;
	size_t len;
	int lines; /* of the file */
	int mbox;
	int msg_no;   /* the message being read, from 1 */
	int msg_line; /* the line it starts on */
	size_t at;    /* line_at's cursor: byte offset ... */
	int at_line;  /* ... and its line */
	struct ks_batch tmp;
	struct ks_err *err;
	char why[512]; /* why the message is skipped */
};

static pthread_once_t g_gmime_once = PTHREAD_ONCE_INIT;

/* GMime once a process; raw 8-bit header text (no RFC 2047 encoding) is
 * read as the first of these charsets that fits. GMime's caches stay
 * reachable from its globals until exit (LeakSanitizer reports nothing);
 * g_mime_shutdown is not called, as another thread may still parse. */
static void gmime_init(void)
{
	static const char *charsets[] = {"UTF-8", "ISO-2022-JP", "EUC-JP",
					 "CP932", "ISO-8859-1",	 NULL};
	g_mime_init();
	g_mime_parser_options_set_fallback_charsets(g_mime_parser_options_get_default(), charsets);
}

/* The line byte offset off of the file is on (offsets asked in order). */
static int line_at(struct mail *m, gint64 off)
{
	size_t o = off < 0 ? 0 : (size_t)off > m->len ? m->len : (size_t)off;
	if (o < m->at) {
		m->at = 0;
		m->at_line = 1;
	}
	m->at_line += ks_html_count_lines(m->data + m->at, o - m->at) - 1;
	m->at = o;
	return m->at_line;
}

static int nomem(struct mail *m)
{
	return ks_err_set(m->err, KS_ERR_NOMEM, "[ingest] %s: out of memory", m->name);
}

/* The message's Subject as clean UTF-8 without the white space around it
 * (raw ISO-2022-JP too) into *out, NULL when it has none or none that
 * reads; -1 on out of memory. */
static int subject_of(GMimeMessage *msg, char **out)
{
	const char *s = g_mime_message_get_subject(msg);
	char *conv = NULL;
	size_t n = 0;
	int rc = 0;
	*out = NULL;
	if (!s)
		return 0;
	if (strchr(s, '\x1b') && (rc = ks_charset_to_utf8("ISO-2022-JP", s, strlen(s), &conv, &n)))
		return rc == KS_ERR_NOMEM ? -1 : 0;
	if (conv)
		s = conv;
	n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	while (n && strchr(" \t\r\n", *s)) {
		s++;
		n--;
	}
	if (n && ks_utf8_text(s, n) && !(*out = strndup(s, n)))
		rc = -1;
	free(conv);
	return rc;
}

/* The reason in a message of the plain-text parser ("LABEL:LINE: reason"),
 * and its LINE in *line (0 when msg has another shape). */
static const char *text_reason(const char *msg, int *line)
{
	size_t k = strlen(TEXT_LABEL);
	char *end;
	long l;
	*line = 0;
	if (strncmp(msg, TEXT_LABEL ":", k + 1) != 0)
		return msg;
	l = strtol(msg + k + 1, &end, 10);
	if (end == msg + k + 1 || strncmp(end, ": ", 2) != 0 || l < 1 || l > 1000000000)
		return msg;
	*line = (int)l;
	return end + 2;
}

/* Reads the HTML part into is (meta filled). KS_ERR_PARSE (m->why set)
 * when it cannot be read or holds no item. */
static int from_html(struct mail *m, GMimePart *part, struct ks_issue *is,
		     struct ks_html_meta *meta)
{
	char *html = NULL;
	size_t n = 0;
	int rc = ks_mail_part_utf8(part, &html, &n, m->why, sizeof m->why);
	if (rc != KS_OK)
		return rc;
	rc = ks_html_extract(html, n, m->msg_line - 1, m->lines, KS_HTML_UTF8, is, meta);
	free(html);
	if (rc == KS_OK && !is->n_items) {
		snprintf(m->why, sizeof m->why,
			 "its text/html part holds no items (no headlines: headings or bold "
			 "paragraphs) and it has no text/plain part that does");
		rc = KS_ERR_PARSE;
	}
	return rc;
}

/* Moves the one issue the plain-text parser made in sub into is, and its
 * notes into m->tmp, each "name:line: message N, line L of its text: ..."
 * (L counted without the skip first lines the parser was given). */
static int take_text_issue(struct mail *m, struct ks_batch *sub, struct ks_issue *is, int skip)
{
	int l;
	for (size_t i = 0; i < sub->n_notes; i++) {
		const char *r = text_reason(sub->notes[i], &l);
		if (ks_batch_skip(&m->tmp, "%s:%d: message %d, line %d of its text: %s", m->name,
				  m->msg_line, m->msg_no, l > skip ? l - skip : 1, r) != 0)
			return nomem(m);
	}
	m->tmp.n_skipped += sub->n_skipped - sub->n_notes;
	*is = sub->issues[0];
	memset(&sub->issues[0], 0, sizeof sub->issues[0]);
	return KS_OK;
}

/* Undoes an mbox writer's quoting of body lines that start with "From ":
 * ">From " (and ">>From "...) at the start of a line loses one '>'. In
 * place; *n is the new length. */
static void unquote_from(char *s, size_t *n)
{
	size_t w = 0;
	for (size_t r = 0; r < *n; r++) {
		if (s[r] == '>' && (r == 0 || s[r - 1] == '\n')) {
			size_t k = r;
			while (k < *n && s[k] == '>')
				k++;
			if (*n - k >= 5 && !memcmp(s + k, "From ", 5))
				continue;
		}
		s[w++] = s[r];
	}
	s[w] = 0;
	*n = w;
}

/* Reads the text part into is through the plain-text parser; number (> 0:
 * the Subject's) is given to it as a first line "Issue #N", so it wins
 * over the body's. KS_ERR_PARSE (m->why set) when it gives no issue. */
static int from_text(struct mail *m, GMimePart *part, long long number, struct ks_issue *is)
{
	struct ks_batch sub = {0};
	struct ks_err e = {""};
	char *text = NULL, *full = NULL, head[40] = "";
	size_t n = 0, h;
	int rc, l;
	if ((rc = ks_mail_part_utf8(part, &text, &n, m->why, sizeof m->why)) != KS_OK)
		return rc;
	if (m->mbox)
		unquote_from(text, &n);
	if (number > 0)
		snprintf(head, sizeof head, "Issue #%lld\n", number);
	h = strlen(head);
	if (!(full = malloc(h + n + 1))) {
		rc = nomem(m);
		goto out;
	}
	memcpy(full, head, h);
	memcpy(full + h, text, n + 1);
	rc = ks_ingest_text(TEXT_LABEL, full, h + n, &sub, &e);
	if (rc == KS_OK) {
		rc = take_text_issue(m, &sub, is, h ? 1 : 0);
	} else if (rc == KS_ERR_PARSE) {
		const char *r = text_reason(e.msg, &l);
		if (!strncmp(r, "no issue number", 15)) /* the parser's own mentions file names */
			snprintf(m->why, sizeof m->why, NO_NUMBER);
		else
			snprintf(m->why, sizeof m->why, "its text/plain part, line %d: %s",
				 l > (h ? 1 : 0) ? l - (h ? 1 : 0) : 1, r);
	} else {
		rc = nomem(m);
	}
out:
	ks_batch_clear(&sub);
	free(full);
	free(text);
	return rc;
}

/* Fills is from msg's body: number is the Subject's (-1 when none). */
static int read_body(struct mail *m, GMimeMessage *msg, long long number, struct ks_issue *is)
{
	struct ks_html_meta meta = {.number = -1};
	GMimePart *html, *text;
	int rc = KS_ERR_PARSE;
	ks_mail_body_parts(msg, &html, &text);
	if (!html && !text)
		snprintf(m->why, sizeof m->why,
			 "no text/html or text/plain part that is not an "
			 "attachment");
	if (html)
		rc = from_html(m, html, is, &meta);
	if (rc == KS_ERR_PARSE && text) {
		ks_issue_clear(is);
		ks_html_meta_clear(&meta);
		rc = from_text(m, text, number, is);
	} else if (rc == KS_OK) {
		is->number = number > 0 ? number : meta.number;
		is->title = meta.title;
		meta.title = NULL;
		if (meta.date[0] && !(is->date = strdup(meta.date)))
			rc = nomem(m);
	}
	ks_html_meta_clear(&meta);
	return rc;
}

/* The date of msg when its body gave none: one written in its Subject,
 * else its Date: header's day in the sender's time zone; "" when none. */
static void header_date(GMimeMessage *msg, const char *subject, char date[11])
{
	GDateTime *dt = g_mime_message_get_date(msg);
	int y, mo, d;
	date[0] = 0;
	if (subject && ks_html_find_date(subject, strlen(subject), date))
		return;
	date[0] = 0;
	if (!dt)
		return;
	g_date_time_get_ymd(dt, &y, &mo, &d);
	if (ks_date_format(y, mo, d, date) != 0)
		date[0] = 0;
}

/* Makes is the issue of msg; KS_ERR_PARSE with m->why set when the
 * message gives none. */
static int read_message(struct mail *m, GMimeMessage *msg, struct ks_issue *is)
{
	char *subject = NULL, date[11];
	long long number;
	int rc;
	if (subject_of(msg, &subject) != 0)
		return nomem(m);
	number = subject ? ks_html_issue_number(subject, strlen(subject)) : -1;
	if ((rc = read_body(m, msg, number, is)) != KS_OK)
		goto out;
	for (size_t i = 0; i < is->n_items; i++)
		is->items[i].line = m->msg_line;
	rc = KS_ERR_PARSE;
	if (is->number < 0)
		snprintf(m->why, sizeof m->why, NO_NUMBER);
	else if (ks_batch_find_issue(&m->tmp, is->number) != is)
		snprintf(m->why, sizeof m->why, "issue %lld was given by an earlier message",
			 is->number);
	else
		rc = KS_OK;
	if (rc != KS_OK)
		goto out;
	header_date(msg, subject, date);
	if (!is->date && date[0] && !(is->date = strdup(date)))
		rc = nomem(m);
	if (subject) {
		free(is->title);
		is->title = subject;
		subject = NULL;
	}
out:
	free(subject);
	return rc;
}

/* Records that the current message gave no issue (m->why): the file fails
 * when it holds one message, an mbox goes on without it. */
static int message_failed(struct mail *m)
{
	if (!m->mbox)
		return ks_err_set(m->err, KS_ERR_PARSE, "%s:%d: %s", m->name, m->msg_line, m->why);
	if (ks_batch_skip(&m->tmp, "%s:%d: message %d skipped: %s", m->name, m->msg_line, m->msg_no,
			  m->why) != 0)
		return nomem(m);
	return KS_OK;
}

/* Adds the issue of msg to m->tmp, or records why there is none. */
static int take_message(struct mail *m, GMimeMessage *msg)
{
	struct ks_issue *is = ks_batch_add_issue(&m->tmp);
	int rc;
	if (!is)
		return nomem(m);
	is->number = -1;
	rc = read_message(m, msg, is);
	if (rc == KS_OK)
		return KS_OK;
	ks_issue_clear(is);
	m->tmp.n_issues--;
	return rc == KS_ERR_PARSE ? message_failed(m) : rc == KS_ERR_NOMEM ? nomem(m) : rc;
}

/* Points p at byte off of s, reading one message or an mbox. */
static void restart(struct mail *m, GMimeParser *p, GMimeStream *s, gint64 off)
{
	g_mime_stream_seek(s, off, GMIME_STREAM_SEEK_SET);
	g_mime_parser_init_with_stream(p, s);
	g_mime_parser_set_format(p, m->mbox ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
}

/* Reads every message of s from byte start. A message whose header GMime
 * cannot parse stops its parser: an mbox is then read on from the next
 * "From " line after it. */
static int read_messages(struct mail *m, GMimeStream *s, size_t start)
{
	GMimeParser *p = g_mime_parser_new();
	gint64 pos = (gint64)start; /* where p was started */
	int rc = KS_OK;
	restart(m, p, s, pos);
	while (rc == KS_OK && !g_mime_parser_eos(p)) {
		GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
		gint64 mark = m->mbox ? g_mime_parser_get_mbox_marker_offset(p) : pos;
		const char *next;
		mark = mark < pos ? pos : mark > (gint64)m->len ? (gint64)m->len : mark;
		m->msg_no++;
		m->msg_line = line_at(m, mark);
		if (msg) {
			rc = take_message(m, msg);
			g_object_unref(msg);
		} else {
			snprintf(m->why, sizeof m->why,
				 "not an email message (its header is not a "
				 "list of RFC 5322 fields)");
			rc = message_failed(m);
		}
		if (!m->mbox)
			break;
		if (msg || rc != KS_OK)
			continue;
		next = memmem(m->data + mark, m->len - (size_t)mark, "\nFrom ", 6);
		if (!next)
			break;
		pos = next + 1 - m->data;
		restart(m, p, s, pos);
	}
	g_object_unref(p);
	return rc;
}

/* Where the first message starts: after a UTF-8 BOM and blank lines. */
static size_t first_byte(const char *data, size_t len)
{
	size_t i = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
	while (i < len && (data[i] == '\r' || data[i] == '\n'))
		i++;
	return i;
}

int ks_ingest_email(const char *name, const char *data, size_t len, struct ks_batch *out,
		    struct ks_err *err)
{
	struct mail m = {.name = name ? name : "(input)",
			 .data = data ? data : "",
			 .len = len,
			 .at_line = 1,
			 .err = err};
	GMimeStream *s;
	size_t start;
	int rc;

	if (!out || (!data && len > 0))
		return ks_err_set(err, KS_ERR_ARG, "[ingest] no input or no output batch");
	pthread_once(&g_gmime_once, gmime_init);
	m.lines = ks_html_count_lines(m.data, len);
	start = first_byte(m.data, len);
	m.mbox = len - start >= 5 && !memcmp(m.data + start, "From ", 5);
	s = g_mime_stream_mem_new_with_buffer(m.data, len);
	rc = read_messages(&m, s, start);
	g_object_unref(s);
	if (rc == KS_OK && !m.tmp.n_issues && m.tmp.n_notes)
		rc = ks_err_set(err, KS_ERR_PARSE, "%s; no message of the file gave items",
				m.tmp.notes[0]);
	else if (rc == KS_OK && !m.msg_no)
		rc = ks_err_set(err, KS_ERR_PARSE, "%s:1: no email message found", m.name);
	else if (rc == KS_OK)
		rc = ks_batch_finish(&m.tmp, out, m.name, err);
	ks_batch_clear(&m.tmp);
	return rc;
}
