/* phrase.h - one phrase of a translated query, as the query translator
 * (query.h) makes it and the ranker (the store's ks_rank) and the
 * highlighter read it: the typed form of the FTS5 expression, so no module
 * parses the expression string back. Plain data, no functions. */
#ifndef KENSAKU_PHRASE_H
#define KENSAKU_PHRASE_H

#include <stddef.h>

/* Flags of one phrase. */
enum ks_phrase_flags {
	KS_PH_PREFIX = 1 << 0,	 /* its last token matches any token it begins */
	KS_PH_EXCLUDED = 1 << 1, /* an excluded term's phrase: only NOT reaches it */
	KS_PH_SPELLING = 1 << 2	 /* a spelling that expansion added, not the text typed */
};

/* Phrase i is what FTS5 reports as phrase i of the expression. */
struct ks_query_phrase {
	char *text;	/* NFKC text, as quoted in the expression (unescaped), owned */
	int term;	/* the query term it spells: the spellings of one term share it */
	unsigned flags; /* enum ks_phrase_flags */
	int span;	/* FTS5 positions one occurrence covers; 0 when unknown (a prefix) */
};

/* The phrases of a query, in expression order, as the ranker receives them
 * (sqlite3_bind_pointer, type KS_PHRASES_POINTER). */
struct ks_query_phrases {
	const struct ks_query_phrase *v;
	size_t n;
};

#define KS_PHRASES_POINTER "ks_query_phrases"

#endif
