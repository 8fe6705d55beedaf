/* fuzz_tokenizer.c - ks_tok_run in both modes on arbitrary bytes.
 *
 * Invariants (each failure aborts):
 * - ks_tok_run returns 0 (it can only fail on out of memory);
 * - every token is non-empty, valid UTF-8 and case-folded (no A-Z);
 * - offsets are byte offsets into the input: 0 <= start < end <= len, and
 *   starts never decrease (bigrams overlap, so only start is monotonic);
 * - self-match: the query-mode tokens of a text are a phrase of the
 *   document-mode tokens of the same text (token i of the query is among
 *   the tokens at position p+i of the document, colocated tokens sharing a
 *   position), so a phrase query made of any text finds an item holding it. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kensaku/tokenizer.h"

struct toks {
	struct ks_tok *tok; /* the tokenizer delivering the tokens */
	int len;	    /* input length */
	int prev_start;	    /* start of the previous token */
	size_t n, cap;
	char **text; /* each token, NUL-terminated */
	int *pos;    /* each token's position (colocated tokens share one) */
};

static void toks_clear(struct toks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->text[i]);
	free(t->text);
	free(t->pos);
	memset(t, 0, sizeof *t);
}

static int on_token(void *ctx, const char *text, int len, int start, int end)
{
	struct toks *t = ctx;
	FUZZ_ASSERT(len > 0, "empty token at %d-%d", start, end);
	FUZZ_ASSERT(fuzz_utf8_valid(text, (size_t)len), "token %zu is not UTF-8", t->n);
	for (int i = 0; i < len; i++)
		FUZZ_ASSERT(text[i] < 'A' || text[i] > 'Z', "token [%.*s] is not case-folded", len,
			    text);
	FUZZ_ASSERT(start >= 0 && start < end && end <= t->len,
		    "token [%.*s] has offsets %d-%d outside 0-%d", len, text, start, end, t->len);
	FUZZ_ASSERT(start >= t->prev_start, "token [%.*s] starts at %d before %d", len, text, start,
		    t->prev_start);
	t->prev_start = start;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **v = realloc(t->text, cap * sizeof *v);
		FUZZ_ASSERT(v != NULL, "out of memory");
		t->text = v;
		int *p = realloc(t->pos, cap * sizeof *p);
		FUZZ_ASSERT(p != NULL, "out of memory");
		t->pos = p;
		t->cap = cap;
	}
	char *s = malloc((size_t)len + 1);
	FUZZ_ASSERT(s != NULL, "out of memory");
	memcpy(s, text, (size_t)len);
	s[len] = 0;
	int colocated = ks_tok_colocated(t->tok);
	FUZZ_ASSERT(!colocated || t->n > 0, "first token [%s] is colocated", s);
	t->pos[t->n] = t->n == 0 ? 0 : t->pos[t->n - 1] + (colocated ? 0 : 1);
	t->text[t->n++] = s;
	return 0;
}

/* 1 when d has a token equal to text at position pos. */
static int has_at(const struct toks *d, int pos, const char *text)
{
	size_t lo = 0, hi = d->n; /* positions never decrease: find the first at pos */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->pos[mid] < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < d->n && d->pos[i] <= pos; i++)
		if (d->pos[i] == pos && strcmp(d->text[i], text) == 0)
			return 1;
	return 0;
}

/* 1 when q's tokens appear in d as a phrase starting at position at. */
static int run_at(const struct toks *d, const struct toks *q, int at)
{
	for (size_t i = 0; i < q->n; i++)
		if (!has_at(d, at + (int)i, q->text[i]))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ks_tok *tok;
	if (!tok)
		tok = ks_tok_new();
	FUZZ_ASSERT(tok != NULL, "ks_tok_new failed");
	if (size > 1 << 20)
		return 0;
	const char *text = (const char *)data;
	int len = (int)size;

	struct toks doc = {.tok = tok, .len = len}, qry = {.tok = tok, .len = len};
	int rc = ks_tok_run(tok, KS_TOK_DOCUMENT, text, len, on_token, &doc);
	FUZZ_ASSERT(rc == 0, "ks_tok_run(DOCUMENT) returned %d", rc);
	rc = ks_tok_run(tok, KS_TOK_QUERY, text, len, on_token, &qry);
	FUZZ_ASSERT(rc == 0, "ks_tok_run(QUERY) returned %d", rc);

	/* the phrase normally starts at the document's first position */
	int last = doc.n ? doc.pos[doc.n - 1] : -1;
	int found = qry.n == 0 || run_at(&doc, &qry, 0);
	for (int at = 1; !found && at + (int)qry.n - 1 <= last; at++)
		found = run_at(&doc, &qry, at);
	if (!found) {
		fprintf(stderr, "document tokens:");
		for (size_t i = 0; i < doc.n; i++)
			fprintf(stderr, " %d[%s]", doc.pos[i], doc.text[i]);
		fprintf(stderr, "\nquery tokens:");
		for (size_t i = 0; i < qry.n; i++)
			fprintf(stderr, " [%s]", qry.text[i]);
		fputc('\n', stderr);
	}
	FUZZ_ASSERT(found, "query-mode tokens are not a phrase of the document-mode tokens");

	toks_clear(&doc);
	toks_clear(&qry);
	return 0;
}
