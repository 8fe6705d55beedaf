/* ingest_html.c - one HTML issue page a file (html_extract.h says which
 * structures make items). The issue number comes from the page (its
 * <title>, og:title, a heading, or short text above the first item:
 * "Issue #59", "第59号", "vol. 59"), else from the file name
 * (issue-59.html, 59.html); the date from a <time datetime>, a published
 * <meta>, the title or short text above the first item, else a
 * YYYY-MM-DD in the file name. A page without items or without a number
 * is refused ("name:1: reason"); items past the limits of item.h are
 * skipped and reported. */
#include <stdlib.h>
#include <string.h>

#include "html_extract.h"
#include "kensaku/ingest.h"

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
	int rc;

	if (!out || (!data && len > 0))
		return ks_err_set(err, KS_ERR_ARG, "[ingest] no input or no output batch");
	if (!name)
		name = "(input)";
	if (!(is = ks_batch_add_issue(&tmp)) ||
	    ks_html_extract(data, len, 0, ks_html_count_lines(data, len), 0, is, &meta) != KS_OK) {
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
	ks_html_meta_clear(&meta);
	ks_batch_clear(&tmp);
	return rc;
}
