/* item.h - the unit of search (an item) and its issue, as parsed from files.
 *
 * All strings are NUL-terminated UTF-8 owned by the struct that holds them;
 * optional fields are NULL when absent. */
#ifndef KENSAKU_ITEM_H
#define KENSAKU_ITEM_H

#include <stddef.h>

#include "err.h"
#include "utf8.h" /* ks_utf8_chars was declared here: its users include utf8.h */

/* Limits no real newsletter reaches (the sample archive and the fixture
 * issue: titles <= 105 characters, quotes <= 1,900, 12 items an issue).
 * Parsers skip an item past one, reporting "file:line: reason"
 * (ks_batch_enforce_limits), so every stored item, and so every response
 * that shows items, stays bounded. Characters are Unicode code points. */
#define KS_MAX_TITLE_CHARS 1000	  /* an item's headline, an issue's title */
#define KS_MAX_QUOTE_CHARS 20000  /* an item's quote, paragraphs joined */
#define KS_MAX_SECTION_CHARS 200  /* a section heading */
#define KS_MAX_URL_BYTES 2048	  /* an item's url, and each of its links */
#define KS_MAX_ITEM_LINKS 50	  /* links kept per item (later ones are dropped) */
#define KS_MAX_ISSUE_ITEMS 1000	  /* items of one issue */
#define KS_MAX_ISSUE_CHARS 200000 /* an issue's items: title, quote, section, url, links */
#define KS_MAX_SKIP_NOTES 20	  /* skip messages kept per file (the rest counted) */

struct ks_item {
	int position;  /* 1-based order within its issue */
	char *section; /* heading it sits under, NULL if none */
	char *title;   /* headline, never NULL */
	char *quote;   /* quoted paragraphs joined by "\n", NULL if none */
	char *url;     /* NULL if none */
	char **links;  /* every http(s) link it carries, in order, distinct; url
			* (when it is one) first once limits are enforced */
	size_t n_links;
	int line; /* line of the file it starts on, 0 when unknown */
};

struct ks_issue {
	long long number; /* the issue number (Issue #59 -> 59) */
	char *date;	  /* "YYYY-MM-DD" or NULL when unknown */
	char *title;	  /* the newsletter's title line, NULL if none */
	struct ks_item *items;
	size_t n_items;
	size_t cap_items;
};

/* What one input file holds: one or more issues. */
struct ks_batch {
	struct ks_issue *issues;
	size_t n_issues;
	size_t cap_issues;
	char **notes; /* "file:line: reason" of what was skipped, at most
			 KS_MAX_SKIP_NOTES */
	size_t n_notes;
	size_t n_skipped; /* items (or JSON lines) skipped past a limit */
};

/* Appends a new zeroed issue to b and returns it, or NULL on out of memory. */
struct ks_issue *ks_batch_add_issue(struct ks_batch *b);

/* Appends a new zeroed item to is and returns it (position is set to
 * n_items), or NULL on out of memory. */
struct ks_item *ks_issue_add_item(struct ks_issue *is);

/* Appends the link s[0..n) to it->links when it is one an item keeps (an
 * http(s) URL with a host name, no spaces or controls, at most
 * KS_MAX_URL_BYTES: see the store's site.h), is not there yet, and
 * it has fewer than KS_MAX_ITEM_LINKS; anything else is ignored. Returns
 * 0, or -1 on out of memory. */
int ks_item_add_link(struct ks_item *it, const char *s, size_t n);

/* Frees what it holds and zeroes it (it itself is not freed). Accepts
 * NULL. */
void ks_item_clear(struct ks_item *it);

/* Finds the issue numbered n in b, or NULL. */
struct ks_issue *ks_batch_find_issue(struct ks_batch *b, long long n);

/* Frees everything b holds and zeroes it; b itself is not freed. Accepts NULL. */
void ks_batch_clear(struct ks_batch *b);

/* Frees what is holds and zeroes it. Accepts NULL. */
void ks_issue_clear(struct ks_issue *is);

/* Records one skipped item (or line) of b: counts it, and keeps the
 * message (printf-style, "file:line: reason") while fewer than
 * KS_MAX_SKIP_NOTES are kept. Returns 0, or -1 on out of memory. */
int ks_batch_skip(struct ks_batch *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Puts each item's url first in its links (when it is a link), then
 * drops every item of b past a KS_MAX_* limit (too long a title, quote,
 * section or url; items of an issue past KS_MAX_ISSUE_ITEMS; an issue
 * title too long is dropped; items of an issue past KS_MAX_ISSUE_CHARS of
 * text) and records each with ks_batch_skip
 * ("name:line: reason"); the items left are renumbered 1..n in order, and
 * an issue left without items is dropped.
 * Returns 0, or -1 on out of memory (b stays valid). */
int ks_batch_enforce_limits(struct ks_batch *b, const char *name);

/* The verdict on a file that yielded no item: KS_ERR_PARSE with err set
 * to "name:1: no items found", or, when items were skipped past a limit,
 * to the first skip's note and "no item within the limits". */
int ks_batch_no_items(const struct ks_batch *b, const char *name, struct ks_err *err);

/* Moves every issue and note of from to the end of to and empties from;
 * on out of memory returns -1 and leaves to as it was (from still owns
 * everything). */
int ks_batch_move(struct ks_batch *to, struct ks_batch *from);

/* How a parser hands over the file name it parsed into tmp: enforces the
 * limits (ks_batch_enforce_limits), refuses a file left without items
 * (ks_batch_no_items) and moves the rest to the end of out
 * (ks_batch_move). Returns KS_OK, or KS_ERR_PARSE / KS_ERR_NOMEM with err
 * set and out as it was; tmp is left for the caller to clear either way. */
int ks_batch_finish(struct ks_batch *tmp, struct ks_batch *out, const char *name,
		    struct ks_err *err);

/* Total items over all issues of b. */
size_t ks_batch_count_items(const struct ks_batch *b);

#endif
