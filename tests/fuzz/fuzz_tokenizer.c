/* fuzz_tokenizer.c - ks_tok_run in both modes on arbitrary bytes.
 *
 * Invariants (each failure aborts):
 * - ks_tok_run returns 0 (it can only fail on out of memory);
 * - every token is non-empty, valid UTF-8 and case-folded (no A-Z);
 * - offsets are byte offsets into the input: 0 <= start < end <= len, and
 *   starts never decrease (bigrams overlap, so only start is monotonic);
 * - self-match: the query-mode tokens of a text are a run of consecutive
 *   document-mode tokens of the same text, so a phrase query made of any
 *   text finds an item holding that text;
 * - ks_tok_ends_with_lone_cjk does not crash and returns 0 or 1. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kensaku/tokenizer.h"

struct toks {
	int len;	/* input length */
	int prev_start; /* start of the previous token */
	size_t n, cap;
	char **text; /* each token, NUL-terminated */
};

static void toks_clear(struct toks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->text[i]);
	free(t->text);
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
		t->cap = cap;
	}
	char *s = malloc((size_t)len + 1);
	FUZZ_ASSERT(s != NULL, "out of memory");
	memcpy(s, text, (size_t)len);
	s[len] = 0;
	t->text[t->n++] = s;
	return 0;
}

/* 1 when q's tokens appear in d as consecutive tokens starting at at. */
static int run_at(const struct toks *d, const struct toks *q, size_t at)
{
	if (at + q->n > d->n)
		return 0;
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(d->text[at + i], q->text[i]) != 0)
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

	struct toks doc = {.len = len}, qry = {.len = len};
	int rc = ks_tok_run(tok, KS_TOK_DOCUMENT, text, len, on_token, &doc);
	FUZZ_ASSERT(rc == 0, "ks_tok_run(DOCUMENT) returned %d", rc);
	rc = ks_tok_run(tok, KS_TOK_QUERY, text, len, on_token, &qry);
	FUZZ_ASSERT(rc == 0, "ks_tok_run(QUERY) returned %d", rc);

	/* the phrase is normally the document's tokens from the first one on */
	int found = qry.n == 0 || run_at(&doc, &qry, 0);
	for (size_t at = 1; !found && at + qry.n <= doc.n; at++)
		found = run_at(&doc, &qry, at);
	if (!found) {
		fprintf(stderr, "document tokens:");
		for (size_t i = 0; i < doc.n; i++)
			fprintf(stderr, " [%s]", doc.text[i]);
		fprintf(stderr, "\nquery tokens:");
		for (size_t i = 0; i < qry.n; i++)
			fprintf(stderr, " [%s]", qry.text[i]);
		fputc('\n', stderr);
	}
	FUZZ_ASSERT(found, "query-mode tokens are not a phrase of the document-mode tokens");

	int lone = ks_tok_ends_with_lone_cjk(tok, text, len);
	FUZZ_ASSERT(lone == 0 || lone == 1, "ks_tok_ends_with_lone_cjk returned %d", lone);
	toks_clear(&doc);
	toks_clear(&qry);
	return 0;
}
