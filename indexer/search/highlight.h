/* highlight.h - where a query's phrases occur in a text, found in C from
 * the kensaku tokenizer's own tokens (private to the indexer library).
 *
 * A search page shows at most 100 hits; asking FTS5 for each hit's phrase
 * instances means evaluating the MATCH again per hit (every phrase token's
 * doclist seeked) plus tokenizing the text anyway. This module tokenizes
 * the hit's text once and matches the query's phrases against it with the
 * same rules FTS5 applies: a phrase of n query tokens occurs at position
 * p when each token i equals a document token at position p + i (colocated
 * tokens share a position; a trailing * makes the last token a prefix).
 * A match spans from its first token's start to its last token's end, so
 * `ランサ` marks three characters and `C++` all of C++. */
#ifndef KS_HIGHLIGHT_H
#define KS_HIGHLIGHT_H

#include <stddef.h>

#include "kensaku/hit.h"
#include "kensaku/phrase.h"
#include "kensaku/tokenizer.h"

struct ks_hl;

/* Compiles the n phrases of v (a translated query's, phrase.h) with tok in
 * query mode; excluded ones are left out (they never occur in a row the
 * query matches). Returns 0 with *out set (free with ks_hl_free), or -1 on
 * out of memory. */
int ks_hl_compile(struct ks_tok *tok, const struct ks_query_phrase *v, size_t n,
		  struct ks_hl **out);

/* Frees h. Accepts NULL. */
void ks_hl_free(struct ks_hl *h);

/* Finds every occurrence of h's phrases in len bytes of text and sets *out
 * to their byte ranges (hit.h: pairs sorted by start, possibly
 * overlapping; out->at malloc'd, NULL when there are none). Returns 0, or
 * -1 on out of memory (*out empty). h NULL marks nothing. */
int ks_hl_find(struct ks_hl *h, struct ks_tok *tok, const char *text, int len,
	       struct ks_marks *out);

#endif
