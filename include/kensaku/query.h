/* query.h - user text -> a safe FTS5 expression. A pure function: every
 * string is a valid query, and every term reaches MATCH inside quotes.
 *
 * Language: `a b` AND (implicit; a literal AND between terms is ignored),
 * `a OR b` (binds tighter than the implicit AND: `a b OR c` = a AND (b OR c)),
 * `-a` exclude, `"a b"` phrase, `ran*` prefix; everything else is literal. */
#ifndef KENSAKU_QUERY_H
#define KENSAKU_QUERY_H

#include "err.h"

struct ks_tok;

enum ks_query_kind {
	KS_Q_ALL = 0, /* empty query: every item (browse) */
	KS_Q_NONE,    /* only terms without searchable text (`*`, `:`): no hits */
	KS_Q_MATCH,   /* match is set; exclude may be set too */
	KS_Q_EXCLUDE  /* only exclusions: every item except those matching exclude */
};

struct ks_query {
	enum ks_query_kind kind;
	char *match;   /* FTS5 expression of the positive part, or NULL */
	char *exclude; /* FTS5 expression of the excluded terms (OR-ed), or NULL */
	int n_terms;   /* positive terms kept */
};

/* Translates q (any bytes; invalid UTF-8 is replaced) into *out. tok is
 * used to see which terms have searchable tokens (may not be NULL).
 * Fails only with KS_ERR_NOMEM. */
int ks_query_translate(struct ks_tok *tok, const char *q, struct ks_query *out);

/* Frees what q holds and zeroes it. Accepts NULL. */
void ks_query_clear(struct ks_query *q);

#endif
