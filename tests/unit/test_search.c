/* test_search.c - store and search on a real index file: totals, facets,
 * filters, sorting, paging, highlights, lookups, versions, bad files. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "scan.h"
#include "harness.h"
#include "kensaku/html.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

static char path[64];

static void add_item(struct ks_issue *is, const char *section, const char *title, const char *quote)
{
	struct ks_item *it = ks_issue_add_item(is);
	it->section = section ? strdup(section) : NULL;
	it->title = strdup(title);
	it->quote = quote ? strdup(quote) : NULL;
}

/* Three issues over two years; 7 items. */
static struct ks_store *fixture(void)
{
	snprintf(path, sizeof path, "/tmp/ks-search-%d.db", (int)getpid());
	unlink(path);
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_OK);
	struct ks_batch b = {0};
	struct ks_issue *a = ks_batch_add_issue(&b);
	a->number = 10;
	a->date = strdup("2021-12-12");
	add_item(a, "脆弱性", "Log4Shell ランサムウェア", "Apache Log4j の脆弱性");
	add_item(a, "攻撃、脅威", "Conti ランサムウェアの活動",
		 "The group <script>alert(1)</script> & co used ransomware.");
	struct ks_issue *c = ks_batch_add_issue(&b);
	c->number = 11;
	c->date = strdup("2022-01-09");
	add_item(c, "脆弱性", "Chrome のゼロデイ脆弱性", NULL);
	add_item(c, "事件、事故", "不正アクセスによる情報漏えい", "ランサムウェアではない");
	add_item(c, "その他", "セキュリティ白書", NULL);
	struct ks_issue *d = ks_batch_add_issue(&b);
	d->number = 12;
	add_item(d, "攻撃、脅威", "ランサムウェア LockBit", NULL);
	add_item(d, "攻撃、脅威", "Emotet の再来", NULL);
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_put_source(s, "/src/a.txt", "h1", &b, &err) == KS_OK);
	CHECK(ks_store_commit(s, &err) == KS_OK);
	ks_batch_clear(&b);
	return s;
}

static void cleanup(struct ks_store *s)
{
	ks_store_close(s);
	char side[80];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static struct ks_result *run(struct ks_store *s, struct ks_search_params *p)
{
	struct ks_err err = {""};
	struct ks_result *r = NULL;
	CHECK(ks_search_params_check(p, &err) == KS_OK);
	CHECK(ks_search_run(s, p, &r, &err) == KS_OK);
	if (!r)
		fprintf(stderr, "search failed: %s\n", err.msg);
	return r;
}

static long long facet(const struct ks_facet *f, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].key, key))
			return f[i].count;
	return 0;
}

static void test_totals_facets(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.q = "ランサムウェア";
	struct ks_result *r = run(s, &p);
	CHECK(r && r->total == 4);
	CHECK(r && facet(r->sections, r->n_sections, "攻撃、脅威") == 2);
	CHECK(r && facet(r->sections, r->n_sections, "脆弱性") == 1);
	CHECK(r && facet(r->years, r->n_years, "2021") == 2);
	CHECK(r && facet(r->years, r->n_years, "2022") == 1);
	/* title matches rank above quote matches */
	CHECK(r && r->n_hits == 4 && strcmp(r->hits[3].id, "11-2") == 0);
	ks_result_free(r);

	/* the section filter narrows total and years, not the section facet */
	p.section = "攻撃、脅威";
	r = run(s, &p);
	CHECK(r && r->total == 2 && r->n_hits == 2);
	CHECK(r && facet(r->sections, r->n_sections, "脆弱性") == 1);
	CHECK(r && facet(r->years, r->n_years, "2021") == 1);
	ks_result_free(r);

	p.section = NULL;
	p.from = "2022-01-01";
	r = run(s, &p);
	CHECK(r && r->total == 1 && r->n_hits == 1 && !strcmp(r->hits[0].id, "11-2"));
	ks_result_free(r);
	p.from = NULL;
	p.to = "2021-12-31";
	r = run(s, &p);
	CHECK(r && r->total == 2);
	ks_result_free(r);
	cleanup(s);
}

static void test_sort_paging(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.q = "";
	p.sort = KS_SORT_NEWEST;
	struct ks_result *r = run(s, &p);
	CHECK(r && r->total == 7 && r->n_hits == 7);
	/* dated first, newest first; the undated issue last */
	CHECK(r && !strcmp(r->hits[0].id, "11-1") && !strcmp(r->hits[6].id, "12-2"));
	ks_result_free(r);
	p.sort = KS_SORT_OLDEST;
	r = run(s, &p);
	/* oldest date first; ties within one issue come in reverse position (rowid.h) */
	CHECK(r && !strcmp(r->hits[0].id, "10-2") && !strcmp(r->hits[1].id, "10-1"));
	CHECK(r && !strcmp(r->hits[4].id, "11-1") && !strcmp(r->hits[5].id, "12-2"));
	ks_result_free(r);
	p.limit = 2;
	p.offset = 2;
	r = run(s, &p);
	CHECK(r && r->total == 7 && r->n_hits == 2 && !strcmp(r->hits[0].id, "11-3"));
	ks_result_free(r);
	p.offset = 7;
	r = run(s, &p);
	CHECK(r && r->total == 7 && r->n_hits == 0);
	ks_result_free(r);
	cleanup(s);
}

static void test_highlight_escape(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.q = "ransomware script";
	struct ks_result *r = run(s, &p);
	CHECK(r && r->n_hits == 1);
	if (r && r->n_hits) {
		char *h = ks_hit_snippet_html(&r->hits[0]);
		CHECK(h && strstr(h, "<script>") == NULL);
		CHECK(
		    strstr(h, "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;") !=
		    NULL);
		CHECK(strstr(h, "&amp; co used <mark>ransomware</mark>.") != NULL);
		free(h);
		CHECK(!strcmp(r->hits[0].quote,
			      "The group <script>alert(1)</script> & co used ransomware."));
	}
	ks_result_free(r);
	/* exclusions and no-token queries */
	p.q = "ランサムウェア -lockbit -conti";
	r = run(s, &p);
	CHECK(r && r->total == 2);
	ks_result_free(r);
	p.q = "-ランサムウェア";
	r = run(s, &p);
	CHECK(r && r->total == 3);
	ks_result_free(r);
	p.q = "*";
	r = run(s, &p);
	CHECK(r && r->total == 0);
	ks_result_free(r);
	cleanup(s);
}

/* Expansion: the spellings of one term are one BM25 term. The rare
 * spelling (English "ransomware", in one quote) must not outrank items with
 * the common one in the title (per-spelling IDF would let it). */
static void test_expansion_ranking(void)
{
	snprintf(path, sizeof path, "/tmp/ks-search-%d.db", (int)getpid());
	unlink(path);
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_OK);
	if (!s)
		return;
	struct ks_batch b = {0};
	struct ks_issue *a = ks_batch_add_issue(&b);
	a->number = 1;
	a->date = strdup("2022-01-01");
	for (int i = 0; i < 12; i++)
		add_item(a, "攻撃、脅威", "ランサムウェアの被害", "被害が広がった。");
	add_item(a, "攻撃、脅威", "別の話題", "A note that mentions ransomware once.");
	for (int i = 0; i < 20; i++)
		add_item(a, "その他", "無関係な記事", "nothing here");
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_put_source(s, "/src/r.txt", "h", &b, &err) == KS_OK);
	CHECK(ks_store_commit(s, &err) == KS_OK);
	ks_batch_clear(&b);
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.q = "ランサムウェア";
	p.expand = 1;
	struct ks_result *r = run(s, &p);
	CHECK(r && r->total == 13 && r->n_expanded == 1);
	if (r && r->n_hits == 13) {
		for (int i = 0; i < 12; i++)
			CHECK(!strcmp(r->hits[i].title, "ランサムウェアの被害"));
		CHECK(!strcmp(r->hits[12].title, "別の話題"));
	}
	ks_result_free(r);
	/* two different terms still weigh by their own rarity */
	p.q = "被害 ransomware";
	p.expand = 0;
	r = run(s, &p);
	CHECK(r && r->total == 0);
	ks_result_free(r);
	cleanup(s);
}

static void test_html_window(void)
{
	char text[2048] = "";
	size_t at = 0;
	for (int i = 0; i < 100; i++)
		at += (size_t)snprintf(text + at, sizeof text - at, "あ");
	at += (size_t)snprintf(text + at, sizeof text - at, "<b>");
	for (int i = 0; i < 100; i++)
		at += (size_t)snprintf(text + at, sizeof text - at, "い");
	int marks[] = {300, 303};
	char *h = ks_html_mark(text, (int)at, marks, 1, 50);
	CHECK(h != NULL);
	/* 50 characters: 10 before the mark, then the mark and 39 more */
	const char *m = h ? strstr(h, "<mark>&lt;b&gt;</mark>") : NULL;
	CHECK(m != NULL);
	CHECK(h && strncmp(h, "…", strlen("…")) == 0);
	int chars = 0;
	for (const char *p = h; p && *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	/* 50 text characters + 2 ellipses + tag/entity characters */
	CHECK(chars == 50 + 2 + (int)strlen("<mark>&lt;b&gt;</mark>") - 3);
	free(h);
	h = ks_html_mark("a&b", 3, NULL, 0, 0);
	CHECK_STR(h, "a&amp;b");
	free(h);
}

static void test_lookups(void)
{
	struct ks_store *s = fixture();
	struct ks_err err = {""};
	struct ks_hit *h = NULL;
	CHECK(ks_item_get(s, "11-2", &h, &err) == KS_OK);
	CHECK(h && !strcmp(h->title, "不正アクセスによる情報漏えい") &&
	      !strcmp(h->date, "2022-01-09"));
	ks_hit_free(h);
	h = NULL;
	CHECK(ks_item_get(s, "11-9", &h, &err) == KS_ERR_NOTFOUND);
	CHECK(ks_item_get(s, "11-", &h, &err) == KS_ERR_NOTFOUND);
	CHECK(ks_item_get(s, "../etc", &h, &err) == KS_ERR_NOTFOUND);
	CHECK(ks_item_get(s, "1-1 OR 1=1", &h, &err) == KS_ERR_NOTFOUND);
	struct ks_issue_result *is = NULL;
	CHECK(ks_issue_get(s, 11, &is, &err) == KS_OK);
	CHECK(is && is->n_items == 3 && is->n_sections == 3 && !is->truncated);
	json_t *j = is ? ks_issue_json(is) : NULL;
	CHECK(j && json_array_size(json_object_get(j, "items")) == 3);
	CHECK(j && json_array_size(json_object_get(j, "sections")) == 3);
	CHECK(j && !strcmp(json_string_value(json_object_get(j, "date")), "2022-01-09"));
	json_decref(j);
	ks_issue_result_free(is);
	is = NULL;
	CHECK(ks_issue_get(s, 99, &is, &err) == KS_ERR_NOTFOUND && !is);
	cleanup(s);
}

static void test_replace_forget(void)
{
	struct ks_store *s = fixture();
	struct ks_err err = {""};
	struct ks_batch b = {0};
	struct ks_issue *is = ks_batch_add_issue(&b);
	is->number = 11;
	add_item(is, "その他", "置き換えた号", NULL);
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_put_source(s, "/src/b.txt", "h2", &b, &err) == KS_OK);
	CHECK(strstr(err.msg, "issue 11") != NULL); /* warns about the takeover */
	CHECK(ks_store_commit(s, &err) == KS_OK);
	ks_batch_clear(&b);
	struct ks_store_stats st;
	CHECK(ks_store_stats(s, &st, &err) == KS_OK);
	CHECK(st.items == 5 && st.issues == 3 && st.sources == 2);
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_forget_source(s, "/src/a.txt", &err) == KS_OK);
	CHECK(ks_store_commit(s, &err) == KS_OK);
	CHECK(ks_store_stats(s, &st, &err) == KS_OK);
	CHECK(st.items == 1 && st.issues == 1 && st.sources == 1);
	CHECK(ks_store_integrity(s, &err) == KS_OK);
	char hash[65];
	int found = 0;
	CHECK(ks_store_source_hash(s, "/src/b.txt", hash, &found, &err) == KS_OK);
	CHECK(found && !strcmp(hash, "h2"));
	cleanup(s);
}

static void test_versions_and_bad_files(void)
{
	struct ks_store *s = fixture();
	struct ks_err err = {""};
	CHECK(ks_store_check_version(s, &err) == KS_OK);
	CHECK(ks_store_meta_set(s, "tokenizer", "kensaku-bigram-0", &err) == KS_OK);
	CHECK(ks_store_check_version(s, &err) == KS_ERR_VERSION);
	CHECK(strstr(err.msg, "reindex") != NULL);
	ks_store_close(s);
	s = NULL;
	/* read-only open of a missing file fails clearly */
	CHECK(ks_store_open("/tmp/ks-no-such-index.db", KS_STORE_READONLY, &s, &err) == KS_ERR_IO);
	/* a text file is not an index */
	FILE *f = fopen(path, "wb");
	fputs("this is not a database, just text that is long enough to look like a header...", f);
	fclose(f);
	char side[80];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	CHECK(ks_store_open(path, KS_STORE_READONLY, &s, &err) == KS_ERR_CORRUPT);
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_ERR_CORRUPT);
	unlink(path);
}

/* Date sorts score their page in one pass: each hit gets its own row's
 * score (a title match outweighs a quote-only one). */
static void test_date_sort_scores(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.q = "ランサムウェア";
	for (int sort = KS_SORT_NEWEST; sort <= KS_SORT_OLDEST; sort++) {
		p.sort = (enum ks_sort)sort;
		struct ks_result *r = run(s, &p);
		CHECK(r && r->n_hits == 4);
		double title = 0, quote = 0;
		for (size_t i = 0; r && i < r->n_hits; i++) {
			CHECK(r->hits[i].score > 0);
			if (!strcmp(r->hits[i].id, "10-2"))
				title = r->hits[i].score;
			if (!strcmp(r->hits[i].id, "11-2"))
				quote = r->hits[i].score;
		}
		CHECK(title > quote && quote > 0);
		ks_result_free(r);
	}
	cleanup(s);
}

/* The bounds of the query language reach the result as notices. */
static void test_notices(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.q = "ランサムウェア";
	struct ks_result *r = run(s, &p);
	CHECK(r && r->n_notices == 0);
	json_t *j = r ? ks_result_json(r) : NULL;
	CHECK(j && !json_object_get(j, "notices"));
	json_decref(j);
	ks_result_free(r);
	p.q = "l* OR ランサムウェア";
	r = run(s, &p);
	CHECK(r && r->total == 4 && r->n_notices == 1);
	j = r ? ks_result_json(r) : NULL;
	json_t *n = json_array_get(json_object_get(j, "notices"), 0);
	CHECK(n && !strcmp(json_string_value(json_object_get(n, "code")), "prefix_short"));
	CHECK(n && !strcmp(json_string_value(json_object_get(n, "term")), "l*"));
	CHECK(n && !strcmp(json_string_value(json_object_get(n, "searched")), "l"));
	json_decref(j);
	ks_result_free(r);
	cleanup(s);
}

/* 1 when ks_result_body_join of r's parts with ms is exactly the bytes of
 * ks_result_json(r) with r->took_ms = ms. */
static int parts_join_as_body(struct ks_result *r, double ms)
{
	char *head = NULL, *tail = NULL, *joined = NULL, *body = NULL;
	size_t len = 0;
	int ok = ks_result_body_parts(r, &head, &tail) == 0;
	if (ok)
		joined = ks_result_body_join(head, strlen(head), ms, tail, strlen(tail), &len);
	r->took_ms = ms;
	json_t *j = ks_result_json(r);
	body = ks_json_body(j);
	ok = ok && joined && body && len == strlen(body) && !strcmp(joined, body);
	json_decref(j);
	free(head);
	free(tail);
	free(joined);
	free(body);
	return ok;
}

/* A cached body is its parts around took_ms joined with the reader's time:
 * the bytes a fresh search gives, whatever the time, the notices, fts and
 * quotes in the query (the cache used to find took_ms in the bytes). */
static void test_body_parts(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	ks_search_params_init(&p);
	const char *qs[] = {"ランサムウェア", "\"took_ms\":1", "l* OR ransomware", ""};
	const double ms[] = {0.0, 0.0004, 0.25, 3.0, 12.34567, 1e-9, 123456.789};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		p.q = qs[i];
		p.explain = (int)(i % 2);
		struct ks_result *r = run(s, &p);
		CHECK(r != NULL);
		for (size_t k = 0; r && k < sizeof ms / sizeof ms[0]; k++)
			CHECK(parts_join_as_body(r, ms[k]));
		ks_result_free(r);
	}
	cleanup(s);
}

#define LONG_ITEMS 100

/* LONG_ITEMS items whose text takes long to highlight (long quotes) but
 * whose MATCH is quick (one rare word in each title), each tagged with
 * the entity Microsoft. */
static struct ks_store *long_fixture(void)
{
	snprintf(path, sizeof path, "/tmp/ks-search-%d.db", (int)getpid());
	unlink(path);
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_OK);
	size_t n = 16000;
	char *quote = malloc(n + 1);
	for (size_t i = 0; quote && i < n; i++)
		quote[i] = (i % 8 == 7) ? ' ' : (char)('a' + (i * 7 + i / 8) % 26);
	if (quote)
		quote[n] = 0;
	struct ks_batch b = {0};
	struct ks_issue *is = ks_batch_add_issue(&b);
	is->number = 1;
	is->date = strdup("2022-03-27");
	for (int i = 0; i < LONG_ITEMS && quote; i++)
		add_item(is, "その他", "zqxjv Microsoft ランサムウェア", quote);
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_put_source(s, "/src/long.txt", "h1", &b, &err) == KS_OK);
	CHECK(ks_store_commit(s, &err) == KS_OK);
	ks_batch_clear(&b);
	free(quote);
	return s;
}

/* The deadline covers shaping: reading and highlighting 100 long hits
 * takes far longer than 5 ms even where the MATCH itself takes less, and
 * the call ends with KS_ERR_TIMEOUT instead of running on. (A slower
 * machine only makes the timeout more certain.) */
static void test_deadline_covers_shaping(void)
{
	struct ks_store *s = long_fixture();
	struct ks_search_params p;
	struct ks_err err = {""};
	struct ks_result *r = NULL;
	ks_search_params_init(&p);
	p.q = "zqxjv";
	p.limit = 100;
	p.sort = KS_SORT_NEWEST;
	r = run(s, &p); /* no deadline: every hit, highlighted */
	char *h = r && r->n_hits == 100 ? ks_hit_title_html(&r->hits[99]) : NULL;
	CHECK(h && strstr(h, "<mark>zqxjv</mark>"));
	free(h);
	ks_result_free(r);
	r = NULL;
	p.deadline_ms = 5;
	p.limit = 30;
	CHECK(ks_search_run(s, &p, &r, &err) == KS_ERR_TIMEOUT);
	CHECK(r == NULL && strstr(err.msg, "took too long"));
	/* the store is usable afterwards, with no deadline left armed */
	p.deadline_ms = 0;
	p.limit = 1;
	r = run(s, &p);
	CHECK(r && r->n_hits == 1);
	ks_result_free(r);
	cleanup(s);
}

/* The walk over matching rowids (indexer/search/scan.h, private to the library,
 * hence the relative include) keeps to the request's deadline even where
 * no SQL runs between two rows, and counts what its callback does per row
 * toward it. */
static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A callback whose first row outlasts the deadline (it works until the
 * clock is past it: a wait on an event, not a timing assertion). */
struct slow {
	struct timespec t0;
	int ms, calls;
};

static int slow_row(void *ctx, sqlite3_int64 rowid, double score)
{
	struct slow *w = ctx;
	(void)rowid, (void)score;
	if (w->calls++ == 0)
		while (ms_since(&w->t0) <= w->ms + 1)
			;
	return 0;
}

/* Walks q (entity Microsoft, long_fixture) with a deadline that the first row's work
 * outlasts; returns the walk's code and the rows handed out in *calls. */
static int walk_past_deadline(struct ks_store *s, const char *q, int *calls)
{
	struct ks_search_params p;
	struct ks_scan sc;
	struct ks_err err = {""};
	struct slow w = {{0, 0}, 0, 0};
	int rc = KS_ERR_TIMEOUT;
	ks_search_params_init(&p);
	p.q = q;
	p.entity = "Microsoft";
	/* the set-up must finish within the deadline: a busy machine gets a
	 * longer one */
	for (int ms = 50; ms <= 50000 && rc == KS_ERR_TIMEOUT; ms *= 10) {
		p.deadline_ms = w.ms = ms;
		clock_gettime(CLOCK_MONOTONIC, &w.t0);
		rc = ks_scan_init(s, &p, &sc, &err);
		if (rc == KS_OK)
			rc = ks_scan_walk(s, &sc, 0, INT64_MAX, KS_SCAN_DESC, KS_SCORE_NONE,
					  slow_row, &w, &err);
		else
			CHECK(rc == KS_ERR_TIMEOUT);
		ks_scan_clear(s, &sc);
		if (rc == KS_ERR_TIMEOUT && w.calls == 0)
			continue; /* timed out before the first row: again, longer */
		break;
	}
	CHECK(rc != KS_ERR_TIMEOUT || strstr(err.msg, "took too long"));
	*calls = w.calls;
	return rc;
}

/* Browsing with an entity filter walks a set in C: no statement runs, so
 * only the walk's own look at the clock can stop it. A MATCH walk stops
 * too, whether SQLite's progress handler or the walk sees it first. */
static void test_walk_deadline(void)
{
	struct ks_store *s = long_fixture();
	const char *qs[] = {"", "zqxjv"};
	for (size_t i = 0; i < 2; i++) {
		int calls = 0;
		CHECK(walk_past_deadline(s, qs[i], &calls) == KS_ERR_TIMEOUT);
		CHECK(calls >= 1 && calls < LONG_ITEMS);
	}
	cleanup(s);
}

/* Without a deadline every row is walked. */
static void test_no_deadline(void)
{
	struct ks_store *s = long_fixture();
	struct ks_search_params p;
	struct ks_scan sc;
	struct ks_err err = {""};
	struct slow w = {{0, 0}, 0, 0};
	ks_search_params_init(&p);
	p.entity = "Microsoft";
	clock_gettime(CLOCK_MONOTONIC, &w.t0);
	CHECK(ks_scan_init(s, &p, &sc, &err) == KS_OK);
	CHECK(ks_scan_walk(s, &sc, 0, INT64_MAX, KS_SCAN_ASC, KS_SCORE_NONE, slow_row, &w, &err) ==
	      KS_OK);
	CHECK(w.calls == LONG_ITEMS);
	ks_scan_clear(s, &sc);
	cleanup(s);
}

static void test_deadline_clock(void)
{
	struct ks_deadline d;
	ks_deadline_start(&d, 0);
	CHECK(!ks_deadline_passed(NULL, &d)); /* none */
	ks_deadline_start(&d, 1000 * 1000 * 1000);
	CHECK(!ks_deadline_passed(NULL, &d));
	ks_deadline_start(&d, 1);
	while (!ks_deadline_passed(NULL, &d))
		; /* passes within a millisecond or so */
	CHECK(ks_deadline_passed(NULL, &d));
}

static void test_params(void)
{
	struct ks_search_params p;
	struct ks_err err = {""};
	ks_search_params_init(&p);
	CHECK(ks_search_params_check(&p, &err) == KS_OK);
	p.limit = 0;
	CHECK(ks_search_params_check(&p, &err) == KS_ERR_ARG && strstr(err.msg, "limit"));
	p.limit = 101;
	CHECK(ks_search_params_check(&p, &err) == KS_ERR_ARG);
	p.limit = 100;
	p.offset = -1;
	CHECK(ks_search_params_check(&p, &err) == KS_ERR_ARG);
	p.offset = 0;
	p.from = "2022-02-30";
	CHECK(ks_search_params_check(&p, &err) == KS_ERR_ARG && strstr(err.msg, "from"));
	/* the one date rule (date.h): years KS_DATE_YEAR_MIN..KS_DATE_YEAR_MAX */
	p.from = "0999-01-01";
	CHECK(ks_search_params_check(&p, &err) == KS_ERR_ARG && strstr(err.msg, "from"));
	p.from = "1000-01-01";
	CHECK(ks_search_params_check(&p, &err) == KS_OK);
	p.from = NULL;
	p.to = "0999-12-31";
	CHECK(ks_search_params_check(&p, &err) == KS_ERR_ARG && strstr(err.msg, "to"));
	p.to = NULL;
	p.from = "2024-02-29";
	CHECK(ks_search_params_check(&p, &err) == KS_OK);
	p.to = "2024-01-01";
	CHECK(ks_search_params_check(&p, &err) == KS_ERR_ARG);
	p.to = NULL;
	p.q = "ab\xc3";
	CHECK(ks_search_params_check(&p, &err) == KS_ERR_ARG && strstr(err.msg, "UTF-8"));
	char big[KS_QUERY_MAX_BYTES + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	p.q = big;
	CHECK(ks_search_params_check(&p, &err) == KS_ERR_ARG);
	enum ks_sort so;
	CHECK(ks_sort_parse("newest", &so) == KS_OK && so == KS_SORT_NEWEST);
	CHECK(ks_sort_parse("random", &so) == KS_ERR_ARG);
}

/* Adds issue 20 (2022-05-01) to s: items linking to sites, and to hosts
 * that only look like them. */
static void put_linked(struct ks_store *s)
{
	static const char *const v[][3] = {
	    {"Ransomware news A", "https://www.bleepingcomputer.com/a", "https://example.com/x"},
	    {"Ransomware news B", "https://bleepingcomputer.com.evil.net/b", NULL},
	    {"Other C", "https://news.Example.com/c", NULL},
	    {"Ransomware D", "https://notbleepingcomputer.com/d", NULL}};
	struct ks_batch b = {0};
	struct ks_err err = {""};
	struct ks_issue *is = ks_batch_add_issue(&b);
	is->number = 20;
	is->date = strdup("2022-05-01");
	for (size_t i = 0; i < 4; i++) {
		add_item(is, i == 2 ? "脆弱性" : "その他", v[i][0], NULL);
		for (size_t k = 1; k < 3 && v[i][k]; k++)
			CHECK(ks_item_add_link(&is->items[i], v[i][k], strlen(v[i][k])) == 0);
	}
	CHECK(ks_batch_enforce_limits(&b, "links.txt") == 0);
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_put_source(s, "/src/links.txt", "h2", &b, &err) == KS_OK);
	CHECK(ks_store_commit(s, &err) == KS_OK);
	ks_batch_clear(&b);
}

/* The total of q with p's other fields as they are. */
static long long total_of(struct ks_store *s, struct ks_search_params *p, const char *q)
{
	p->q = q;
	struct ks_result *r = run(s, p);
	long long t = r ? r->total : -1;
	ks_result_free(r);
	return t;
}

/* site: keeps the items linking to that host or a subdomain (any of
 * several), -site: leaves them out; totals and facets count the filtered
 * items; hits and items carry every link, url first. */
static void test_site_filter(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	struct ks_err err = {""};
	put_linked(s);
	ks_search_params_init(&p);
	p.q = "site:bleepingcomputer.com";
	struct ks_result *r = run(s, &p);
	CHECK(r && r->total == 1 && r->n_hits == 1);
	if (r && r->n_hits == 1) {
		CHECK_STR(r->hits[0].id, "20-1");
		CHECK(r->hits[0].n_links == 2);
		CHECK_STR(r->hits[0].url, "https://www.bleepingcomputer.com/a");
		if (r->hits[0].n_links == 2) {
			CHECK_STR(r->hits[0].links[0], "https://www.bleepingcomputer.com/a");
			CHECK_STR(r->hits[0].links[1], "https://example.com/x");
		}
	}
	ks_result_free(r);
	p.q = "site:EXAMPLE.com";
	r = run(s, &p);
	CHECK(r && r->total == 2 && facet(r->years, r->n_years, "2022") == 2);
	CHECK(r && facet(r->sections, r->n_sections, "脆弱性") == 1);
	ks_result_free(r);
	CHECK(total_of(s, &p, "Ransomware site:example.com") == 1);
	CHECK(total_of(s, &p, "site:bleepingcomputer.com OR site:evil.net") == 2);
	CHECK(total_of(s, &p, "site:bleepingcomputer.com site:evil.net") == 2);
	CHECK(total_of(s, &p, "site:bleepingcomputer.com.") == 1);
	CHECK(total_of(s, &p, "site:https://www.bleepingcomputer.com/x") == 1);
	CHECK(total_of(s, &p, "site:nosuch.example") == 0);
	long long all = total_of(s, &p, "Ransomware"), every = total_of(s, &p, "");
	CHECK(all == 4 && every == 11); /* 10-2 says ransomware too */
	CHECK(total_of(s, &p, "Ransomware -site:bleepingcomputer.com") == all - 1);
	CHECK(total_of(s, &p, "-site:example.com") == every - 2);
	CHECK(total_of(s, &p, "site:example.com -site:bleepingcomputer.com") == 1);
	/* not host names: literal text, never an error */
	CHECK(total_of(s, &p, "site:") >= 0 && total_of(s, &p, "site:::") >= 0);
	CHECK(total_of(s, &p, "site:\"x\"") >= 0 && total_of(s, &p, "-site:") >= 0);
	/* with the other filters, and sorted by date */
	r = run(s, &(struct ks_search_params){.q = "site:example.com", .limit = 20,
					      .section = "脆弱性"});
	CHECK(r && r->total == 1 && facet(r->sections, r->n_sections, "その他") == 1);
	ks_result_free(r);
	p.sort = KS_SORT_NEWEST;
	CHECK(total_of(s, &p, "site:example.com") == 2);
	p.from = "2022-06-01";
	CHECK(total_of(s, &p, "site:example.com") == 0);
	/* the filters that ran, for explain: as hosts */
	r = run(s, &(struct ks_search_params){.q = "site:WWW.X.example. -site:y.example", .limit = 20});
	CHECK(r && r->n_sites == 2);
	if (r && r->n_sites == 2) {
		CHECK_STR(r->sites[0], "www.x.example");
		CHECK_STR(r->sites[1], "-y.example");
	}
	ks_result_free(r);
	struct ks_hit *h = NULL;
	CHECK(ks_item_get(s, "20-3", &h, &err) == KS_OK && h && h->n_links == 1);
	ks_hit_free(h);
	h = NULL;
	CHECK(ks_item_get(s, "10-1", &h, &err) == KS_OK && h && h->n_links == 0 && !h->links);
	ks_hit_free(h);
	cleanup(s);
}

TEST_MAIN(TEST(test_site_filter), TEST(test_totals_facets), TEST(test_sort_paging), TEST(test_highlight_escape),
	  TEST(test_expansion_ranking), TEST(test_html_window), TEST(test_lookups),
	  TEST(test_replace_forget), TEST(test_versions_and_bad_files), TEST(test_params),
	  TEST(test_date_sort_scores), TEST(test_notices), TEST(test_body_parts),
	  TEST(test_deadline_covers_shaping), TEST(test_walk_deadline), TEST(test_no_deadline),
	  TEST(test_deadline_clock))
