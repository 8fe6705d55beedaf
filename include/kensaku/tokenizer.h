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

#define KS_TOKENIZER_NAME "kensaku"
#define KS_TOKENIZER_VERSION "kensaku-bigram-3"

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

/* 1 when the last token of text (query mode) is a lone CJK character: its
 * match in a document is one character wide, not a bigram. */
int ks_tok_ends_with_lone_cjk(struct ks_tok *t, const char *text, int len);

/* 1 when the last token of text (query mode) matches a document position's
 * own token (a lone CJK character, a word), 0 when it matches a longer
 * token colocated with it (a CJK bigram, "c++" beside "c"): a highlight of
 * a phrase ending there ends with the position's token, not the longer one. */
int ks_tok_ends_on_base(struct ks_tok *t, const char *text, int len);

/* Registers the tokenizer under KS_TOKENIZER_NAME and the ks_matches()
 * auxiliary function on db. Returns an SQLite code. */
int ks_tok_register(sqlite3 *db);

/* "kensaku-bigram-3" and the ICU version string ("72.1") this binary uses. */
const char *ks_tok_version(void);
const char *ks_tok_icu_version(void);

#endif
