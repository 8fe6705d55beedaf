/* matches.c - the ks_matches(tbl, col) FTS5 auxiliary function.
 *
 * Returns the byte ranges of the current row's phrase matches in column col
 * as text "start-end start-end ..." (ascending by start, may overlap), so
 * search.c can escape the original text and add <mark> itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

int ks_matches_register(fts5_api *api);

struct span {
	int first, last; /* token positions */
	int start, end;	 /* bytes, -1 until seen */
};

struct walk {
	struct span *sp;
	int n;
	int pos;
};

static int on_token(void *ctx, int flags, const char *tok, int ntok, int start, int end)
{
	struct walk *w = ctx;
	(void)tok, (void)ntok;
	if (flags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	for (int i = 0; i < w->n; i++) {
		if (w->sp[i].first == w->pos)
			w->sp[i].start = start;
		if (w->sp[i].last == w->pos)
			w->sp[i].end = end;
	}
	w->pos++;
	return SQLITE_OK;
}

static int by_start(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->start != y->start ? (x->start > y->start) - (x->start < y->start)
				    : (x->end > y->end) - (x->end < y->end);
}

static void matches_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		       int nVal, sqlite3_value **apVal)
{
	if (nVal != 1) {
		sqlite3_result_error(ctx, "ks_matches(tbl, col)", -1);
		return;
	}
	int col = sqlite3_value_int(apVal[0]);
	int ninst = 0, rc = api->xInstCount(fts, &ninst);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	struct walk w = {NULL, 0, 0};
	char *out = NULL;
	if (ninst > 0 && !(w.sp = calloc((size_t)ninst, sizeof *w.sp))) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (int i = 0; i < ninst && rc == SQLITE_OK; i++) {
		int phrase, icol, off;
		rc = api->xInst(fts, i, &phrase, &icol, &off);
		if (rc == SQLITE_OK && icol == col) {
			struct span *s = &w.sp[w.n++];
			s->first = off;
			s->last = off + api->xPhraseSize(fts, phrase) - 1;
			s->start = s->end = -1;
		}
	}
	const char *text = NULL;
	int ntext = 0;
	if (rc == SQLITE_OK && w.n > 0)
		rc = api->xColumnText(fts, col, &text, &ntext);
	if (rc == SQLITE_OK && w.n > 0 && text)
		rc = api->xTokenize(fts, text, ntext, &w, on_token);
	if (rc != SQLITE_OK) {
		free(w.sp);
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	qsort(w.sp, (size_t)w.n, sizeof *w.sp, by_start);
	size_t cap = (size_t)w.n * 24 + 1, len = 0;
	out = malloc(cap);
	if (!out) {
		free(w.sp);
		sqlite3_result_error_nomem(ctx);
		return;
	}
	out[0] = 0;
	for (int i = 0; i < w.n; i++) {
		if (w.sp[i].start < 0 || w.sp[i].end < w.sp[i].start)
			continue;
		int k = snprintf(out + len, cap - len, "%s%d-%d", len ? " " : "", w.sp[i].start,
				 w.sp[i].end);
		if (k < 0 || (size_t)k >= cap - len)
			break;
		len += (size_t)k;
	}
	free(w.sp);
	sqlite3_result_text(ctx, out, (int)len, free);
}

/* Registers ks_matches on api; returns an SQLite code. */
int ks_matches_register(fts5_api *api)
{
	return api->xCreateFunction(api, "ks_matches", NULL, matches_fn, NULL);
}
