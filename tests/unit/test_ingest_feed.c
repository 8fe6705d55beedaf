/* test_ingest_feed.c - RSS 2.0 and Atom feeds (tests/data/formats): each
 * entry an issue through the HTML extractor, numbers from titles and
 * links, dates from the entry, skipped entries reported, and malformed or
 * hostile XML refused without touching the batch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "formats.h"
#include "kensaku/ingest.h"


static int parse_file(const char *file, struct ks_batch *b, struct ks_err *e)
{
	return h_parse_format(file, KS_FMT_FEED, b, e);
}

static void test_rss(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_file("feed-rss.xml", &b, &e) == KS_OK);
	CHECK(b.n_issues == 2);
	/* the third entry (a notice) holds no headline: skipped, reported */
	CHECK(b.n_skipped == 1 && b.n_notes == 1);
	if (b.n_notes)
		CHECK_STR(b.notes[0], "feed-rss.xml:30: entry skipped: no items in its content (no "
				      "headlines: headings or bold paragraphs)");
	if (b.n_issues == 2) {
		const struct ks_issue *a = &b.issues[0], *c = &b.issues[1];
		CHECK(a->number == 41); /* 第41号 in the title */
		CHECK_STR(a->date, "2023-08-06");
		CHECK_STR(a->title, "週刊インシデントメモ 第41号");
		CHECK(a->n_items == 2);
		if (a->n_items == 2) {
			CHECK_STR(a->items[0].section, "事件、事故");
			CHECK_STR(a->items[0].title,
				  "ECサイトでクレジットカード情報が漏えいした可能性");
			CHECK_STR(a->items[0].url, "https://news.example.jp/2023/08/04/ec-leak");
			CHECK_STR(a->items[0].quote,
				  "決済画面が改ざんされ、約2千件のカード情報が流出した"
				  "可能性があると発表しました。");
			CHECK(a->items[0].line == 8);
			CHECK_STR(a->items[1].section, "脆弱性");
			CHECK_STR(a->items[1].quote,
				  "Administrators are urged to apply version 4.2.1 or later.");
			CHECK(a->items[1].url == NULL);
		}
		CHECK(c->number == 40);		  /* from the link .../issues/40 */
		CHECK_STR(c->date, "2023-07-30"); /* dc:date */
		CHECK(c->n_items == 1);
		if (c->n_items == 1) {
			CHECK(c->items[0].section == NULL);
			CHECK_STR(c->items[0].title, "IoT 機器の初期パスワード問題、講演から");
			CHECK_STR(c->items[0].url, "https://conf.example.org/talks/iot");
		}
	}
	ks_batch_clear(&b);
}

static void test_atom(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_file("feed-atom.xml", &b, &e) == KS_OK);
	CHECK(b.n_issues == 2 && b.n_skipped == 0);
	if (b.n_issues == 2) {
		const struct ks_issue *a = &b.issues[0], *c = &b.issues[1];
		CHECK(a->number == 44);
		CHECK_STR(a->date, "2023-08-13"); /* published, not updated */
		CHECK(a->n_items == 2);
		if (a->n_items == 2) {
			CHECK_STR(a->items[0].section, "Malware");
			CHECK_STR(a->items[0].title, "New wiper hits logistics firms");
			CHECK_STR(a->items[0].quote,
				  "The malware overwrites the master boot record.");
			CHECK_STR(a->items[0].url, "https://labs.example.com/wiper");
			CHECK_STR(a->items[1].title, "ワームが NAS 製品を標的に拡散");
		}
		CHECK(c->number == 43); /* .../archive/43/ */
		CHECK_STR(c->date, "2023-08-06");
		CHECK_STR(c->title, "Short takes");
		CHECK(c->n_items == 1); /* type="xhtml" content */
		if (c->n_items == 1) {
			CHECK_STR(c->items[0].title,
				  "Firewall management interface exposed on thousands of hosts");
			CHECK_STR(c->items[0].quote,
				  "Scans found the interface reachable from the internet.");
			CHECK_STR(c->items[0].url, "https://cert.example.org/alerts/2023-43");
		}
	}
	ks_batch_clear(&b);
}

/* Expects text to be refused with a message starting with want, the
 * batch as it was. */
static void expect_refused(const char *text, const char *want)
{
	struct ks_batch b = {0};
	struct ks_err e = {""};
	struct ks_issue *is = ks_batch_add_issue(&b);
	is->number = 7;
	ks_issue_add_item(is)->title = strdup("sentinel");
	CHECK(ks_ingest_feed("f.xml", text, strlen(text), &b, &e) == KS_ERR_PARSE);
	if (strncmp(e.msg, want, strlen(want)) != 0) {
		fprintf(stderr, "  message: %s\n  want prefix: %s\n", e.msg, want);
		CHECK(!"error message prefix");
	}
	CHECK(b.n_issues == 1 && b.issues[0].number == 7 && b.issues[0].n_items == 1);
	ks_batch_clear(&b);
}

static void test_refused(void)
{
	expect_refused("<?xml version=\"1.0\"?>\n<rss><channel>\n<item><title>Issue #1</title>\n"
		       "</channel></rss>",
		       "f.xml:4: not well-formed XML: ");
	expect_refused("", "f.xml:1: not well-formed XML");
	expect_refused("<?xml version=\"1.0\"?><opml><body/></opml>",
		       "f.xml:1: not an RSS or Atom feed (root element <opml>)");
	/* no entity is expanded: declarations (billion laughs, external
	 * files) refuse the feed */
	expect_refused("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"aaaaaaaa\">"
		       "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<rss><channel><item>"
		       "<title>Issue #1 &b;</title><description>&lt;h3&gt;t&lt;/h3&gt;"
		       "</description></item></channel></rss>",
		       "f.xml:1: entity declarations are not accepted");
	expect_refused("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "
		       "\"file:///etc/passwd\">]>\n<rss><channel><item><title>Issue #1</title>"
		       "<description>&x;</description></item></channel></rss>",
		       "f.xml:1: entity declarations are not accepted");
	expect_refused("<?xml version=\"1.0\"?><rss><channel><item><title>お知らせ</title>"
		       "<description>休刊です</description></item></channel></rss>",
		       "f.xml:1: entry skipped: no items in its content");
}

/* Two entries of one number: the first kept, the second skipped. */
static void test_duplicates(void)
{
	const char *feed =
	    "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	    "<entry><title>Issue #5</title><content type=\"html\">&lt;h3&gt;one&lt;/h3&gt;"
	    "</content></entry>\n"
	    "<entry><title>Issue #5 (again)</title><content type=\"html\">&lt;h3&gt;two&lt;/h3&gt;"
	    "</content></entry>\n</feed>\n";
	struct ks_batch b = {0};
	struct ks_err e = {""};
	CHECK(ks_ingest_parse("d.atom", feed, strlen(feed), KS_FMT_AUTO, &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.n_skipped == 1);
	if (b.n_issues == 1)
		CHECK_STR(b.issues[0].items[0].title, "one");
	if (b.n_notes)
		CHECK_STR(
		    b.notes[0],
		    "d.atom:4: entry skipped: its issue number was given by an earlier entry");
	ks_batch_clear(&b);
	enum ks_format f = KS_FMT_AUTO;
	CHECK(ks_ingest_format_parse("feed", &f) == KS_OK && f == KS_FMT_FEED);
	CHECK(ks_ingest_format_parse("atom", &f) == KS_OK && f == KS_FMT_FEED);
	CHECK(ks_ingest_detect("<rss version=\"2.0\">", 19) == KS_FMT_FEED);
}

/* An entry's HTML content is UTF-8 as libxml2 gives it, whatever charset
 * the HTML declares: a <meta charset="shift_jis"> in it is not obeyed (it
 * would turn the UTF-8 bytes into mojibake); its links are the items'. */
static void test_content_declares_charset(void)
{
	const char *feed =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	    "<entry><title>Issue #6</title><content type=\"html\">"
	    "&lt;html&gt;&lt;head&gt;&lt;meta charset=\"shift_jis\"&gt;"
	    "&lt;meta http-equiv=\"Content-Type\" content=\"text/html; charset=euc-jp\"&gt;"
	    "&lt;/head&gt;&lt;body&gt;"
	    "&lt;h3&gt;&lt;a href=\"https://news.example.jp/a\"&gt;ランサムウェア攻撃&lt;/a&gt;&lt;/h3&gt;"
	    "&lt;p&gt;工場が停止 &lt;a href=\"https://www.example.com/b\"&gt;詳細&lt;/a&gt;&lt;/p&gt;"
	    "&lt;/body&gt;&lt;/html&gt;</content></entry>\n</feed>\n";
	struct ks_batch b = {0};
	struct ks_err e = {""};
	CHECK(ks_ingest_parse("c.atom", feed, strlen(feed), KS_FMT_AUTO, &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].n_items == 1);
	if (b.n_issues == 1 && b.issues[0].n_items == 1) {
		const struct ks_item *it = &b.issues[0].items[0];
		CHECK_STR(it->title, "ランサムウェア攻撃");
		CHECK_STR(it->quote, "工場が停止 詳細");
		CHECK(it->n_links == 2);
		if (it->n_links == 2)
			CHECK_STR(it->links[1], "https://www.example.com/b");
	}
	ks_batch_clear(&b);
}

TEST_MAIN(TEST(test_rss), TEST(test_atom), TEST(test_refused), TEST(test_duplicates),
	  TEST(test_content_declares_charset))
