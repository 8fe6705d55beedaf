/* analyze.h - what the tokenizer makes of a text: the body of GET
 * /api/analyze and `kensaku analyze --json`.
 *
 * The tokens are exactly those the FTS5 tokenizer hands to SQLite for the
 * same text: in document mode what an item's title or quote is indexed as,
 * in query mode what a search term is looked up as. */
#ifndef KENSAKU_ANALYZE_H
#define KENSAKU_ANALYZE_H

#include <jansson.h>

#include "err.h"
#include "tokenizer.h"

#define KS_ANALYZE_MAX_BYTES 1024 /* = KS_QUERY_MAX_BYTES: longer text is a client error */

/* Parses "document" | "query" (NULL: document); KS_ERR_ARG otherwise. */
int ks_tok_mode_parse(const char *s, enum ks_tok_mode *out);

/* Checks text: at most KS_ANALYZE_MAX_BYTES, valid UTF-8 without control
 * characters other than tab, CR, LF. KS_ERR_ARG with a message naming the
 * parameter "text" otherwise. */
int ks_analyze_check(const char *text, struct ks_err *err);

/* Tokenizes text (checked with ks_analyze_check; NULL is "") with tok in
 * mode and builds
 *   {"text": text, "mode": "document"|"query", "tokenizer": "kensaku-bigram-2",
 *    "icu": "72.1", "tokens": [{"token", "start", "end", "position",
 *    "colocated"}...], "query": "<FTS5 expression>" | null}
 * token is the normalized token text, start/end byte offsets into text,
 * position counts tokens that are not colocated (a colocated token shares
 * the position of the one before it), from 0. query is the expression a
 * search for text runs (the "fts" of a search with explain=1: expanded
 * when expand, by the lexicon and kana spellings; the English inflections
 * a search adds come from its index, which an analysis does not read),
 * null when the search would match every item or none.
 * *out is a new reference. Fails with KS_ERR_NOMEM. */
int ks_analyze_json(struct ks_tok *tok, const char *text, enum ks_tok_mode mode, int expand,
		    json_t **out, struct ks_err *err);

#endif
