/* suggest.c - the "did you mean" queries of suggest.h. */
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

#include "kensaku/buf.h"
#include "kensaku/lexicon.h"
#include "kensaku/vocab.h"
#include "store_internal.h"

#define PER_TERM 3 /* spellings asked for one term */

/* Items a term must be in to be taken as spelled right. */
#define KNOWN_ITEMS KS_SUGGEST_BELOW

static const char AT_LEAST[] = "SELECT rowid FROM items_fts WHERE items_fts MATCH ?1 LIMIT ?2";

/* 1 when text (a typed term, NFKC) is in at least KNOWN_ITEMS items: a
 * word the index knows is not misspelled, and looking for its near
 * spellings would cost a vocabulary scan for nothing (three common words
 * that never meet have no hits, and no typo). Reads at most KNOWN_ITEMS
 * rowids. 0 when not, or a negative KS code. */
static int known(struct ks_store *s, const char *text, struct ks_err *err)
{
	struct ks_buf q = {0};
	ks_buf_str(&q, "\"");
	for (const char *p = text; *p; p++)
		ks_buf_add(&q, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
	ks_buf_str(&q, "\"");
	if (q.oom) {
		ks_buf_free(&q);
		return -ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	}
	sqlite3_stmt *st = ks_store_stmt(s, AT_LEAST, err);
	int n = 0, r = SQLITE_DONE;
	if (st) {
		sqlite3_bind_text(st, 1, q.p, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, KNOWN_ITEMS);
		while ((r = sqlite3_step(st)) == SQLITE_ROW)
			n++;
	}
	int rc = !st ? -KS_ERR_DB : r != SQLITE_DONE ? -ks_store_dberr(s, "suggest", err) : 0;
	if (st)
		sqlite3_reset(st);
	ks_buf_free(&q);
	return rc < 0 ? rc : n >= KNOWN_ITEMS;
}

/* q with its first occurrence of term replaced by with (term not found:
 * with alone). malloc'd, NULL on out of memory. */
static char *replaced(const char *q, const char *term, const char *with)
{
	const char *at = strstr(q, term);
	struct ks_buf b = {0};
	if (!at)
		return strdup(with);
	ks_buf_add(&b, q, (size_t)(at - q));
	ks_buf_str(&b, with);
	ks_buf_str(&b, at + strlen(term));
	return ks_buf_take(&b);
}

/* Appends s (taken) to *out unless it is there; -1 on out of memory. */
static int add(char ***out, size_t *n, char *s)
{
	for (size_t i = 0; s && i < *n; i++)
		if (!strcmp((*out)[i], s)) {
			free(s);
			return 0;
		}
	char **v = s ? realloc(*out, (*n + 1) * sizeof *v) : NULL;
	if (!v) {
		free(s);
		return -1;
	}
	v[(*n)++] = s;
	*out = v;
	return 0;
}

/* 1 when text could be a misspelled word vocab.h looks up: no ASCII digit,
 * space or punctuation (a CVE id, a version, a phrase of words are not;
 * vocab.h rules on the rest). Saves the index lookup of known(). */
static int suggestible(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p < 0x80 && !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
			return 0;
	return *text != 0;
}

/* Adds the suggestions for one typed term (NFKC text) of norm, the query
 * as typed in NFKC. A KS code. */
static int for_term(struct ks_store *s, const char *norm, const char *text, char ***out, size_t *n,
		    struct ks_err *err)
{
	if (!suggestible(text))
		return KS_OK;
	/* out of memory or time fails the search; a lookup that failed on the
	 * file (a damaged index) only means no suggestions */
	int k = known(s, text, err);
	if (k == -KS_ERR_NOMEM || k == -KS_ERR_TIMEOUT)
		return -k;
	if (k != 0)
		return KS_OK;
	char *folded = ks_fold(text, strlen(text), NULL), *near[PER_TERM];
	if (!folded)
		return ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	int rc = KS_OK;
	k = ks_vocab_suggest(s, folded, near, PER_TERM, err);
	free(folded);
	if (k == -KS_ERR_NOMEM || k == -KS_ERR_TIMEOUT)
		return -k;
	for (int i = 0; i < k; i++) {
		if (rc == KS_OK && *n < KS_SUGGEST_MAX && add(out, n, replaced(norm, text, near[i])) < 0)
			rc = ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
		free(near[i]);
	}
	return rc;
}

int ks_suggest_queries(struct ks_store *s, const struct ks_scan *sc, const char *q, char ***out,
		       size_t *n, struct ks_err *err)
{
	*out = NULL;
	*n = 0;
	char *norm = ks_nfkc(q ? q : "", q ? strlen(q) : 0, NULL);
	int rc = norm ? KS_OK : ks_err_set(err, KS_ERR_NOMEM, "[search] out of memory");
	for (size_t i = 0; rc == KS_OK && i < sc->q.n_phrases && *n < KS_SUGGEST_MAX; i++) {
		const struct ks_query_phrase *ph = &sc->q.phrases[i];
		if (!(ph->flags & (KS_PH_SPELLING | KS_PH_EXCLUDED | KS_PH_PREFIX)))
			rc = for_term(s, norm, ph->text, out, n, err);
	}
	free(norm);
	if (rc != KS_OK) {
		ks_suggestions_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

void ks_suggestions_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
