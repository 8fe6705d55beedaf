/* hit.h - one item as the API shows it (search hits, item and issue
 * lookups: search.h); hit.c reads item rows into it. Plain data: the
 * holder frees the strings (ks_hit_free, ks_result_free). */
#ifndef KENSAKU_HIT_H
#define KENSAKU_HIT_H

/* One item as the API shows it. title_html/snippet_html are NULL for plain
 * lookups (items, issues) and set for search hits. */
struct ks_hit {
	char id[48]; /* "59-3" */
	long long issue;
	int position;
	char *date, *section, *title, *quote, *url;
	char *title_html, *snippet_html;
	double score;
};

#endif
