/* expand.h - the spellings a bare query term expands to (private to the
 * search layer): its lexicon group's (bilingual and variant spellings,
 * lexicon.h), then an expander's (kana forms, inflections; query.h). */
#ifndef KS_EXPAND_H
#define KS_EXPAND_H

#include <stddef.h>

#define KS_EXPANDER_MAX 8 /* spellings asked of an expander per term */

/* The other spellings of one term, each once (by their folded form), the
 * term's own spelling left out. */
struct ks_spellings {
	char **v; /* owned copies: the group's first, then the expander's */
	size_t n;
	size_t n_group;			/* how many of v came from the lexicon group */
	const char *const *group;	/* the whole lexicon group (not owned), or NULL */
	size_t group_n;
};

/* An expander's callback (query.h, struct ks_query_expander). */
typedef int (*ks_spellings_fn)(void *ctx, const char *folded, char **out, int max);

/* Fills *out with the other spellings of text (a term as typed, NFKC):
 * its lexicon group's, then fn's (fn may be NULL). 0, or -1 on out of
 * memory (out then holds nothing). */
int ks_spellings_get(const char *text, ks_spellings_fn fn, void *ctx, struct ks_spellings *out);

/* Frees what sp holds and zeroes it. */
void ks_spellings_clear(struct ks_spellings *sp);

#endif
