/* hit.h - one item as the API shows it (search hits, item and issue
 * lookups: search.h); hit.c reads item rows into it. Plain data: the
 * holder frees the strings and marks (ks_hit_free, ks_result_free). The
 * search layer hands out text and byte ranges only; the render layer
 * (html.h) turns them into title_html and snippet_html. */
#ifndef KENSAKU_HIT_H
#define KENSAKU_HIT_H

#include <stddef.h>

/* Why a hit scored what it did (a search with explain): the parts of the
 * store's ks_rank for that item. */
struct ks_score_parts {
	int title_words, quote_words; /* mentions on word boundaries, by column */
	int inside;		      /* mentions inside longer words */
	int spellings;		      /* mentions of a spelling expansion added */
	int in_words;		      /* 1: lengths are in words; 0: in tokens (old index) */
	double words, avg_words;      /* the item's length, the mean length */
	double proximity;	      /* the factor for terms close together (1: none) */
	double bm25;		      /* the score before proximity */
};

/* Where a search's phrases occur in one text: n byte ranges [at[2i],
 * at[2i+1]) of it, sorted by start; they may overlap or touch, and an end
 * may fall inside a character (render rounds it up). at is NULL when n is
 * 0; owned by the hit. */
struct ks_marks {
	int *at;
	int n;
};

/* One item as the API shows it. The marks are empty for plain lookups
 * (items, issues) and for a search without phrases to mark. */
struct ks_hit {
	char id[48]; /* "59-3" */
	long long issue;
	int position;
	char *date, *section, *title, *quote, *url;
	char **links; /* every link of the item, url first (links.h), owned */
	size_t n_links;
	struct ks_marks title_marks, quote_marks; /* in title and quote */
	double score;
	struct ks_score_parts *why; /* search with explain only, owned; else NULL */
};

#endif
