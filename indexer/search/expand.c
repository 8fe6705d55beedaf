/* expand.c - the spellings of expand.h. */
#include "expand.h"

#include <stdlib.h>
#include <string.h>

#include "kensaku/lexicon.h"

/* 1 when folded is the fold of one of the n spellings of v or equals
 * self; -1 on out of memory. */
static int seen(const char *folded, const char *self, char *const *v, size_t n)
{
	if (!strcmp(folded, self))
		return 1;
	for (size_t i = 0; i < n; i++) {
		char *f = ks_fold(v[i], strlen(v[i]), NULL);
		if (!f)
			return -1;
		int same = !strcmp(f, folded);
		free(f);
		if (same)
			return 1;
	}
	return 0;
}

/* Appends a copy of s to sp unless a spelling of it is there already.
 * 0, or -1 on out of memory. */
static int add(struct ks_spellings *sp, const char *self, const char *s)
{
	char *f = ks_fold(s, strlen(s), NULL);
	if (!f)
		return -1;
	int dup = seen(f, self, sp->v, sp->n);
	free(f);
	if (dup)
		return dup < 0 ? -1 : 0;
	char **v = realloc(sp->v, (sp->n + 1) * sizeof *v);
	if (!v)
		return -1;
	sp->v = v;
	if (!(v[sp->n] = strdup(s)))
		return -1;
	sp->n++;
	return 0;
}

/* Adds what fn gives for folded. 0, or -1 on out of memory. */
static int add_expander(struct ks_spellings *sp, const char *folded, ks_spellings_fn fn,
			void *ctx)
{
	char *more[KS_EXPANDER_MAX];
	int n = fn(ctx, folded, more, KS_EXPANDER_MAX), rc = n < 0 ? -1 : 0;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && more[i])
			rc = add(sp, folded, more[i]);
		free(more[i]);
	}
	return rc;
}

int ks_spellings_get(const char *text, ks_spellings_fn fn, void *ctx, struct ks_spellings *out)
{
	memset(out, 0, sizeof *out);
	char *folded = ks_fold(text, strlen(text), NULL);
	if (!folded)
		return -1;
	int rc = 0;
	if (ks_terms_lookup(folded, &out->group, &out->group_n)) {
		for (size_t i = 0; i < out->group_n && rc == 0; i++)
			rc = add(out, folded, out->group[i]);
		out->n_group = out->n;
	}
	if (rc == 0 && fn)
		rc = add_expander(out, folded, fn, ctx);
	free(folded);
	if (rc < 0)
		ks_spellings_clear(out);
	return rc;
}

void ks_spellings_clear(struct ks_spellings *sp)
{
	for (size_t i = 0; sp->v && i < sp->n; i++)
		free(sp->v[i]);
	free(sp->v);
	memset(sp, 0, sizeof *sp);
}
