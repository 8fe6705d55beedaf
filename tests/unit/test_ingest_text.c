/* test_ingest_text.c - the plain-text issue parser: the shared fixture, the
 * layout's ambiguous cases, dates, file-name fallbacks, malformed files and
 * the bundled sample archive. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kensaku/ingest.h"

#define DATA_DIR KS_SOURCE_DIR "/tests/data/ingest"

/* Parses an inline text as file `name` into a fresh batch b. */
static int parse(const char *name, const char *text, struct ks_batch *b, struct ks_err *e)
{
	memset(b, 0, sizeof *b);
	e->msg[0] = 0;
	return ks_ingest_text(name, text, strlen(text), b, e);
}

/* Parses a file of tests/data/ingest (shown as its bare name). */
static int parse_data(const char *file, struct ks_batch *b, struct ks_err *e)
{
	char path[1024];
	size_t len = 0;
	int w = snprintf(path, sizeof path, "%s/%s", DATA_DIR, file);
	CHECK(w > 0 && (size_t)w < sizeof path);
	char *data = h_slurp(path, &len);
	CHECK(data != NULL);
	if (!data)
		return -1;
	memset(b, 0, sizeof *b);
	e->msg[0] = 0;
	int rc = ks_ingest_parse(file, data, len, KS_FMT_AUTO, b, e);
	free(data);
	return rc;
}

/* A batch that already holds one issue, to prove failures leave it alone. */
static void prefill(struct ks_batch *b)
{
	memset(b, 0, sizeof *b);
	struct ks_issue *is = ks_batch_add_issue(b);
	is->number = 7;
	struct ks_item *it = ks_issue_add_item(is);
	it->title = strdup("sentinel");
}

static void check_untouched(const struct ks_batch *b)
{
	CHECK(b->n_issues == 1);
	CHECK(b->issues[0].number == 7);
	CHECK(b->issues[0].n_items == 1);
	CHECK_STR(b->issues[0].items[0].title, "sentinel");
}

/* Expects a parse failure whose message starts with want. */
static void expect_error(const char *name, const char *text, const char *want)
{
	struct ks_batch b;
	struct ks_err e = {{0}};
	prefill(&b);
	int rc = ks_ingest_text(name, text, strlen(text), &b, &e);
	CHECK(rc == KS_ERR_PARSE);
	if (strncmp(e.msg, want, strlen(want)) != 0) {
		fprintf(stderr, "  message: %s\n  want prefix: %s\n", e.msg, want);
		CHECK(!"error message prefix");
	}
	check_untouched(&b);
	ks_batch_clear(&b);
}

static void test_fixture_issue_59(void)
{
	const char *dir = h_fixtures_dir();
	char path[4200];
	if (!dir) {
		printf("# skip: ../shared/fixtures not found\n");
		return;
	}
	snprintf(path, sizeof path, "%s/issue-59.txt", dir);
	size_t len = 0;
	char *data = h_slurp(path, &len);
	snprintf(path, sizeof path, "%s/issue-59.expected.json", dir);
	json_error_t jerr;
	json_t *want = json_load_file(path, 0, &jerr);
	CHECK(data != NULL);
	CHECK(want != NULL);
	if (!data || !want) {
		free(data);
		json_decref(want);
		return;
	}
	struct ks_batch b = {0};
	struct ks_err e = {{0}};
	int rc = ks_ingest_parse("issue-59.txt", data, len, KS_FMT_AUTO, &b, &e);
	CHECK(rc == KS_OK);
	if (rc != KS_OK)
		fprintf(stderr, "  %s\n", e.msg);
	CHECK(b.n_issues == 1);
	if (b.n_issues == 1) {
		struct ks_issue *is = &b.issues[0];
		json_t *items = json_object_get(want, "items");
		CHECK(is->number == json_integer_value(json_object_get(want, "issue")));
		CHECK(is->date == NULL && json_is_null(json_object_get(want, "date")));
		CHECK(is->title && strstr(is->title, "Issue #59"));
		CHECK(is->n_items == json_array_size(items));
		for (size_t i = 0; i < is->n_items && i < json_array_size(items); i++) {
			json_t *w = json_array_get(items, i), *q;
			struct ks_item *it = &is->items[i];
			size_t k;
			CHECK(it->position == json_integer_value(json_object_get(w, "position")));
			CHECK_STR(it->section, json_string_value(json_object_get(w, "section")));
			CHECK_STR(it->title, json_string_value(json_object_get(w, "title")));
			CHECK(it->url == NULL);
			/* quotes: a list in the JSON, joined by "\n" in the item */
			char joined[8192] = "";
			size_t used = 0;
			json_array_foreach(json_object_get(w, "quotes"), k, q)
			{
				int n = snprintf(joined + used, sizeof joined - used, "%s%s",
						 k ? "\n" : "", json_string_value(q));
				CHECK(n >= 0 && (size_t)n < sizeof joined - used);
				if (n < 0 || (size_t)n >= sizeof joined - used)
					break;
				used += (size_t)n;
			}
			if (used == 0)
				CHECK(it->quote == NULL);
			else
				CHECK_STR(it->quote, joined);
		}
		/* the sections, in order of first appearance */
		json_t *secs = json_object_get(want, "sections");
		size_t n_secs = 0;
		for (size_t i = 0; i < is->n_items; i++) {
			if (i > 0 && strcmp(is->items[i].section, is->items[i - 1].section) == 0)
				continue;
			CHECK_STR(is->items[i].section,
				  json_string_value(json_array_get(secs, n_secs)));
			n_secs++;
		}
		CHECK(n_secs == json_array_size(secs));
	}
	ks_batch_clear(&b);
	json_decref(want);
	free(data);
}

static void test_headline_with_maru_then_english_quote(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse("issue-1.txt",
		    "攻撃、脅威\n"
		    "LAPSUS$ が Okta のデータをリーク。Microsoft も侵害を認める報道。\n"
		    "The actor made public claims about the access.\n"
		    "Microsoft が ZLoader のドメインを差し押さえ。\n"
		    "Google の TAG が北朝鮮の攻撃について注意喚起。Chrome のゼロデイを利用。\n"
		    "On February 10, the group discovered two campaigns.\n"
		    "The campaigns are known in Japan as \"エモテット\" lookalikes.\n",
		    &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].number == 1);
	CHECK(b.issues[0].n_items == 3);
	if (b.issues[0].n_items == 3) {
		struct ks_item *it = b.issues[0].items;
		CHECK_STR(it[0].title,
			  "LAPSUS$ が Okta のデータをリーク。Microsoft も侵害を認める報道。");
		CHECK_STR(it[0].quote, "The actor made public claims about the access.");
		CHECK_STR(it[0].section, "攻撃、脅威");
		CHECK_STR(it[1].title, "Microsoft が ZLoader のドメインを差し押さえ。");
		CHECK(it[1].quote == NULL);
		CHECK_STR(it[2].quote,
			  "On February 10, the group discovered two campaigns.\n"
			  "The campaigns are known in Japan as \"エモテット\" lookalikes.");
		CHECK(it[2].position == 3);
	}
	ks_batch_clear(&b);
}

static void test_japanese_quotes(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse("issue-2.txt",
		    "その他\n"
		    "NISC などがサイバーセキュリティ対策の強化について注意喚起\n"
		    "政府においては、2度の注意喚起を行っております。\n"
		    "関係省庁から改めて注意喚起を行います（3月24日）。\n"
		    "「不審なメールの添付ファイルは開かないでください」\n"
		    "警察庁がランサムウェアの被害件数を公表\n"
		    "被害の報告は146件でした。\n"
		    "総務省がテレワークのセキュリティガイドラインを改訂。\n"
		    "IPA が新しい資料を公開、今後の見通し。\n",
		    &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].n_items == 4);
	if (b.n_issues == 1 && b.issues[0].n_items == 4) {
		struct ks_item *it = b.issues[0].items;
		CHECK_STR(it[0].quote, "政府においては、2度の注意喚起を行っております。\n"
				       "関係省庁から改めて注意喚起を行います（3月24日）。\n"
				       "「不審なメールの添付ファイルは開かないでください」");
		CHECK_STR(it[1].title, "警察庁がランサムウェアの被害件数を公表");
		CHECK_STR(it[1].quote, "被害の報告は146件でした。");
		CHECK_STR(it[2].title, "総務省がテレワークのセキュリティガイドラインを改訂。");
		CHECK(it[2].quote == NULL);
		CHECK_STR(it[3].title, "IPA が新しい資料を公開、今後の見通し。");
	}
	ks_batch_clear(&b);
}

static void test_first_line_after_heading_is_headline(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse("issue-3.txt",
		    "脆弱性\n"
		    "Spring4Shell: remote code execution in Spring Framework (CVE-2022-22965)\n"
		    "The fix is in 5.3.18 and 5.2.20.\n"
		    "その他\n"
		    "ご注意ください。\n",
		    &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].n_items == 2);
	if (b.n_issues == 1 && b.issues[0].n_items == 2) {
		struct ks_item *it = b.issues[0].items;
		CHECK_STR(
		    it[0].title,
		    "Spring4Shell: remote code execution in Spring Framework (CVE-2022-22965)");
		CHECK_STR(it[0].quote, "The fix is in 5.3.18 and 5.2.20.");
		CHECK_STR(it[1].title, "ご注意ください。");
		CHECK_STR(it[1].section, "その他");
	}
	ks_batch_clear(&b);
}

/* Items past the limits of item.h are skipped and reported with the line
 * their headline is on; the other items of the file are kept, renumbered. */
static void test_limits(void)
{
	size_t cap = 256 << 10;
	char *text = malloc(cap), *title = malloc(4000), *para = malloc(12000);
	struct ks_batch b;
	struct ks_err e;
	CHECK(text && title && para);
	if (!text || !title || !para)
		goto out;
	for (int i = 0; i < 1001; i++)
		memcpy(title + 3 * i, "長", 3);
	title[3 * 1001] = 0;
	memset(para, 'x', 10000);
	para[10000] = 0;
	/* the second item's quote: two paragraphs of 10,000 + "\n" = 20,001 */
	int n = snprintf(text, cap,
			 "脆弱性\n"
			 "最初の見出し Apple\n"
			 "%s\n"
			 "次の見出し Cisco\n"
			 "%s\n"
			 "%s\n"
			 "最後の見出し Zoom\n",
			 title, para, para);
	CHECK(n > 0 && (size_t)n < cap);
	CHECK(parse("issue-4.txt", text, &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].n_items == 2);
	if (b.n_issues == 1 && b.issues[0].n_items == 2) {
		CHECK_STR(b.issues[0].items[0].title, "最初の見出し Apple");
		CHECK_STR(b.issues[0].items[1].title, "最後の見出し Zoom");
		CHECK(b.issues[0].items[1].position == 2 && b.issues[0].items[1].line == 7);
	}
	CHECK(b.n_skipped == 2 && b.n_notes == 2);
	if (b.n_notes == 2) {
		CHECK_STR(b.notes[0], "issue-4.txt:3: item skipped: title of 1001 characters (at "
				      "most 1000)");
		CHECK_STR(b.notes[1], "issue-4.txt:4: item skipped: quote of 20001 characters (at "
				      "most 20000)");
	}
	ks_batch_clear(&b);
out:
	free(text);
	free(title);
	free(para);
}

static void test_blank_lines(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_data("blank-lines.txt", &b, &e) == KS_OK);
	CHECK(b.n_issues == 1);
	if (b.n_issues == 1) {
		struct ks_issue *is = &b.issues[0];
		CHECK(is->number == 201);
		CHECK_STR(is->date, "2022-03-27");
		CHECK_STR(is->title, "テスト用ニュースレター - Issue #201");
		CHECK(is->n_items == 2);
		if (is->n_items == 2) {
			CHECK_STR(is->items[0].quote,
				  "Attackers reached a database that held names "
				  "and phone numbers.\n"
				  "Another paragraph of the same quote.");
			CHECK_STR(is->items[1].section, "攻撃、脅威");
			CHECK_STR(is->items[1].quote,
				  "同じ取引先を装うメールが繰り返し届いています。");
		}
	}
	ks_batch_clear(&b);
}

static void test_crlf_bom_and_trimming(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_data("crlf-bom.txt", &b, &e) == KS_OK);
	CHECK(b.n_issues == 1);
	if (b.n_issues == 1) {
		struct ks_issue *is = &b.issues[0];
		CHECK(is->number == 202);
		CHECK_STR(is->date, "2022-03-27");
		CHECK(is->n_items == 2);
		if (is->n_items == 2) {
			CHECK_STR(is->items[0].section, "脆弱性");
			/* trailing NBSPs go, U+3000 at the start goes, inner NBSP stays */
			CHECK_STR(is->items[0].title,
				  "Spring4Shell (CVE-2022-22965) の修正版が公開");
			CHECK_STR(is->items[0].quote,
				  "The fix landed in 5.3.18.\xC2\xA0It also covers WebFlux.");
			CHECK_STR(is->items[1].title, "テスト用の最後の見出し");
			CHECK(strchr(is->items[1].title, '\r') == NULL);
		}
	}
	ks_batch_clear(&b);
}

/* The date of a one-item issue whose header holds date_line. */
static void check_date(const char *date_line, const char *want)
{
	char text[512];
	int n = snprintf(text, sizeof text,
			 "View profile\nニュース - Issue #9\n%s\n脆弱性\nテスト用の見出しです\n",
			 date_line);
	CHECK(n > 0 && (size_t)n < sizeof text);
	struct ks_batch b;
	struct ks_err e;
	int rc = parse("x.txt", text, &b, &e);
	CHECK(rc == KS_OK);
	if (rc != KS_OK) {
		fprintf(stderr, "  %s: %s\n", date_line, e.msg);
		return;
	}
	if (want)
		CHECK_STR(b.issues[0].date, want);
	else
		CHECK(b.issues[0].date == NULL);
	CHECK(b.issues[0].n_items == 1);
	ks_batch_clear(&b);
}

static void test_date_variants(void)
{
	check_date("Date: 2022-04-03", "2022-04-03");
	check_date("date:2022/03/27", "2022-03-27");
	check_date("Date: 2022年3月27日", "2022-03-27");
	check_date("Date: March 27, 2022", "2022-03-27");
	check_date("Date: Mar 7 2022", "2022-03-07");
	check_date("Date: 27 March 2022", "2022-03-27");
	check_date("2022-04-17", "2022-04-17");
	check_date("2022年5月8日", "2022-05-08");
	check_date("2022年5月8日(日)", "2022-05-08");
	check_date("2024-02-29", "2024-02-29");
	check_date("Date: unknown", NULL);
	check_date("", NULL);
	expect_error("issue-9.txt", "Issue #9\nDate: 2022-02-30\n脆弱性\nテスト用の見出しです\n",
		     "issue-9.txt:2: invalid date");
	expect_error("issue-9.txt", "Issue #9\n\n2021-02-29\n脆弱性\nテスト用の見出しです\n",
		     "issue-9.txt:3: invalid date");
	expect_error("issue-9.txt", "Issue #9\nDate: 2022-13-01\n脆弱性\nテスト用の見出しです\n",
		     "issue-9.txt:2: invalid date");
}

static void test_file_name_fallback(void)
{
	struct ks_batch b;
	struct ks_err e;
	const char *body = "事件、事故\nランサムウェアによる被害が発生\n";
	static const struct {
		const char *name;
		long long number;
		const char *date;
	} cases[] = {
	    {"issue-59.txt", 59, NULL},
	    {"/archive/2022/issue59", 59, NULL},
	    {"59.txt", 59, NULL},
	    {"issue_60.TXT", 60, NULL},
	    {"2022-03-27-issue-59.txt", 59, "2022-03-27"},
	    {"dir/issue-102-2022-04-10.txt", 102, "2022-04-10"},
	    {"2022-04-10-103.txt", 103, "2022-04-10"},
	    {"issue-104-2022-02-30.txt", 104, NULL}, /* not a date: ignored */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = parse(cases[i].name, body, &b, &e);
		CHECK(rc == KS_OK);
		if (rc != KS_OK) {
			fprintf(stderr, "  %s: %s\n", cases[i].name, e.msg);
			continue;
		}
		CHECK(b.issues[0].number == cases[i].number);
		if (cases[i].date)
			CHECK_STR(b.issues[0].date, cases[i].date);
		else
			CHECK(b.issues[0].date == NULL);
		CHECK(b.issues[0].title == NULL);
		ks_batch_clear(&b);
	}
	/* the header wins over the file name */
	CHECK(parse("2022-01-01-issue-5.txt",
		    "Issue #6\nDate: 2022-02-02\n脆弱性\n見出しのテストです\n", &b, &e) == KS_OK);
	CHECK(b.issues[0].number == 6);
	CHECK_STR(b.issues[0].date, "2022-02-02");
	ks_batch_clear(&b);

	CHECK(parse_data("2022-03-27-issue-61.txt", &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].number == 61 && b.issues[0].n_items == 2);
	CHECK_STR(b.issues[0].date, "2022-03-27");
	ks_batch_clear(&b);
}

static void test_missing_issue_number(void)
{
	expect_error("notes.txt", "事件、事故\nランサムウェアによる被害が発生\n",
		     "notes.txt:1: no issue number");
	expect_error("issue-x.txt", "Issue #0\n事件、事故\nランサムウェアによる被害が発生\n",
		     "issue-x.txt:1: no issue number");
	expect_error("a-1-b-2.txt", "事件、事故\nランサムウェアによる被害が発生\n",
		     "a-1-b-2.txt:1: no issue number");
}

static void test_unseen_headings(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_data("unseen-heading.txt", &b, &e) == KS_OK);
	CHECK(b.n_issues == 1);
	if (b.n_issues == 1) {
		struct ks_issue *is = &b.issues[0];
		CHECK(is->number == 204);
		CHECK_STR(is->date, "2022-03-27");
		CHECK(is->n_items == 4);
		if (is->n_items == 4) {
			CHECK_STR(is->items[0].section, "注意喚起");
			CHECK_STR(is->items[0].quote,
				  "休暇の前には、重要なデータをバックアップしてください。");
			/* short, but followed by an English quote: a headline */
			CHECK_STR(is->items[1].title, "エモテット再燃");
			CHECK_STR(is->items[1].section, "注意喚起");
			CHECK_STR(is->items[2].section, "レポート");
			CHECK_STR(
			    is->items[3].title,
			    "ＱＮＡＰ 製 NAS を狙う攻撃について各社が報告。被害の拡大に警戒。");
			CHECK(is->items[3].quote == NULL);
		}
	}
	ks_batch_clear(&b);

	/* decorated headings keep their bare name */
	CHECK(parse("issue-5.txt",
		    "【脆弱性】\nChrome にゼロデイ脆弱性\n■ その他\n新しい見出しのテスト\n", &b,
		    &e) == KS_OK);
	CHECK(b.issues[0].n_items == 2);
	CHECK_STR(b.issues[0].items[0].section, "脆弱性");
	CHECK_STR(b.issues[0].items[1].section, "その他");
	ks_batch_clear(&b);
}

static void test_footer_is_not_items(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_data("no-footer-marker.txt", &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].n_items == 1);
	if (b.n_issues == 1 && b.issues[0].n_items == 1)
		CHECK_STR(b.issues[0].items[0].quote,
			  "The leaked chats cover more than a year of the group's work.");
	ks_batch_clear(&b);

	CHECK(parse("issue-8.txt",
		    "View profile\nニュース - Issue #8\nWeekly newsletter of Someone\n"
		    "その他\nテスト用の見出しです\n"
		    "Did you enjoy this issue? Yes No\n見出しのような脚注の行\n"
		    "Created with Revue by Twitter.\n",
		    &b, &e) == KS_OK);
	CHECK(b.issues[0].n_items == 1);
	CHECK_STR(b.issues[0].title, "ニュース - Issue #8");
	ks_batch_clear(&b);
}

static void test_no_heading_issue(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse("issue-10.txt",
		    "View profile\nニュース - Issue #10\n\nWeekly newsletter of Someone\n"
		    "エモテットの感染が再び拡大\nIt spreads through reply-chain emails.\n"
		    "QNAP 製 NAS を狙うランサムウェア\n",
		    &b, &e) == KS_OK);
	CHECK(b.issues[0].n_items == 2);
	CHECK(b.issues[0].items[0].section == NULL);
	CHECK_STR(b.issues[0].items[0].quote, "It spreads through reply-chain emails.");
	ks_batch_clear(&b);
}

static void test_url_lines(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse("issue-11.txt",
		    "脆弱性\nF5 BIG-IP に認証回避の脆弱性\nhttps://example.org/advisory/1\n"
		    "An attacker may run system commands.\n",
		    &b, &e) == KS_OK);
	CHECK_STR(b.issues[0].items[0].url, "https://example.org/advisory/1");
	CHECK_STR(b.issues[0].items[0].quote, "An attacker may run system commands.");
	ks_batch_clear(&b);
}

/* Every bare-URL line of an item is one of its links, the first its url;
 * a repeated one is kept once, a non-http one is no link. */
static void test_url_lines_all_links(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse("issue-12.txt",
		    "脆弱性\nF5 BIG-IP に認証回避の脆弱性\nhttps://example.org/advisory/1\n"
		    "An attacker may run system commands.\nhttps://news.example.com/f5\n"
		    "https://example.org/advisory/1\n\nQNAP NAS を狙うランサムウェア\n",
		    &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].n_items == 2);
	if (b.n_issues == 1 && b.issues[0].n_items == 2) {
		const struct ks_item *it = &b.issues[0].items[0];
		CHECK_STR(it->url, "https://example.org/advisory/1");
		CHECK(it->n_links == 2);
		if (it->n_links == 2) {
			CHECK_STR(it->links[0], "https://example.org/advisory/1");
			CHECK_STR(it->links[1], "https://news.example.com/f5");
		}
		CHECK_STR(it->quote, "An attacker may run system commands.");
		CHECK(b.issues[0].items[1].n_links == 0 && b.issues[0].items[1].url == NULL);
	}
	ks_batch_clear(&b);
}

static void test_malformed(void)
{
	struct ks_batch b;
	struct ks_err e = {{0}};
	char *data;
	size_t len;
	char path[1024];
	snprintf(path, sizeof path, "%s/bad-utf8.txt", DATA_DIR);
	data = h_slurp(path, &len);
	CHECK(data != NULL);
	if (data) {
		prefill(&b);
		CHECK(ks_ingest_parse("bad-utf8.txt", data, len, KS_FMT_AUTO, &b, &e) ==
		      KS_ERR_PARSE);
		CHECK(strncmp(e.msg, "bad-utf8.txt:5: invalid UTF-8", 29) == 0);
		check_untouched(&b);
		ks_batch_clear(&b);
		free(data);
	}
	expect_error("issue-12.txt", "", "issue-12.txt:1: no items");
	expect_error("issue-12.txt", "View profile\nニュース - Issue #12\n脆弱性\n\n",
		     "issue-12.txt:1: no items");
	expect_error("issue-12.txt", "脆弱性\n見出し\xC0\xAF\n", "issue-12.txt:2: invalid UTF-8");
	expect_error("issue-12.txt", "脆弱性\n\xED\xA0\x80\n", "issue-12.txt:2: invalid UTF-8");
	static const char nul[] = "脆弱性\n見出しです\nNUL\0here\n";
	prefill(&b);
	CHECK(ks_ingest_text("issue-12.txt", nul, sizeof nul - 1, &b, &e) == KS_ERR_PARSE);
	CHECK(strncmp(e.msg, "issue-12.txt:3: NUL", 19) == 0);
	check_untouched(&b);
	ks_batch_clear(&b);
}

static void test_appends_to_batch(void)
{
	struct ks_batch b;
	struct ks_err e;
	const char *text = "脆弱性\nテスト用の見出しです\n";
	prefill(&b);
	CHECK(ks_ingest_text("issue-13.txt", text, strlen(text), &b, &e) == KS_OK);
	CHECK(b.n_issues == 2);
	CHECK_STR(b.issues[0].items[0].title, "sentinel");
	CHECK(b.issues[1].number == 13);
	CHECK(ks_batch_count_items(&b) == 2);
	ks_batch_clear(&b);
	CHECK(b.n_issues == 0 && b.issues == NULL);
}

/* Every issue of sample/issues parses, with the dates README.md promises. */
static void test_sample_archive(void)
{
	static const struct {
		const char *file;
		long long number;
		const char *date;
	} files[] = {
	    {"issue-093.txt", 93, "2022-02-06"},
	    {"issue-101.txt", 101, "2022-04-03"},
	    {"issue-102-2022-04-10.txt", 102, "2022-04-10"},
	    {"issue-103.txt", 103, "2022-04-17"},
	    {"issue-104.txt", 104, NULL},
	    {"issue-105.txt", 105, "2022-05-01"},
	    {"issue-106.txt", 106, "2022-05-08"},
	    {"issue-107.txt", 107, "2022-05-15"},
	    {"issue-108-2022-05-22.txt", 108, "2022-05-22"},
	    {"issue-109.txt", 109, "2022-05-29"},
	    {"issue-110.txt", 110, "2022-06-05"},
	    {"issue-111.txt", 111, "2022-06-12"},
	    {"issue-113.txt", 113, "2022-06-26"},
	};
	int xss = 0;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[1024];
		size_t len;
		snprintf(path, sizeof path, "%s/sample/issues/%s", KS_SOURCE_DIR, files[i].file);
		char *data = h_slurp(path, &len);
		CHECK(data != NULL);
		if (!data)
			continue;
		struct ks_batch b = {0};
		struct ks_err e = {{0}};
		int rc = ks_ingest_parse(files[i].file, data, len, KS_FMT_AUTO, &b, &e);
		CHECK(rc == KS_OK);
		if (rc == KS_OK) {
			struct ks_issue *is = &b.issues[0];
			CHECK(is->number == files[i].number);
			if (files[i].date)
				CHECK_STR(is->date, files[i].date);
			else
				CHECK(is->date == NULL);
			CHECK(is->n_items >= 3);
			for (size_t k = 0; k < is->n_items; k++) {
				CHECK(is->items[k].section != NULL);
				CHECK(strstr(is->items[k].title, "Did you enjoy") == NULL);
				CHECK(strstr(is->items[k].title, "Sample Desk") == NULL);
				if (is->items[k].quote &&
				    strstr(is->items[k].quote, "<script>alert(1)</script>"))
					xss++;
			}
		} else {
			fprintf(stderr, "  %s\n", e.msg);
		}
		ks_batch_clear(&b);
		free(data);
	}
	CHECK(xss == 1);
}

TEST_MAIN(TEST(test_fixture_issue_59), TEST(test_headline_with_maru_then_english_quote),
	  TEST(test_japanese_quotes), TEST(test_first_line_after_heading_is_headline),
	  TEST(test_blank_lines), TEST(test_crlf_bom_and_trimming), TEST(test_date_variants),
	  TEST(test_file_name_fallback), TEST(test_missing_issue_number),
	  TEST(test_unseen_headings), TEST(test_footer_is_not_items), TEST(test_no_heading_issue),
	  TEST(test_url_lines), TEST(test_url_lines_all_links), TEST(test_malformed), TEST(test_appends_to_batch),
	  TEST(test_sample_archive), TEST(test_limits))
