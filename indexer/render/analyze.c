/* analyze.c - the tokens of a text as the index sees them (analyze.h). */
#include <string.h>

#include "kensaku/analyze.h"
#include "kensaku/variants.h"
#include "kensaku/query.h"
#include "kensaku/search.h"
#include "kensaku/utf8.h"

int ks_tok_mode_parse(const char *s, enum ks_tok_mode *out)
{
	if (!s || !strcmp(s, "document"))
		*out = KS_TOK_DOCUMENT;
	else if (!strcmp(s, "query"))
		*out = KS_TOK_QUERY;
	else
		return KS_ERR_ARG;
	return KS_OK;
}

int ks_analyze_check(const char *text, struct ks_err *err)
{
	size_t n = text ? strlen(text) : 0;
	if (n > KS_ANALYZE_MAX_BYTES)
		return ks_err_set(err, KS_ERR_ARG, "text is longer than %d bytes",
				  KS_ANALYZE_MAX_BYTES);
	if (!ks_utf8_text(text, n))
		return ks_err_set(err, KS_ERR_ARG, "text is not valid UTF-8 text");
	return KS_OK;
}

struct collect {
	struct ks_tok *tok;
	json_t *tokens;
	long long position;
	int oom;
};

static int on_token(void *ctx, const char *text, int len, int start, int end)
{
	struct collect *c = ctx;
	int colocated = ks_tok_colocated(c->tok);
	if (!colocated)
		c->position++;
	json_t *t =
	    json_pack("{s:s%, s:i, s:i, s:I, s:b}", "token", text, (size_t)len, "start", start,
		      "end", end, "position", (json_int_t)c->position, "colocated", colocated);
	if (!t || json_array_append_new(c->tokens, t)) {
		c->oom = 1;
		return 1;
	}
	return 0;
}

/* The expander of an analysis, which has no index: a term's kana
 * spellings (a search also adds the inflections its index holds). */
static int kana_spellings(void *ctx, const char *folded, char **out, int max)
{
	(void)ctx;
	return ks_kana_variants(folded, out, max);
}

int ks_analyze_json(struct ks_tok *tok, const char *text, enum ks_tok_mode mode, int expand,
		    json_t **out, struct ks_err *err)
{
	const char *t = text ? text : "";
	struct collect c = {tok, json_array(), -1, 0};
	struct ks_query q;
	json_t *o = NULL;
	if (!c.tokens)
		return ks_err_set(err, KS_ERR_NOMEM, "[analyze] out of memory");
	int r = ks_tok_run(tok, mode, t, (int)strlen(t), on_token, &c);
	if (r != 0 || c.oom) {
		json_decref(c.tokens);
		return ks_err_set(err, KS_ERR_NOMEM, "[analyze] out of memory");
	}
	const struct ks_query_expander x = {kana_spellings, NULL};
	if (ks_query_translate_ex(tok, t, expand ? KS_QUERY_EXPAND : 0, &x, &q) != KS_OK) {
		json_decref(c.tokens);
		return ks_err_set(err, KS_ERR_NOMEM, "[analyze] out of memory");
	}
	/* what search.c runs: the exclusions alone for a query of exclusions only */
	const char *fts = q.kind == KS_Q_EXCLUDE ? q.exclude : q.match;
	o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s?}", "text", t, "mode",
		      mode == KS_TOK_QUERY ? "query" : "document", "tokenizer", ks_tok_version(),
		      "icu", ks_tok_icu_version(), "tokens", c.tokens, "query", fts);
	if (o && q.n_notices &&
	    json_object_set_new(o, "notices", ks_notices_json(q.notices, q.n_notices))) {
		json_decref(o);
		o = NULL;
	}
	ks_query_clear(&q);
	if (!o)
		return ks_err_set(err, KS_ERR_NOMEM, "[analyze] out of memory");
	*out = o;
	return KS_OK;
}
