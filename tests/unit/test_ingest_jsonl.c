/* test_ingest_jsonl.c - the JSON Lines parser, format detection and
 * dispatch, the batch helpers of item.c and the bundled JSONL sample. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kensaku/buf.h"
#include "kensaku/ingest.h"

#define DATA_DIR KS_SOURCE_DIR "/tests/data/ingest"

static int parse(const char *name, const char *text, struct ks_batch *b, struct ks_err *e)
{
	memset(b, 0, sizeof *b);
	e->msg[0] = 0;
	return ks_ingest_jsonl(name, text, strlen(text), b, e);
}

/* Parses a file of tests/data/ingest or sample/ through the dispatcher. */
static int parse_file(const char *path, const char *name, struct ks_batch *b, struct ks_err *e)
{
	size_t len = 0;
	char *data = h_slurp(path, &len);
	CHECK(data != NULL);
	if (!data)
		return -1;
	memset(b, 0, sizeof *b);
	e->msg[0] = 0;
	int rc = ks_ingest_parse(name, data, len, KS_FMT_AUTO, b, e);
	free(data);
	return rc;
}

static void prefill(struct ks_batch *b)
{
	memset(b, 0, sizeof *b);
	struct ks_issue *is = ks_batch_add_issue(b);
	is->number = 7;
	struct ks_item *it = ks_issue_add_item(is);
	it->title = strdup("sentinel");
}

/* Expects a parse failure whose message starts with want, out untouched. */
static void expect_error(const char *text, const char *want)
{
	struct ks_batch b;
	struct ks_err e = {{0}};
	prefill(&b);
	int rc = ks_ingest_jsonl("a.jsonl", text, strlen(text), &b, &e);
	CHECK(rc == KS_ERR_PARSE);
	if (strncmp(e.msg, want, strlen(want)) != 0) {
		fprintf(stderr, "  input: %s  message: %s\n  want prefix: %s\n", text, e.msg, want);
		CHECK(!"error message prefix");
	}
	CHECK(b.n_issues == 1 && b.issues[0].n_items == 1);
	CHECK_STR(b.issues[0].items[0].title, "sentinel");
	ks_batch_clear(&b);
}

static void test_one_item_per_line(void)
{
	struct ks_batch b;
	struct ks_err e;
	int rc = parse("a.jsonl",
		       "{\"issue\": 59, \"date\": \"2022-03-27\", \"section\": \"脆弱性\", "
		       "\"title\": \"HP のプリンタに脆弱性\", \"quote\": \"Certain HP products.\", "
		       "\"url\": \"https://example.org/hp\"}\r\n"
		       "\r\n"
		       "   \n"
		       "{\"issue\": 59, \"title\": \"Google が Chrome を修正\", \"x\": [1, 2]}\n"
		       "{\"issue\": 59, \"title\": \"NISC が注意喚起\", \"section\": \"その他\", "
		       "\"quote\": [\"一つ目です。\", \"二つ目です。\"]}",
		       &b, &e);
	CHECK(rc == KS_OK);
	if (rc != KS_OK) {
		fprintf(stderr, "  %s\n", e.msg);
		return;
	}
	CHECK(b.n_issues == 1);
	struct ks_issue *is = &b.issues[0];
	CHECK(is->number == 59);
	CHECK_STR(is->date, "2022-03-27");
	CHECK(is->title == NULL);
	CHECK(is->n_items == 3);
	if (is->n_items == 3) {
		CHECK(is->items[0].position == 1 && is->items[2].position == 3);
		CHECK_STR(is->items[0].section, "脆弱性");
		CHECK_STR(is->items[0].quote, "Certain HP products.");
		CHECK_STR(is->items[0].url, "https://example.org/hp");
		CHECK(is->items[1].section == NULL && is->items[1].quote == NULL &&
		      is->items[1].url == NULL);
		CHECK_STR(is->items[2].quote, "一つ目です。\n二つ目です。");
	}
	ks_batch_clear(&b);
}

static void test_mixed_shapes_and_order(void)
{
	struct ks_batch b;
	struct ks_err e;
	int rc = parse_file(DATA_DIR "/mixed.jsonl", "mixed.jsonl", &b, &e);
	CHECK(rc == KS_OK);
	if (rc != KS_OK) {
		fprintf(stderr, "  %s\n", e.msg);
		return;
	}
	CHECK(b.n_issues == 2);
	struct ks_issue *i59 = ks_batch_find_issue(&b, 59), *i60 = ks_batch_find_issue(&b, 60);
	CHECK(i59 != NULL && i60 != NULL);
	CHECK(ks_batch_find_issue(&b, 61) == NULL);
	if (!i59 || !i60)
		return;
	CHECK(b.issues[0].number == 59); /* first-seen order of issues too */
	CHECK(i59->n_items == 2);
	CHECK_STR(i59->items[0].quote, "First paragraph.\nSecond paragraph.");
	CHECK_STR(i59->items[1].title, "Chrome のゼロデイ脆弱性 (CVE-2022-0609)");
	CHECK(i59->items[1].position == 2);
	CHECK_STR(i60->title, "テスト用ニュースレター - Issue #60");
	CHECK_STR(i60->date, "2022-04-03");
	CHECK(i60->n_items == 3);
	if (i60->n_items == 3) {
		CHECK_STR(i60->items[0].section, "脆弱性");
		CHECK_STR(i60->items[0].quote, "Fixed in 5.3.18.");
		CHECK(i60->items[1].section == NULL && i60->items[1].quote == NULL);
		CHECK_STR(i60->items[2].title, "三つ目の項目");
		CHECK(i60->items[2].quote == NULL); /* an empty array is no quote */
		CHECK(i60->items[2].position == 3);
	}
	CHECK(ks_batch_count_items(&b) == 5);
	ks_batch_clear(&b);
}

static void test_bad_lines(void)
{
	expect_error("{\"issue\": 1, \"title\": \"ok\"}\n{\"issue\": 1, \"title\": \"x\"\n",
		     "a.jsonl:2: not valid JSON");
	expect_error("\n\n[1, 2]\n", "a.jsonl:3: not a JSON object");
	expect_error("\"just a string\"\n", "a.jsonl:1: not a JSON object");
	expect_error("{\"issue\": 1}\n", "a.jsonl:1: missing \"title\"");
	expect_error("{\"title\": \"t\"}\n", "a.jsonl:1: missing \"issue\"");
	expect_error("{\"issue\": 0, \"title\": \"t\"}\n", "a.jsonl:1: \"issue\" must be");
	expect_error("{\"issue\": -3, \"title\": \"t\"}\n", "a.jsonl:1: \"issue\" must be");
	expect_error("{\"issue\": 1.5, \"title\": \"t\"}\n", "a.jsonl:1: \"issue\" must be");
	expect_error("{\"issue\": \"5a\", \"title\": \"t\"}\n", "a.jsonl:1: \"issue\" must be");
	expect_error("{\"issue\": \"\", \"title\": \"t\"}\n", "a.jsonl:1: \"issue\" must be");
	expect_error("{\"issue\": null, \"title\": \"t\"}\n", "a.jsonl:1: \"issue\" must be");
	expect_error("{\"issue\": 1, \"title\": 5}\n", "a.jsonl:1: \"title\" must be a string");
	expect_error("{\"issue\": 1, \"title\": \"  \"}\n", "a.jsonl:1: \"title\" is empty");
	expect_error("{\"issue\": 1, \"title\": \"t\", \"quote\": 5}\n", "a.jsonl:1: \"quote\"");
	expect_error("{\"issue\": 1, \"title\": \"t\", \"quote\": [\"a\", 1]}\n",
		     "a.jsonl:1: \"quote\"");
	expect_error("{\"issue\": 1, \"title\": \"t\", \"section\": 3}\n",
		     "a.jsonl:1: \"section\" must be a string");
	expect_error("{\"issue\": 1, \"title\": \"t\", \"url\": true}\n",
		     "a.jsonl:1: \"url\" must be a string");
	expect_error("{\"issue\": 1, \"title\": \"t\", \"date\": \"2022-02-30\"}\n",
		     "a.jsonl:1: invalid \"date\"");
	expect_error("{\"issue\": 1, \"title\": \"t\", \"date\": \"2021-02-29\"}\n",
		     "a.jsonl:1: invalid \"date\"");
	expect_error("{\"issue\": 1, \"title\": \"t\", \"date\": \"2022/03/27\"}\n",
		     "a.jsonl:1: invalid \"date\"");
	expect_error("{\"issue\": 1, \"title\": \"t\", \"date\": 20220327}\n",
		     "a.jsonl:1: invalid \"date\"");
	expect_error("{\"issue\": 1, \"items\": {}}\n", "a.jsonl:1: \"items\" must be an array");
	expect_error("{\"issue\": 1, \"items\": []}\n", "a.jsonl:1: \"items\" is empty");
	expect_error("{\"issue\": 1, \"items\": [{\"title\": \"a\"}, {\"quote\": \"q\"}]}\n",
		     "a.jsonl:1: items[1]: missing \"title\"");
	expect_error("{\"issue\": 1, \"items\": [\"a\"]}\n",
		     "a.jsonl:1: items[0]: an item must be a JSON object");
	expect_error("{\"issue\": 1, \"title\": \"a\", \"date\": \"2022-03-27\"}\n"
		     "{\"issue\": 1, \"title\": \"b\", \"date\": \"2022-04-03\"}\n",
		     "a.jsonl:2: date 2022-04-03 conflicts");
	expect_error("", "a.jsonl:1: no items");
	expect_error("\n  \n", "a.jsonl:1: no items");
	expect_error("{\"issue\": 1, \"title\": \"bad \xff utf8\"}\n", "a.jsonl:1: not valid JSON");
	expect_error("{\"issue\": 1, \"title\": \"nul \\u0000 inside\"}\n",
		     "a.jsonl:1: not valid JSON");

	struct ks_batch b;
	struct ks_err e;
	prefill(&b);
	size_t len;
	char *data = h_slurp(DATA_DIR "/bad-line.jsonl", &len);
	CHECK(data != NULL);
	if (data) {
		CHECK(ks_ingest_parse("bad-line.jsonl", data, len, KS_FMT_AUTO, &b, &e) ==
		      KS_ERR_PARSE);
		CHECK(strncmp(e.msg, "bad-line.jsonl:3: ", 18) == 0);
		CHECK(b.n_issues == 1 && b.issues[0].number == 7);
		free(data);
	}
	ks_batch_clear(&b);
}

static void test_valid_edge_values(void)
{
	struct ks_batch b;
	struct ks_err e;
	int rc = parse("a.jsonl",
		       "\xEF\xBB\xBF{\"issue\": \"0042\", \"title\": \"t\", \"date\": "
		       "\"2024-02-29T09:00:00Z\", \"quote\": \"\"}\n"
		       "{\"issue\": 42, \"title\": \"u\", \"date\": null, \"section\": \"\"}\n",
		       &b, &e);
	CHECK(rc == KS_OK);
	if (rc != KS_OK) {
		fprintf(stderr, "  %s\n", e.msg);
		return;
	}
	CHECK(b.n_issues == 1 && b.issues[0].number == 42);
	CHECK_STR(b.issues[0].date, "2024-02-29");
	CHECK(b.issues[0].n_items == 2);
	CHECK(b.issues[0].items[0].quote == NULL);
	CHECK(b.issues[0].items[1].section == NULL);
	ks_batch_clear(&b);
}

static void test_detect_and_dispatch(void)
{
	enum ks_format f = KS_FMT_TEXT;
	CHECK(ks_ingest_detect("{\"issue\": 1}", 12) == KS_FMT_JSONL);
	CHECK(ks_ingest_detect("\xEF\xBB\xBF\r\n  \n\t{", 10) == KS_FMT_JSONL);
	CHECK(ks_ingest_detect("View profile\n{", 14) == KS_FMT_TEXT);
	CHECK(ks_ingest_detect("", 0) == KS_FMT_TEXT);
	CHECK(ks_ingest_detect(NULL, 0) == KS_FMT_TEXT);
	CHECK(ks_ingest_format_parse("jsonl", &f) == KS_OK && f == KS_FMT_JSONL);
	CHECK(ks_ingest_format_parse("TEXT", &f) == KS_OK && f == KS_FMT_TEXT);
	CHECK(ks_ingest_format_parse("auto", &f) == KS_OK && f == KS_FMT_AUTO);
	f = KS_FMT_JSONL;
	CHECK(ks_ingest_format_parse("pdf", &f) == KS_ERR_ARG && f == KS_FMT_JSONL);
	CHECK(ks_ingest_format_parse(NULL, &f) == KS_ERR_ARG);

	/* a forced format overrides detection */
	struct ks_batch b = {0};
	struct ks_err e = {{0}};
	const char *jl = "{\"issue\": 3, \"title\": \"t\"}\n";
	CHECK(ks_ingest_parse("x.txt", jl, strlen(jl), KS_FMT_JSONL, &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].number == 3);
	CHECK(ks_ingest_parse("issue-4.txt", jl, strlen(jl), KS_FMT_TEXT, &b, &e) == KS_OK);
	CHECK(b.n_issues == 2 && b.issues[1].number == 4); /* one odd headline */
	CHECK(ks_ingest_parse("x", jl, strlen(jl), (enum ks_format)99, &b, &e) == KS_ERR_ARG);
	CHECK(ks_ingest_parse("x", jl, strlen(jl), KS_FMT_AUTO, NULL, &e) == KS_ERR_ARG);
	CHECK(b.n_issues == 2);
	ks_batch_clear(&b);
}

static void test_batch_helpers(void)
{
	struct ks_batch b = {0};
	CHECK(ks_batch_count_items(&b) == 0);
	CHECK(ks_batch_count_items(NULL) == 0);
	CHECK(ks_batch_find_issue(&b, 1) == NULL);
	for (int n = 1; n <= 20; n++) {
		struct ks_issue *is = ks_batch_add_issue(&b);
		CHECK(is != NULL && is->number == 0 && is->n_items == 0 && is->items == NULL);
		if (!is)
			return;
		is->number = n;
		for (int k = 1; k <= n; k++) {
			struct ks_item *it = ks_issue_add_item(is);
			CHECK(it != NULL && it->position == k && it->title == NULL);
			if (it)
				it->title = strdup("t");
		}
	}
	CHECK(b.n_issues == 20);
	CHECK(ks_batch_count_items(&b) == 210);
	struct ks_issue *i13 = ks_batch_find_issue(&b, 13);
	CHECK(i13 && i13->n_items == 13 && i13->items[12].position == 13);
	ks_issue_clear(i13);
	CHECK(i13->n_items == 0 && i13->items == NULL && i13->number == 0);
	CHECK(ks_batch_count_items(&b) == 197);
	ks_batch_clear(&b);
	CHECK(b.n_issues == 0 && b.cap_issues == 0 && b.issues == NULL);
	ks_batch_clear(NULL);
	ks_issue_clear(NULL);
	CHECK(ks_batch_add_issue(NULL) == NULL);
	CHECK(ks_issue_add_item(NULL) == NULL);
}

/* A string of n copies of the UTF-8 character c (malloc'd). */
static char *repeat(const char *c, size_t n)
{
	size_t k = strlen(c);
	char *s = malloc(n * k + 1);
	for (size_t i = 0; s && i < n; i++)
		memcpy(s + i * k, c, k);
	if (s)
		s[n * k] = 0;
	return s;
}

/* Whether one note of b starts with want. */
static int has_note(const struct ks_batch *b, const char *want)
{
	for (size_t i = 0; i < b->n_notes; i++)
		if (!strncmp(b->notes[i], want, strlen(want)))
			return 1;
	fprintf(stderr, "  no note starting with: %s\n", want);
	for (size_t i = 0; i < b->n_notes; i++)
		fprintf(stderr, "  note: %s\n", b->notes[i]);
	return 0;
}

/* Items past each limit of item.h are skipped with "file:line: reason";
 * the file's other items are kept, renumbered; a limit is not malformed. */
static void test_limits(void)
{
	char *t1000 = repeat("長", 1000), *t1001 = repeat("長", 1001);
	char *q = repeat("x", 20001), *sec = repeat("節", 201), *url = repeat("a", 2049);
	char *pad = repeat("z", KS_MAX_JSONL_LINE);
	size_t cap = 2 * KS_MAX_JSONL_LINE;
	char *text = malloc(cap);
	struct ks_batch b;
	struct ks_err e;
	CHECK(t1000 && t1001 && q && sec && url && pad && text);
	if (!t1000 || !t1001 || !q || !sec || !url || !pad || !text)
		goto out;
	int n = snprintf(text, cap,
			 "{\"issue\": 3, \"title\": \"%s\"}\n" /* 1: exactly 1000: kept */
			 "{\"issue\": 3, \"title\": \"%s\"}\n" /* 2 */
			 "{\"issue\": 3, \"title\": \"q\", \"quote\": \"%s\"}\n"	/* 3 */
			 "{\"issue\": 3, \"title\": \"s\", \"section\": \"%s\"}\n"	/* 4 */
			 "{\"issue\": 3, \"title\": \"u\", \"url\": \"%s\"}\n"		/* 5 */
			 "{\"issue\": 3, \"title\": \"d\", \"x\": [[[[[[[[1]]]]]]]]}\n" /* 6 */
			 "{\"issue\": 3, \"title\": \"p\", \"pad\": \"%s\"}\n"		/* 7 */
			 "{\"issue\": 3, \"title\": \"last\"}\n",			/* 8 */
			 t1000, t1001, q, sec, url, pad);
	CHECK(n > 0 && (size_t)n < cap);
	memset(&b, 0, sizeof b);
	int rc = ks_ingest_jsonl("l.jsonl", text, (size_t)n, &b, &e);
	CHECK(rc == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].n_items == 2);
	if (b.n_issues == 1 && b.issues[0].n_items == 2) {
		CHECK(strlen(b.issues[0].items[0].title) == strlen(t1000));
		CHECK_STR(b.issues[0].items[1].title, "last");
		CHECK(b.issues[0].items[1].position == 2 && b.issues[0].items[1].line == 8);
	}
	CHECK(b.n_skipped == 6 && b.n_notes == 6);
	CHECK(has_note(&b, "l.jsonl:2: item skipped: title of 1001 characters (at most 1000)"));
	CHECK(has_note(&b, "l.jsonl:3: item skipped: quote of 20001 characters (at most 20000)"));
	CHECK(has_note(&b, "l.jsonl:4: item skipped: section of 201 characters (at most 200)"));
	CHECK(has_note(&b, "l.jsonl:5: item skipped: url of 2049 bytes (at most 2048)"));
	CHECK(has_note(&b, "l.jsonl:6: line skipped: JSON nested deeper than 8"));
	CHECK(has_note(&b, "l.jsonl:7: line skipped: "));
	ks_batch_clear(&b);
	CHECK(b.notes == NULL && b.n_notes == 0 && b.n_skipped == 0);

	/* only items past a limit: the file yields nothing, a parse error
	 * naming the first one */
	n = snprintf(text, cap, "\n{\"issue\": 3, \"title\": \"%s\"}\n", t1001);
	prefill(&b);
	CHECK(ks_ingest_jsonl("o.jsonl", text, (size_t)n, &b, &e) == KS_ERR_PARSE);
	CHECK(!strncmp(e.msg, "o.jsonl:2: item skipped: title of 1001", 38));
	CHECK(b.n_issues == 1 && b.n_notes == 0 && b.n_skipped == 0);
	ks_batch_clear(&b);
out:
	free(t1000), free(t1001), free(q), free(sec), free(url), free(pad), free(text);
}

/* Items of an issue past KS_MAX_ISSUE_ITEMS, and past KS_MAX_ISSUE_CHARS
 * of text, are skipped with one message each; the first ones are kept. */
static void test_issue_limits(void)
{
	size_t cap = 64 << 20, n = 0;
	char *text = malloc(cap), *q = repeat("q", 19000);
	struct ks_batch b = {0};
	struct ks_err e;
	CHECK(text && q);
	if (!text || !q)
		goto out;
	for (int i = 0; i < KS_MAX_ISSUE_ITEMS + 5; i++)
		n += (size_t)snprintf(text + n, cap - n, "{\"issue\": 4, \"title\": \"t%d\"}\n", i);
	for (int i = 0; i < 12; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "{\"issue\": 5, \"title\": \"u%d\", \"quote\": \"%s\"}\n", i,
				      q);
	CHECK(ks_ingest_jsonl("m.jsonl", text, n, &b, &e) == KS_OK);
	struct ks_issue *i4 = ks_batch_find_issue(&b, 4), *i5 = ks_batch_find_issue(&b, 5);
	CHECK(i4 && i4->n_items == KS_MAX_ISSUE_ITEMS);
	CHECK(i5 && i5->n_items == 10); /* 10 x 19,002 characters fit in 200,000 */
	CHECK(b.n_skipped == 5 + 2 && b.n_notes == 2);
	CHECK(has_note(&b, "m.jsonl:1001: issue 4 has more than 1000 items: skipped from here on"));
	CHECK(has_note(&b, "m.jsonl:1016: issue 5 has more than 200000 characters of text"));
	ks_batch_clear(&b);
out:
	free(text);
	free(q);
}

/* "links": the http(s) ones kept in order, each once, url first; an item
 * with links but no url gets the first as its url; a bad "links" rejects
 * the file; past KS_MAX_ITEM_LINKS the rest are dropped. */
static void test_links(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse("links.jsonl",
		    "{\"issue\": 3, \"title\": \"a\", \"url\": \"https://b.example/2\", \"links\": "
		    "[\"https://a.example/1\", \"javascript:alert(1)\", \"https://b.example/2\", "
		    "\"data:text/html,x\", \"ftp://c.example/\", \"https://a.example/1\", "
		    "\"http://[::1]/\", \"https://bad host/\"]}\n"
		    "{\"issue\": 3, \"title\": \"b\", \"links\": [\"HTTPS://D.example/x\"]}\n"
		    "{\"issue\": 3, \"title\": \"c\", \"url\": \"javascript:x\"}\n",
		    &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].n_items == 3);
	if (b.n_issues == 1 && b.issues[0].n_items == 3) {
		const struct ks_item *v = b.issues[0].items;
		CHECK(v[0].n_links == 2);
		if (v[0].n_links == 2) {
			CHECK_STR(v[0].links[0], "https://b.example/2");
			CHECK_STR(v[0].links[1], "https://a.example/1");
		}
		CHECK_STR(v[1].url, "HTTPS://D.example/x");
		CHECK(v[1].n_links == 1);
		CHECK_STR(v[2].url, "javascript:x"); /* kept as given, but no link */
		CHECK(v[2].n_links == 0);
	}
	ks_batch_clear(&b);
	CHECK(parse("bad.jsonl", "{\"issue\": 3, \"title\": \"a\", \"links\": \"https://a.example/\"}\n",
		    &b, &e) == KS_ERR_PARSE);
	CHECK(strstr(e.msg, "bad.jsonl:1:") && strstr(e.msg, "\"links\""));
	ks_batch_clear(&b);
	CHECK(parse("bad.jsonl", "{\"issue\": 3, \"title\": \"a\", \"links\": [1]}\n", &b, &e) ==
	      KS_ERR_PARSE);
	ks_batch_clear(&b);
	struct ks_buf j = {0};
	ks_buf_str(&j, "{\"issue\": 4, \"title\": \"many\", \"links\": [");
	for (int i = 0; i < KS_MAX_ITEM_LINKS + 10; i++)
		ks_buf_printf(&j, "%s\"https://h%d.example/\"", i ? ", " : "", i);
	ks_buf_str(&j, "]}\n");
	CHECK(parse("many.jsonl", j.p, &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].n_items == 1 &&
	      b.issues[0].items[0].n_links == KS_MAX_ITEM_LINKS);
	ks_batch_clear(&b);
	ks_buf_free(&j);
}

/* Links count toward an issue's characters: an issue whose links alone
 * pass KS_MAX_ISSUE_CHARS keeps the items before them. */
static void test_links_in_issue_limit(void)
{
	struct ks_batch b;
	struct ks_err e;
	struct ks_buf j = {0};
	char url[KS_MAX_URL_BYTES + 1];
	memset(url, 'a', sizeof url);
	memcpy(url, "https://x.example/", 18);
	url[KS_MAX_URL_BYTES - 10] = 0;
	int per = KS_MAX_ITEM_LINKS * (KS_MAX_URL_BYTES - 10); /* characters of one item's links */
	int items = KS_MAX_ISSUE_CHARS / per + 2;
	for (int i = 0; i < items; i++) {
		ks_buf_printf(&j, "{\"issue\": 5, \"title\": \"t%d\", \"links\": [", i);
		for (int k = 0; k < KS_MAX_ITEM_LINKS; k++)
			ks_buf_printf(&j, "%s\"%s%d/%d\"", k ? ", " : "", url, i, k);
		ks_buf_str(&j, "]}\n");
	}
	CHECK(!j.oom && parse("big.jsonl", j.p, &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].n_items > 0 && b.issues[0].n_items < (size_t)items);
	CHECK(b.n_skipped > 0);
	ks_batch_clear(&b);
	ks_buf_free(&j);
}

static void test_sample_archive(void)
{
	struct ks_batch b;
	struct ks_err e;
	int rc = parse_file(KS_SOURCE_DIR "/sample/jsonl/archive.jsonl", "archive.jsonl", &b, &e);
	CHECK(rc == KS_OK);
	if (rc != KS_OK) {
		fprintf(stderr, "  %s\n", e.msg);
		return;
	}
	CHECK(b.n_issues >= 3);
	CHECK(ks_batch_count_items(&b) >= 10);
	struct ks_issue *i95 = ks_batch_find_issue(&b, 95);
	CHECK(i95 && i95->n_items == 2 && strstr(i95->items[0].title, "CVE-2022-0609"));
	for (size_t i = 0; i < b.n_issues; i++) {
		CHECK(b.issues[i].date != NULL);
		CHECK(b.issues[i].n_items > 0);
	}
	ks_batch_clear(&b);
}

TEST_MAIN(TEST(test_links), TEST(test_links_in_issue_limit), TEST(test_one_item_per_line), TEST(test_mixed_shapes_and_order), TEST(test_bad_lines),
	  TEST(test_valid_edge_values), TEST(test_detect_and_dispatch), TEST(test_batch_helpers),
	  TEST(test_sample_archive), TEST(test_limits), TEST(test_issue_limits))
