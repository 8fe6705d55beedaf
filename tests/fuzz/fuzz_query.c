/* fuzz_query.c - ks_query_translate and ks_search_run on arbitrary bytes.
 *
 * Invariants (each failure aborts):
 * - translation never fails (no allocation can fail here) and gives a known
 *   kind whose fields fit it: ALL and NONE have no expression, MATCH has a
 *   non-empty match and positive terms, EXCLUDE a non-empty exclude only;
 *   input with an ASCII letter or digit is never ALL unless it holds site:
 *   terms; every site key is a non-empty lower-case host name, labels
 *   reversed (no empty label, nothing but [a-z0-9_-], non-ASCII and dots);
 * - every expression is valid UTF-8 and, outside "quoted strings" (where a
 *   quote only appears doubled), holds nothing but ( ) AND OR NOT * and
 *   spaces, with balanced parentheses: user text never reaches MATCH
 *   unquoted;
 * - SQLite accepts every expression: MATCH on a small real index (made once
 *   per process) returns rows or none, never an error;
 * - when the input passes ks_search_params_check (the API's own gate),
 *   ks_search_run returns KS_OK, reports the same expression in r->fts,
 *   and the result turns into JSON. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "kensaku/query.h"
#include "kensaku/search.h"
#include "kensaku/store.h"
#include "kensaku/tokenizer.h"

static struct ks_tok *tok;
static struct ks_store *store;
static sqlite3_stmt *count_st;
static char db_path[512];

static void remove_db(void)
{
	static const char *const sides[] = {"", "-wal", "-shm", "-journal"};
	char p[600];
	sqlite3_finalize(count_st);
	count_st = NULL;
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

static void add(struct ks_issue *is, const char *section, const char *title, const char *quote)
{
	struct ks_item *it = ks_issue_add_item(is);
	FUZZ_ASSERT(it != NULL, "out of memory");
	it->section = section ? strdup(section) : NULL;
	it->title = strdup(title);
	it->quote = quote ? strdup(quote) : NULL;
	FUZZ_ASSERT(it->title != NULL, "out of memory");
}

/* Creates the tokenizer and a small index file in $TMPDIR (removed at
 * exit) the first time it is called; aborts when that fails. */
static void setup(void)
{
	if (store)
		return;
	struct ks_err err = {""};
	const char *dir = getenv("TMPDIR");
	int n = snprintf(db_path, sizeof db_path, "%s/ks-fuzz-query-%ld.db",
			 dir && *dir ? dir : "/tmp", (long)getpid());
	FUZZ_ASSERT(n > 0 && (size_t)n < sizeof db_path, "TMPDIR too long");
	unlink(db_path);
	tok = ks_tok_new();
	FUZZ_ASSERT(tok != NULL, "ks_tok_new failed");
	FUZZ_ASSERT(ks_store_open(db_path, KS_STORE_CREATE, &store, &err) == KS_OK, "%s", err.msg);
	atexit(remove_db);

	struct ks_batch b = {0};
	struct ks_issue *a = ks_batch_add_issue(&b);
	FUZZ_ASSERT(a != NULL, "out of memory");
	a->number = 59;
	a->date = strdup("2022-03-27");
	add(a, "攻撃、脅威", "攻撃者グループ LAPSUS$ が Microsoft、Okta などのデータをリーク。",
	    "This week, the actor made public claims. NEAR(a b) AND \"quoted\" OR NOT * ^ :");
	add(a, "攻撃、脅威", "ＱＮＡＰ 製 NAS を狙う Deadbolt ﾗﾝｻﾑｳｪｱの活動が再び活発に", NULL);
	FUZZ_ASSERT(!ks_item_add_link(&a->items[1], "https://www.bleepingcomputer.com/news/qnap", 42) &&
			!ks_item_add_link(&a->items[1], "https://example.com/a", 21),
		    "out of memory");
	add(a, "脆弱性", "Google が Chrome のゼロデイ脆弱性 (CVE-2022-0609) を修正",
	    "On February 10, Threat Analysis Group discovered ... C++ and C# code.");
	struct ks_issue *c = ks_batch_add_issue(&b);
	FUZZ_ASSERT(c != NULL, "out of memory");
	c->number = 60;
	add(c, "その他", "NISC がエモテットの感染拡大について注意喚起", "ランサムウェアによる攻撃");
	add(c, NULL, "Log4Shell (CVE-2021-44228) 悪用 ＡＮＤ ｏｒ 不正アクセス", "{a b} -x OR OR");
	FUZZ_ASSERT(ks_store_begin(store, &err) == KS_OK, "%s", err.msg);
	FUZZ_ASSERT(ks_store_put_source(store, "/fuzz/seed.jsonl", "0", &b, &err) == KS_OK, "%s",
		    err.msg);
	FUZZ_ASSERT(ks_store_commit(store, &err) == KS_OK, "%s", err.msg);
	ks_batch_clear(&b);
	int rc = sqlite3_prepare_v2(ks_store_db(store),
				    "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?1", -1,
				    &count_st, NULL);
	FUZZ_ASSERT(rc == SQLITE_OK, "%s", sqlite3_errmsg(ks_store_db(store)));
}

/* 1 when p starts with the operator word w followed by a delimiter. */
static int is_op(const char *p, const char *w)
{
	size_t n = strlen(w);
	return strncmp(p, w, n) == 0 && (p[n] == ' ' || p[n] == '(' || p[n] == '"' || !p[n]);
}

/* Returns NULL when e has the shape described at the top of this file,
 * else a short reason. */
static const char *fts_shape_error(const char *e)
{
	int depth = 0;
	if (!*e)
		return "empty expression";
	if (!fuzz_utf8_valid(e, strlen(e)))
		return "not valid UTF-8";
	for (const char *p = e; *p;) {
		if (*p == '"') {
			for (p++;; p++) {
				if (!*p)
					return "unterminated string";
				if (*p == '"' && p[1] == '"')
					p++;
				else if (*p == '"')
					break;
			}
			p++;
		} else if (*p == ' ' || *p == '*') {
			p++;
		} else if (*p == '(') {
			depth++;
			p++;
		} else if (*p == ')') {
			if (--depth < 0)
				return "unbalanced )";
			p++;
		} else if (is_op(p, "AND") || is_op(p, "NOT")) {
			p += 3;
		} else if (is_op(p, "OR")) {
			p += 2;
		} else {
			return "text outside a quoted string";
		}
	}
	return depth ? "unbalanced (" : NULL;
}

static void check_expr(const char *q, const char *what, const char *e)
{
	FUZZ_ASSERT(e != NULL && *e, "%s empty for query [%s]", what, q);
	const char *why = fts_shape_error(e);
	FUZZ_ASSERT(why == NULL, "%s: %s: [%s] for query [%s]", what, why, e, q);
	sqlite3_reset(count_st);
	sqlite3_bind_text(count_st, 1, e, -1, SQLITE_STATIC);
	int rc = sqlite3_step(count_st);
	FUZZ_ASSERT(rc == SQLITE_ROW, "MATCH %s failed: %s: [%s] for query [%s]", what,
		    sqlite3_errmsg(ks_store_db(store)), e, q);
	sqlite3_reset(count_st);
}

static int has_ascii_alnum(const char *s)
{
	for (; *s; s++)
		if ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z'))
			return 1;
	return 0;
}

/* Runs q through the whole search path as the API would. */
static void check_search(const char *q, const struct ks_query *tq)
{
	struct ks_search_params p;
	struct ks_err err = {""};
	struct ks_result *r = NULL;
	ks_search_params_init(&p);
	p.q = q;
	p.limit = 5;
	if (ks_search_params_check(&p, &err) != KS_OK)
		return; /* a 400 for the API: not a query */
	int rc = ks_search_run(store, &p, &r, &err);
	FUZZ_ASSERT(rc == KS_OK, "ks_search_run: %s (%s) for query [%s]", ks_rc_name(rc), err.msg,
		    q);
	const char *want = tq->kind == KS_Q_EXCLUDE ? tq->exclude : tq->match;
	FUZZ_ASSERT((want == NULL) == (r->fts == NULL) && (!want || !strcmp(want, r->fts)),
		    "r->fts [%s] differs from the translation [%s] of [%s]",
		    r->fts ? r->fts : "(null)", want ? want : "(null)", q);
	FUZZ_ASSERT(r->n_hits <= 5 && (long long)r->n_hits <= r->total, "%zu hits of %lld",
		    r->n_hits, r->total);
	for (size_t i = 0; i < r->n_hits; i++)
		FUZZ_ASSERT(r->hits[i].title, "hit %zu lacks text for query [%s]", i, q);
	json_t *j = ks_result_json(r);
	char *s = j ? json_dumps(j, 0) : NULL;
	FUZZ_ASSERT(s != NULL, "ks_result_json failed for query [%s]", q);
	free(s);
	json_decref(j);
	ks_result_free(r);
}

/* A site key: labels of [a-z0-9_-] or non-ASCII bytes joined by dots. */
static void check_site(const char *q, const char *k)
{
	size_t n = strlen(k);
	FUZZ_ASSERT(n > 0 && k[0] != '.' && k[n - 1] != '.' && !strstr(k, ".."),
		    "site key [%s] of [%s] has an empty label", k, q);
	for (const char *p = k; *p; p++) {
		unsigned char c = (unsigned char)*p;
		FUZZ_ASSERT((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
				c == '_' || c == '.' || c >= 0x80,
			    "site key [%s] of [%s] has byte %02x", k, q, c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	char *q = malloc(size + 1);
	FUZZ_ASSERT(q != NULL, "out of memory");
	memcpy(q, data, size);
	q[size] = 0;

	struct ks_query tq = {0};
	int rc = ks_query_translate(tok, q, &tq);
	FUZZ_ASSERT(rc == KS_OK, "ks_query_translate returned %s", ks_rc_name(rc));
	switch (tq.kind) {
	case KS_Q_ALL:
		FUZZ_ASSERT(!tq.match && !tq.exclude && tq.n_terms == 0, "ALL with an expression");
		FUZZ_ASSERT(!has_ascii_alnum(q) || tq.n_sites || tq.n_not_sites,
			    "ALL for a query with text [%s]", q);
		break;
	case KS_Q_NONE:
		FUZZ_ASSERT(!tq.match && !tq.exclude && tq.n_terms == 0, "NONE with an expression");
		break;
	case KS_Q_MATCH:
		FUZZ_ASSERT(tq.n_terms > 0, "MATCH without terms for [%s]", q);
		check_expr(q, "match", tq.match);
		if (tq.exclude)
			check_expr(q, "exclude", tq.exclude);
		break;
	case KS_Q_EXCLUDE:
		FUZZ_ASSERT(!tq.match && tq.n_terms == 0, "EXCLUDE with positive terms [%s]", q);
		check_expr(q, "exclude", tq.exclude);
		break;
	default:
		FUZZ_ASSERT(0, "unknown kind %d", (int)tq.kind);
	}
	for (size_t i = 0; i < tq.n_sites + tq.n_not_sites; i++)
		check_site(q, i < tq.n_sites ? tq.sites[i] : tq.not_sites[i - tq.n_sites]);
	check_search(q, &tq);
	ks_query_clear(&tq);
	free(q);
	return 0;
}
