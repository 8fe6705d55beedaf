/* fuzz_feed_split.c - ks_feed_split (which entries of a fetched feed are
 * read from their pages, ingest/feed_split.h) on arbitrary bytes, then the
 * feed's parser on what it leaves.
 *
 * Invariants (each failure aborts):
 * - it returns KS_OK (KS_ERR_NOMEM only when memory runs out);
 * - every page is a non-empty, valid UTF-8 http(s) URL without control
 *   characters, listed once;
 * - rest, when set, is valid UTF-8 of rest_len bytes, and ks_ingest_feed
 *   reads it with KS_OK or KS_ERR_PARSE, never anything else;
 * - ks_feed_split_clear frees everything (LeakSanitizer checks at exit). */
#include <string.h>

#include "feed_split.h"
#include "fuzz.h"
#include "kensaku/ingest.h"

#define BASE "https://news.example.com/feeds/main.xml"

static void check_page(const struct ks_feed_split *s, size_t i)
{
	const char *p = s->pages[i];
	size_t n = p ? strlen(p) : 0;
	FUZZ_ASSERT(n > 0 && fuzz_utf8_valid(p, n), "page %zu is empty or not UTF-8", i);
	FUZZ_ASSERT(!strncmp(p, "http://", 7) || !strncmp(p, "https://", 8),
		    "page %zu is not an http(s) URL: %s", i, p);
	for (size_t k = 0; k < n; k++)
		FUZZ_ASSERT((unsigned char)p[k] > 0x20 && p[k] != 0x7f,
			    "page %zu has a space or control character: %s", i, p);
	for (size_t j = 0; j < i; j++)
		FUZZ_ASSERT(strcmp(s->pages[j], p) != 0, "page %zu is listed twice: %s", i, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_feed_split s;
	struct ks_err err = {""};
	int rc = ks_feed_split((const char *)data, size, BASE, &s, &err);
	if (rc == KS_ERR_NOMEM)
		return 0;
	FUZZ_ASSERT(rc == KS_OK, "ks_feed_split returned %d: %s", rc, err.msg);
	for (size_t i = 0; i < s.n_pages; i++)
		check_page(&s, i);
	if (s.rest) {
		FUZZ_ASSERT(strlen(s.rest) == s.rest_len && fuzz_utf8_valid(s.rest, s.rest_len),
			    "rest is not %zu bytes of UTF-8", s.rest_len);
		struct ks_batch b;
		memset(&b, 0, sizeof b);
		rc = ks_ingest_feed("fuzz-input", s.rest, s.rest_len, &b, &err);
		FUZZ_ASSERT(rc == KS_OK || rc == KS_ERR_PARSE || rc == KS_ERR_NOMEM,
			    "the feed's parser returned %d on rest: %s", rc, err.msg);
		ks_batch_clear(&b);
	}
	ks_feed_split_clear(&s);
	return 0;
}
