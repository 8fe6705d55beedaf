/* query.c - user text -> FTS5 expression.
 *
 * The text is NFKC-normalized (so full-width ＂ － ＊ and U+3000 act like
 * their ASCII forms), cut into terms, and every term is emitted as an FTS5
 * string "..." (with " doubled): nothing the user types is ever FTS5
 * syntax. Terms without searchable tokens (`*`, `:`, `$`) are dropped.
 * A term `site:host` (a host name: site.h) is no text but a filter: its
 * site key goes to out->sites (-site: to out->not_sites); it counts
 * toward KS_QUERY_TERMS_MAX, and an OR next to it joins nothing.
 * With KS_QUERY_EXPAND a bare term that is a spelling of a lexicon group
 * becomes an OR of the group's spellings, each quoted the same way.
 *
 * The bounds of query.h are applied here, on the terms, before anything is
 * emitted: what a bound changed is recorded as a notice, never an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kensaku/buf.h"
#include "kensaku/item.h"
#include "kensaku/lexicon.h"
#include "kensaku/query.h"
#include "kensaku/tokenizer.h"

#include "expand.h"
#include "site.h"

#define MAX_TERMS KS_QUERY_TERMS_MAX

struct term {
	char *text; /* owned; of a site term, its site key */
	int neg, prefix, phrase;
	int site;    /* `site:host`: a filter, not text (links.h) */
	int or_next; /* joined to the next term by OR */
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

/* 1 when s[0..n) is `site:` (any case) and a host name, with the host's
 * site key written to key; else 0 (the text is a plain term). */
static int site_term(const char *s, size_t n, char key[KS_SITE_MAX])
{
	return n > 5 && strncasecmp(s, "site:", 5) == 0 &&
	       ks_link_site_of_host(s + 5, n - 5, key) == 0;
}

/* Cuts s into terms (at most MAX_TERMS); returns the count or -1 (OOM).
 * *had_text is set when s has a term that is not `site:`; *rest to the text left
 * over past MAX_TERMS terms (NULL when none). */
static int lex(const char *s, struct term *terms, int *had_text, const char **rest)
{
	int n = 0;
	const char *p = s;
	int pending_or = 0;
	char key[KS_SITE_MAX];
	*had_text = 0;
	while (*p && n < MAX_TERMS) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		struct term t = {0};
		const char *start;
		size_t len;
		if (*p == '-' && p[1] && !is_space(p[1])) {
			t.neg = 1;
			p++;
		}
		if (*p == '"') {
			start = ++p;
			const char *close = strchr(p, '"');
			len = close ? (size_t)(close - p) : strlen(p);
			p = close ? close + 1 : p + len;
			t.phrase = 1;
			if (*p == '*') {
				t.prefix = 1;
				while (*p == '*')
					p++;
			}
		} else {
			start = p;
			while (*p && !is_space(*p))
				p++;
			len = (size_t)(p - start);
			if (!t.neg && len == 2 && memcmp(start, "OR", 2) == 0) {
				/* an operator only between two terms; else the word "OR" */
				const char *q = p;
				while (is_space(*q))
					q++;
				if (n > 0 && !terms[n - 1].neg && *q && *q != '-') {
					pending_or = 1;
					continue;
				}
			}
			if (!t.neg && len == 3 && memcmp(start, "AND", 3) == 0) {
				const char *q = p;
				while (is_space(*q))
					q++;
				if (n > 0 && *q)
					continue;
			}
			t.site = site_term(start, len, key);
			while (!t.site && len > 1 && start[len - 1] == '*') {
				t.prefix = 1;
				len--;
			}
		}
		if (t.site) {
			start = key;
			len = strlen(key);
		}
		if (!(t.text = dup_n(start, len))) {
			while (n > 0)
				free(terms[--n].text);
			return -1;
		}
		if (pending_or && !t.neg && n > 0)
			terms[n - 1].or_next = 1;
		pending_or = 0;
		*had_text |= !t.site;
		terms[n++] = t;
	}
	while (is_space(*p))
		p++;
	*rest = *p ? p : NULL;
	return n;
}

/* Appends text as an FTS5 string: "..." with " doubled, then " *" for a
 * prefix. */
static void emit_string(struct ks_buf *b, const char *text, int prefix)
{
	ks_buf_str(b, "\"");
	for (const char *p = text; *p; p++) {
		ks_buf_add(b, p, 1);
		if (*p == '"')
			ks_buf_add(b, "\"", 1);
	}
	ks_buf_str(b, "\"");
	if (prefix)
		ks_buf_str(b, " *");
}

static int has_tokens(struct ks_tok *tok, const char *text);

static int add_notice(struct ks_query *out, enum ks_query_limit code, const struct term *t,
		      int star, const char *searched);

static int count_tok(void *ctx, const char *text, int len, int start, int end)
{
	(void)text, (void)len, (void)start, (void)end;
	++*(int *)ctx;
	return 0;
}

static int has_tokens(struct ks_tok *tok, const char *text)
{
	int n = 0;
	if (ks_tok_run(tok, KS_TOK_QUERY, text, (int)strlen(text), count_tok, &n) != 0)
		return -1;
	return n > 0;
}

struct cut {
	int n, end; /* tokens seen; end byte of the last one within the bound */
};

static int cut_tok(void *ctx, const char *text, int len, int start, int end)
{
	struct cut *c = ctx;
	(void)text, (void)len, (void)start;
	if (++c->n <= KS_QUERY_PHRASE_TOKENS_MAX)
		c->end = end;
	return 0;
}

/* The term as typed: -"text"* */
static char *display(const struct term *t, int star)
{
	struct ks_buf b = {0};
	ks_buf_str(&b, t->neg ? "-" : "");
	ks_buf_str(&b, t->phrase ? "\"" : "");
	ks_buf_str(&b, t->text);
	ks_buf_str(&b, t->phrase ? "\"" : "");
	ks_buf_str(&b, star ? "*" : "");
	return ks_buf_take(&b);
}

/* Records that t (shown with a star when star) ran into code; searched is
 * what was searched instead (copied; NULL: see query.h). 0, or -1 on out
 * of memory. */
static int add_notice(struct ks_query *out, enum ks_query_limit code, const struct term *t,
		      int star, const char *searched)
{
	struct ks_query_notice *nv = realloc(out->notices, (out->n_notices + 1) * sizeof *nv);
	if (!nv)
		return -1;
	out->notices = nv;
	struct ks_query_notice *n = &nv[out->n_notices];
	n->code = code;
	n->term = display(t, star);
	n->searched = searched ? strdup(searched) : NULL;
	out->n_notices++;
	return n->term && (n->searched || !searched) ? 0 : -1;
}

/* Cuts t to KS_QUERY_PHRASE_TOKENS_MAX tokens. 0, or -1 on out of memory. */
static int bound_tokens(struct ks_tok *tok, struct term *t, struct ks_query *out)
{
	struct cut c = {0, 0};
	ks_tok_run(tok, KS_TOK_QUERY, t->text, (int)strlen(t->text), cut_tok, &c);
	if (c.n <= KS_QUERY_PHRASE_TOKENS_MAX)
		return 0;
	char *cut = dup_n(t->text, (size_t)c.end);
	if (!cut)
		return -1;
	struct term was = *t;
	t->prefix = 0; /* the star was on a token cut off */
	t->text = cut;
	char *searched = display(t, 0);
	int rc = searched ? add_notice(out, KS_QL_PHRASE_LONG, &was, was.prefix, searched) : -1;
	free(searched);
	free(was.text);
	return rc;
}

/* Searches prefix t as a plain term when its last word is too short or
 * *n_prefix prefixes were kept already. 0, or -1 on out of memory. */
static int bound_prefix(struct term *t, int *n_prefix, struct ks_query *out)
{
	if (!t->prefix)
		return 0;
	const char *word = strrchr(t->text, ' ');
	word = word ? word + 1 : t->text;
	enum ks_query_limit code = KS_QL_PREFIXES;
	if (ks_utf8_chars(word, strlen(word)) < KS_QUERY_PREFIX_MIN_CHARS)
		code = KS_QL_PREFIX_SHORT;
	else if (*n_prefix < KS_QUERY_PREFIXES_MAX) {
		++*n_prefix;
		return 0;
	}
	t->prefix = 0;
	char *plain = display(t, 0);
	int rc = plain ? add_notice(out, code, t, 1, plain) : -1;
	free(plain);
	return rc;
}

/* The length of the first word of *text that is not a connector (`OR`,
 * `AND`, which name no term), *text moved to it; the first word when all
 * are connectors. */
static size_t first_word(const char **text)
{
	const char *p = *text;
	for (;;) {
		size_t len = 0;
		while (p[len] && !is_space(p[len]))
			len++;
		const char *next = p + len;
		while (*next && is_space(*next))
			next++;
		int connector =
		    (len == 2 && !strncmp(p, "OR", 2)) || (len == 3 && !strncmp(p, "AND", 3));
		if (!connector || !*next) {
			*text = p;
			return len;
		}
		p = next;
	}
}

/* Applies the bounds of query.h to the n terms (keep[i]: term i has
 * tokens) and to the text left over past them. Returns the number of
 * phrases left for spellings, or -1 on out of memory. */
static int bound_terms(struct ks_tok *tok, struct term *terms, int n, const int *keep,
		       const char *rest, struct ks_query *out)
{
	int n_prefix = 0, n_kept = 0;
	for (int i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		n_kept++;
		if (bound_tokens(tok, &terms[i], out) < 0 ||
		    bound_prefix(&terms[i], &n_prefix, out) < 0)
			return -1;
	}
	if (rest) {
		size_t len = first_word(&rest);
		struct term t = {0};
		if (!(t.text = dup_n(rest, len)))
			return -1;
		int rc = add_notice(out, KS_QL_TERMS, &t, 0, NULL);
		free(t.text);
		if (rc < 0)
			return -1;
	}
	return KS_QUERY_PHRASES_MAX - n_kept;
}

int ks_query_translate(struct ks_tok *tok, const char *q, struct ks_query *out)
{
	return ks_query_translate_ex(tok, q, 0, NULL, out);
}

int ks_query_translate_opts(struct ks_tok *tok, const char *q, unsigned flags, struct ks_query *out)
{
	return ks_query_translate_ex(tok, q, flags, NULL, out);
}

/* The variants list of an expansion: the group (or term), then added. */
static char **variants(const char *term, const struct ks_spellings *sp, char *const *added,
		       size_t n, size_t *count)
{
	size_t base = sp->group ? sp->group_n : 1, k = 0;
	char **v = calloc(base + n, sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < base; i++, k++)
		if (!(v[k] = strdup(sp->group ? sp->group[i] : term)))
			goto oom;
	for (size_t i = 0; i < n; i++, k++)
		if (!(v[k] = strdup(added[i])))
			goto oom;
	*count = k;
	return v;
oom:
	while (k > 0)
		free(v[--k]);
	free(v);
	return NULL;
}

/* Records in out->expanded, once per distinct term, that term was
 * searched as its lexicon group (or itself) plus the n spellings of added
 * (copied). 0, or -1 on out of memory. */
static int record_expansion(struct ks_query *out, const char *term, const struct ks_spellings *sp,
			char *const *added, size_t n)
{
	for (size_t i = 0; i < out->n_expanded; i++)
		if (!strcmp(out->expanded[i].term, term))
			return 0;
	struct ks_query_expansion *ne = realloc(out->expanded, (out->n_expanded + 1) * sizeof *ne);
	if (!ne)
		return -1;
	out->expanded = ne;
	struct ks_query_expansion *e = &ne[out->n_expanded];
	memset(e, 0, sizeof *e);
	if (!(e->term = strdup(term)) || !(e->variants = variants(term, sp, added, n, &e->n_variants))) {
		free(e->term);
		return -1;
	}
	out->n_expanded++;
	return 0;
}

/* A growing list of phrases. */
struct plist {
	struct ks_query_phrase *v;
	size_t n, cap;
};

/* The expression being built: the positive part (AND of OR groups) and the
 * excluded terms (OR-ed), each with its phrases (phrase.h). */
struct expr {
	struct ks_buf pos, neg;
	struct plist ppos, pneg;
	int n_pos, n_neg, in_group, oom;
	int budget; /* phrases left for spellings */
	struct ks_tok *tok;
	const struct ks_query_expander *x; /* NULL: no expansion */
	struct ks_query *out;
};

static int count_pos(void *ctx, const char *text, int len, int start, int end);

/* The FTS5 positions an occurrence of text covers: its tokens in document
 * mode that start a position (query.h's phrases line up with them); -1
 * on out of memory. */
static int span_of(struct ks_tok *tok, const char *text)
{
	struct {
		struct ks_tok *tok;
		int n;
	} c = {tok, 0};
	if (ks_tok_run(tok, KS_TOK_DOCUMENT, text, (int)strlen(text), count_pos, &c) != 0)
		return -1;
	return c.n;
}

static int count_pos(void *ctx, const char *text, int len, int start, int end)
{
	struct {
		struct ks_tok *tok;
		int n;
	} *c = ctx;
	(void)text, (void)len, (void)start, (void)end;
	if (!ks_tok_colocated(c->tok))
		c->n++;
	return 0;
}

/* Appends text (a phrase of term, with flags) to the expression buffer b
 * and its phrase to l. */
static void put_phrase(struct expr *e, struct ks_buf *b, struct plist *l, const char *text,
		       int term, unsigned flags)
{
	emit_string(b, text, (flags & KS_PH_PREFIX) != 0);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct ks_query_phrase *v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			e->oom = 1;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	struct ks_query_phrase *ph = &l->v[l->n];
	if (!(ph->text = strdup(text))) {
		e->oom = 1;
		return;
	}
	ph->term = term;
	ph->flags = flags;
	ph->span = (flags & KS_PH_PREFIX) ? 0 : span_of(e->tok, text);
	l->n++;
	if (ph->span < 0)
		e->oom = 1;
}

/* Appends " OR " and each spelling of sp that has tokens while the budget
 * allows (noting a cut); *added gets those written (not owned). */
static void put_spellings(struct expr *e, struct ks_buf *b, struct plist *l, const struct term *t,
			  int i, const struct ks_spellings *sp, char **added, size_t *n_added)
{
	unsigned flags = KS_PH_SPELLING | (t->neg ? KS_PH_EXCLUDED : 0);
	for (size_t k = 0; k < sp->n && !e->oom; k++) {
		int ht = has_tokens(e->tok, sp->v[k]);
		if (ht < 0)
			e->oom = 1;
		if (ht <= 0)
			continue;
		if (e->budget <= 0) {
			if (add_notice(e->out, KS_QL_SPELLINGS, t, 0, NULL) < 0)
				e->oom = 1;
			break;
		}
		e->budget--;
		ks_buf_str(b, " OR ");
		put_phrase(e, b, l, sp->v[k], i, flags);
		if (k >= sp->n_group)
			added[(*n_added)++] = sp->v[k];
	}
}

/* Appends term i (t) and, when expansion applies, its other spellings;
 * records the expansion in e->out once per distinct term. */
static void put_term(struct expr *e, struct ks_buf *b, struct plist *l, const struct term *t, int i)
{
	unsigned flags = (t->prefix ? KS_PH_PREFIX : 0) | (t->neg ? KS_PH_EXCLUDED : 0);
	put_phrase(e, b, l, t->text, i, flags);
	if (!e->x || t->phrase || t->prefix)
		return;
	struct ks_spellings sp;
	if (ks_spellings_get(t->text, e->x->spellings, e->x->ctx, &sp) < 0) {
		e->oom = 1;
		return;
	}
	char *added[KS_EXPANDER_MAX];
	size_t n_added = 0;
	put_spellings(e, b, l, t, i, &sp, added, &n_added);
	if (!e->oom && (sp.group || n_added) &&
	    record_expansion(e->out, t->text, &sp, added, n_added) < 0)
		e->oom = 1;
	ks_spellings_clear(&sp);
}

/* Appends the n terms (keep[i]: term i has tokens) to e, dropping those
 * without tokens but keeping the OR links of the survivors. */
static void put_terms(struct expr *e, const struct term *terms, int n, const int *keep)
{
	for (int i = 0; i < n; i++) {
		const struct term *t = &terms[i];
		int linked_prev = i > 0 && terms[i - 1].or_next;
		if (t->neg) {
			if (!keep[i])
				continue;
			if (e->n_neg++)
				ks_buf_str(&e->neg, " OR ");
			put_term(e, &e->neg, &e->pneg, t, i);
			continue;
		}
		if (!linked_prev && e->in_group) {
			ks_buf_str(&e->pos, ")");
			e->in_group = 0;
		}
		if (!keep[i])
			continue;
		if (e->in_group) {
			ks_buf_str(&e->pos, " OR ");
		} else {
			if (e->n_pos)
				ks_buf_str(&e->pos, " AND ");
			ks_buf_str(&e->pos, "(");
			e->in_group = 1;
			e->n_pos++;
		}
		put_term(e, &e->pos, &e->ppos, t, i);
		e->out->n_terms++;
	}
	if (e->in_group)
		ks_buf_str(&e->pos, ")");
}

static void plist_free(struct plist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Moves e's phrases into out: the positive ones, then those NOT reaches.
 * 0, or -1 on out of memory. */
static int take_phrases(struct expr *e, struct ks_query *out)
{
	size_t n = e->ppos.n + e->pneg.n;
	struct ks_query_phrase *v = realloc(e->ppos.v, (n ? n : 1) * sizeof *v);
	if (!v)
		return -1;
	if (e->pneg.n)
		memcpy(v + e->ppos.n, e->pneg.v, e->pneg.n * sizeof *v);
	free(e->pneg.v);
	memset(&e->pneg, 0, sizeof e->pneg);
	memset(&e->ppos, 0, sizeof e->ppos);
	out->phrases = v;
	out->n_phrases = n;
	return 0;
}

/* Sets out's kind and moves e's expressions into it. KS_OK or
 * KS_ERR_NOMEM. */
static int take_expr(struct expr *e, int had_text, struct ks_query *out)
{
	if (e->oom || e->pos.oom || e->neg.oom)
		return KS_ERR_NOMEM;
	if (!had_text) {
		out->kind = KS_Q_ALL;
	} else if (e->n_pos) {
		out->kind = KS_Q_MATCH;
		if (take_phrases(e, out) < 0)
			return KS_ERR_NOMEM;
		if (e->n_neg) {
			struct ks_buf m = {0};
			ks_buf_str(&m, "(");
			ks_buf_str(&m, e->pos.p);
			ks_buf_str(&m, ") NOT (");
			ks_buf_str(&m, e->neg.p);
			ks_buf_str(&m, ")");
			out->match = ks_buf_take(&m);
		} else {
			out->match = ks_buf_take(&e->pos);
		}
		if (!out->match)
			return KS_ERR_NOMEM;
	} else if (e->n_neg) {
		out->kind = KS_Q_EXCLUDE;
		out->exclude = ks_buf_take(&e->neg);
	} else {
		out->kind = KS_Q_NONE;
	}
	return KS_OK;
}

/* Cuts norm into terms (terms[0..*n), keep[i]: term i has tokens) and
 * applies the bounds; *had_text as lex's. e->budget gets the phrases left
 * for spellings. KS_OK or KS_ERR_NOMEM. */
static int read_terms(struct ks_tok *tok, const char *norm, struct term *terms, int *keep, int *n,
		      int *had_text, struct expr *e)
{
	const char *rest = NULL;
	if ((*n = lex(norm, terms, had_text, &rest)) < 0) {
		*n = 0;
		return KS_ERR_NOMEM;
	}
	for (int i = 0; i < *n; i++) {
		/* a site: term filters; it has nothing for MATCH */
		keep[i] = terms[i].site ? 0 : has_tokens(tok, terms[i].text);
		if (keep[i] < 0)
			return KS_ERR_NOMEM;
	}
	if ((e->budget = bound_terms(tok, terms, *n, keep, rest, e->out)) < 0)
		return KS_ERR_NOMEM;
	return KS_OK;
}

/* Moves the site keys of the `site:` terms of terms[0..n) into out's
 * sites (or not_sites when excluded), each once. KS_OK or KS_ERR_NOMEM. */
static int take_sites(struct term *terms, int n, struct ks_query *out)
{
	for (int i = 0; i < n; i++) {
		if (!terms[i].site)
			continue;
		char ***v = terms[i].neg ? &out->not_sites : &out->sites;
		size_t *nv = terms[i].neg ? &out->n_not_sites : &out->n_sites, k = 0;
		while (k < *nv && strcmp((*v)[k], terms[i].text) != 0)
			k++;
		if (k < *nv)
			continue;
		char **g = realloc(*v, (*nv + 1) * sizeof *g);
		if (!g)
			return KS_ERR_NOMEM;
		*v = g;
		g[(*nv)++] = terms[i].text;
		terms[i].text = NULL;
	}
	return KS_OK;
}

int ks_query_translate_ex(struct ks_tok *tok, const char *q, unsigned flags,
			  const struct ks_query_expander *x, struct ks_query *out)
{
	static const struct ks_query_expander lexicon_only = {NULL, NULL};
	memset(out, 0, sizeof *out);
	struct term terms[MAX_TERMS];
	int keep[MAX_TERMS];
	int n = 0, had_text = 0, rc;
	/* NFKC without case folding: OR must stay OR */
	char *norm = ks_nfkc(q ? q : "", q ? strlen(q) : 0, NULL);
	struct expr e = {.tok = tok, .out = out};
	if (flags & KS_QUERY_EXPAND)
		e.x = x ? x : &lexicon_only;
	if (!norm)
		return KS_ERR_NOMEM;
	rc = read_terms(tok, norm, terms, keep, &n, &had_text, &e);
	if (rc == KS_OK) {
		put_terms(&e, terms, n, keep);
		rc = take_expr(&e, had_text, out);
	}
	if (rc == KS_OK)
		rc = take_sites(terms, n, out);
	for (int i = 0; i < n; i++)
		free(terms[i].text);
	ks_buf_free(&e.pos);
	ks_buf_free(&e.neg);
	plist_free(&e.ppos);
	plist_free(&e.pneg);
	free(norm);
	if (rc != KS_OK)
		ks_query_clear(out);
	return rc;
}

const char *ks_query_limit_name(enum ks_query_limit code)
{
	switch (code) {
	case KS_QL_TERMS:
		return "terms";
	case KS_QL_PREFIX_SHORT:
		return "prefix_short";
	case KS_QL_PREFIXES:
		return "prefixes";
	case KS_QL_PHRASE_LONG:
		return "phrase_long";
	case KS_QL_SPELLINGS:
		return "spellings";
	}
	return "limit";
}

void ks_query_notices_free(struct ks_query_notice *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].term);
		free(v[i].searched);
	}
	free(v);
}

void ks_query_take_notes(struct ks_query *q, struct ks_query_expansion **e, size_t *ne,
			 struct ks_query_notice **v, size_t *nv)
{
	*e = q->expanded;
	*ne = q->n_expanded;
	*v = q->notices;
	*nv = q->n_notices;
	q->expanded = NULL;
	q->n_expanded = 0;
	q->notices = NULL;
	q->n_notices = 0;
}

void ks_query_expansions_free(struct ks_query_expansion *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].term);
		for (size_t j = 0; j < e[i].n_variants; j++)
			free(e[i].variants[j]);
		free(e[i].variants);
	}
	free(e);
}

void ks_query_clear(struct ks_query *q)
{
	if (!q)
		return;
	ks_query_notices_free(q->notices, q->n_notices);
	free(q->match);
	free(q->exclude);
	for (size_t i = 0; i < q->n_phrases; i++)
		free(q->phrases[i].text);
	free(q->phrases);
	ks_query_expansions_free(q->expanded, q->n_expanded);
	for (size_t i = 0; i < q->n_sites; i++)
		free(q->sites[i]);
	free(q->sites);
	for (size_t i = 0; i < q->n_not_sites; i++)
		free(q->not_sites[i]);
	free(q->not_sites);
	memset(q, 0, sizeof *q);
}
