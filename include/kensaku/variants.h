/* variants.h - other spellings of one query term: kana script and long-vowel
 * variants of Japanese words, and the Snowball English stem of Latin words.
 * Pure functions of their input (no index, no locale); safe to call from any
 * thread. Ownership: strings written to out[] are malloc'd and belong to the
 * caller, who frees each with free(). */
#ifndef KENSAKU_VARIANTS_H
#define KENSAKU_VARIANTS_H

#include <stddef.h>

/* Most spellings ks_kana_variants can write for one term. */
#define KS_KANA_VARIANTS_MAX 3

/* The kana spellings of folded (an NFKC-casefolded term, ks_fold) that
 * differ from it, for kana-insensitive search. Rule: a term gets variants
 * only when every character is hiragana, katakana or ー (U+30FC) and at
 * least one is not ー; a term with kanji, Latin letters, digits, ・ or any
 * other character gets none. Its variants, in this order, each written
 * only when it differs from folded:
 *   1. the katakana spelling (hiragana U+3041-3096 and ゝゞ shifted to
 *      katakana), e.g. らんさむうぇあ -> ランサムウェア;
 *   2. that katakana spelling with its final ー removed or added (サーバー
 *      <-> サーバ, プリンタ <-> プリンター): removed when the word without it
 *      has at least 3 characters and ends in a kana that may be lengthened,
 *      added under the same condition; a kana may be lengthened when its
 *      vowel is a, i or o and it is not a bare vowel (カ キ コ ... リ ロ, ャ
 *      ョ ァ ィ ォ, and ュ: ア イ ウ エ オ ン ッ ス ク ... never), so ソフトウェア
 *      and ウイルス get no ー form;
 *   3. the hiragana spelling (katakana U+30A1-30F6 and ヽヾ shifted back),
 *      only when every character has one (ヷ-ヺ have none).
 * So a hiragana term gets the katakana word with and without its ー, a
 * katakana term its ー form and its hiragana spelling. Writes at most max
 * (<= 0: none) malloc'd strings to out and returns their count; -1 on out
 * of memory (nothing is then left in out for the caller to free). Invalid
 * UTF-8 gets none. */
int ks_kana_variants(const char *folded, char **out, int max);

/* Longest word ks_stem_en and ks_stemmer_stem accept, in bytes. */
#define KS_STEM_WORD_MAX 64

/* Writes the Snowball English stem (libstemmer "english", UTF-8) of word
 * to out (cap bytes, NUL-terminated): "vulnerabilities", "vulnerability"
 * and "vulnerable" all give "vulner". word must be 1 to KS_STEM_WORD_MAX
 * lowercase ASCII letters a-z. Returns 0, or -1 when word is not such a
 * word, the stem does not fit in cap, or memory ran out. Thread-safe: it
 * creates and frees a stemmer of its own on each call (a few small
 * allocations); for many words in a row use a struct ks_stemmer. */
int ks_stem_en(const char *word, char *out, size_t cap);

/* A Snowball English stemmer for many words; used by one thread at a
 * time. */
struct ks_stemmer;

/* A new stemmer, or NULL on out of memory. */
struct ks_stemmer *ks_stemmer_new(void);

/* Frees st; accepts NULL. */
void ks_stemmer_free(struct ks_stemmer *st);

/* As ks_stem_en, with st's stemmer. */
int ks_stemmer_stem(struct ks_stemmer *st, const char *word, char *out, size_t cap);

#endif
