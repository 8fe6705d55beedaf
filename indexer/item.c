/* item.c - the growable arrays behind ks_batch and ks_issue (see item.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kensaku/item.h"

/* Makes room for one more element of size elem in *arr (holding *n of *cap),
 * doubling the capacity; returns 0, or -1 on out of memory or overflow with
 * *arr unchanged. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	if (ncap < *cap || ncap > SIZE_MAX / elem)
		return -1;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

struct ks_issue *ks_batch_add_issue(struct ks_batch *b)
{
	if (!b)
		return NULL;
	void *arr = b->issues;
	if (grow(&arr, &b->cap_issues, b->n_issues, sizeof *b->issues) != 0)
		return NULL;
	b->issues = arr;
	struct ks_issue *is = &b->issues[b->n_issues++];
	memset(is, 0, sizeof *is);
	return is;
}

struct ks_item *ks_issue_add_item(struct ks_issue *is)
{
	if (!is)
		return NULL;
	void *arr = is->items;
	if (grow(&arr, &is->cap_items, is->n_items, sizeof *is->items) != 0)
		return NULL;
	is->items = arr;
	struct ks_item *it = &is->items[is->n_items++];
	memset(it, 0, sizeof *it);
	it->position = (int)is->n_items;
	return it;
}

struct ks_issue *ks_batch_find_issue(struct ks_batch *b, long long n)
{
	if (!b)
		return NULL;
	for (size_t i = 0; i < b->n_issues; i++)
		if (b->issues[i].number == n)
			return &b->issues[i];
	return NULL;
}

void ks_issue_clear(struct ks_issue *is)
{
	if (!is)
		return;
	for (size_t i = 0; i < is->n_items; i++) {
		free(is->items[i].section);
		free(is->items[i].title);
		free(is->items[i].quote);
		free(is->items[i].url);
	}
	free(is->items);
	free(is->date);
	free(is->title);
	memset(is, 0, sizeof *is);
}

void ks_batch_clear(struct ks_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_issues; i++)
		ks_issue_clear(&b->issues[i]);
	free(b->issues);
	memset(b, 0, sizeof *b);
}

size_t ks_batch_count_items(const struct ks_batch *b)
{
	size_t n = 0;
	if (!b)
		return 0;
	for (size_t i = 0; i < b->n_issues; i++)
		n += b->issues[i].n_items;
	return n;
}
