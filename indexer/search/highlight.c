/* highlight.c - the phrase matcher of highlight.h. */
#include "highlight.h"

#include <stdlib.h>
#include <string.h>

/* A growable arena of NUL-terminated token texts, addressed by offset. */
struct arena {
	char *p;
	size_t n, cap;
};

static long arena_add(struct arena *a, const char *s, int len)
{
	if (a->n + (size_t)len + 1 > a->cap) {
		size_t cap = a->cap ? a->cap : 1024;
		while (cap < a->n + (size_t)len + 1)
			cap *= 2;
		char *p = realloc(a->p, cap);
		if (!p)
			return -1;
		a->p = p;
		a->cap = cap;
	}
	long at = (long)a->n;
	memcpy(a->p + a->n, s, (size_t)len);
	a->p[a->n + (size_t)len] = 0;
	a->n += (size_t)len + 1;
	return at;
}

struct phrase {
	long *tok; /* arena offsets of the query tokens */
	int n;
	int prefix; /* the last token matches any token it begins */
};

struct ks_hl {
	struct arena text;
	struct phrase *ph;
	int n_ph;
};

/* One token of the text being highlighted. */
struct dtok {
	long text; /* arena offset */
	int len, start, end, pos;
};

struct collect {
	struct ks_tok *tok;
	struct arena *arena;
	struct dtok *t;
	int n, cap, pos, oom;
	long *qtok; /* query mode: the phrase's tokens */
	int nq, capq;
};

/* v (room for *cap elements of elem bytes) with room for more than n:
 * v itself, or v grown to twice *cap (first when 0, *cap updated); NULL
 * when out of memory (v and *cap untouched). */
static void *room(void *v, int n, int *cap, size_t elem, int first)
{
	if (n < *cap)
		return v;
	int ncap = *cap ? *cap * 2 : first;
	void *nv = realloc(v, (size_t)ncap * elem);
	if (nv)
		*cap = ncap;
	return nv;
}

static int on_doc_token(void *ctx, const char *text, int len, int start, int end)
{
	struct collect *c = ctx;
	struct dtok *t = room(c->t, c->n, &c->cap, sizeof *t, 256);
	if (t)
		c->t = t;
	long at = t ? arena_add(c->arena, text, len) : -1;
	if (at < 0)
		return c->oom = 1;
	if (c->n > 0 && !ks_tok_colocated(c->tok))
		c->pos++;
	c->t[c->n++] = (struct dtok){at, len, start, end, c->pos};
	return 0;
}

static int on_query_token(void *ctx, const char *text, int len, int start, int end)
{
	struct collect *c = ctx;
	(void)start, (void)end;
	long *q = room(c->qtok, c->nq, &c->capq, sizeof *q, 8);
	if (q)
		c->qtok = q;
	long at = q ? arena_add(c->arena, text, len) : -1;
	if (at < 0)
		return c->oom = 1;
	c->qtok[c->nq++] = at;
	return 0;
}

void ks_hl_free(struct ks_hl *h)
{
	if (!h)
		return;
	for (int i = 0; i < h->n_ph; i++)
		free(h->ph[i].tok);
	free(h->ph);
	free(h->text.p);
	free(h);
}

/* Adds phrase text (a prefix when prefix) to h, tokenized in query mode;
 * a phrase without tokens adds nothing. 0, or -1 on out of memory. */
static int add_phrase(struct ks_hl *h, struct ks_tok *tok, const char *text, int prefix, int *cap)
{
	struct collect c = {.tok = tok, .arena = &h->text};
	if (ks_tok_run(tok, KS_TOK_QUERY, text, (int)strlen(text), on_query_token, &c) != 0)
		c.oom = 1;
	if (c.oom || c.nq == 0) {
		free(c.qtok);
		return c.oom ? -1 : 0;
	}
	struct phrase *ph = room(h->ph, h->n_ph, cap, sizeof *ph, 8);
	if (!ph) {
		free(c.qtok);
		return -1;
	}
	h->ph = ph;
	h->ph[h->n_ph++] = (struct phrase){c.qtok, c.nq, prefix};
	return 0;
}

int ks_hl_compile(struct ks_tok *tok, const struct ks_query_phrase *v, size_t n, struct ks_hl **out)
{
	struct ks_hl *h = calloc(1, sizeof *h);
	int cap = 0;
	if (!h)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!(v[i].flags & KS_PH_EXCLUDED) &&
		    add_phrase(h, tok, v[i].text, (v[i].flags & KS_PH_PREFIX) != 0, &cap) < 0) {
			ks_hl_free(h);
			return -1;
		}
	*out = h;
	return 0;
}

/* 1 when document token d matches query token q (a prefix of it when
 * prefix is set). */
static int tok_eq(const struct collect *c, const struct dtok *d, const char *q, int prefix)
{
	size_t nq = strlen(q);
	if (prefix)
		return (size_t)d->len >= nq && !memcmp(c->arena->p + d->text, q, nq);
	return (size_t)d->len == nq && !memcmp(c->arena->p + d->text, q, nq);
}

/* Index range [*a, *b) of the document tokens at position pos (they are
 * sorted by position); empty when none. */
static void at_pos(const struct collect *c, int pos, int *a, int *b)
{
	int lo = 0, hi = c->n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (c->t[mid].pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	*a = lo;
	while (hi < c->n && c->t[hi].pos == pos)
		hi++;
	*b = hi < lo ? lo : hi;
}

static int by_start(const void *x, const void *y)
{
	const int *a = x, *b = y;
	return a[0] != b[0] ? (a[0] > b[0]) - (a[0] < b[0]) : (a[1] > b[1]) - (a[1] < b[1]);
}

int ks_hl_find(struct ks_hl *h, struct ks_tok *tok, const char *text, int len, struct ks_marks *out)
{
	struct arena doc = {0};
	struct collect c = {.tok = tok, .arena = &doc};
	int *m = NULL, nm = 0, capm = 0, rc = 0;
	*out = (struct ks_marks){NULL, 0};
	if (!h || h->n_ph == 0 || len <= 0)
		return 0;
	if (ks_tok_run(tok, KS_TOK_DOCUMENT, text, len, on_doc_token, &c) != 0)
		c.oom = 1;
	if (c.oom) {
		rc = -1;
		goto out;
	}
	for (int p = 0; p < h->n_ph && !rc; p++) {
		const struct phrase *ph = &h->ph[p];
		const char *first = h->text.p + ph->tok[0];
		for (int i = 0; i < c.n && !rc; i++) {
			int last_prefix = ph->prefix && ph->n == 1;
			if (!tok_eq(&c, &c.t[i], first, last_prefix))
				continue;
			/* the rest of the phrase at the following positions */
			int end = c.t[i].end, ok = 1;
			for (int k = 1; k < ph->n && ok; k++) {
				int a, b;
				at_pos(&c, c.t[i].pos + k, &a, &b);
				const char *want = h->text.p + ph->tok[k];
				int pre = ph->prefix && k == ph->n - 1;
				ok = 0;
				for (int j = a; j < b && !ok; j++)
					if (tok_eq(&c, &c.t[j], want, pre)) {
						ok = 1;
						end = c.t[j].end;
					}
			}
			if (!ok)
				continue;
			int *nmk = room(m, nm, &capm, 2 * sizeof *m, 16); /* start, end pairs */
			if (!nmk) {
				rc = -1;
				break;
			}
			m = nmk;
			m[2 * nm] = c.t[i].start;
			m[2 * nm + 1] = end;
			nm++;
		}
	}
	if (!rc && nm) {
		qsort(m, (size_t)nm, 2 * sizeof *m, by_start);
		*out = (struct ks_marks){m, nm};
		m = NULL;
	}
out:
	free(m);
	free(c.t);
	free(doc.p);
	return rc;
}
