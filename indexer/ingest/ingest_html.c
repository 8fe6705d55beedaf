/* ingest_html.c - one HTML issue page a file (html_extract.h says which
 * structures make items). The issue number comes from the page (its
 * <title>, og:title, a heading, or short text above the first item:
 * "Issue #59", "第59号", "vol. 59"), else from the file name
 * (issue-59.html, 59.html); the date from a <time datetime>, a published
 * <meta>, the title or short text above the first item, else a
 * YYYY-MM-DD in the file name. A page without items or without a number
 * is refused ("name:1: reason"); items past the limits of item.h are
 * skipped and reported. A page that declares its charset (<meta charset>,
 * http-equiv, <?xml encoding?>, a BOM) is read in it by libxml2; one that
 * declares none and is not UTF-8 is read as the first of ISO-2022-JP,
 * EUC-JP and Shift_JIS its bytes are valid in (charset.h), as browsers
 * guess for Japanese pages. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "html_extract.h"
#include "kensaku/ingest.h"
#include "kensaku/utf8.h"

#define CHARSET_PROBE 4096 /* where a declaration must be, as browsers look */

/* The number in a file name: "issue-59.html" or a stem of digits only. */
static long long number_from_name(const char *base)
{
	long long v = ks_html_issue_number(base, strlen(base)), x = 0;
	size_t i = 0;
	if (v > 0)
		return v;
	for (; base[i] >= '0' && base[i] <= '9' && i < 15; i++)
		x = x * 10 + (base[i] - '0');
	return i > 0 && (base[i] == '.' || !base[i]) && x > 0 ? x : -1;
}

/* Whether data starts with a BOM or its first CHARSET_PROBE bytes name a
 * charset or an encoding (libxml2 then reads the page in it). */
static int declares_charset(const char *data, size_t len)
{
	static const char *const words[] = {"charset", "encoding"};
	size_t n = len < CHARSET_PROBE ? len : CHARSET_PROBE;
	if (n >= 2 && ((unsigned char)data[0] >= 0xFE || (unsigned char)data[0] == 0xEF))
		return 1;
	for (size_t w = 0; w < 2; w++)
		for (size_t i = 0, k = strlen(words[w]); i + k <= n; i++)
			if (!strncasecmp(data + i, words[w], k))
				return 1;
	return 0;
}

/* The page as UTF-8 when it declares no charset and is not UTF-8: *conv
 * malloc'd (its length in *clen) and KS_HTML_UTF8 returned; else 0 and
 * *conv NULL (libxml2 reads the bytes as they are). */
static int undeclared_to_utf8(const char *data, size_t len, char **conv, size_t *clen)
{
	*conv = NULL;
	if (declares_charset(data, len) || ks_utf8_valid(data, len) ||
	    ks_charset_any_to_utf8(NULL, data, len, conv, clen) != KS_OK)
		return 0;
	return KS_HTML_UTF8;
}

static const char *base_name(const char *name)
{
	const char *b = strrchr(name, '/');
	return b ? b + 1 : name;
}

int ks_ingest_html(const char *name, const char *data, size_t len, struct ks_batch *out,
		   struct ks_err *err)
{
	struct ks_batch tmp = {0};
	struct ks_html_meta meta = {.number = -1};
	struct ks_issue *is;
	char *conv = NULL;
	size_t clen = 0;
	int rc, flags;

	if (!out || (!data && len > 0))
		return ks_err_set(err, KS_ERR_ARG, "[ingest] no input or no output batch");
	if (!name)
		name = "(input)";
	if ((flags = undeclared_to_utf8(data, len, &conv, &clen)) != 0) {
		data = conv;
		len = clen;
	}
	if (!(is = ks_batch_add_issue(&tmp)) ||
	    ks_html_extract(data, len, 0, ks_html_count_lines(data, len), (unsigned)flags, is,
			    &meta) != KS_OK) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "[ingest] %s: out of memory", name);
		goto out;
	}
	if (meta.number < 0)
		meta.number = number_from_name(base_name(name));
	if (!meta.date[0] &&
	    !ks_html_find_date(base_name(name), strlen(base_name(name)), meta.date))
		meta.date[0] = 0;
	if (is->n_items == 0) {
		rc = ks_err_set(err, KS_ERR_PARSE,
				"%s:1: no items found (no headlines: headings or bold paragraphs)",
				name);
		goto out;
	}
	if (meta.number < 0) {
		rc = ks_err_set(err, KS_ERR_PARSE,
				"%s:1: no issue number (none in the title, the headings or the "
				"file name)",
				name);
		goto out;
	}
	is->number = meta.number;
	is->title = meta.title;
	meta.title = NULL;
	if (meta.date[0] && !(is->date = strdup(meta.date))) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "[ingest] %s: out of memory", name);
		goto out;
	}
	rc = ks_batch_finish(&tmp, out, name, err);
out:
	free(conv);
	ks_html_meta_clear(&meta);
	ks_batch_clear(&tmp);
	return rc;
}
