/* vocab.c - inflections and "did you mean" from the index's vocabulary
 * (the contract is in vocab.h).
 *
 * The vocabulary is read through temp.ks_vocab_row, an fts5vocab table of
 * type row over main.items_fts (term, doc, cnt): its term column takes
 * range constraints, so SQLite seeks to the first term of a range and
 * stops after the last one; every row costs a walk of that term's doclist
 * (fts5vocab counts doc as it steps), hence the caps below, the inclusive
 * upper bound (fts5vocab checks it before counting a term; with "<" it
 * counts the first term past the range before SQLite drops it), and an
 * inflection scan that steps over the word's own row. The
 * table is created the first time the range statement fails to prepare;
 * after that the statement sits in the store's cache, which is how the
 * connection remembers the table. */
#include "kensaku/vocab.h"

#include <stdlib.h>
#include <string.h>

#include "kensaku/lexicon.h"
#include "kensaku/utf8.h"
#include "kensaku/variants.h"
#include "store_internal.h"

#define SCAN_CAP 20000 /* terms of one range examined at most */
#define TERM_CHARS 32  /* longest term compared, in characters */
#define KATA_NEAR 16   /* katakana candidates counted in the index at most */

static const char SQL_RANGE[] =
    "SELECT term, doc FROM temp.ks_vocab_row WHERE term >= ?1 AND term <= ?2";
static const char SQL_PHRASE_DOCS[] = "SELECT count(*) FROM main.items_fts WHERE items_fts MATCH ?1";

/* ---- the fts5vocab table */

/* Runs sql on s's connection; KS_OK or the mapped error. */
static int exec(struct ks_store *s, const char *sql, struct ks_err *err)
{
	if (sqlite3_exec(ks_store_db(s), sql, NULL, NULL, NULL) != SQLITE_OK)
		return ks_store_dberr(s, "vocab", err);
	return KS_OK;
}

/* PRAGMA query_only of s's connection in *on. */
static int query_only(struct ks_store *s, int *on, struct ks_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = KS_OK;
	if (sqlite3_prepare_v2(ks_store_db(s), "PRAGMA query_only", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		rc = ks_store_dberr(s, "vocab: query_only", err);
	else
		*on = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* Creates temp.ks_vocab_row unless it exists. A read-only store runs with
 * query_only=1, which refuses even a temp table: lifted for the CREATE and
 * put back (tried three times: a connection left writable would still be
 * SQLITE_OPEN_READONLY on its file). */
static int create_vocab(struct ks_store *s, struct ks_err *err)
{
	int on = 0, rc = query_only(s, &on, err);
	if (rc == KS_OK && on)
		rc = exec(s, "PRAGMA query_only=0", err);
	if (rc == KS_OK)
		rc = exec(s,
			  "CREATE VIRTUAL TABLE IF NOT EXISTS temp.ks_vocab_row USING "
			  "fts5vocab(main, items_fts, row)",
			  err);
	for (int i = 0; on && i < 3; i++)
		if (sqlite3_exec(ks_store_db(s), "PRAGMA query_only=1", NULL, NULL, NULL) ==
		    SQLITE_OK)
			break;
	return rc;
}

/* Sets *out to the range statement bound to [lo, hi], creating the table
 * if need be; KS_OK or an error. */
static int range_stmt(struct ks_store *s, const char *lo, const char *hi, sqlite3_stmt **out,
		      struct ks_err *err)
{
	struct ks_err scratch;
	int rc = KS_OK;
	sqlite3_stmt *st = ks_store_stmt(s, SQL_RANGE, &scratch);
	if (!st && (rc = create_vocab(s, err)) == KS_OK && !(st = ks_store_stmt(s, SQL_RANGE, err)))
		rc = ks_store_dberr(s, "vocab: prepare", err);
	if (rc != KS_OK)
		return rc;
	if (sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC) != SQLITE_OK)
		return ks_store_dberr(s, "vocab: bind", err);
	*out = st;
	return KS_OK;
}

/* hi = prefix and a 0xFF byte, which no UTF-8 term holds: the last string
 * of the range of terms starting with prefix. malloc'd; NULL on out of
 * memory. */
static char *range_end(const char *prefix)
{
	size_t n = strlen(prefix);
	char *hi = malloc(n + 2);
	if (hi) {
		memcpy(hi, prefix, n);
		hi[n] = (char)0xFF;
		hi[n + 1] = '\0';
	}
	return hi;
}

/* ---- the best candidates */

struct cand {
	char *term;
	long long doc;
	int dist;
};

struct top {
	struct cand *c;
	int n, max;
};

/* 1 when (doc, dist, t) ranks before c: more items, then nearer, then
 * bytewise. */
static int before(long long doc, int dist, const char *t, const struct cand *c)
{
	if (doc != c->doc)
		return doc > c->doc;
	if (dist != c->dist)
		return dist < c->dist;
	return strcmp(t, c->term) < 0;
}

/* Adds t[0..len) with its rank to the top list when it ranks among its max
 * best; 0, or -1 on out of memory. */
static int top_add(struct top *tp, const char *t, size_t len, long long doc, int dist)
{
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, t, len);
	copy[len] = '\0';
	int pos = tp->n;
	while (pos > 0 && before(doc, dist, copy, &tp->c[pos - 1]))
		pos--;
	if (pos >= tp->max) {
		free(copy);
		return 0;
	}
	if (tp->n == tp->max)
		free(tp->c[--tp->n].term);
	memmove(tp->c + pos + 1, tp->c + pos, (size_t)(tp->n - pos) * sizeof *tp->c);
	tp->c[pos] = (struct cand){copy, doc, dist};
	tp->n++;
	return 0;
}

static void top_free(struct top *tp)
{
	for (int i = 0; i < tp->n; i++)
		free(tp->c[i].term);
	free(tp->c);
}

/* Checks max and allocates tp; KS_OK or an error. */
static int top_init(struct top *tp, int max, struct ks_err *err)
{
	*tp = (struct top){NULL, 0, max};
	if (max < 0 || max > KS_VOCAB_MAX)
		return ks_err_set(err, KS_ERR_ARG, "[vocab] max %d is out of 0..%d", max,
				  KS_VOCAB_MAX);
	if (max > 0 && !(tp->c = malloc((size_t)max * sizeof *tp->c)))
		return ks_err_set(err, KS_ERR_NOMEM, "[vocab] out of memory");
	return KS_OK;
}

/* Hands tp's terms to out (or frees them when rc is an error); the
 * count, or -rc. */
static int top_give(struct top *tp, int rc, char **out)
{
	int n = tp->n;
	if (rc != KS_OK) {
		top_free(tp);
		return -rc;
	}
	for (int i = 0; i < n; i++)
		out[i] = tp->c[i].term;
	free(tp->c);
	return n;
}

/* ---- inflections */

/* 1 when t[0..len) is 1 to KS_STEM_WORD_MAX letters a-z. */
static int ascii_word(const char *t, size_t len)
{
	if (len == 0 || len > KS_STEM_WORD_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (t[i] < 'a' || t[i] > 'z')
			return 0;
	return 1;
}

/* Steps st (a bound range statement) and adds to tp every word other than
 * word whose stem is stem, *rows counting the terms seen; KS_OK or an
 * error. */
static int scan_inflections(struct ks_store *s, sqlite3_stmt *st, const char *word,
			    const char *stem, struct ks_stemmer *sb, struct top *tp, int *rows,
			    struct ks_err *err)
{
	char w[KS_STEM_WORD_MAX + 1], ws[KS_STEM_WORD_MAX + 1];
	int r = SQLITE_DONE;
	while (*rows < SCAN_CAP && (r = sqlite3_step(st)) == SQLITE_ROW) {
		++*rows;
		const char *t = (const char *)sqlite3_column_text(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		if (!t || !ascii_word(t, len))
			continue;
		memcpy(w, t, len);
		w[len] = '\0';
		if (!strcmp(w, word))
			continue;
		if (ks_stemmer_stem(sb, w, ws, sizeof ws) != 0)
			return ks_err_set(err, KS_ERR_NOMEM, "[vocab] out of memory");
		if (strcmp(ws, stem) == 0 && top_add(tp, w, len, sqlite3_column_int64(st, 1), 0))
			return ks_err_set(err, KS_ERR_NOMEM, "[vocab] out of memory");
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return ks_store_dberr(s, "vocab: inflections", err);
	return KS_OK;
}

/* Adds to tp the inflections of word (stem stem) among the terms in
 * [lo, hi] (none when lo > hi); KS_OK or an error. */
static int inflections_in(struct ks_store *s, const char *lo, const char *hi, const char *word,
			  const char *stem, struct ks_stemmer *sb, struct top *tp, int *rows,
			  struct ks_err *err)
{
	sqlite3_stmt *st = NULL;
	if (strcmp(lo, hi) > 0)
		return KS_OK;
	int rc = range_stmt(s, lo, hi, &st, err);
	if (rc == KS_OK)
		rc = scan_inflections(s, st, word, stem, sb, tp, rows, err);
	if (st)
		sqlite3_reset(st);
	return rc;
}

int ks_vocab_inflections(struct ks_store *s, const char *word, char **out, int max,
			 struct ks_err *err)
{
	struct top tp;
	struct ks_stemmer *sb = NULL;
	char stem[KS_STEM_WORD_MAX + 1], *hi = NULL;
	int rc = top_init(&tp, max, err), rows = 0;
	if (rc != KS_OK || max == 0 || !word || !ascii_word(word, strlen(word)))
		goto out;
	if (!(sb = ks_stemmer_new()) || ks_stemmer_stem(sb, word, stem, sizeof stem) != 0) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "[vocab] out of memory");
		goto out;
	}
	char prefix[KS_STEM_WORD_MAX + 1];
	size_t plen = strlen(stem);
	if (plen < 3) /* "s", "is": no inflections worth a scan of every word of a letter */
		goto out;
	memcpy(prefix, stem, plen + 1);
	if (plen >= 4)
		prefix[plen - 1] = '\0';
	if (!(hi = range_end(prefix))) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "[vocab] out of memory");
		goto out;
	}
	/* the range on either side of the word's own row, which fts5vocab
	 * then does not count (the word typed is often the range's most
	 * frequent term): below = the word with its last letter one less and
	 * 0xFF (the last string before it), above = the word and 0x01 */
	char below[KS_STEM_WORD_MAX + 2], above[KS_STEM_WORD_MAX + 2];
	size_t wl = strlen(word);
	memcpy(below, word, wl);
	below[wl - 1]--;
	below[wl] = (char)0xFF;
	below[wl + 1] = '\0';
	memcpy(above, word, wl);
	memcpy(above + wl, "\x01", 2);
	rc = inflections_in(s, prefix, strcmp(below, hi) < 0 ? below : hi, word, stem, sb, &tp,
			    &rows, err);
	if (rc == KS_OK)
		rc = inflections_in(s, strcmp(above, prefix) > 0 ? above : prefix, hi, word, stem,
				    sb, &tp, &rows, err);
out:
	free(hi);
	ks_stemmer_free(sb);
	return top_give(&tp, rc, out);
}

/* ---- did you mean */

/* Decodes t[0..len) into cp (room for TERM_CHARS + 2); the number of
 * characters, or 0 when t is invalid or longer than TERM_CHARS + 2. */
static size_t decode(const char *t, size_t len, long *cp)
{
	size_t n = 0;
	for (size_t i = 0, k; i < len; i += k) {
		long c = ks_utf8_decode(t + i, len - i, &k);
		if (c < 0 || n == TERM_CHARS + 2)
			return 0;
		cp[n++] = c;
	}
	return n;
}

static int latin_letter(long c)
{
	return (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

/* 1 when cp[0..n) is a Latin term (vocab.h): letters and digits, one
 * letter at least. */
static int latin_term(const long *cp, size_t n)
{
	int letters = 0;
	for (size_t i = 0; i < n; i++) {
		if (latin_letter(cp[i]))
			letters = 1;
		else if (cp[i] < '0' || cp[i] > '9')
			return 0;
	}
	return letters;
}

/* 1 when cp[0..n) is a katakana term: katakana and ー, one letter at least. */
static int kata_term(const long *cp, size_t n)
{
	int letters = 0;
	for (size_t i = 0; i < n; i++) {
		if (cp[i] >= 0x30A1 && cp[i] <= 0x30FA)
			letters = 1;
		else if (cp[i] != 0x30FC)
			return 0;
	}
	return letters;
}

static int min3(int a, int b, int c)
{
	int m = a < b ? a : b;
	return m < c ? m : c;
}

/* The optimal string alignment distance of a[0..n) and b[0..m) (both at
 * most TERM_CHARS + 2), or k + 1 when it exceeds k. */
static int distance(const long *a, size_t n, const long *b, size_t m, int k)
{
	int rows[3][TERM_CHARS + 3];
	int *pp = rows[0], *p = rows[1], *c = rows[2];
	if ((n > m ? n - m : m - n) > (size_t)k)
		return k + 1;
	for (size_t j = 0; j <= m; j++)
		p[j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		int low = c[0] = (int)i;
		for (size_t j = 1; j <= m; j++) {
			int cost = a[i - 1] != b[j - 1];
			c[j] = min3(p[j] + 1, c[j - 1] + 1, p[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < c[j])
				c[j] = pp[j - 2] + 1;
			low = c[j] < low ? c[j] : low;
		}
		if (low > k)
			return k + 1;
		int *t = pp;
		pp = p, p = c, c = t;
	}
	return p[m] <= k ? p[m] : k + 1;
}

/* The query term of a suggestion lookup, decoded. */
struct probe {
	const char *term;
	long cp[TERM_CHARS + 2];
	size_t n;
	int k; /* largest distance */
};

/* Steps st (the range of terms sharing q's first character) and adds to
 * tp the Latin terms within q->k of q; KS_OK or an error. */
static int scan_latin(struct ks_store *s, sqlite3_stmt *st, const struct probe *q,
		      struct top *tp, struct ks_err *err)
{
	long cp[TERM_CHARS + 2];
	int r, rows = 0;
	while (rows++ < SCAN_CAP && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		if (!t || len < q->n - (size_t)q->k || len > 4 * (q->n + (size_t)q->k))
			continue;
		size_t m = decode(t, len, cp);
		if (m == 0 || (m > q->n ? m - q->n : q->n - m) > (size_t)q->k ||
		    !latin_term(cp, m) || !strcmp(t, q->term))
			continue;
		int d = distance(q->cp, q->n, cp, m, q->k);
		if (d <= q->k && top_add(tp, t, len, sqlite3_column_int64(st, 1), d))
			return ks_err_set(err, KS_ERR_NOMEM, "[vocab] out of memory");
	}
	if (rows <= SCAN_CAP && r != SQLITE_DONE)
		return ks_store_dberr(s, "vocab: suggest", err);
	return KS_OK;
}

/* Scans the vocabulary range of terms starting with the first plen bytes
 * of q's term for near terms (scan_latin). */
static int scan_prefix(struct ks_store *s, const struct probe *q, size_t plen, struct top *tp,
		       struct ks_err *err)
{
	sqlite3_stmt *st = NULL;
	char first[16] = "";
	memcpy(first, q->term, plen);
	char *hi = range_end(first);
	if (!hi)
		return ks_err_set(err, KS_ERR_NOMEM, "[vocab] out of memory");
	int rc = range_stmt(s, first, hi, &st, err);
	if (rc == KS_OK)
		rc = scan_latin(s, st, q, tp, err);
	if (st)
		sqlite3_reset(st);
	free(hi);
	return rc;
}

/* Near Latin terms: first among the terms sharing q's first two
 * characters (most typos; a small range), then, when none is near, among
 * all sharing its first character. fts5vocab counts every term's doclist
 * as it steps, so the smaller range is what keeps a typo's cost low. */
static int suggest_latin(struct ks_store *s, const struct probe *q, struct top *tp,
			 struct ks_err *err)
{
	size_t l1, l2 = 0;
	ks_utf8_decode(q->term, strlen(q->term), &l1);
	if (q->n > 2)
		ks_utf8_decode(q->term + l1, strlen(q->term + l1), &l2);
	int rc = KS_OK;
	if (l2 && l1 + l2 < 16)
		rc = scan_prefix(s, q, l1 + l2, tp, err);
	if (rc == KS_OK && tp->n == 0 && l1 < 16)
		rc = scan_prefix(s, q, l1, tp, err);
	return rc;
}

/* Adds spelling (as written in the lexicon) to near, ranked by distance,
 * when it folds to a katakana term within q->k of q other than q;
 * 0, or -1 on out of memory. */
static int near_add(const struct probe *q, const char *spelling, struct top *near)
{
	if ((unsigned char)spelling[0] < 0xE3) /* katakana, full or half width, starts here */
		return 0;
	size_t len;
	char *f = ks_fold(spelling, strlen(spelling), &len);
	if (!f)
		return -1;
	long cp[TERM_CHARS + 2];
	size_t m = decode(f, len, cp);
	int rc = 0;
	if (m > 0 && kata_term(cp, m) && strcmp(f, q->term) != 0) {
		int d = distance(q->cp, q->n, cp, m, q->k), dup = 0;
		for (int i = 0; i < near->n && !dup; i++)
			dup = !strcmp(near->c[i].term, f);
		if (d <= q->k && !dup)
			rc = top_add(near, f, len, -d, d);
	}
	free(f);
	return rc;
}

/* Adds every lexicon spelling near q to near; 0, or -1 on out of memory. */
static int near_lexicon(const struct probe *q, struct top *near)
{
	const char *const *v;
	size_t nv;
	for (size_t i = 0; ks_terms_group(i, &v, &nv); i++)
		for (size_t j = 0; j < nv; j++)
			if (near_add(q, v[j], near))
				return -1;
	const struct ks_entity *e;
	for (size_t i = 0; (e = ks_entity_at(i)); i++)
		for (size_t j = 0; j < e->n_spellings; j++)
			if (near_add(q, e->spellings[j], near))
				return -1;
	return 0;
}

/* The number of items holding the katakana phrase t, in *docs. */
static int phrase_docs(struct ks_store *s, const char *t, long long *docs, struct ks_err *err)
{
	size_t len = strlen(t);
	char *phrase = malloc(len + 3);
	if (!phrase)
		return ks_err_set(err, KS_ERR_NOMEM, "[vocab] out of memory");
	phrase[0] = '"';
	memcpy(phrase + 1, t, len);
	memcpy(phrase + 1 + len, "\"", 2);
	int rc = KS_OK;
	sqlite3_stmt *st = ks_store_stmt(s, SQL_PHRASE_DOCS, err);
	if (!st)
		rc = ks_store_dberr(s, "vocab: prepare", err);
	else if (sqlite3_bind_text(st, 1, phrase, -1, SQLITE_STATIC) != SQLITE_OK ||
		 sqlite3_step(st) != SQLITE_ROW)
		rc = ks_store_dberr(s, "vocab: count", err);
	else
		*docs = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	free(phrase);
	return rc;
}

static int suggest_kata(struct ks_store *s, const struct probe *q, struct top *tp,
			struct ks_err *err)
{
	struct top near;
	int rc = top_init(&near, KATA_NEAR, err);
	if (rc == KS_OK && near_lexicon(q, &near))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[vocab] out of memory");
	for (int i = 0; rc == KS_OK && i < near.n; i++) {
		long long docs = 0;
		rc = phrase_docs(s, near.c[i].term, &docs, err);
		if (rc == KS_OK && docs > 0 &&
		    top_add(tp, near.c[i].term, strlen(near.c[i].term), docs, near.c[i].dist))
			rc = ks_err_set(err, KS_ERR_NOMEM, "[vocab] out of memory");
	}
	top_free(&near);
	return rc;
}

int ks_vocab_suggest(struct ks_store *s, const char *term, char **out, int max,
		     struct ks_err *err)
{
	struct top tp;
	struct probe q = {term, {0}, 0, 0};
	int rc = top_init(&tp, max, err);
	size_t len = term ? strlen(term) : 0;
	if (rc != KS_OK || max == 0 || len == 0 || !ks_utf8_valid(term, len) ||
	    (q.n = decode(term, len, q.cp)) == 0 || q.n > TERM_CHARS)
		goto out;
	q.k = q.n <= 4 ? 1 : 2;
	if (latin_term(q.cp, q.n))
		rc = suggest_latin(s, &q, &tp, err);
	else if (q.n >= 2 && kata_term(q.cp, q.n))
		rc = suggest_kata(s, &q, &tp, err);
out:
	return top_give(&tp, rc, out);
}
