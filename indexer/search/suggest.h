/* suggest.h - "did you mean" for a search with no or very few hits
 * (private to the search layer): queries like the one typed with one term
 * replaced by a near spelling the index holds (vocab.h). A query is never
 * replaced: the caller shows these beside its own hits. */
#ifndef KS_SUGGEST_H
#define KS_SUGGEST_H

#include <stddef.h>

#include "kensaku/err.h"
#include "kensaku/store.h"
#include "scan.h"

#define KS_SUGGEST_BELOW 3 /* a search with fewer hits gets suggestions */
#define KS_SUGGEST_MAX 5   /* suggestions at most */

/* Fills *out (malloc'd array of malloc'd strings, *n of them; NULL and 0
 * when none) with queries like q (as typed) where one of sc's typed terms
 * is replaced by a spelling of the index vocabulary within edit distance
 * 2, the most frequent first. KS_OK, KS_ERR_NOMEM or KS_ERR_TIMEOUT (err
 * set); other lookup failures give no suggestions. */
int ks_suggest_queries(struct ks_store *s, const struct ks_scan *sc, const char *q, char ***out,
		       size_t *n, struct ks_err *err);

/* Frees the n strings of v and v. Accepts NULL. */
void ks_suggestions_free(char **v, size_t n);

#endif
