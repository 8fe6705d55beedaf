/* vocab.h - lookups in the index's own vocabulary (the FTS5 terms of
 * items_fts, read through an fts5vocab table): the inflections of an
 * English word the index holds, and "did you mean" suggestions.
 *
 * The fts5vocab table (temp.ks_vocab_row) is created on s's connection on
 * first use, also on a read-only one (query_only is lifted for the CREATE
 * and put back); it lives as long as the connection. s is used by one
 * thread at a time, as every store function. Both lookups run under the
 * store's per-query deadline when one is armed.
 *
 * Return convention: the number of strings written (>= 0), or a negative
 * ks rc (-KS_ERR_NOMEM, -KS_ERR_DB, -KS_ERR_TIMEOUT, -KS_ERR_ARG ...) with
 * err set. Strings written to out[] are malloc'd and belong to the caller
 * (free() each); on failure nothing is left in out to free. */
#ifndef KENSAKU_VOCAB_H
#define KENSAKU_VOCAB_H

#include "err.h"
#include "store.h"

/* Largest max the lookups accept (-KS_ERR_ARG above). */
#define KS_VOCAB_MAX 64

/* Other words of the index vocabulary with the same Snowball English stem
 * as word (ks_stem_en; word: lowercase ASCII letters), most frequent first
 * (number of items holding the word, then bytewise), word itself excluded,
 * at most max. "vulnerabilities" finds "vulnerability" and "vulnerable".
 * Snowball conflates more than inflection ("attacks" finds "attacker",
 * "security" finds "secure"): rank these below the literal. Only words of
 * letters a-z are considered. A word that cannot be stemmed, or whose stem
 * is shorter than 3 letters, has none (0). Cost: one range scan of the
 * terms starting with the stem less its last letter (Snowball rewrites the
 * last letter: study -> studi, possibility -> possibl), or with the whole
 * stem when it is 3 letters; at most 20000 terms of that range are
 * examined (under 1 ms on the medium bench index, 100k items). */
int ks_vocab_inflections(struct ks_store *s, const char *word, char **out, int max,
			 struct ks_err *err);

/* Did you mean: terms within Damerau-Levenshtein distance (optimal string
 * alignment, counted in characters) 2 of term, 1 when term has 4
 * characters or fewer, most frequent first (items holding the term, then
 * nearer, then bytewise), term itself excluded, at most max. term must be
 * NFKC-casefolded (ks_fold) and either
 *  - Latin: letters a-z or Latin letters U+00C0-U+024F, and digits, with
 *    at least one letter; candidates are the index's words of the same
 *    kind that share term's first character and whose length is within
 *    the distance of term's (one range scan of the vocabulary, at most
 *    20000 terms examined: on the medium bench index, 100k items, 2-13 ms
 *    warm and 45 ms at worst cold, for a 10-letter term of a crowded
 *    first letter such as c, s, p); or
 *  - katakana (U+30A1-U+30FA, ー), 2 to 32 characters: the index holds
 *    Japanese text as character bigrams, not words, so the candidates are
 *    the katakana spellings of kensaku's compiled vocabulary (the term
 *    groups and the gazetteer, lexicon.h) within the distance, at most
 *    the 16 nearest of them, each counted in the index with a phrase
 *    query and dropped when no item holds it.
 * Any other term (kanji, hiragana, mixed scripts, symbols) has none (0).
 * Terms of more than 32 characters have none. */
int ks_vocab_suggest(struct ks_store *s, const char *term, char **out, int max,
		     struct ks_err *err);

#endif
