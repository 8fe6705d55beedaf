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
	return KS_FMT_TEXT;
}

int ks_ingest_format_parse(const char *s, enum ks_format *out)
{
	static const struct {
		const char *name;
		enum ks_format fmt;
	} names[] = {{"auto", KS_FMT_AUTO}, {"text", KS_FMT_TEXT}, {"jsonl", KS_FMT_JSONL},
		     {"html", KS_FMT_HTML}, {"feed", KS_FMT_FEED}, {"rss", KS_FMT_FEED},
		     {"atom", KS_FMT_FEED}};
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
	case KS_FMT_AUTO:
	default:
		break;
	}
	return ks_err_set(err, KS_ERR_ARG, "%s: unknown input format %d", name, (int)fmt);
}
