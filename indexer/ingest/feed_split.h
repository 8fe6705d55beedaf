/* feed_split.h - which entries of a fetched feed are read from their pages
 * (private to ingest: build_url.c).
 *
 * An entry that carries its issue in full (RSS content:encoded, an Atom
 * <content> given inline) is read from the feed. An entry that carries
 * only a summary (RSS <description>, Atom <summary>) or nothing is read
 * from the page it links to (its Atom alternate link, RSS <link>, else a
 * permalink <guid>), resolved against the feed's URL. ks_feed_split tells
 * the two apart and gives the feed without the second kind, so the
 * feed's parser (ks_ingest_feed) neither reads their summaries nor
 * reports them as entries without items. */
#ifndef KS_FEED_SPLIT_H
#define KS_FEED_SPLIT_H

#include <stddef.h>

#include "kensaku/err.h"

struct ks_feed_split {
	char **pages; /* absolute URLs of the summary entries' pages, each once, in order */
	size_t n_pages;
	char *rest; /* the feed without those entries, its other lines where they were
		       (UTF-8, no XML declaration); NULL when no entry was taken out */
	size_t rest_len;
	size_t n_rest; /* entries left in rest */
};

/* Splits the feed data[0..len), fetched from base (its URL after
 * redirects), into *out. A feed that is not well-formed, has a DOCTYPE
 * or has no summary entry with a link is left whole (pages
 * empty, rest NULL): the feed's parser then says what it says of it.
 * KS_OK, or KS_ERR_NOMEM with *out zeroed. */
int ks_feed_split(const char *data, size_t len, const char *base, struct ks_feed_split *out,
		  struct ks_err *err);

/* Frees what s holds and zeroes it. Accepts NULL. */
void ks_feed_split_clear(struct ks_feed_split *s);

#endif
