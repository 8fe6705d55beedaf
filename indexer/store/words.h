/* words.h - word maps: which FTS5 positions of an item's text start words
 * (private to the indexer library).
 *
 * The tokenizer indexes every CJK character as a unigram at its own FTS5
 * position (the bigram it starts colocated with it), so a match found by
 * bigrams can start or end inside a word. A word map says, per position,
 * whether the segmenter (segment.h) put a word boundary before it; ranking
 * (rank.c, through memo.h) reads it to tell aligned matches from matches
 * inside longer words, and to count an item's length in words.
 *
 * Stored per item in item_words(item INTEGER PRIMARY KEY, map BLOB NOT
 * NULL), a row for every item, written by the store as it inserts items:
 * map = an SQLite varint (the byte length of the title's bitmap), the
 * title's bitmap, the quote's bitmap (to the end of the blob). */
#ifndef KS_WORDS_H
#define KS_WORDS_H

#include "kensaku/buf.h"
#include "kensaku/segment.h"
#include "kensaku/tokenizer.h"

/* The table, for CREATE TABLE. */
#define KS_WORDS_TABLE "item_words(item INTEGER PRIMARY KEY, map BLOB NOT NULL)"

/* The continuation bitmap of one column's text: bit i (byte i/8, bit i%8,
 * LSB first) is set when FTS5 position i of that column does not start a
 * word (a CJK character inside a word by the segmenter); positions of
 * non-CJK tokens always start words. Trailing zero bytes are trimmed (an
 * English-only column gives 0 bytes). Positions are FTS5's: one per token
 * of tok in document mode that is not colocated (and the first token). A
 * CJK character that NFKC turns into several (㍿ -> 株式会社) starts a word
 * with its first only. Appends to *out; returns 0, or KS_ERR_NOMEM (out
 * may then hold part of the bitmap, or have oom set). */
int ks_words_map(struct ks_tok *tok, struct ks_seg *seg, const char *text, int len,
		 struct ks_buf *out);

/* Appends an item's whole map (the blob item_words holds) for its title
 * and quote (either may be NULL). 0, or KS_ERR_NOMEM. */
int ks_words_item(struct ks_tok *tok, struct ks_seg *seg, const char *title, const char *quote,
		  struct ks_buf *out);

/* Splits a map blob of n bytes into its title and quote bitmaps. 0, or -1
 * when the blob is malformed (a length past its end). */
int ks_words_split(const unsigned char *map, int n, const unsigned char **title, int *n_title,
		   const unsigned char **quote, int *n_quote);

#endif
