/* item.c - the growable arrays behind ks_batch and ks_issue (see item.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kensaku/item.h"
#include "kensaku/utf8.h"
#include "site.h"

_Static_assert(KS_LINK_MAX_BYTES == KS_MAX_URL_BYTES, "a link is a url");

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

void ks_item_clear(struct ks_item *it)
{
	if (!it)
		return;
	free(it->section);
	free(it->title);
	free(it->quote);
	free(it->url);
	for (size_t i = 0; i < it->n_links; i++)
		free(it->links[i]);
	free(it->links);
	memset(it, 0, sizeof *it);
}

/* The index of s[0..n) in it->links, or n_links. */
static size_t link_at(const struct ks_item *it, const char *s, size_t n)
{
	size_t i = 0;
	while (i < it->n_links && !(strlen(it->links[i]) == n && memcmp(it->links[i], s, n) == 0))
		i++;
	return i;
}

int ks_item_add_link(struct ks_item *it, const char *s, size_t n)
{
	char key[KS_SITE_MAX];
	if (!it || !s || it->n_links >= KS_MAX_ITEM_LINKS || !ks_link_usable(s, n) ||
	    link_at(it, s, n) < it->n_links)
		return 0;
	char *p = malloc(n + 1);
	if (!p)
		return -1;
	memcpy(p, s, n);
	p[n] = 0;
	if (ks_link_site(p, key) != 0) { /* no host name: not a link */
		free(p);
		return 0;
	}
	char **v = realloc(it->links, (it->n_links + 1) * sizeof *v);
	if (!v) {
		free(p);
		return -1;
	}
	it->links = v;
	v[it->n_links++] = p;
	return 0;
}

/* Moves it->url to the front of its links (adding it when it is a link
 * the list lacks, the last link giving way past KS_MAX_ITEM_LINKS); an
 * item without a url gets its first link as its url. */
static int url_first(struct ks_item *it)
{
	if (!it->url)
		return it->n_links && !(it->url = strdup(it->links[0])) ? -1 : 0;
	size_t n = strlen(it->url), at = link_at(it, it->url, n);
	if (at == it->n_links) {
		if (!ks_link_usable(it->url, n))
			return 0;
		if (it->n_links == KS_MAX_ITEM_LINKS)
			free(it->links[--it->n_links]);
		if (ks_item_add_link(it, it->url, n) != 0)
			return -1;
		if ((at = link_at(it, it->url, n)) == it->n_links)
			return 0; /* not a link */
	}
	char *u = it->links[at];
	memmove(it->links + 1, it->links, at * sizeof *it->links);
	it->links[0] = u;
	return 0;
}

void ks_issue_clear(struct ks_issue *is)
{
	if (!is)
		return;
	for (size_t i = 0; i < is->n_items; i++)
		ks_item_clear(&is->items[i]);
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
	for (size_t i = 0; i < b->n_notes; i++)
		free(b->notes[i]);
	free(b->notes);
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

int ks_batch_skip(struct ks_batch *b, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	if (!b)
		return -1;
	b->n_skipped++;
	if (b->n_notes >= KS_MAX_SKIP_NOTES)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap); /* a cut message is still a message */
	va_end(ap);
	char **v = realloc(b->notes, (b->n_notes + 1) * sizeof *v);
	if (!v)
		return -1;
	b->notes = v;
	if (!(v[b->n_notes] = strdup(msg)))
		return -1;
	b->n_notes++;
	return 0;
}

/* What makes it past a limit, written to why[n]; 0 when within them. */
static int over_limit(const struct ks_item *it, char *why, size_t n)
{
	size_t c;
	if (it->title && (c = ks_utf8_chars(it->title, strlen(it->title))) > KS_MAX_TITLE_CHARS)
		snprintf(why, n, "title of %zu characters (at most %d)", c, KS_MAX_TITLE_CHARS);
	else if (it->quote &&
		 (c = ks_utf8_chars(it->quote, strlen(it->quote))) > KS_MAX_QUOTE_CHARS)
		snprintf(why, n, "quote of %zu characters (at most %d)", c, KS_MAX_QUOTE_CHARS);
	else if (it->section &&
		 (c = ks_utf8_chars(it->section, strlen(it->section))) > KS_MAX_SECTION_CHARS)
		snprintf(why, n, "section of %zu characters (at most %d)", c, KS_MAX_SECTION_CHARS);
	else if (it->url && (c = strlen(it->url)) > KS_MAX_URL_BYTES)
		snprintf(why, n, "url of %zu bytes (at most %d)", c, KS_MAX_URL_BYTES);
	else
		return 0;
	return 1;
}

/* The characters an item adds to its issue's text. */
static size_t item_chars(const struct ks_item *it)
{
	const char *f[] = {it->title, it->quote, it->section, it->url};
	size_t c = 0;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		c += f[i] ? ks_utf8_chars(f[i], strlen(f[i])) : 0;
	for (size_t i = 0; i < it->n_links; i++) /* the url, first, counted once */
		if (i > 0 || !it->url || strcmp(it->links[0], it->url) != 0)
			c += ks_utf8_chars(it->links[i], strlen(it->links[i]));
	return c;
}

/* Whether the item it, which would be the issue's kept-th with *chars of
 * text before it, fits the issue's limits; reports the first item past
 * them ("skipped from here on") and counts the rest. -1 on out of memory. */
static int fits_issue(struct ks_batch *b, const struct ks_issue *is, const struct ks_item *it,
		      size_t kept, size_t *chars, int *over, const char *name)
{
	size_t c = item_chars(it);
	if (!*over && kept < KS_MAX_ISSUE_ITEMS && *chars + c <= KS_MAX_ISSUE_CHARS) {
		*chars += c;
		return 1;
	}
	if (*over) {
		b->n_skipped++;
		return 0;
	}
	*over = 1;
	if (kept >= KS_MAX_ISSUE_ITEMS)
		return ks_batch_skip(
			   b, "%s:%d: issue %lld has more than %d items: skipped from here on",
			   name, it->line, is->number, KS_MAX_ISSUE_ITEMS)
			   ? -1
			   : 0;
	return ks_batch_skip(b,
			     "%s:%d: issue %lld has more than %d characters of text: skipped "
			     "from here on",
			     name, it->line, is->number, KS_MAX_ISSUE_CHARS)
		   ? -1
		   : 0;
}

/* Drops the items of is past a limit, reporting each; renumbers the rest. */
static int enforce_issue(struct ks_batch *b, struct ks_issue *is, const char *name)
{
	size_t kept = 0, chars = 0;
	int rc = 0, over = 0, fits;
	char why[160];
	if (is->title && ks_utf8_chars(is->title, strlen(is->title)) > KS_MAX_TITLE_CHARS) {
		free(is->title);
		is->title = NULL;
	}
	for (size_t i = 0; i < is->n_items; i++) {
		struct ks_item *it = &is->items[i];
		if (url_first(it) != 0)
			rc = -1;
		if (over_limit(it, why, sizeof why)) {
			rc |= ks_batch_skip(b, "%s:%d: item skipped: %s", name, it->line, why);
			fits = 0;
		} else if ((fits = fits_issue(b, is, it, kept, &chars, &over, name)) < 0) {
			rc = -1;
		}
		if (fits <= 0) {
			ks_item_clear(it);
			continue;
		}
		is->items[kept] = *it;
		is->items[kept].position = (int)(kept + 1);
		kept++;
	}
	is->n_items = kept;
	return rc ? -1 : 0;
}

int ks_batch_enforce_limits(struct ks_batch *b, const char *name)
{
	int rc = 0;
	if (!b)
		return 0;
	size_t kept = 0;
	for (size_t i = 0; i < b->n_issues; i++) {
		struct ks_issue *is = &b->issues[i];
		size_t had = is->n_items;
		rc |= enforce_issue(b, is, name ? name : "(input)");
		if (had && !is->n_items) { /* every item skipped: no empty issue */
			ks_issue_clear(is);
			continue;
		}
		b->issues[kept++] = *is;
	}
	b->n_issues = kept;
	return rc ? -1 : 0;
}

int ks_batch_no_items(const struct ks_batch *b, const char *name, struct ks_err *err)
{
	if (b && b->n_notes)
		return ks_err_set(err, KS_ERR_PARSE, "%s; no item within the limits", b->notes[0]);
	return ks_err_set(err, KS_ERR_PARSE, "%s:1: no items found", name ? name : "(input)");
}

int ks_batch_move(struct ks_batch *to, struct ks_batch *from)
{
	size_t n0 = to->n_issues;
	char **v = NULL;
	if (from->n_notes && !(v = realloc(to->notes, (to->n_notes + from->n_notes) * sizeof *v)))
		return -1;
	if (v)
		to->notes = v;
	for (size_t i = 0; i < from->n_issues; i++) {
		struct ks_issue *dst = ks_batch_add_issue(to);
		if (!dst) {
			to->n_issues = n0; /* the shallow copies stay owned by from */
			return -1;
		}
		*dst = from->issues[i];
	}
	if (from->n_notes)
		memcpy(to->notes + to->n_notes, from->notes, from->n_notes * sizeof *v);
	to->n_notes += from->n_notes;
	to->n_skipped += from->n_skipped;
	free(from->issues);
	free(from->notes);
	memset(from, 0, sizeof *from);
	return 0;
}

int ks_batch_finish(struct ks_batch *tmp, struct ks_batch *out, const char *name,
		    struct ks_err *err)
{
	if (ks_batch_enforce_limits(tmp, name) != 0)
		return ks_err_set(err, KS_ERR_NOMEM, "[ingest] %s: out of memory", name);
	if (ks_batch_count_items(tmp) == 0)
		return ks_batch_no_items(tmp, name, err);
	if (ks_batch_move(out, tmp) != 0)
		return ks_err_set(err, KS_ERR_NOMEM, "[ingest] %s: out of memory", name);
	return KS_OK;
}
