/* bench_ingest.c - ingest throughput of every archive format beside the
 * plain-text parser's, on the same generated issues, in one run (issue 13).
 *
 * usage: bench_ingest [--issues N] [--passes P] [--write DIR]
 *
 * Generates N issues (default 2000, 6 items each, deterministic) in the
 * plain-text layout, then the same issues as JSON Lines (one issue a
 * line), as HTML pages (a file an issue), as one Atom feed of N entries
 * (HTML content), and as three mboxes of N messages: text/plain UTF-8
 * (8bit), text/plain ISO-2022-JP (7bit) and multipart/alternative with the
 * HTML part in base64 (read through the HTML extractor). Parses each P
 * times (default 3) and prints, per form, the best pass: items, seconds
 * and items/s. Parsing only: nothing is indexed (run `kensaku index` on
 * the files --write leaves for that). Exits 1 when a form does not give N
 * issues of 6 items. A figure, never a pass or fail on speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include <glib.h>
#include <unicode/ucnv.h>

#include "kensaku/buf.h"
#include "kensaku/ingest.h"

#define ITEMS 6

static const char *const g_sections[] = {"事件、事故", "攻撃、脅威", "脆弱性"};
static const char *const g_who[] = {"大手通販サイト", "地方銀行", "大学病院",
				    "製造業の工場",   "自治体",	  "クラウド事業者",
				    "ゲーム会社",     "旅行会社"};
static const char *const g_what[] = {
    "不正アクセスで顧客情報が流出", "ランサムウェア被害で業務停止",
    "フィッシングで認証情報を窃取", "設定不備で個人データが公開状態に",
    "VPN装置の脆弱性を突かれ侵入",  "内部不正でデータを持ち出し"};
static const char *const g_en[] = {
    "Attackers used stolen credentials to reach the internal network.",
    "The vendor released a patch and urged customers to update at once.",
    "Researchers observed the campaign targeting several sectors in Asia.",
    "The company said it had notified the regulator and affected customers."};

static unsigned g_seed = 12345;
static unsigned rnd(unsigned n)
{
	g_seed = g_seed * 1103515245u + 12345u;
	return (g_seed >> 16) % n;
}

/* s as the contents of a JSON string (the generated text holds no quote
 * or backslash; line breaks are escaped). */
static void put_json_str(struct ks_buf *b, const char *s)
{
	for (; *s; s++)
		ks_buf_printf(b, *s == '\n' ? "\\n" : "%c", *s);
}

/* Issue n in the plain-text layout (text), as the HTML of a page (html)
 * and as one JSON Lines line (jsonl). */
static void make_issue(int n, struct ks_buf *text, struct ks_buf *html, struct ks_buf *jsonl)
{
	int day = 1 + n % 28, month = 1 + (n / 28) % 12;
	ks_buf_printf(
	    text, "View profile\n\n週刊セキュリティまとめ - Issue #%d\nDate: 2023-%02d-%02d\n\n", n,
	    month, day);
	ks_buf_printf(html,
		      "<html><head><meta charset=\"utf-8\"><title>週刊セキュリティまとめ - Issue "
		      "#%d</title></head><body>\n<h1>週刊セキュリティまとめ - Issue #%d</h1>\n"
		      "<p><time datetime=\"2023-%02d-%02d\"></time></p>\n",
		      n, n, month, day);
	ks_buf_printf(jsonl, "{\"issue\": %d, \"date\": \"2023-%02d-%02d\", \"items\": [", n,
		      month, day);
	for (int k = 0; k < ITEMS; k++) {
		const char *who = g_who[rnd(8)], *what = g_what[rnd(6)], *en = g_en[rnd(4)];
		if (k % 2 == 0) {
			ks_buf_printf(text, "%s%s\n", k ? "\n" : "", g_sections[k / 2]);
			ks_buf_printf(html, "<h2>%s</h2>\n", g_sections[k / 2]);
		}
		ks_buf_printf(text,
			      "%sが%s（%d件目）\n%s\n%sは調査を進めていると発表しました。\n"
			      "https://news.example.jp/%d/%d\n",
			      who, what, k + 1, en, who, n, k);
		ks_buf_printf(
		    html,
		    "<h3><a href=\"https://news.example.jp/%d/%d\">%sが%s（%d件目）</a></h3>\n"
		    "<p>%s</p>\n<p>%sは調査を進めていると発表しました。</p>\n",
		    n, k, who, what, k + 1, en, who);
		ks_buf_printf(jsonl,
			      "%s{\"section\": \"%s\", \"title\": \"%sが%s（%d件目）\", \"quote\": "
			      "[\"",
			      k ? ", " : "", g_sections[k / 2], who, what, k + 1);
		put_json_str(jsonl, en);
		ks_buf_printf(jsonl,
			      "\", \"%sは調査を進めていると発表しました。\"], \"url\": "
			      "\"https://news.example.jp/%d/%d\"}",
			      who, n, k);
	}
	ks_buf_printf(jsonl, "]}\n");
	ks_buf_printf(text, "\nDid you enjoy this issue?\n");
	ks_buf_printf(html, "</body></html>\n");
}

/* s as ISO-2022-JP (ICU), appended to b. */
static void put_iso2022jp(struct ks_buf *b, const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	size_t cap = n * 2 + 16;
	char *o = malloc(cap);
	int32_t got =
	    o ? ucnv_convert("ISO-2022-JP", "UTF-8", o, (int32_t)cap, s, (int32_t)n, &st) : 0;
	if (!o || U_FAILURE(st)) {
		fprintf(stderr, "bench_ingest: ISO-2022-JP: %s\n", u_errorName(st));
		exit(2);
	}
	ks_buf_add(b, o, (size_t)got);
	free(o);
}

enum form { F_TEXT, F_JSONL, F_HTML, F_FEED, F_MBOX_UTF8, F_MBOX_JIS, F_MBOX_HTML, F_FORMS };
static const char *const g_form_names[] = {"plain text (ks_ingest_text, a file an issue)",
					   "JSON Lines (one file, an issue a line)",
					   "HTML pages (ks_ingest_html, a file an issue)",
					   "Atom feed (one file, an entry an issue)",
					   "mbox, text/plain UTF-8 8bit",
					   "mbox, text/plain ISO-2022-JP",
					   "mbox, multipart/alternative (HTML base64)"};

/* The HTML of page, XML-escaped, appended to b (an Atom entry's content). */
static void put_xml_escaped(struct ks_buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ks_buf_printf(b, "%s",
			      p[i] == '<'   ? "&lt;"
			      : p[i] == '>' ? "&gt;"
			      : p[i] == '&' ? "&amp;"
					    : (char[]){p[i], 0});
}

/* Entry n of the Atom feed f, its content the page html. */
static void put_entry(struct ks_buf *f, int n, const struct ks_buf *html)
{
	ks_buf_printf(f,
		      "<entry><title>週刊セキュリティまとめ - Issue #%d</title>"
		      "<id>https://news.example.jp/issues/%d</id>"
		      "<link href=\"https://news.example.jp/issues/%d\"/>"
		      "<updated>2023-10-01T08:00:00Z</updated><content type=\"html\">",
		      n, n, n);
	put_xml_escaped(f, html->p, html->len);
	ks_buf_printf(f, "</content></entry>\n");
}

/* One message of issue n in form f, appended to the mbox m. */
static void put_message(struct ks_buf *m, enum form f, int n, const struct ks_buf *text,
			const struct ks_buf *html)
{
	ks_buf_printf(
	    m,
	    "From letter@example.jp Sun Oct  1 08:00:00 2023\nFrom: letter@example.jp\n"
	    "Subject: =?UTF-8?B?6YCx5YiK?= Issue #%d\nDate: Sun, 01 Oct 2023 08:00:00 +0900\n"
	    "MIME-Version: 1.0\n",
	    n);
	if (f == F_MBOX_UTF8) {
		ks_buf_printf(
		    m,
		    "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n");
		ks_buf_add(m, text->p, text->len);
	} else if (f == F_MBOX_JIS) {
		ks_buf_printf(m, "Content-Type: text/plain; charset=ISO-2022-JP\n\n");
		put_iso2022jp(m, text->p, text->len);
	} else {
		gchar *b64 = g_base64_encode((const guchar *)html->p, html->len);
		ks_buf_printf(m, "Content-Type: multipart/alternative; boundary=\"b\"\n\n--b\n"
				 "Content-Type: text/plain; charset=utf-8\n\n");
		ks_buf_add(m, text->p, text->len);
		ks_buf_printf(m, "\n--b\nContent-Type: text/html; charset=utf-8\n"
				 "Content-Transfer-Encoding: base64\n\n");
		for (size_t i = 0, len = strlen(b64); i < len; i += 76)
			ks_buf_printf(m, "%.76s\n", b64 + i);
		ks_buf_printf(m, "--b--\n");
		g_free(b64);
	}
	ks_buf_printf(m, "\n");
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The generated issues in every form: a file an issue (texts, pages),
 * one file for the rest (all[form]). */
struct inputs {
	int issues;
	char **texts, **pages;
	struct ks_buf all[F_FORMS];
};

typedef int (*parse_fn)(const char *name, const char *data, size_t len, struct ks_batch *out,
			struct ks_err *err);

/* Parses each of the n files v (named issue-I.ext) into b. */
static void parse_each(parse_fn fn, const char *ext, char **v, int n, struct ks_batch *b,
		       struct ks_err *e)
{
	for (int i = 0; i < n; i++) {
		char nm[32];
		snprintf(nm, sizeof nm, "issue-%d.%s", i + 1, ext);
		if (fn(nm, v[i], strlen(v[i]), b, e) != KS_OK)
			break;
	}
}

/* Parses form f once; returns the items (-1 on a failure) and the seconds. */
static long parse_form(enum form f, const struct inputs *in, double *secs)
{
	static const parse_fn one_file[F_FORMS] = {NULL,	   ks_ingest_jsonl, NULL,
						   ks_ingest_feed, ks_ingest_email, ks_ingest_email,
						   ks_ingest_email};
	struct ks_batch b = {0};
	struct ks_err e = {""};
	long items = 0;
	int issues = in->issues;
	double t0 = now();
	if (f == F_TEXT)
		parse_each(ks_ingest_text, "txt", in->texts, issues, &b, &e);
	else if (f == F_HTML)
		parse_each(ks_ingest_html, "html", in->pages, issues, &b, &e);
	else if (one_file[f]("bench-input", in->all[f].p, in->all[f].len, &b, &e) != KS_OK)
		b.n_issues = 0;
	*secs = now() - t0;
	items = (long)ks_batch_count_items(&b);
	if ((int)b.n_issues != issues || items != (long)issues * ITEMS) {
		fprintf(stderr, "%s: %zu issues, %ld items (want %d, %d): %s\n", g_form_names[f],
			b.n_issues, items, issues, issues * ITEMS, e.msg);
		items = -1;
	}
	ks_batch_clear(&b);
	return items;
}

/* Writes n bytes of p to dir/name; exits when it cannot. */
static void write_file(const char *dir, const char *name, const char *p, size_t n)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "bench_ingest: cannot write %s\n", path);
		exit(2);
	}
}

/* Writes every form under dir (for `kensaku index`): form-F/ holds form
 * F's files. */
static void write_files(const char *dir, const struct inputs *in)
{
	static const char *const ext[F_FORMS] = {"txt", "jsonl", "html", "atom",
						 "mbox", "mbox", "mbox"};
	char sub[4096], name[64];
	for (int f = 0; f < F_FORMS; f++) {
		snprintf(sub, sizeof sub, "%s/form-%d", dir, f);
		if (mkdir(sub, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "bench_ingest: cannot make %s\n", sub);
			exit(2);
		}
		char **v = f == F_TEXT ? in->texts : f == F_HTML ? in->pages : NULL;
		for (int i = 0; v && i < in->issues; i++) {
			snprintf(name, sizeof name, "issue-%d.%s", i + 1, ext[f]);
			write_file(sub, name, v[i], strlen(v[i]));
		}
		snprintf(name, sizeof name, "all.%s", ext[f]);
		if (!v)
			write_file(sub, name, in->all[f].p, in->all[f].len);
	}
}

/* Makes every form of issues 1..in->issues; 0, or -1 on out of memory. */
static int make_inputs(struct inputs *in)
{
	in->texts = calloc((size_t)in->issues, sizeof *in->texts);
	in->pages = calloc((size_t)in->issues, sizeof *in->pages);
	ks_buf_printf(&in->all[F_FEED], "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
					"<feed xmlns=\"http://www.w3.org/2005/Atom\">"
					"<title>週刊セキュリティまとめ</title>\n");
	for (int i = 0; in->texts && in->pages && i < in->issues; i++) {
		struct ks_buf t = {0}, h = {0};
		make_issue(i + 1, &t, &h, &in->all[F_JSONL]);
		put_entry(&in->all[F_FEED], i + 1, &h);
		for (int f = F_MBOX_UTF8; f < F_FORMS; f++)
			put_message(&in->all[f], (enum form)f, i + 1, &t, &h);
		in->texts[i] = ks_buf_take(&t);
		in->pages[i] = ks_buf_take(&h);
		if (!in->texts[i] || !in->pages[i])
			return -1;
	}
	ks_buf_printf(&in->all[F_FEED], "</feed>\n");
	for (int f = 0; f < F_FORMS; f++)
		if (in->all[f].oom)
			return -1;
	return in->texts && in->pages ? 0 : -1;
}

static void free_inputs(struct inputs *in)
{
	for (int i = 0; i < in->issues; i++) {
		free(in->texts ? in->texts[i] : NULL);
		free(in->pages ? in->pages[i] : NULL);
	}
	free(in->texts);
	free(in->pages);
	for (int f = 0; f < F_FORMS; f++)
		ks_buf_free(&in->all[f]);
}

int main(int argc, char **argv)
{
	int passes = 3, bad = 0;
	struct inputs in = {.issues = 2000};
	const char *dir = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--issues"))
			in.issues = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--passes"))
			passes = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--write"))
			dir = argv[i + 1];
	}
	if (in.issues < 1 || passes < 1 || argc % 2 == 0) {
		fprintf(stderr, "usage: %s [--issues N] [--passes P] [--write DIR]\n", argv[0]);
		return 2;
	}
	if (make_inputs(&in) < 0) {
		fprintf(stderr, "bench_ingest: out of memory\n");
		return 2;
	}
	if (dir)
		write_files(dir, &in);
	printf("%-46s %9s %9s %8s %10s %7s\n", "form (same issues)", "issues", "items", "seconds",
	       "items/s", "/ text");
	double text_rate = 0;
	for (int f = 0; f < F_FORMS; f++) {
		double best = 0, s;
		long items = 0;
		for (int p = 0; p < passes && items >= 0; p++) {
			items = parse_form((enum form)f, &in, &s);
			best = p == 0 || s < best ? s : best;
		}
		bad |= items < 0;
		double rate = best > 0 && items > 0 ? (double)items / best : 0.0;
		if (f == F_TEXT)
			text_rate = rate;
		printf("%-46s %9d %9ld %8.3f %10.0f %6.2fx\n", g_form_names[f], in.issues, items, best,
		       rate, text_rate > 0 ? rate / text_rate : 0.0);
	}
	free_inputs(&in);
	return bad;
}
