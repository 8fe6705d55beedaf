/* fuzz_search.c - index one arbitrary item, search it, check highlights.
 *
 * Input: the first line is a user query, the second line the item's title,
 * the rest its quote. Inputs that no parser could produce (invalid UTF-8,
 * NUL, a blank title) or that are too long for a query are skipped. The
 * item replaces the previous one in a small index made once per process.
 *
 * Invariants (each failure aborts):
 * - the user query, when ks_search_params_check accepts it, runs with
 *   KS_OK; so does the title itself as a phrase ("title"), and when the
 *   title has searchable text that phrase finds the item: any text finds
 *   itself, whatever its script, width or combining marks;
 * - every hit's marks (hit.h) are ranges inside their text, sorted by
 *   start;
 * - every hit's title_html and snippet_html, as the render layer builds
 *   them from the hit (html.h), are valid UTF-8 whose only
 *   markup is <mark>...</mark> (not nested, never empty) and the entities
 *   &amp; &lt; &gt; &quot; &#39;; unescaped, title_html is the title, and
 *   snippet_html is the quote or a window of at most KS_SNIPPET_CHARS
 *   characters of it between "…" marks;
 * - the hit found by its own title has a <mark> in title_html. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "kensaku/html.h"
#include "kensaku/search.h"
#include "kensaku/store.h"
#include "kensaku/tokenizer.h"

#define ELLIPSIS "\xE2\x80\xA6" /* … */

static struct ks_store *store;
static struct ks_tok *tok;
static char db_path[512];

static void remove_db(void)
{
	static const char *const sides[] = {"", "-wal", "-shm", "-journal"};
	char p[600];
	ks_store_close(store);
	store = NULL;
	ks_tok_free(tok);
	tok = NULL;
	for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
		int n = snprintf(p, sizeof p, "%s%s", db_path, sides[i]);
		if (n > 0 && (size_t)n < sizeof p)
			unlink(p);
	}
}

static void setup(void)
{
	if (store)
		return;
	struct ks_err err = {""};
	const char *dir = getenv("TMPDIR");
	int n = snprintf(db_path, sizeof db_path, "%s/ks-fuzz-search-%ld.db",
			 dir && *dir ? dir : "/tmp", (long)getpid());
	FUZZ_ASSERT(n > 0 && (size_t)n < sizeof db_path, "TMPDIR too long");
	unlink(db_path);
	tok = ks_tok_new();
	FUZZ_ASSERT(tok != NULL, "ks_tok_new failed");
	FUZZ_ASSERT(ks_store_open(db_path, KS_STORE_CREATE | KS_STORE_BULK, &store, &err) == KS_OK,
		    "%s", err.msg);
	atexit(remove_db);
}

/* Replaces the indexed item by (title, quote) as item 1-1. */
static void put_item(const char *title, const char *quote)
{
	struct ks_err err = {""};
	struct ks_batch b = {0};
	struct ks_issue *is = ks_batch_add_issue(&b);
	struct ks_item *it = is ? ks_issue_add_item(is) : NULL;
	FUZZ_ASSERT(it != NULL, "out of memory");
	is->number = 1;
	it->title = strdup(title);
	it->quote = quote ? strdup(quote) : NULL;
	FUZZ_ASSERT(it->title && (!quote || it->quote), "out of memory");
	FUZZ_ASSERT(ks_store_begin(store, &err) == KS_OK, "%s", err.msg);
	FUZZ_ASSERT(ks_store_put_source(store, "/fuzz/item", "0", &b, &err) == KS_OK, "%s",
		    err.msg);
	FUZZ_ASSERT(ks_store_commit(store, &err) == KS_OK, "%s", err.msg);
	ks_batch_clear(&b);
}

static size_t count_chars(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* A bidi control shown as its marker (render/html.c, bidi.h):
 * <span class="bidi-ctl" title="U+202E NAME">[U+202E RLO]</span>. */
#define BIDI_OPEN "<span class=\"bidi-ctl\" title=\"U+"

/* Reads the marker at m back into the control's UTF-8 bytes at out + *k;
 * returns the marker's length. */
static size_t bidi_marker(const char *m, char *out, size_t *k, const char *what, const char *html)
{
	const char *close = strstr(m, "</span>");
	char *end = NULL;
	unsigned long cp = strtoul(m + strlen(BIDI_OPEN), &end, 16);
	FUZZ_ASSERT(close && end && *end == ' ' &&
			((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
			 cp == 0x061C || cp == 0x200E || cp == 0x200F),
		    "a bidi marker that names no bidi control in %s: %s", what, html);
	if (cp < 0x800) {
		out[(*k)++] = (char)(0xC0 | (cp >> 6));
	} else {
		out[(*k)++] = (char)(0xE0 | (cp >> 12));
		out[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
	}
	out[(*k)++] = (char)(0x80 | (cp & 0x3F));
	return (size_t)(close - m) + strlen("</span>");
}

/* Checks the markup of html and returns its text, unescaped (malloc'd);
 * *marks is set to the number of <mark> elements. */
static char *unescape(const char *html, const char *what, int *marks)
{
	static const struct {
		const char *ent, *ch;
	} ents[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
	size_t n = strlen(html), k = 0;
	char *out = malloc(n + 1);
	int open = 0;
	FUZZ_ASSERT(out != NULL, "out of memory");
	FUZZ_ASSERT(fuzz_utf8_valid(html, n), "%s is not UTF-8", what);
	*marks = 0;
	for (size_t i = 0; i < n;) {
		if (!strncmp(html + i, "<mark>", 6)) {
			FUZZ_ASSERT(!open, "nested <mark> in %s: %s", what, html);
			FUZZ_ASSERT(strncmp(html + i + 6, "</mark>", 7) != 0,
				    "empty <mark> in %s: %s", what, html);
			open = 1, ++*marks, i += 6;
		} else if (!strncmp(html + i, "</mark>", 7)) {
			FUZZ_ASSERT(open, "</mark> without <mark> in %s: %s", what, html);
			open = 0, i += 7;
		} else if (!strncmp(html + i, BIDI_OPEN, strlen(BIDI_OPEN))) {
			i += bidi_marker(html + i, out, &k, what, html);
		} else if (html[i] == '&') {
			size_t e = 0;
			while (e < sizeof ents / sizeof ents[0] &&
			       strncmp(html + i, ents[e].ent, strlen(ents[e].ent)) != 0)
				e++;
			FUZZ_ASSERT(e < sizeof ents / sizeof ents[0], "bare & in %s: %s", what,
				    html);
			out[k++] = ents[e].ch[0];
			i += strlen(ents[e].ent);
		} else {
			FUZZ_ASSERT(html[i] != '<' && html[i] != '>' && html[i] != '"' &&
					html[i] != '\'',
				    "unescaped %c in %s: %s", html[i], what, html);
			out[k++] = html[i++];
		}
	}
	FUZZ_ASSERT(!open, "<mark> not closed in %s: %s", what, html);
	out[k] = 0;
	return out;
}

/* Checks that m's ranges lie inside text (NULL: "") and are sorted by start. */
static void check_marks(const struct ks_marks *m, const char *text, const char *what)
{
	int len = text ? (int)strlen(text) : 0;
	FUZZ_ASSERT(m->n >= 0 && (m->n == 0) == (m->at == NULL), "%s: %d marks at %p", what, m->n,
		    (void *)m->at);
	for (int i = 0; i < m->n; i++) {
		int a = m->at[2 * i], b = m->at[2 * i + 1];
		FUZZ_ASSERT(0 <= a && a < b && b <= len, "%s mark %d is [%d, %d) of %d bytes", what,
			    i, a, b, len);
		FUZZ_ASSERT(i == 0 || m->at[2 * (i - 1)] <= a, "%s marks not sorted at %d", what,
			    i);
	}
}

static void check_hit(const struct ks_hit *h, const char *title, const char *quote, int want_mark)
{
	int tm = 0, qm = 0;
	check_marks(&h->title_marks, h->title, "title");
	check_marks(&h->quote_marks, h->quote, "quote");
	char *title_html = ks_hit_title_html(h), *snippet_html = ks_hit_snippet_html(h);
	FUZZ_ASSERT(title_html && snippet_html, "hit %s: no HTML (out of memory)", h->id);
	char *t = unescape(title_html, "title_html", &tm);
	FUZZ_ASSERT(!strcmp(t, title), "title_html [%s] is not the title [%s]", title_html, title);
	char *q = unescape(snippet_html, "snippet_html", &qm);
	const char *qt = quote ? quote : "";
	if (strcmp(q, qt) != 0) {
		size_t n = strlen(q), el = strlen(ELLIPSIS);
		char *body = q;
		if (n >= el && !strncmp(body, ELLIPSIS, el))
			body += el, n -= el;
		if (n >= el && !strcmp(body + n - el, ELLIPSIS))
			n -= el;
		FUZZ_ASSERT(body != q || n != strlen(q), "snippet [%s] differs from the quote",
			    snippet_html);
		body[n] = 0;
		FUZZ_ASSERT(strstr(qt, body) != NULL, "snippet [%s] is not a window of the quote",
			    snippet_html);
		FUZZ_ASSERT(count_chars(body, n) <= KS_SNIPPET_CHARS,
			    "snippet window of %zu characters", count_chars(body, n));
	}
	FUZZ_ASSERT(!want_mark || tm > 0, "the title found by itself is not highlighted: %s",
		    title_html);
	free(t);
	free(q);
	free(title_html);
	free(snippet_html);
}

/* Runs q (if the API would take it) and checks every hit; returns 1 when
 * item 1-1 was among the hits. */
static int search(const char *q, const char *title, const char *quote, int want_mark)
{
	struct ks_search_params p;
	struct ks_err err = {""};
	struct ks_result *r = NULL;
	int found = 0;
	ks_search_params_init(&p);
	p.q = q;
	p.limit = 10;
	if (ks_search_params_check(&p, &err) != KS_OK)
		return -1;
	int rc = ks_search_run(store, &p, &r, &err);
	FUZZ_ASSERT(rc == KS_OK, "ks_search_run: %s (%s) for [%s]", ks_rc_name(rc), err.msg, q);
	for (size_t i = 0; i < r->n_hits; i++) {
		check_hit(&r->hits[i], title, quote, want_mark);
		found |= !strcmp(r->hits[i].id, "1-1");
	}
	if (want_mark && !found)
		fprintf(stderr, "fts: %s\n", r->fts ? r->fts : "(none)");
	ks_result_free(r);
	return found;
}

static int count_tok(void *ctx, const char *text, int len, int start, int end)
{
	(void)text, (void)len, (void)start, (void)end;
	++*(int *)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	if (size > 16384 || memchr(s, 0, size) || !fuzz_utf8_valid(s, size))
		return 0;
	const char *nl1 = memchr(s, '\n', size);
	if (!nl1)
		return 0;
	const char *nl2 = memchr(nl1 + 1, '\n', size - (size_t)(nl1 + 1 - s));
	size_t qn = (size_t)(nl1 - s);
	size_t tn = (size_t)((nl2 ? nl2 : s + size) - (nl1 + 1));
	if (qn > KS_QUERY_MAX_BYTES || tn == 0 || tn > 1000)
		return 0;
	char *q = strndup(s, qn), *title = strndup(nl1 + 1, tn);
	char *quote =
	    nl2 && nl2 + 1 < s + size ? strndup(nl2 + 1, size - (size_t)(nl2 + 1 - s)) : NULL;
	FUZZ_ASSERT(q && title && (!nl2 || nl2 + 1 >= s + size || quote), "out of memory");
	if (strspn(title, " \t\r") == tn)
		goto out;
	setup();
	put_item(title, quote);
	search(q, title, quote, 0);

	/* the title as a phrase must find the item (unless NFKC makes a quote) */
	if (!strchr(title, '"') && !strstr(title, "\xEF\xBC\x82")) {
		int n = 0;
		ks_tok_run(tok, KS_TOK_QUERY, title, (int)tn, count_tok, &n);
		char *phrase = malloc(tn + 3);
		FUZZ_ASSERT(phrase != NULL, "out of memory");
		phrase[0] = '"';
		memcpy(phrase + 1, title, tn);
		phrase[tn + 1] = '"';
		phrase[tn + 2] = 0;
		int found = search(phrase, title, quote, n > 0);
		FUZZ_ASSERT(n == 0 || found != 0, "the title [%s] does not find its item", title);
		free(phrase);
	}
out:
	free(q);
	free(title);
	free(quote);
	return 0;
}
