/* fetched.h - what the index keeps about the URLs it was built from
 * (schema 4), for `kensaku index URL` (build.c):
 *   - fetched: the validators (ETag, Last-Modified) of every URL whose
 *     content is in the index, sent back on the next fetch so that an
 *     unchanged URL answers 304 and nothing is downloaded;
 *   - feed_pages: the issue pages a feed's entries link to (the entries
 *     that carry only a summary), so that a run whose feed is unchanged
 *     still asks each page whether it changed.
 * A URL is a source like a file (sources table: its content hash and its
 * issues); these tables only add to it (created by store.c: SCHEMA_V4,
 * when it makes a file or a writer opens one of schema 2 or 3). Call the
 * writes inside a
 * transaction (ks_store_begin). Functions return an enum ks_rc but for
 * ks_fetched_page_holds. */
#ifndef KS_FETCHED_H
#define KS_FETCHED_H

#include <stddef.h>

#include "kensaku/store.h"

/* A URL's validators; either may be NULL. */
struct ks_fetched {
	char *etag;
	char *last_modified;
};

/* Reads the validators recorded for url into *out (malloc'd strings,
 * freed with ks_fetched_clear); *found is 0 and *out zeroed when url has
 * none recorded. */
int ks_fetched_get(struct ks_store *s, const char *url, struct ks_fetched *out, int *found,
		   struct ks_err *err);

/* Frees v's strings and zeroes it. Accepts NULL. */
void ks_fetched_clear(struct ks_fetched *v);

/* Records url's validators (either may be NULL), replacing earlier ones. */
int ks_fetched_put(struct ks_store *s, const char *url, const char *etag, const char *last_modified,
		   struct ks_err *err);

/* Replaces the pages recorded for feed by pages[0..n). */
int ks_fetched_set_pages(struct ks_store *s, const char *feed, char *const *pages, size_t n,
			 struct ks_err *err);

/* Calls fn(page, ctx) for each page recorded for feed, in name order;
 * stops at the first non-zero return of fn and returns it. The pages are
 * read before fn is first called (fn may write to the index). */
int ks_fetched_each_page(struct ks_store *s, const char *feed,
			 int (*fn)(const char *page, void *ctx), void *ctx, struct ks_err *err);

/* 1 when issue number is indexed from one of the pages recorded for feed
 * (its issue replaces the feed entry's), 0 when not; a negated enum ks_rc
 * with err set when the lookup fails. */
int ks_fetched_page_holds(struct ks_store *s, const char *feed, long long number,
			  struct ks_err *err);

#endif
