/* test_ingest_email.c - email as delivered (tests/data/formats): one
 * message (.eml, a Maildir's files) or an mbox, each message an issue;
 * ISO-2022-JP, Shift_JIS, EUC-JP and UTF-8; base64 and quoted-printable;
 * the HTML part preferred over the text part; the number from the Subject,
 * the date from the body, the Subject or the Date: header; bad messages
 * reported and skipped; detection by content that leaves the plain-text
 * layout alone. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "formats.h"
#include "kensaku/ingest.h"
#include "charset.h"
#include "mail_text.h"


static int parse_file(const char *file, struct ks_batch *b, struct ks_err *e)
{
	return h_parse_format(file, KS_FMT_EMAIL, b, e);
}

/* Parses the fixture file, which must give one issue of n items: returns
 * it (in b, which the caller clears), or NULL when it does not. */
static const struct ks_issue *one_issue(const char *file, size_t n, struct ks_batch *b)
{
	struct ks_err e;
	int ok = parse_file(file, b, &e) == KS_OK && b->n_issues == 1 && b->issues[0].n_items == n;
	CHECK(ok);
	return ok ? &b->issues[0] : NULL;
}

/* A batch holding one issue (7, "sentinel"), to see that a failed parse
 * leaves it as it was. */
static void sentinel(struct ks_batch *b)
{
	memset(b, 0, sizeof *b);
	struct ks_issue *is = ks_batch_add_issue(b);
	struct ks_item *it = is ? ks_issue_add_item(is) : NULL;
	CHECK(it != NULL);
	if (!it)
		return;
	is->number = 7;
	it->title = strdup("sentinel");
}

static int is_sentinel(const struct ks_batch *b)
{
	return b->n_issues == 1 && b->issues[0].number == 7 && b->issues[0].n_items == 1 &&
	       !strcmp(b->issues[0].items[0].title, "sentinel");
}

/* Parses text (format detected) as name into a fresh batch. */
static int parse_text(const char *name, const char *text, struct ks_batch *b, struct ks_err *e)
{
	memset(b, 0, sizeof *b);
	e->msg[0] = 0;
	return ks_ingest_parse(name, text, strlen(text), KS_FMT_AUTO, b, e);
}

/* Expects text, one message, to fail with a message starting with want,
 * and the batch it was parsed into to stay as it was. */
static void expect_refused(const char *text, const char *want)
{
	struct ks_batch b;
	struct ks_err e = {""};
	sentinel(&b);
	CHECK(ks_ingest_email("m.eml", text, strlen(text), &b, &e) == KS_ERR_PARSE);
	if (strncmp(e.msg, want, strlen(want)) != 0)
		fprintf(stderr, "  got: %s\n  want: %s\n", e.msg, want);
	CHECK(strncmp(e.msg, want, strlen(want)) == 0);
	CHECK(is_sentinel(&b));
	ks_batch_clear(&b);
}

/* The first parse of the process runs in four threads at once: GMime is
 * initialised once and each gives the same issue. */
static void *parse_in_thread(void *arg)
{
	struct ks_batch b;
	struct ks_err e;
	int *ok = arg;
	*ok = parse_file("email-issue-39-alt.eml", &b, &e) == KS_OK && b.n_issues == 1 &&
	      b.issues[0].number == 39 && b.issues[0].n_items == 2;
	ks_batch_clear(&b);
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[4];
	int ok[4] = {0};
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, parse_in_thread, &ok[i]) == 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(ok[i]);
	}
}

/* ISO-2022-JP text/plain: the number from the RFC 2047 Subject (第36号),
 * the date from Date: as the sender wrote it (+0900: still the 3rd), ① in
 * the NEC row 13 Windows mailers use. */
static void test_iso2022jp(void)
{
	struct ks_batch b;
	const struct ks_issue *is = one_issue("email-issue-36.eml", 3, &b);
	if (is) {
		CHECK(b.n_notes == 0 && b.n_skipped == 0);
		CHECK(is->number == 36);
		CHECK_STR(is->date, "2023-09-03");
		CHECK_STR(is->title, "週刊セキュリティまとめ 第36号");
		CHECK_STR(is->items[0].section, "事件、事故");
		CHECK_STR(is->items[0].title, "大手旅行会社の予約サイトで顧客情報が流出");
		CHECK_STR(is->items[0].quote,
			  "不正アクセスにより、約5万件の氏名とメールアドレスが外部に"
			  "流出したと発表しました。");
		CHECK_STR(is->items[0].url, "https://news.example.jp/2023/09/01/travel-leak");
		CHECK(is->items[0].line == 1 && is->items[0].position == 1);
		CHECK_STR(is->items[1].section, "脆弱性");
		CHECK_STR(
		    is->items[1].quote,
		    "An authentication bypass in the web console lets remote attackers change "
		    "settings.\n対象は①管理画面をインターネットに公開している機器です。");
		CHECK_STR(is->items[2].section, "その他");
		CHECK_STR(is->items[2].title, "警察庁がフィッシング対策の注意喚起");
		CHECK(is->items[2].url == NULL);
	}
	ks_batch_clear(&b);
}

/* Shift_JIS multipart/alternative: the base64 HTML part is read (links),
 * although it declares charset=Shift_JIS in a <meta> and reaches the
 * extractor as UTF-8; the date of its <time> wins over Date: (the 11th);
 * 0x5C stays a backslash. */
static void test_sjis_html(void)
{
	struct ks_batch b;
	const struct ks_issue *is = one_issue("email-issue-37-sjis.eml", 2, &b);
	if (is) {
		CHECK(is->number == 37);
		CHECK_STR(is->date, "2023-09-10");
		CHECK_STR(is->title, "【第37号】週刊セキュリティまとめ");
		CHECK_STR(is->items[0].section, "攻撃、脅威");
		CHECK_STR(is->items[0].title, "ランサムウェア攻撃で製造業の工場が停止");
		CHECK_STR(is->items[0].url, "https://news.example.jp/2023/09/08/factory-ransom");
		CHECK_STR(is->items[1].section, "脆弱性");
		CHECK_STR(
		    is->items[1].quote,
		    "細工したファイルを開くと C:\\Windows\\Temp に不審なプログラムが置かれます。");
	}
	ks_batch_clear(&b);
}

/* EUC-JP text/plain in base64: "Vol. 38" in the Subject; the body's
 * "Date:" line wins over the Date: header (the 19th); ① from JIS X 0213. */
static void test_eucjp_base64(void)
{
	struct ks_batch b;
	const struct ks_issue *is = one_issue("email-issue-38-eucjp.eml", 2, &b);
	if (is) {
		CHECK(is->number == 38);
		CHECK_STR(is->date, "2023-09-17");
		CHECK_STR(is->title, "セキュリティ通信 Vol. 38");
		CHECK_STR(is->items[0].title, "自治体の委託先で住民データを誤送信");
		CHECK_STR(is->items[1].quote, "Attackers who know a channel's name can read ① its "
					      "pinned messages without joining.");
	}
	ks_batch_clear(&b);
}

/* UTF-8 multipart/alternative, both parts quoted-printable: the HTML one
 * is read (its longer quote, its links, its second item); the date is the
 * sender's (-0700: the 24th, the 25th in UTC). */
static void test_alternative_qp(void)
{
	struct ks_batch b;
	const struct ks_issue *is = one_issue("email-issue-39-alt.eml", 2, &b);
	if (is) {
		CHECK(is->number == 39);
		CHECK_STR(is->date, "2023-09-24");
		CHECK_STR(is->title, "Security Weekly – Issue #39");
		CHECK_STR(is->items[0].title, "VPN装置の脆弱性が悪用される");
		CHECK_STR(
		    is->items[0].quote,
		    "Attackers are exploiting the flaw to steal session tokens from unpatched "
		    "gateways. Vendors urge customers to apply the fix and reset every credential "
		    "at once.");
		CHECK_STR(is->items[0].url, "https://news.example.com/2023/09/22/vpn-exploited");
		CHECK_STR(is->items[1].title, "大手サービスがパスキー対応を発表");
	}
	ks_batch_clear(&b);
}

/* An mbox of three: the second's header GMime cannot read is reported at
 * its "From " line and the third is still read; ">From " is unquoted;
 * items carry the line of their message. */
static void test_mbox(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_file("newsletters.mbox", &b, &e) == KS_OK);
	CHECK(b.n_issues == 2 && b.n_skipped == 1 && b.n_notes == 1);
	if (b.n_notes == 1)
		CHECK_STR(b.notes[0],
			  "newsletters.mbox:14: message 2 skipped: not an email message "
			  "(its header is not a list of RFC 5322 fields)");
	if (b.n_issues != 2 || b.issues[0].n_items != 1 || b.issues[1].n_items != 1) {
		CHECK(0);
		ks_batch_clear(&b);
		return;
	}
	CHECK(b.issues[0].number == 41);
	CHECK_STR(b.issues[0].date, "2023-10-01");
	CHECK_STR(b.issues[0].items[0].quote,
		  "共同研究の依頼を装い、添付ファイルを開かせる手口が確認されています。\n"
		  "From the report: attachments were password-protected archives.");
	CHECK(b.issues[0].items[0].line == 1);
	CHECK(b.issues[1].number == 42);
	CHECK_STR(b.issues[1].title, "週刊セキュリティまとめ 第42号");
	CHECK_STR(b.issues[1].items[0].url, "https://news.example.jp/2023/10/13/cms-plugin");
	CHECK(b.issues[1].items[0].line == 21);
	ks_batch_clear(&b);
}

/* Maildir files have no extension: detected by content. */
static void test_maildir(void)
{
	struct ks_batch b;
	struct ks_err e;
	CHECK(parse_file("maildir/cur/1697929200.M1P4242.mx.example.org:2,S", &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].number == 43 && b.issues[0].n_items == 1);
	if (b.n_issues == 1 && b.issues[0].n_items == 1)
		CHECK_STR(b.issues[0].items[0].title, "政府がサイバー人材育成の新計画を公表");
	ks_batch_clear(&b);
	CHECK(parse_file("maildir/new/1698534000.M2P4242.mx.example.org", &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.issues[0].number == 44);
	CHECK(b.n_issues == 1 && !strcmp(b.issues[0].date, "2023-10-29"));
	ks_batch_clear(&b);
}

#define HDR "From: a@example.org\nMIME-Version: 1.0\n"
#define TEXT_BODY "\n脆弱性\nルーターに脆弱性\nAttackers can log in without a password.\n"

/* Messages that give no issue: refused with the reason, the batch as it
 * was. */
static void test_refused(void)
{
	expect_refused("", "m.eml:1: no email message found");
	expect_refused("\n\n", "m.eml:1: no email message found");
	expect_refused(HDR "Subject: Issue #5\n", "m.eml:1: its text/plain part, line 1: no items");
	expect_refused(HDR "Subject: no number here\n" TEXT_BODY,
		       "m.eml:1: no issue number (none in the Subject or the body)");
	expect_refused(HDR "Subject: Issue #5\nContent-Transfer-Encoding: base64\n\n"
			   "6ISG5byx5oCn!!!*\n",
		       "m.eml:1: its text/plain part is broken base64");
	expect_refused(HDR "Subject: Issue #5\nContent-Transfer-Encoding: base64\n\n6ISG5\n",
		       "m.eml:1: its text/plain part is broken base64");
	expect_refused(HDR "Subject: Issue #5\nContent-Type: text/plain; charset=utf-8\n\n"
			   "\x80\x80\xff\xfe\n",
		       "m.eml:1: its text/plain part is not text in charset utf-8, nor in "
		       "UTF-8, ISO-2022-JP, EUC-JP or Shift_JIS");
	expect_refused(HDR
		       "Subject: Issue #5\nContent-Type: multipart/mixed; boundary=b\n\n"
		       "--b\nContent-Type: application/pdf\n\n%PDF-1.4\n--b\n"
		       "Content-Type: text/plain\nContent-Disposition: attachment\n\nx\n--b--\n",
		       "m.eml:1: no text/html or text/plain part that is not an attachment");
	expect_refused(HDR "Subject: Issue #5\nContent-Type: text/html\n\n<p>hello</p>\n",
		       "m.eml:1: its text/html part holds no items");
	expect_refused("not a header\nSubject: Issue #5\n" TEXT_BODY,
		       "m.eml:1: not an email message (its header is not a list of RFC 5322 "
		       "fields)");
	struct ks_err e = {""};
	CHECK(ks_ingest_email("m.eml", "x", 1, NULL, &e) == KS_ERR_ARG);
}

/* Charsets a header names wrongly or not at all, raw ISO-2022-JP in the
 * Subject, an empty ISO-2022-JP segment, and a multipart left open: read. */
static void test_charsets(void)
{
	static const struct {
		const char *text, *title;
	} cases[] = {
	    /* Shift_JIS bytes under an unknown charset, then under a lying one */
	    {HDR "Subject: Issue #5\nContent-Type: text/plain; charset=x-unknown\n\n"
		 "\x90\xc6\x8e\xe3\x90\xab\n\x83\x8b\x81\x5b\x83\x5e\x81\x5b\x82\xc9\x90\xc6"
		 "\x8e\xe3\x90\xab\nAttackers can log in without a password.\n",
	     "ルーターに脆弱性"},
	    {HDR "Subject: Issue #5\nContent-Type: text/plain; charset=utf-8\n\n"
		 "\x90\xc6\x8e\xe3\x90\xab\n\x83\x8b\x81\x5b\x83\x5e\x81\x5b\x82\xc9\x90\xc6"
		 "\x8e\xe3\x90\xab\nAttackers can log in without a password.\n",
	     "ルーターに脆弱性"},
	    /* ISO-2022-JP under us-ascii, with an escape right after another */
	    {HDR "Subject: Issue #5\nContent-Type: text/plain; charset=us-ascii\n\n"
		 "\x1b$B@H<e@-\x1b(B\n\x1b(B\x1b$B%k!<%?!<$K@H<e@-\x1b(B\n"
		 "Attackers can log in without a password.\n",
	     "ルーターに脆弱性"},
	    /* no closing boundary */
	    {HDR "Subject: Issue #5\nContent-Type: multipart/mixed; boundary=q\n\n--q\n"
		 "Content-Type: text/plain; charset=utf-8\n" TEXT_BODY,
	     "ルーターに脆弱性"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ks_batch b;
		struct ks_err e;
		int rc = parse_text("c.eml", cases[i].text, &b, &e);
		if (rc != KS_OK)
			fprintf(stderr, "  case %zu: %s\n", i, e.msg);
		CHECK(rc == KS_OK && b.n_issues == 1 && b.issues[0].n_items == 1);
		if (rc == KS_OK && b.n_issues == 1 && b.issues[0].n_items == 1) {
			CHECK(b.issues[0].number == 5);
			CHECK_STR(b.issues[0].items[0].title, cases[i].title);
		}
		ks_batch_clear(&b);
	}
	struct ks_batch b;
	struct ks_err e;
	const char *raw = HDR "Subject: \x1b$B=54)\x1b(B Issue #6\n" TEXT_BODY;
	CHECK(parse_text("r.eml", raw, &b, &e) == KS_OK && b.n_issues == 1);
	if (b.n_issues == 1)
		CHECK_STR(b.issues[0].title, "週刊 Issue #6");
	ks_batch_clear(&b);
}

/* The Subject's number wins over the body's; the body's date over the
 * Subject's, the Subject's over Date:; an HTML part without items gives
 * way to the text part. */
static void test_precedence(void)
{
	struct ks_batch b;
	struct ks_err e;
	const char *t = HDR "Subject: Weekly 2023-05-06 - Issue #50\nDate: Mon, 8 May 2023 "
			    "10:00:00 +0000\n\nNews - Issue #49\nDate: 2023-05-07\n" TEXT_BODY;
	CHECK(parse_text("p.eml", t, &b, &e) == KS_OK && b.n_issues == 1);
	if (b.n_issues == 1) {
		CHECK(b.issues[0].number == 50);
		CHECK_STR(b.issues[0].date, "2023-05-07");
	}
	ks_batch_clear(&b);
	t = HDR "Subject: Weekly 2023-05-06 - Issue #50\nDate: Mon, 8 May 2023 10:00:00 "
		"+0000\n" TEXT_BODY;
	CHECK(parse_text("p.eml", t, &b, &e) == KS_OK && b.n_issues == 1);
	if (b.n_issues == 1)
		CHECK_STR(b.issues[0].date, "2023-05-06");
	ks_batch_clear(&b);
	t = HDR "Subject: Issue #50\nDate: Mon, 8 May 2023 23:30:00 -0200\n" TEXT_BODY;
	CHECK(parse_text("p.eml", t, &b, &e) == KS_OK && b.n_issues == 1);
	if (b.n_issues == 1)
		CHECK_STR(b.issues[0].date, "2023-05-08");
	ks_batch_clear(&b);
	t = HDR "Subject: Issue #51\nContent-Type: multipart/alternative; boundary=a\n\n--a\n"
		"Content-Type: text/plain; charset=utf-8\n" TEXT_BODY "--a\n"
		"Content-Type: text/html; charset=utf-8\n\n<p>Nothing but a greeting.</p>\n--a--\n";
	CHECK(parse_text("p.eml", t, &b, &e) == KS_OK && b.n_issues == 1);
	if (b.n_issues == 1 && b.issues[0].n_items == 1)
		CHECK_STR(b.issues[0].items[0].title, "ルーターに脆弱性");
	ks_batch_clear(&b);
}

/* format=flowed (RFC 3676): soft line breaks joined, DelSp honoured,
 * stuffing removed, quote depths kept apart. */
static void test_flowed(void)
{
	struct ks_batch b;
	struct ks_err e;
	const char *t = HDR "Subject: Issue #9\nContent-Type: text/plain; charset=utf-8; "
			    "format=flowed; delsp=yes\n\n脆弱性\nルーターに \n脆弱性\n"
			    "Attackers can log in  \n without a password.\n";
	CHECK(parse_text("f.eml", t, &b, &e) == KS_OK && b.n_issues == 1);
	if (b.n_issues == 1 && b.issues[0].n_items == 1) {
		CHECK_STR(b.issues[0].items[0].title, "ルーターに脆弱性");
		CHECK_STR(b.issues[0].items[0].quote, "Attackers can log in without a password.");
	}
	ks_batch_clear(&b);
	t = HDR "Subject: Issue #9\nContent-Type: text/plain; format=Flowed\n\n脆弱性\n"
		"ルーターに脆弱性\nAttackers can \nlog in.\n> quoted \n>> deeper\n-- \nsig\n";
	CHECK(parse_text("f.eml", t, &b, &e) == KS_OK && b.n_issues == 1);
	if (b.n_issues == 1 && b.issues[0].n_items == 1)
		CHECK(!strncmp(b.issues[0].items[0].quote,
			       "Attackers can log in.\n> quoted\n>> deeper\n", 40));
	ks_batch_clear(&b);
}

#define FROM_LINE "From a@example.org Sun Oct  1 08:00:00 2023\n"

/* An mbox: messages without a text part, with broken base64 or with the
 * number of an earlier one are skipped; when none is left the file fails;
 * notes of the plain-text parser name the message and the line. */
static void test_mbox_skips(void)
{
	struct ks_batch b;
	struct ks_err e;
	char title[3 * (KS_MAX_TITLE_CHARS + 1) + 1], *mbox;
	const char *skips = FROM_LINE HDR
	    "Subject: Issue #1\n" TEXT_BODY "\n" FROM_LINE HDR
	    "Subject: Issue #2\nContent-Type: image/png\n\nPNG\n\n" FROM_LINE HDR
	    "Subject: Issue #3\nContent-Transfer-Encoding: base64\n\n@@@@\n\n" FROM_LINE HDR
	    "Subject: Issue #1 again\n" TEXT_BODY;
	CHECK(parse_text("s.mbox", skips, &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.n_skipped == 3 && b.n_notes == 3);
	if (b.n_notes == 3) {
		CHECK_STR(b.notes[0],
			  "s.mbox:10: message 2 skipped: no text/html or text/plain part "
			  "that is not an attachment");
		CHECK(!strncmp(b.notes[1],
			       "s.mbox:18: message 3 skipped: its text/plain part is "
			       "broken base64",
			       62));
		CHECK_STR(b.notes[2],
			  "s.mbox:26: message 4 skipped: issue 1 was given by an earlier message");
	}
	ks_batch_clear(&b);
	sentinel(&b);
	const char *none = FROM_LINE HDR "Subject: nothing\n" TEXT_BODY;
	CHECK(ks_ingest_parse("n.mbox", none, strlen(none), KS_FMT_AUTO, &b, &e) == KS_ERR_PARSE);
	CHECK_STR(e.msg, "n.mbox:1: message 1 skipped: no issue number (none in the Subject or the "
			 "body); no message of the file gave items");
	CHECK(is_sentinel(&b));
	ks_batch_clear(&b);
	/* a headline past KS_MAX_TITLE_CHARS: the item is skipped, reported */
	for (size_t i = 0; i + 3 < sizeof title; i += 3)
		memcpy(title + i, "脆", 3);
	title[sizeof title - 1] = 0;
	size_t n = strlen(skips) + sizeof title + 200;
	mbox = malloc(n);
	CHECK(mbox != NULL);
	if (!mbox)
		return;
	snprintf(mbox, n,
		 FROM_LINE HDR "Subject: Issue #8\n\n脆弱性\nルーターに脆弱性\n%s\n"
			       "その他\n政府が新計画を公表\n",
		 title);
	CHECK(parse_text("l.mbox", mbox, &b, &e) == KS_OK);
	CHECK(b.n_issues == 1 && b.n_skipped >= 1);
	if (b.n_notes >= 1)
		CHECK_STR(b.notes[0], "l.mbox:1: message 1, line 3 of its text: item skipped: "
				      "title of 1001 characters (at most 1000)");
	ks_batch_clear(&b);
	free(mbox);
}

/* Detection: RFC 5322 headers and mbox "From " lines are email; the
 * plain-text layout (a title line, a "Date:" line, "From the editor")
 * stays text. */
static void test_detect(void)
{
	static const char *const email[] = {
	    "From: a@example.org\nSubject: Issue #1\n\nbody",
	    "Return-Path: <a@example.org>\r\nReceived: from x\r\n\tby y\r\n\r\n",
	    "\xEF\xBB\xBF\nSubject: x\nDate: Sun, 1 Oct 2023 08:00:00 +0900\n\n",
	    "Delivered-To: a@example.org\nX-Spam: no\nMessage-ID: <1@x>\n\n",
	    FROM_LINE "From: a@example.org\nSubject: x\n\nbody\n",
	    "MIME-Version: 1.0\nContent-Type: text/plain"};
	static const char *const text[] = {
	    "View profile\n\nニュース - Issue #59\n",
	    "Date: 2022-03-27\nIssue #59\n\n脆弱性\n",
	    "Date: 2022-03-27\n\nSubject: x\n",
	    "Subject: only one field\n\nbody\n",
	    "Title: x\nAuthor: y\n\nbody\n",
	    "From the editor\nこんにちは\n",
	    "From a@example.org Sun Oct  1 08:00:00 2023\nこんにちは\n",
	    "事件、事故\nLAPSUS$ が不正アクセス\n",
	    "Security News: Issue #59\nDate: 2022-03-27\n\n"};
	for (size_t i = 0; i < sizeof email / sizeof email[0]; i++)
		CHECK(ks_ingest_detect(email[i], strlen(email[i])) == KS_FMT_EMAIL);
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		CHECK(ks_ingest_detect(text[i], strlen(text[i])) == KS_FMT_TEXT);
	/* a header longer than the probe (a long chain of Received: fields) */
	char big[KS_DETECT_PROBE + 600] = "Received: from a\n";
	while (strlen(big) + 40 < sizeof big)
		strcat(big, "Received: from relay.example.org\n");
	CHECK(ks_ingest_detect(big, strlen(big)) == KS_FMT_EMAIL);
	/* the text layout's fixtures and the shared issue */
	const char *files[] = {KS_SOURCE_DIR "/tests/data/ingest/2022-03-27-issue-61.txt",
			       KS_SOURCE_DIR "/tests/data/ingest/unseen-heading.txt",
			       KS_SOURCE_DIR "/tests/data/ingest/crlf-bom.txt", NULL};
	char shared[4200];
	const char *dir = h_fixtures_dir();
	if (dir) {
		snprintf(shared, sizeof shared, "%s/issue-59.txt", dir);
		files[sizeof files / sizeof files[0] - 1] = shared;
	}
	for (size_t i = 0; i < sizeof files / sizeof files[0] && files[i]; i++) {
		size_t len = 0;
		char *data = h_slurp(files[i], &len);
		CHECK(data && ks_ingest_detect(data, len) == KS_FMT_TEXT);
		free(data);
	}
	enum ks_format f = KS_FMT_AUTO;
	static const char *const names[] = {"email", "eml", "mbox", "MAIL"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		f = KS_FMT_AUTO;
		CHECK(ks_ingest_format_parse(names[i], &f) == KS_OK && f == KS_FMT_EMAIL);
	}
}

/* The pieces: strict conversion with ICU's aliases, and the HTML charset
 * declarations blotted out. */
static void test_mail_text(void)
{
	char *o = NULL;
	size_t n = 0;
	CHECK(ks_charset_to_utf8("x-sjis", "a\\b\x83\x65", 5, &o, &n) == KS_OK);
	CHECK(o && n == 6 && !strcmp(o, "a\\bテ"));
	free(o);
	CHECK(ks_charset_to_utf8("windows-31j", "\x87\x40", 2, &o, &n) == KS_OK);
	CHECK(o && !strcmp(o, "①"));
	free(o);
	o = NULL;
	CHECK(ks_charset_to_utf8("x-bogus-charset", "abc", 3, &o, &n) == KS_ERR_PARSE && !o);
	CHECK(ks_charset_to_utf8("EUC-JP", "\x82\xa0", 2, &o, &n) == KS_ERR_PARSE && !o);
	CHECK(ks_charset_to_utf8("UTF-8",
			      "a\x1b"
			      "b",
			      3, &o, &n) == KS_ERR_PARSE &&
	      !o);
	CHECK(ks_charset_to_utf8("UTF-8", "", 0, &o, &n) == KS_OK && o && n == 0);
	free(o);
}

TEST_MAIN(TEST(test_threads), TEST(test_iso2022jp), TEST(test_sjis_html), TEST(test_eucjp_base64),
	  TEST(test_alternative_qp), TEST(test_mbox), TEST(test_maildir), TEST(test_refused),
	  TEST(test_charsets), TEST(test_precedence), TEST(test_flowed), TEST(test_mbox_skips),
	  TEST(test_detect), TEST(test_mail_text))
