/* topk.c - the k best rows in a min-heap (the contract is in topk.h). */
#include "topk.h"

#include <stdlib.h>

int ks_cand_worse(const struct ks_cand *a, const struct ks_cand *b)
{
	return a->score < b->score || (a->score == b->score && a->rowid < b->rowid);
}

static void swap(struct ks_cand *h, size_t i, size_t j)
{
	struct ks_cand t = h[i];
	h[i] = h[j];
	h[j] = t;
}

void ks_topk_push(struct ks_cand *h, size_t *n, size_t k, struct ks_cand c)
{
	if (*n < k) {
		size_t i = (*n)++;
		h[i] = c;
		for (; i > 0 && ks_cand_worse(&h[i], &h[(i - 1) / 2]); i = (i - 1) / 2)
			swap(h, i, (i - 1) / 2);
		return;
	}
	if (k == 0 || !ks_cand_worse(&h[0], &c))
		return;
	/* replace the worst and sift down */
	h[0] = c;
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < *n && ks_cand_worse(&h[l], &h[m]))
			m = l;
		if (r < *n && ks_cand_worse(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		swap(h, i, m);
		i = m;
	}
}

static int best_first(const void *a, const void *b)
{
	return ks_cand_worse(a, b) ? 1 : ks_cand_worse(b, a) ? -1 : 0;
}

void ks_topk_sort(struct ks_cand *h, size_t n)
{
	if (n)
		qsort(h, n, sizeof *h, best_first);
}
