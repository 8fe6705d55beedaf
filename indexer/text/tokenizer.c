/* tokenizer.c - the kensaku tokenizer and its FTS5 registration.
 *
 * Text is NFKC-casefolded (normalize.c), then cut into stretches: maximal
 * runs of CJK letters (kanji, kana, ー, 々) and everything else. In a
 * document, every character of a CJK run is indexed as a unigram, and the
 * bigram it starts shares its position (FTS5_TOKEN_COLOCATED): any
 * substring of two or more characters is a phrase of consecutive bigrams,
 * a one-character query is one unigram lookup, and phrases continuing after
 * the run line up with its last character's unigram. Other stretches go
 * through ICU word break (locale ja): words and numbers are kept, spaces and
 * punctuation dropped; a word is also split at a '.' or an apostrophe
 * between letters, and
 * names with symbols get a colocated token (".net" after a '.', "c++",
 * "c#", "lapsus$", "yahoo!" before + # $ !) that a query with the symbol
 * asks for. Offsets are bytes of the original UTF-8. */
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>
#include <unicode/uversion.h>

#include "kensaku/tokenizer.h"
#include "normalize.h"

struct ks_tok {
	UBreakIterator *bi;
	struct ks_norm nb;
	char *out; /* UTF-8 token text */
	int out_cap;
	/* per run */
	enum ks_tok_mode mode;
	ks_token_fn fn;
	void *ctx;
	int pending_start; /* query mode: units of a held-back unigram, -1 if none */
	int pending_end;
	int colocated; /* the token being delivered shares the previous one's position */
};

struct ks_tok *ks_tok_new(void)
{
	struct ks_tok *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	UErrorCode st = U_ZERO_ERROR;
	t->bi = ubrk_open(UBRK_WORD, "ja", NULL, 0, &st);
	if (U_FAILURE(st) || !t->bi) {
		free(t);
		return NULL;
	}
	return t;
}

void ks_tok_free(struct ks_tok *t)
{
	if (!t)
		return;
	ubrk_close(t->bi);
	ks_norm_free(&t->nb);
	free(t->out);
	free(t);
}

int ks_tok_is_cjk(int32_t c)
{
	if (c < 0x2E80)
		return 0;
	UErrorCode st = U_ZERO_ERROR;
	UScriptCode sc = uscript_getScript(c, &st);
	if (sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA)
		return 1;
	if (!u_isalpha(c))
		return 0;
	return uscript_hasScript(c, USCRIPT_KATAKANA) || uscript_hasScript(c, USCRIPT_HIRAGANA) ||
	       uscript_hasScript(c, USCRIPT_HAN);
}

/* Emits units [a, b) of the normalized text as one token whose source
 * offsets are those of units [oa, ob). */
static int emit_at(struct ks_tok *t, int a, int b, int oa, int ob, int colocated);

/* Emits units [a, b) of the normalized text as one token. */
static int emit(struct ks_tok *t, int a, int b, int colocated)
{
	return emit_at(t, a, b, a, b, colocated);
}

static int emit_at(struct ks_tok *t, int a, int b, int oa, int ob, int colocated)
{
	t->colocated = colocated;
	int need = (b - a) * 3 + 1;
	if (need > t->out_cap) {
		int cap = need < 256 ? 256 : need * 2;
		char *o = realloc(t->out, (size_t)cap);
		if (!o)
			return SQLITE_NOMEM;
		t->out = o;
		t->out_cap = cap;
	}
	int n = 0;
	for (int i = a; i < b;) {
		UChar32 c;
		U16_NEXT(t->nb.u, i, b, c);
		if (c < 0x80) {
			t->out[n++] = (char)c;
		} else if (c < 0x800) {
			t->out[n++] = (char)(0xC0 | (c >> 6));
			t->out[n++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			t->out[n++] = (char)(0xE0 | (c >> 12));
			t->out[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
			t->out[n++] = (char)(0x80 | (c & 0x3F));
		} else {
			t->out[n++] = (char)(0xF0 | (c >> 18));
			t->out[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
			t->out[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
			t->out[n++] = (char)(0x80 | (c & 0x3F));
		}
	}
	if (n == 0)
		return 0;
	return t->fn(t->ctx, t->out, n, t->nb.src_start[oa], t->nb.src_end[ob - 1]);
}

/* Emits a token after flushing a held-back unigram (query mode). */
static int emit_token(struct ks_tok *t, int a, int b)
{
	if (t->pending_start >= 0) {
		int p = t->pending_start;
		t->pending_start = -1;
		int rc = emit(t, p, t->pending_end, 0);
		if (rc)
			return rc;
	}
	return emit(t, a, b, 0);
}

/* Emits the bigrams of the CJK run whose characters start at units
 * starts[0..k) and end at end. */
static int emit_run(struct ks_tok *t, const int *starts, int k, int end)
{
	int rc = 0;
	if (k == 1)
		return emit_token(t, starts[0], end);
	for (int i = 0; i + 1 < k && !rc; i++) {
		int bend = i + 2 < k ? starts[i + 2] : end;
		if (t->mode == KS_TOK_DOCUMENT) {
			rc = emit_token(t, starts[i], starts[i + 1]);
			if (!rc)
				rc = emit(t, starts[i], bend, 1);
		} else {
			rc = emit_token(t, starts[i], bend);
		}
	}
	if (rc)
		return rc;
	if (t->mode == KS_TOK_DOCUMENT)
		return emit_token(t, starts[k - 1], end);
	t->pending_start = starts[k - 1];
	t->pending_end = end;
	return 0;
}

/* 1 for the symbols that name things when they end a word: C++, C#, F#,
 * LAPSUS$, Yahoo!, Notepad++. */
static int is_suffix_symbol(UChar c)
{
	return c == '+' || c == '#' || c == '$' || c == '!';
}

/* Emits one word part, units [ps, pe) of a stretch that ends at unit b.
 * dotted: a '.' comes right before it; sym: the number of suffix symbols
 * right after it (0 for all but a word's last part). In a document the
 * part is a token, with ".part" and "part++" colocated when dotted or sym;
 * in a query only the most specific form is a token, so `.NET` finds
 * ASP.NET and .NET but not "net", and `C++` finds C++ but not C#. */
static int emit_part(struct ks_tok *t, int ps, int pe, int dotted, int sym)
{
	int rc;
	if (t->mode == KS_TOK_QUERY) {
		if (sym)
			return emit_token(t, ps, pe + sym);
		return dotted ? emit_token(t, ps - 1, pe) : emit_token(t, ps, pe);
	}
	rc = emit_token(t, ps, pe);
	if (!rc && dotted)
		rc = emit_at(t, ps - 1, pe, ps, pe, 1);
	if (!rc && sym)
		rc = emit_at(t, ps, pe + sym, ps, pe + sym, 1);
	return rc;
}

/* 1 for the characters a word is split at between two letters: '.'
 * (ASP.NET) and the apostrophes (browser's, don’t). */
static int is_inner_split(UChar c)
{
	return c == '.' || c == '\'' || c == 0x2019;
}

/* Emits the ICU word [ws, we) of the stretch [a, b): split at every '.' or
 * apostrophe between two letters (ASP.NET -> asp, net; browser's ->
 * browser, s, so `browser` finds it; version numbers like 2.5.1 stay
 * whole), marking parts that follow a '.', and noting up to 3 suffix
 * symbols after the word (emit_part). */
static int emit_word(struct ks_tok *t, int a, int b, int ws, int we)
{
	const UChar *u = t->nb.u;
	int sym = 0;
	while (sym < 3 && we + sym < b && is_suffix_symbol(u[we + sym]))
		sym++;
	int ps = ws, rc = 0;
	for (int i = ws + 1; i + 1 < we && !rc; i++) {
		if (!is_inner_split(u[i]) || !u_isalpha(u[i - 1]) || !u_isalpha(u[i + 1]))
			continue;
		rc = emit_part(t, ps, i, ps > a && u[ps - 1] == '.', 0);
		ps = i + 1;
	}
	if (!rc)
		rc = emit_part(t, ps, we, ps > a && u[ps - 1] == '.', sym);
	return rc;
}

/* Word-breaks units [a, b) (no CJK letters in it) with ICU. */
static int emit_words(struct ks_tok *t, int a, int b)
{
	UErrorCode st = U_ZERO_ERROR;
	ubrk_setText(t->bi, t->nb.u + a, b - a, &st);
	if (U_FAILURE(st))
		return SQLITE_ERROR;
	int32_t s = ubrk_first(t->bi);
	for (int32_t e = ubrk_next(t->bi); e != UBRK_DONE; s = e, e = ubrk_next(t->bi)) {
		if (ubrk_getRuleStatus(t->bi) < UBRK_WORD_NONE_LIMIT)
			continue;
		int rc = emit_word(t, a, b, a + s, a + e);
		if (rc)
			return rc;
	}
	return 0;
}

int ks_tok_run(struct ks_tok *t, enum ks_tok_mode mode, const char *text, int len, ks_token_fn fn,
	       void *ctx)
{
	if (len <= 0 || !text)
		return 0;
	if (ks_norm_run(&t->nb, text, len) < 0)
		return SQLITE_NOMEM;
	t->mode = mode;
	t->fn = fn;
	t->ctx = ctx;
	t->pending_start = -1;

	int starts_cap = 64, rc = 0;
	int *starts = malloc((size_t)starts_cap * sizeof *starts);
	if (!starts)
		return SQLITE_NOMEM;
	const UChar *u = t->nb.u;
	int n = t->nb.n, i = 0;
	while (i < n && !rc) {
		int a = i;
		UChar32 c;
		U16_NEXT(u, i, n, c);
		if (ks_tok_is_cjk(c)) {
			int k = 0;
			starts[k++] = a;
			int end = i;
			while (i < n) {
				int j = i;
				U16_NEXT(u, j, n, c);
				if (!ks_tok_is_cjk(c))
					break;
				if (k == starts_cap) {
					int *ns =
					    realloc(starts, (size_t)starts_cap * 2 * sizeof *ns);
					if (!ns) {
						rc = SQLITE_NOMEM;
						break;
					}
					starts = ns;
					starts_cap *= 2;
				}
				starts[k++] = i;
				i = end = j;
			}
			if (!rc)
				rc = emit_run(t, starts, k, end);
		} else {
			while (i < n) {
				int j = i;
				U16_NEXT(u, j, n, c);
				if (ks_tok_is_cjk(c))
					break;
				i = j;
			}
			rc = emit_words(t, a, i);
		}
	}
	free(starts);
	return rc;
}

int ks_tok_colocated(const struct ks_tok *t)
{
	return t->colocated;
}

const char *ks_tok_version(void)
{
	return KS_TOKENIZER_VERSION;
}

const char *ks_tok_icu_version(void)
{
	static char buf[U_MAX_VERSION_STRING_LENGTH];
	UVersionInfo v;
	u_getVersion(v);
	u_versionToString(v, buf);
	return buf;
}

/* ---- FTS5 glue ---- */

struct fts_ctx {
	struct ks_tok *tok;
	void *pctx;
	int (*xToken)(void *, int, const char *, int, int, int);
};

static int fts_token(void *ctx, const char *text, int len, int start, int end)
{
	struct fts_ctx *f = ctx;
	return f->xToken(f->pctx, f->tok->colocated ? FTS5_TOKEN_COLOCATED : 0, text, len, start,
			 end);
}

static int fts_create(void *unused, const char **azArg, int nArg, Fts5Tokenizer **ppOut)
{
	(void)unused, (void)azArg, (void)nArg;
	struct ks_tok *t = ks_tok_new();
	if (!t)
		return SQLITE_ERROR;
	*ppOut = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void fts_delete(Fts5Tokenizer *p)
{
	ks_tok_free((struct ks_tok *)p);
}

static int fts_tokenize(Fts5Tokenizer *p, void *pCtx, int flags, const char *pText, int nText,
			int (*xToken)(void *, int, const char *, int, int, int))
{
	struct fts_ctx f = {(struct ks_tok *)p, pCtx, xToken};
	enum ks_tok_mode mode = (flags & FTS5_TOKENIZE_QUERY) ? KS_TOK_QUERY : KS_TOK_DOCUMENT;
	return ks_tok_run((struct ks_tok *)p, mode, pText, nText, fts_token, &f);
}

int ks_tok_register(fts5_api *api)
{
	fts5_tokenizer tk = {fts_create, fts_delete, fts_tokenize};
	return api->xCreateTokenizer(api, KS_TOKENIZER_NAME, NULL, &tk, NULL);
}
