/* ingest.c - format detection and dispatch to one parser per format. */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "kensaku/ingest.h"

/* Whether s[0..n) holds marker, ASCII case ignored. */
static int holds(const char *s, size_t n, const char *marker)
{
	size_t k = strlen(marker);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, marker, k) == 0)
			return 1;
	return 0;
}

/* The format of a file that starts with markup (see ks_ingest_detect). */
static enum ks_format markup_format(const char *s, size_t n)
{
	static const char *const html[] = {"<!doctype html", "<html", "<head",
					   "<body",	     "<meta", "<title"};
	if (n > KS_DETECT_PROBE)
		n = KS_DETECT_PROBE;
	if (!holds(s, n, "<html") &&
	    (holds(s, n, "<rss") || holds(s, n, "<feed") || holds(s, n, "<rdf:rdf")))
		return KS_FMT_FEED;
	for (size_t k = 0; k < sizeof html / sizeof html[0]; k++)
		if (holds(s, n, html[k]))
			return KS_FMT_HTML;
	return KS_FMT_TEXT;
}

/* 1 when the line s[0..n) is a header field ("Name: ..."; the name
 * printable ASCII without ':'), setting *known when its name is one an
 * email starts with. */
static int header_field(const char *s, size_t n, int *known)
{
	static const char *const names[] = {"from",	  "received",	  "return-path",
					    "message-id", "mime-version", "subject",
					    "date",	  "delivered-to"};
	size_t k = 0, name;
	while (k < n && s[k] > ' ' && s[k] <= '~' && s[k] != ':')
		k++;
	name = k;
	while (k < n && (s[k] == ' ' || s[k] == '\t'))
		k++;
	if (!name || k >= n || s[k] != ':')
		return 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == name && strncasecmp(s, names[i], name) == 0)
			*known = 1;
	return 1;
}

/* 1 when s[0..n) starts with an RFC 5322 header (see ks_ingest_detect). A
 * line the probe cuts short is not held against it. */
static int email_header(const char *s, size_t n)
{
	size_t i = 0;
	int fields = 0, known = 0;
	if (n > KS_DETECT_PROBE)
		n = KS_DETECT_PROBE;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - s) : n, l = e - i;
		if (l && s[i + l - 1] == '\r')
			l--;
		if (!l)
			break;
		if (s[i] == ' ' || s[i] == '\t') {
			if (!fields)
				return 0;
		} else if (header_field(s + i, l, &known)) {
			fields++;
		} else if (nl) {
			return 0;
		}
		i = e + 1;
	}
	return fields >= 2 && known;
}

/* 1 when s[0..n) is an email message or an mbox. */
static int is_email(const char *s, size_t n)
{
	if (n >= 5 && !memcmp(s, "From ", 5)) {
		const char *nl = memchr(s, '\n', n < KS_DETECT_PROBE ? n : KS_DETECT_PROBE);
		return nl && email_header(nl + 1, n - (size_t)(nl + 1 - s));
	}
	return email_header(s, n);
}

enum ks_format ks_ingest_detect(const char *data, size_t len)
{
	size_t i = 0;
	if (!data)
		return KS_FMT_TEXT;
	if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
	    (unsigned char)data[2] == 0xBF)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i < len && data[i] == '{')
		return KS_FMT_JSONL;
	if (i + 1 < len && data[i] == '<' &&
	    (isalpha((unsigned char)data[i + 1]) || data[i + 1] == '!' || data[i + 1] == '?'))
		return markup_format(data + i, len - i);
	if (is_email(data + i, len - i))
		return KS_FMT_EMAIL;
	return KS_FMT_TEXT;
}

int ks_ingest_format_parse(const char *s, enum ks_format *out)
{
	static const struct {
		const char *name;
		enum ks_format fmt;
	} names[] = {{"auto", KS_FMT_AUTO},  {"text", KS_FMT_TEXT},   {"jsonl", KS_FMT_JSONL},
		     {"html", KS_FMT_HTML},  {"feed", KS_FMT_FEED},   {"rss", KS_FMT_FEED},
		     {"atom", KS_FMT_FEED},  {"email", KS_FMT_EMAIL}, {"eml", KS_FMT_EMAIL},
		     {"mbox", KS_FMT_EMAIL}, {"mail", KS_FMT_EMAIL}};
	if (!s || !out)
		return KS_ERR_ARG;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].fmt;
			return KS_OK;
		}
	}
	return KS_ERR_ARG;
}

int ks_ingest_parse(const char *name, const char *data, size_t len, enum ks_format fmt,
		    struct ks_batch *out, struct ks_err *err)
{
	if (!out || (!data && len > 0))
		return ks_err_set(err, KS_ERR_ARG, "[ingest] no input or no output batch");
	if (!name)
		name = "(input)";
	if (!data)
		data = "";
	if (fmt == KS_FMT_AUTO)
		fmt = ks_ingest_detect(data, len);
	switch (fmt) {
	case KS_FMT_TEXT:
		return ks_ingest_text(name, data, len, out, err);
	case KS_FMT_JSONL:
		return ks_ingest_jsonl(name, data, len, out, err);
	case KS_FMT_HTML:
		return ks_ingest_html(name, data, len, out, err);
	case KS_FMT_FEED:
		return ks_ingest_feed(name, data, len, out, err);
	case KS_FMT_EMAIL:
		return ks_ingest_email(name, data, len, out, err);
	case KS_FMT_AUTO:
	default:
		break;
	}
	return ks_err_set(err, KS_ERR_ARG, "%s: unknown input format %d", name, (int)fmt);
}
