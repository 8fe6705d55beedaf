/* hit.h - one item as the API shows it (search hits, item and issue
 * lookups: search.h); hit.c reads item rows into it. Plain data: the
 * holder frees the strings (ks_hit_free, ks_result_free). */
#ifndef KENSAKU_HIT_H
#define KENSAKU_HIT_H

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

/* One item as the API shows it. title_html/snippet_html are NULL for plain
 * lookups (items, issues) and set for search hits. */
struct ks_hit {
	char id[48]; /* "59-3" */
	long long issue;
	int position;
	char *date, *section, *title, *quote, *url;
	char *title_html, *snippet_html;
	double score;
	struct ks_score_parts *why; /* search with explain only, owned; else NULL */
};

#endif
