/* ingest_check.h - the invariants of one ingest parser on arbitrary bytes,
 * shared by fuzz_ingest_text.c and fuzz_ingest_jsonl.c.
 *
 * The batch handed to the parser already holds a sentinel issue, so that
 * "appends on success, leaves out as it was on failure" is checked too.
 * Invariants (each failure aborts):
 * - the parser returns KS_OK or KS_ERR_PARSE (nothing else on plain bytes);
 * - on KS_OK: the sentinel is untouched, at least one item was appended,
 *   every appended issue has a distinct non-negative number, a valid date
 *   or none, and items whose title is non-NULL, non-blank valid UTF-8,
 *   whose positions are 1..n in order, and whose other strings are valid
 *   UTF-8 when present;
 * - on KS_ERR_PARSE: the batch is exactly the sentinel, and err.msg reads
 *   "NAME:LINE: reason" with 1 <= LINE <= the input's line count;
 * - ks_batch_clear frees everything (LeakSanitizer checks at exit). */
#ifndef KS_FUZZ_INGEST_CHECK_H
#define KS_FUZZ_INGEST_CHECK_H

#include <string.h>

#include "fuzz.h"
#include "kensaku/ingest.h"
#include "kensaku/search.h"

#define FUZZ_NAME "fuzz-input"
#define SENTINEL_ISSUE 424242LL

typedef int (*ingest_fn)(const char *name, const char *data, size_t len, struct ks_batch *out,
			 struct ks_err *err);

static inline void check_str(const char *s, const char *what, size_t issue, size_t item)
{
	if (s)
		FUZZ_ASSERT(fuzz_utf8_valid(s, strlen(s)), "%s of issue %zu item %zu is not UTF-8",
			    what, issue, item);
}

static inline int blank(const char *s)
{
	return strspn(s, " \t\r\n") == strlen(s);
}

/* Lines of data as an editor counts them (\n, \r\n and \r end a line). */
static inline long count_lines(const char *data, size_t len)
{
	long n = 1;
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= len || data[i + 1] != '\n')))
			n++;
	return n;
}

static inline void check_sentinel(const struct ks_batch *b)
{
	FUZZ_ASSERT(b->n_issues >= 1 && b->issues[0].number == SENTINEL_ISSUE &&
			b->issues[0].n_items == 1 && b->issues[0].items[0].position == 1 &&
			!strcmp(b->issues[0].items[0].title, "sentinel"),
		    "the issue already in the batch was changed");
}

static inline void check_ok(const struct ks_batch *b)
{
	size_t items = 0;
	check_sentinel(b);
	for (size_t i = 1; i < b->n_issues; i++) {
		const struct ks_issue *is = &b->issues[i];
		FUZZ_ASSERT(is->number >= 0, "issue %zu has number %lld", i, is->number);
		for (size_t j = 1; j < i; j++)
			FUZZ_ASSERT(b->issues[j].number != is->number,
				    "issue number %lld appears twice in one file", is->number);
		FUZZ_ASSERT(!is->date || ks_date_valid(is->date), "issue %lld has date [%s]",
			    is->number, is->date);
		check_str(is->title, "issue title", i, 0);
		FUZZ_ASSERT(is->n_items == 0 || is->items != NULL, "items missing");
		for (size_t k = 0; k < is->n_items; k++) {
			const struct ks_item *it = &is->items[k];
			FUZZ_ASSERT(it->title != NULL, "issue %lld item %zu has no title",
				    is->number, k + 1);
			check_str(it->title, "title", i, k + 1);
			FUZZ_ASSERT(!blank(it->title), "issue %lld item %zu has a blank title",
				    is->number, k + 1);
			FUZZ_ASSERT(it->position == (int)k + 1,
				    "issue %lld item %zu has position %d", is->number, k + 1,
				    it->position);
			check_str(it->section, "section", i, k + 1);
			check_str(it->quote, "quote", i, k + 1);
			check_str(it->url, "url", i, k + 1);
		}
		items += is->n_items;
	}
	FUZZ_ASSERT(b->n_issues > 1 && items > 0, "KS_OK without any item");
}

static inline void check_failed(const struct ks_batch *b, const struct ks_err *err, long lines)
{
	check_sentinel(b);
	FUZZ_ASSERT(b->n_issues == 1, "a failed parse appended %zu issues", b->n_issues - 1);
	size_t n = strlen(FUZZ_NAME);
	const char *m = err->msg;
	FUZZ_ASSERT(!strncmp(m, FUZZ_NAME ":", n + 1), "message without the file name: [%s]", m);
	char *end = NULL;
	long line = strtol(m + n + 1, &end, 10);
	FUZZ_ASSERT(end != m + n + 1 && *end == ':', "message without a line number: [%s]", m);
	FUZZ_ASSERT(line >= 1 && line <= lines, "line %ld is not in 1..%ld: [%s]", line, lines, m);
}

/* Runs fn on data with the invariants above. */
static inline void check_ingest(ingest_fn fn, const uint8_t *data, size_t size)
{
	struct ks_batch b = {0};
	struct ks_err err = {""};
	struct ks_issue *s = ks_batch_add_issue(&b);
	struct ks_item *it = s ? ks_issue_add_item(s) : NULL;
	FUZZ_ASSERT(it && (it->title = strdup("sentinel")), "out of memory");
	s->number = SENTINEL_ISSUE;

	/* an exact-size copy, so reading past len is caught by ASan */
	char *copy = malloc(size ? size : 1);
	FUZZ_ASSERT(copy != NULL, "out of memory");
	if (size)
		memcpy(copy, data, size);
	int rc = fn(FUZZ_NAME, copy, size, &b, &err);
	FUZZ_ASSERT(rc == KS_OK || rc == KS_ERR_PARSE, "returned %s: %s", ks_rc_name(rc), err.msg);
	if (rc == KS_OK)
		check_ok(&b);
	else
		check_failed(&b, &err, count_lines(copy, size));
	ks_batch_clear(&b);
	FUZZ_ASSERT(b.n_issues == 0 && b.issues == NULL, "ks_batch_clear left issues behind");
	free(copy);
}

#endif
