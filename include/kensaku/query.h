/* query.h - user text -> a safe FTS5 expression. A pure function: every
 * string is a valid query, and every term reaches MATCH inside quotes.
 *
 * Language: `a b` AND (implicit; a literal AND between terms is ignored),
 * `a OR b` (binds tighter than the implicit AND: `a b OR c` = a AND (b OR c)),
 * `-a` exclude, `"a b"` phrase, `ran*` prefix, `site:example.com` only
 * items with a link on that host or a subdomain of it (several: any of
 * them; `-site:` leaves those out; a `site:` without a host name, such as
 * `site:` or `site:"x"`, is literal text); everything else is literal.
 *
 * The work a query can ask for is bounded (issue 10): whatever the text, the
 * expression has at most KS_QUERY_TERMS_MAX terms, KS_QUERY_PHRASES_MAX
 * phrases (spellings added by expansion included), KS_QUERY_PREFIXES_MAX
 * prefixes of at least KS_QUERY_PREFIX_MIN_CHARS characters each, and
 * KS_QUERY_PHRASE_TOKENS_MAX tokens per phrase. Past a bound the query is
 * still valid: the rest is searched more simply (a short `x*` as the term
 * `x`) or left out, and out->notices says what happened. */
#ifndef KENSAKU_QUERY_H
#define KENSAKU_QUERY_H

#include <stddef.h>

#include "err.h"
#include "phrase.h"

struct ks_tok;

#define KS_QUERY_TERMS_MAX 16	      /* terms, positive and excluded; later ones are ignored */
#define KS_QUERY_PHRASES_MAX 16	      /* phrases of the expression, spellings included */
#define KS_QUERY_PREFIXES_MAX 4	      /* prefix terms; later ones are searched as terms */
#define KS_QUERY_PREFIX_MIN_CHARS 3   /* characters a prefix's last word needs */
#define KS_QUERY_PHRASE_TOKENS_MAX 32 /* tokens of one term or phrase; the rest is cut */

/* Which bound of the query language a term ran into. */
enum ks_query_limit {
	KS_QL_TERMS = 0,    /* past KS_QUERY_TERMS_MAX: term (and the rest) ignored */
	KS_QL_PREFIX_SHORT, /* prefix shorter than KS_QUERY_PREFIX_MIN_CHARS: plain term */
	KS_QL_PREFIXES,	    /* past KS_QUERY_PREFIXES_MAX prefixes: plain term */
	KS_QL_PHRASE_LONG,  /* past KS_QUERY_PHRASE_TOKENS_MAX tokens: the phrase is cut */
	KS_QL_SPELLINGS	    /* past KS_QUERY_PHRASES_MAX: some spellings not added */
};

/* One bound a query ran into. */
struct ks_query_notice {
	enum ks_query_limit code;
	char *term;	/* the term as typed (NFKC), owned */
	char *searched; /* what was searched for it instead (owned), or NULL when
			 * nothing was (KS_QL_TERMS) or it was searched as typed
			 * (KS_QL_SPELLINGS) */
};

enum ks_query_kind {
	KS_Q_ALL = 0, /* empty query (or only site: terms): every item (browse) */
	KS_Q_NONE,    /* only terms without searchable text (`*`, `:`): no hits */
	KS_Q_MATCH,   /* match is set; exclude may be set too */
	KS_Q_EXCLUDE  /* only exclusions: every item except those matching exclude */
};

/* One query term that was expanded into its variants. */
struct ks_query_expansion {
	char *term;	 /* the term as typed (NFKC), owned */
	char **variants; /* its lexicon group's spellings (or the term itself), then
			  * the spellings the expander added; owned */
	size_t n_variants;
};

struct ks_query {
	enum ks_query_kind kind;
	char *match;   /* FTS5 expression of the positive part, or NULL */
	char *exclude; /* FTS5 expression of the excluded terms (OR-ed), or NULL */
	int n_terms;   /* positive terms kept */
	struct ks_query_phrase *phrases; /* KS_Q_MATCH: the phrases of match, in order */
	size_t n_phrases;
	struct ks_query_expansion *expanded; /* terms expanded (KS_QUERY_EXPAND), in order */
	size_t n_expanded;
	struct ks_query_notice *notices; /* bounds the text ran into, in order */
	size_t n_notices;
	char **sites; /* site keys of the site: terms (any of them), owned */
	size_t n_sites;
	char **not_sites; /* site keys of the -site: terms (none of them), owned */
	size_t n_not_sites;
};

/* Flags of ks_query_translate_opts. */
enum ks_query_flags {
	/* Bilingual and variant expansion (include/kensaku/lexicon.h): a bare
	 * term (not a "phrase", not a prefix*) whose NFKC case folded text is a
	 * spelling of a term group matches any spelling of the group, as if the
	 * user had typed `term OR variant OR ...` (each variant quoted, so a
	 * Japanese variant matches as a substring like any Japanese term).
	 * Excluded terms (-term) exclude every variant. */
	KS_QUERY_EXPAND = 1 << 0
};

/* More spellings of a bare term, for ks_query_translate_ex: the kana
 * forms of a Japanese word, the inflections of an English one. */
struct ks_query_expander {
	/* Writes up to max malloc'd spellings of folded (a bare term, NFKC
	 * case folded) to out and returns their count, or -1 on out of
	 * memory. */
	int (*spellings)(void *ctx, const char *folded, char **out, int max);
	void *ctx;
};

/* Translates q (any bytes; invalid UTF-8 is replaced) into *out, literally:
 * no expansion (the same as ks_query_translate_opts with flags 0). tok is
 * used to see which terms have searchable tokens (may not be NULL).
 * Fails only with KS_ERR_NOMEM. */
int ks_query_translate(struct ks_tok *tok, const char *q, struct ks_query *out);

/* As ks_query_translate, with flags (enum ks_query_flags). With
 * KS_QUERY_EXPAND, out->expanded lists each expanded term once. Without
 * any expansion the result equals ks_query_translate's. Fails only with
 * KS_ERR_NOMEM. */
int ks_query_translate_opts(struct ks_tok *tok, const char *q, unsigned flags,
			    struct ks_query *out);

/* As ks_query_translate_opts; with KS_QUERY_EXPAND and x (may be NULL) a
 * bare term also matches the spellings x gives, after its lexicon group's,
 * within the same bound on phrases. Added spellings are flagged
 * KS_PH_SPELLING (they rank below the typed text) and listed in
 * out->expanded. Fails only with KS_ERR_NOMEM. */
int ks_query_translate_ex(struct ks_tok *tok, const char *q, unsigned flags,
			  const struct ks_query_expander *x, struct ks_query *out);

/* The stable name of a bound ("terms", "prefix_short", "prefixes",
 * "phrase_long", "spellings"); never NULL. */
const char *ks_query_limit_name(enum ks_query_limit code);

/* Frees the n notices of v and v itself. Accepts NULL. */
void ks_query_notices_free(struct ks_query_notice *v, size_t n);

/* Moves q's expansions and notices to the caller (*e, *ne, *v, *nv; free
 * them with ks_query_expansions_free and ks_query_notices_free); q keeps
 * none. Can't fail. */
void ks_query_take_notes(struct ks_query *q, struct ks_query_expansion **e, size_t *ne,
			 struct ks_query_notice **v, size_t *nv);

/* Frees the n expansions of e and e itself. Accepts NULL. */
void ks_query_expansions_free(struct ks_query_expansion *e, size_t n);

/* Frees what q holds and zeroes it. Accepts NULL. */
void ks_query_clear(struct ks_query *q);

#endif
