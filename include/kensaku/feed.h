/* feed.h - the newest items matching a query as an Atom feed (RFC 4287):
 * the body of GET /feed.atom, so a saved search is a subscription.
 *
 * The XML is written by libxml2's xmlTextWriter (it escapes), from text
 * first cleaned of what XML 1.0 cannot hold (C0 controls but tab, CR, LF;
 * U+FFFE, U+FFFF; invalid UTF-8 become U+FFFD) and of what would spoof a
 * reader's display: each bidi control (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069) becomes the visible text "[U+202E RLO]",
 * so "evil\u202Eexe.txt" reads "evil[U+202E RLO]exe.txt". Ids are tag URIs (RFC 4151)
 * under the authority kensaku.invalid (a reserved name, RFC 2606, that no
 * one else can mint under), independent of the host serving the feed:
 *   feed   tag:kensaku.invalid,2024:feed?q=...&section=...   (the query)
 *   entry  tag:kensaku.invalid,2024:item:59-3                (the item id)
 * so they survive restarts, other hosts and `kensaku reindex`. */
#ifndef KENSAKU_FEED_H
#define KENSAKU_FEED_H

#include <stddef.h>

#include "err.h"
#include "search.h"
#include "store.h"

#define KS_FEED_LIMIT_DEFAULT 20
#define KS_FEED_LIMIT_MAX 100
#define KS_FEED_TAG "tag:kensaku.invalid,2024:"

struct ks_feed_opts {
	const char
	    *base; /* absolute URL of the site root, "http://host:port" (no '/' at the end) */
	int limit; /* entries, 1..KS_FEED_LIMIT_MAX */
};

/* Writes the feed of the newest (as sort=newest: undated items last) items
 * matching p (q, expand, section, from, to, entity, deadline_ms; p must
 * pass ks_search_params_check) as UTF-8 Atom XML into *out (malloc'd,
 * NUL-terminated, length in *len):
 *   feed: id (from the query), title (names the query), updated (the
 *   newest entry's, else the index's build time), link rel=self (this
 *   feed) and rel=alternate (the web UI's search page), author, generator;
 *   entry: id (from the item id), title, updated (the item's date at
 *   00:00Z, else the build time), link rel=alternate to
 *   /issue.html?n=ISSUE#item-POSITION (the web UI's anchor), link
 *   rel=related to the item's source url (http and https only; spaces,
 *   controls and bidi controls percent-encoded), summary (the quote as
 *   plain text, else the title, so no entry has an empty body), category
 *   term=section.
 * KS_ERR_ARG for a bad limit; KS_ERR_TIMEOUT, KS_ERR_DB, KS_ERR_NOMEM. */
int ks_feed_atom(struct ks_store *s, const struct ks_search_params *p, const struct ks_feed_opts *o,
		 char **out, size_t *len, struct ks_err *err);

#endif
