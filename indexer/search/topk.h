/* topk.h - the k best rows of a walk over the matches, kept in a min-heap
 * (private to the indexer library): search.c's relevance page and csv.c's
 * relevance export use it. The caller owns the array of k candidates. */
#ifndef KS_TOPK_H
#define KS_TOPK_H

#include <stddef.h>

#include <sqlite3.h>

/* One matching row and its score. */
struct ks_cand {
	sqlite3_int64 rowid;
	double score;
};

/* 1 when a ranks below b: a lower score, or on a tie the older (smaller)
 * rowid. The one order of relevance pages and exports. */
int ks_cand_worse(const struct ks_cand *a, const struct ks_cand *b);

/* Offers c to the heap h of *n candidates (at most k, h holding room for
 * k): added while there is room, else it replaces the worst when that
 * ranks below c. Can't fail. */
void ks_topk_push(struct ks_cand *h, size_t *n, size_t k, struct ks_cand c);

/* Sorts the n candidates of h best first (the heap is spent). */
void ks_topk_sort(struct ks_cand *h, size_t n);

#endif
