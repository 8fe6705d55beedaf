/* tokenizer.h - the kensaku FTS5 tokenizer: ICU NFKC case folding, ICU word
 * break (locale ja) for non-CJK text, overlapping character bigrams for runs
 * of kana/kanji (in documents each character is also a unigram sharing its
 * bigram's position), byte offsets into the original UTF-8.
 *
 * A struct ks_tok holds the ICU break iterator and buffers; it is not shared
 * between threads (FTS5 creates one per table per connection). */
#ifndef KENSAKU_TOKENIZER_H
#define KENSAKU_TOKENIZER_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define KS_TOKENIZER_NAME "kensaku"
#define KS_TOKENIZER_VERSION "kensaku-bigram-4"

enum ks_tok_mode {
	KS_TOK_DOCUMENT = 0, /* index time: unigrams and colocated bigrams */
	KS_TOK_QUERY = 1     /* query time: bigrams; a unigram only where needed */
};

/* Token callback: text is the normalized token (len bytes, not
 * NUL-terminated), start/end are byte offsets into the original input.
 * Return non-zero to stop tokenizing; that value is returned. */
typedef int (*ks_token_fn)(void *ctx, const char *text, int len, int start, int end);

struct ks_tok;

/* Creates a tokenizer; NULL when ICU cannot create the break iterator. */
struct ks_tok *ks_tok_new(void);

/* Frees t. Accepts NULL. */
void ks_tok_free(struct ks_tok *t);

/* Tokenizes len bytes of UTF-8 (invalid sequences act as separators, never
 * crash). Returns 0, the first non-zero value of fn, or SQLITE_NOMEM. */
int ks_tok_run(struct ks_tok *t, enum ks_tok_mode mode, const char *text, int len, ks_token_fn fn,
	       void *ctx);

/* 1 while fn is being called with a token that shares the previous token's
 * position (document mode: the bigram after its first character's unigram). */
int ks_tok_colocated(const struct ks_tok *t);

/* 1 when code point c takes part in the bigram runs (a letter of the Han,
 * Hiragana or Katakana script, including ー and 々 by their script
 * extensions), else 0 (also for negative c). The one rule: the word maps
 * (indexer/store/words.c) and the recall check's ground truth count
 * characters with it. Needs no tokenizer; thread-safe. */
int ks_tok_is_cjk(int32_t c);

/* Registers the tokenizer under KS_TOKENIZER_NAME on api (the store's FTS5
 * glue, indexer/store/fts.c, gets api and registers ks_rank() itself).
 * Returns an SQLite code. */
int ks_tok_register(fts5_api *api);

/* "kensaku-bigram-4" and the ICU version string ("72.1") this binary uses. */
const char *ks_tok_version(void);
const char *ks_tok_icu_version(void);

#endif
