/* test_ingest_html.c - HTML issue pages: one fixture per common platform's
 * markup (tests/data/formats: Revue-style, Substack, Buttondown, a
 * Mailchimp archive page, a hand-written page), detection by content, the
 * fallbacks, and malformed or hostile pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "formats.h"
#include "kensaku/ingest.h"


/* One expected item: section, title, quote (NULL: none), url (NULL: none). */
struct want_item {
	const char *section, *title, *quote, *url;
};

/* Parses tests/data/formats/file (auto-detected) into a fresh batch. */
static int parse_file(const char *file, struct ks_batch *b, struct ks_err *e)
{
	return h_parse_format(file, KS_FMT_HTML, b, e);
}

static void check_items(const struct ks_issue *is, const struct want_item *w, size_t n)
{
	CHECK(is->n_items == n);
	for (size_t i = 0; i < n && i < is->n_items; i++) {
		const struct ks_item *it = &is->items[i];
		CHECK(it->position == (int)i + 1);
		CHECK(it->line > 0);
		if (w[i].section)
			CHECK_STR(it->section, w[i].section);
		else
			CHECK(it->section == NULL);
		CHECK_STR(it->title, w[i].title);
		if (w[i].quote)
			CHECK_STR(it->quote, w[i].quote);
		else
			CHECK(it->quote == NULL);
		if (w[i].url)
			CHECK_STR(it->url, w[i].url);
		else
			CHECK(it->url == NULL);
	}
}

/* Checks fixture file gives one issue number/date/title with items w. */
static void check_page(const char *file, long long number, const char *date, const char *title,
		       const struct want_item *w, size_t n)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_file(file, &b, &e) == KS_OK);
	CHECK(b.n_issues == 1);
	CHECK(b.n_skipped == 0);
	if (b.n_issues == 1) {
		CHECK(b.issues[0].number == number);
		CHECK_STR(b.issues[0].date, date);
		CHECK_STR(b.issues[0].title, title);
		check_items(&b.issues[0], w, n);
	}
	ks_batch_clear(&b);
}

static void test_revue(void)
{
	static const struct want_item w[] = {
	    {"事件、事故", "地方病院の電子カルテがランサムウェアで停止、外来診療を制限",
	     "架空市立病院は5月12日、電子カルテシステムがランサムウェアに感染し、外来の新規受付を"
	     "停止したと発表しました。\nバックアップからの復旧作業を進めているとのことです。",
	     "https://news.example.jp/2023/05/12/hospital-ransomware"},
	    {"事件、事故", "Online retailer finds card skimmer on checkout page",
	     "The retailer said malicious JavaScript was injected into its checkout page for six "
	     "weeks.",
	     "https://www.example.com/retailer-card-skimming"},
	    {"脆弱性", "ルーター製品に認証回避の脆弱性、修正版ファームウェアを公開",
	     "複数のルーター製品に、管理画面へ認証なしでアクセスできる脆弱性が見つかりました。\n"
	     "CVE-2023-99031 is rated 9.8 (critical).",
	     "https://jvn.example.jp/vu/JVNVU00000031/"}};
	check_page("revue-issue-31.html", 31, "2023-05-14", "セキュリティ週報 - Issue #31 | Revue",
		   w, 3);
}

static void test_substack(void)
{
	static const struct want_item w[] = {
	    {"Incidents", "Marketing firm leaves customer bucket open to the internet",
	     "An unauthenticated storage bucket exposed 2.1 million records, including names and "
	     "e-mail addresses.\nThe firm closed access after a researcher reported it.",
	     "https://cloud.example.org/blog/open-bucket"},
	    {"Vulnerabilities", "VPN appliance patch fixes pre-auth code execution",
	     "The vendor urges customers to upgrade immediately.\n"
	     "「既に悪用が確認されています」と同社は説明しています。",
	     "https://vendor.example.net/advisories/2023-032"},
	    {"Research", "パスキー移行でフィッシング被害が減少、大学の調査",
	     "パスキーを導入した組織では、認証情報の窃取が大幅に減ったと報告しています。",
	     "https://research.example.edu/passkeys"}};
	check_page("substack-issue-32.html", 32, "2023-05-21",
		   "Threat Notes #32: passkeys, a leaky bucket and a patched VPN", w, 3);
}

static void test_buttondown(void)
{
	static const struct want_item w[] = {
	    {"Zero-days", "Windows kernel elevation of privilege exploited in the wild",
	     "An attacker who successfully exploited this vulnerability could gain SYSTEM "
	     "privileges.",
	     "https://msrc.example.com/update-guide/CVE-2023-3301"},
	    {"Zero-days", "Office security feature bypass",
	     "Opening a crafted document bypasses Mark of the Web.\nProtected View is not shown.",
	     "https://msrc.example.com/update-guide/CVE-2023-3302"},
	    {"Browsers", "ブラウザの緊急アップデート、型の取り違えを修正",
	     "V8 の型の取り違えにより、任意のコードが実行されるおそれがあります。",
	     "https://browser.example.org/releases/114"}};
	check_page("buttondown-issue-33.html", 33, "2023-06-13",
		   "Patch Tuesday Digest — Issue 33 • Buttondown", w, 3);
}

static void test_mailchimp(void)
{
	static const struct want_item w[] = {
	    {"事件、事故", "大学のメールアカウントが不正利用され、迷惑メール約5万件を送信",
	     "架空大学は、職員1名のアカウントが不正にログインされ、外部に大量のメールが送信された"
	     "と公表しました。",
	     "https://news.example.jp/articles/univ-mail"},
	    {"事件、事故", "自治体の委託先で個人情報を含むUSBメモリを紛失",
	     "委託先の社員が、住民約300名分の情報を保存したUSBメモリを紛失したとのことです。",
	     "https://city.example.lg.jp/news/usb.html"},
	    {"攻撃、脅威", "QR code phishing targets finance teams",
	     "Attackers embed QR codes in PDF invoices to move victims to their phones.",
	     "https://security.example.com/blog/qr-phishing"}};
	check_page("mailchimp-issue-34.html", 34, "2023-06-18", "週刊インシデントメモ 第34号", w,
		   3);
}

/* The items of the hand-written page (plain-issue-35*.html). */
static const struct want_item plain_items[] = {
    {NULL, "偽のセキュリティ警告で電話をかけさせるサポート詐欺が増加",
     "ブラウザに偽の警告画面を表示し、記載された番号に電話をかけさせる手口の相談が増えて"
     "います。",
     "https://consumer.example.go.jp/support-scam"},
    {NULL, "Package registry removes typosquatted libraries",
     "Dozens of packages mimicking popular names shipped a credential stealer in their "
     "install scripts.",
     NULL},
    {NULL, "暗号資産取引所から不正送金、被害額は約12億円", NULL, NULL}};

static void test_plain(void)
{
	check_page("plain-issue-35.html", 35, "2023-06-25", "Security Links vol. 35", plain_items, 3);
}

/* The same page in Shift_JIS with an http-equiv declaration (libxml2
 * reads it in that charset), and in EUC-JP with no declaration at all
 * (not UTF-8, so read as the first Japanese charset it is valid in). */
static void test_japanese_charsets(void)
{
	check_page("plain-issue-35-sjis.html", 35, "2023-06-25", "Security Links vol. 35",
		   plain_items, 3);
	check_page("plain-issue-35-eucjp.html", 35, "2023-06-25", "Security Links vol. 35",
		   plain_items, 3);
}

/* Parses an inline page as file name into b (prefilled with a sentinel). */
static int parse_inline(const char *name, const char *html, struct ks_batch *b, struct ks_err *e)
{
	memset(b, 0, sizeof *b);
	struct ks_issue *is = ks_batch_add_issue(b);
	is->number = 7;
	ks_issue_add_item(is)->title = strdup("sentinel");
	e->msg[0] = 0;
	return ks_ingest_html(name, html, strlen(html), b, e);
}

static void check_sentinel(const struct ks_batch *b)
{
	CHECK(b->n_issues >= 1 && b->issues[0].number == 7 && b->issues[0].n_items == 1);
}

static void test_fallbacks(void)
{
	struct ks_batch b;
	struct ks_err e;
	const char *page = "<html><body><h2>見出しだけの号</h2><p>本文です。</p></body></html>";
	/* no number on the page: the file name's, with its date */
	CHECK(parse_inline("arc/2023-01-08-issue-77.html", page, &b, &e) == KS_OK);
	CHECK(b.n_issues == 2 && b.issues[1].number == 77);
	if (b.n_issues == 2) {
		CHECK_STR(b.issues[1].date, "2023-01-08");
		CHECK_STR(b.issues[1].items[0].title, "見出しだけの号");
		CHECK_STR(b.issues[1].items[0].quote, "本文です。");
	}
	ks_batch_clear(&b);
	CHECK(parse_inline("78.html", page, &b, &e) == KS_OK);
	CHECK(b.n_issues == 2 && b.issues[1].number == 78 && b.issues[1].date == NULL);
	ks_batch_clear(&b);
	/* none anywhere: refused, the batch as it was */
	CHECK(parse_inline("page.html", page, &b, &e) == KS_ERR_PARSE);
	CHECK(strncmp(e.msg, "page.html:1: no issue number", 28) == 0);
	check_sentinel(&b);
	CHECK(b.n_issues == 1);
	ks_batch_clear(&b);
	/* no headline at all */
	CHECK(parse_inline("issue-9.html", "<html><body><p>Only text.</p></body></html>", &b, &e) ==
	      KS_ERR_PARSE);
	CHECK(strncmp(e.msg, "issue-9.html:1: no items found", 30) == 0);
	CHECK(b.n_issues == 1);
	ks_batch_clear(&b);
	CHECK(parse_inline("issue-9.html", "", &b, &e) == KS_ERR_PARSE);
	ks_batch_clear(&b);
}

/* Furniture is dropped wherever it sits; numbers in other spellings. */
static void test_furniture_and_numbers(void)
{
	struct ks_batch b;
	struct ks_err e;
	const char *page =
	    "<!doctype html><title>Weekly vol.12</title><body>"
	    "<div class=\"share-bar\"><h3>Share this</h3></div>"
	    "<nav><h3>Home</h3></nav><aside><h3>Popular</h3></aside>"
	    "<h3>Real headline</h3><p>quote <a href=\"javascript:alert(1)\">x</a></p>"
	    "<div id=\"subscribe-box\"><h3>Subscribe now</h3><p>get it weekly</p></div>"
	    "<footer><h3>About</h3></footer><div role=\"navigation\"><h3>Next</h3></div>"
	    "<script>document.write('<h3>Injected</h3>')</script></body>";
	CHECK(parse_inline("x.html", page, &b, &e) == KS_OK);
	CHECK(b.n_issues == 2);
	if (b.n_issues == 2) {
		CHECK(b.issues[1].number == 12);
		CHECK(b.issues[1].n_items == 1);
		CHECK_STR(b.issues[1].items[0].title, "Real headline");
		CHECK_STR(b.issues[1].items[0].quote, "quote x");
		CHECK(b.issues[1].items[0].url == NULL); /* only http(s) links */
	}
	ks_batch_clear(&b);
	CHECK(parse_inline("x.html", "<h1>セキュリティ通信 第１２３号</h1><h2>A</h2><h3>t</h3>", &b,
			   &e) == KS_OK);
	CHECK(b.n_issues == 2 && b.issues[1].number == 123);
	if (b.n_issues == 2)
		CHECK_STR(b.issues[1].items[0].section, "A");
	ks_batch_clear(&b);
}

/* Broken markup, bad bytes, deep nesting, a huge title: no crash, clean
 * UTF-8, limits kept. */
static void test_malformed(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_inline("issue-5.html",
			   "<h2>unclosed <b>bold<h2>second\xff\xfe <p>q\x01uote</td></table>", &b,
			   &e) == KS_OK);
	for (size_t i = 1; i < b.n_issues; i++)
		for (size_t k = 0; k < b.issues[i].n_items; k++) {
			const struct ks_item *it = &b.issues[i].items[k];
			CHECK(ks_utf8_text(it->title, strlen(it->title)));
			CHECK(!it->quote || ks_utf8_text(it->quote, strlen(it->quote)));
		}
	ks_batch_clear(&b);

	size_t depth = 5000, n = 0;
	char *deep = malloc(depth * 5 + 64);
	memcpy(deep, "<h2>top</h2>", 12);
	n = 12;
	for (size_t i = 0; i < depth; i++, n += 5)
		memcpy(deep + n, "<div>", 5);
	memcpy(deep + n, "<h2>deep</h2>", 14);
	CHECK(parse_inline("issue-6.html", deep, &b, &e) == KS_OK);
	ks_batch_clear(&b);
	free(deep);

	size_t big = KS_MAX_TITLE_CHARS + 10;
	char *page = malloc(big + 64);
	memcpy(page, "<h2>ok</h2><h2>", 15);
	memset(page + 15, 'x', big);
	memcpy(page + 15 + big, "</h2>", 6);
	CHECK(parse_inline("issue-8.html", page, &b, &e) == KS_OK);
	CHECK(b.n_issues == 2 && b.issues[1].n_items == 1 && b.n_skipped == 1 && b.n_notes == 1);
	if (b.n_notes)
		CHECK(strncmp(b.notes[0], "issue-8.html:1: ", 16) == 0);
	ks_batch_clear(&b);
	free(page);
}

/* Every http(s) link of an item's headline and paragraphs, in order, each
 * once; javascript:, data:, mailto: and relative links are none; the url
 * is the first. */
static void test_all_links(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_inline("issue-9.html",
			   "<html><body><h1>Issue #9</h1>"
			   "<h3><a href=\"https://www.Example.com/a\">First</a></h3>"
			   "<p>Read <a href=\"javascript:alert(1)\">this</a>, "
			   "<a href=\"https://news.example.org/b\">that</a> and "
			   "<a href=\"/relative\">more</a> <a href=\"data:text/html,x\">x</a>"
			   " <a href=\"mailto:a@example.com\">m</a>.</p>"
			   "<p><a href=\"https://www.Example.com/a\">again</a></p>"
			   "<p>https://bare.example.net/c</p>"
			   "<h3>Second</h3><p>No link here, <a href=\"javascript:x\">none</a>.</p>"
			   "</body></html>",
			   &b, &e) == KS_OK);
	CHECK(b.n_issues == 2 && b.issues[1].n_items == 2);
	if (b.n_issues == 2 && b.issues[1].n_items == 2) {
		const struct ks_item *it = &b.issues[1].items[0];
		CHECK_STR(it->url, "https://www.Example.com/a");
		CHECK(it->n_links == 3);
		if (it->n_links == 3) {
			CHECK_STR(it->links[0], "https://www.Example.com/a");
			CHECK_STR(it->links[1], "https://news.example.org/b");
			CHECK_STR(it->links[2], "https://bare.example.net/c");
		}
		CHECK(b.issues[1].items[1].n_links == 0 && b.issues[1].items[1].url == NULL);
	}
	ks_batch_clear(&b);
}

static void test_detect(void)
{
	static const char *const html[] = {"<!DOCTYPE html><p>x", "\xEF\xBB\xBF\n <html>",
					   "<head><title>t</title>", "<!-- c --><body>"};
	for (size_t i = 0; i < sizeof html / sizeof html[0]; i++)
		CHECK(ks_ingest_detect(html[i], strlen(html[i])) == KS_FMT_HTML);
	CHECK(ks_ingest_detect("{\"issue\":1}", 11) == KS_FMT_JSONL);
	CHECK(ks_ingest_detect("Issue #59\n<html>", 16) == KS_FMT_TEXT);
	CHECK(ks_ingest_detect("<3 this issue", 13) == KS_FMT_TEXT);
	CHECK(ks_ingest_detect("<unknown markup>", 16) == KS_FMT_TEXT);
	enum ks_format f = KS_FMT_AUTO;
	CHECK(ks_ingest_format_parse("html", &f) == KS_OK && f == KS_FMT_HTML);
	CHECK(ks_ingest_format_parse("HTML", &f) == KS_OK && f == KS_FMT_HTML);
	CHECK(ks_ingest_format_parse("pdf", &f) == KS_ERR_ARG);
}

TEST_MAIN(TEST(test_revue), TEST(test_substack), TEST(test_buttondown), TEST(test_mailchimp),
	  TEST(test_plain), TEST(test_japanese_charsets), TEST(test_fallbacks), TEST(test_furniture_and_numbers),
	  TEST(test_malformed), TEST(test_all_links), TEST(test_detect))
