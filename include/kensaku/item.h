/* item.h - the unit of search (an item) and its issue, as parsed from files.
 *
 * All strings are NUL-terminated UTF-8 owned by the struct that holds them;
 * optional fields are NULL when absent. */
#ifndef KENSAKU_ITEM_H
#define KENSAKU_ITEM_H

#include <stddef.h>

struct ks_item {
	int position;  /* 1-based order within its issue */
	char *section; /* heading it sits under, NULL if none */
	char *title;   /* headline, never NULL */
	char *quote;   /* quoted paragraphs joined by "\n", NULL if none */
	char *url;     /* NULL if none */
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
};

/* Appends a new zeroed issue to b and returns it, or NULL on out of memory. */
struct ks_issue *ks_batch_add_issue(struct ks_batch *b);

/* Appends a new zeroed item to is and returns it (position is set to
 * n_items), or NULL on out of memory. */
struct ks_item *ks_issue_add_item(struct ks_issue *is);

/* Finds the issue numbered n in b, or NULL. */
struct ks_issue *ks_batch_find_issue(struct ks_batch *b, long long n);

/* Frees everything b holds and zeroes it; b itself is not freed. Accepts NULL. */
void ks_batch_clear(struct ks_batch *b);

/* Frees what is holds and zeroes it. Accepts NULL. */
void ks_issue_clear(struct ks_issue *is);

/* Total items over all issues of b. */
size_t ks_batch_count_items(const struct ks_batch *b);

#endif
