/* ingest_text.c - the plain-text issue layout (one file per issue).
 *
 * A file is a header (up to the first section heading: "View profile", the
 * title line "... - Issue #59", "Weekly newsletter of ...", maybe a date), a
 * body of sections and items, and a footer from "Did you enjoy this issue?"
 * on. Inside the body each non-blank line is one of:
 *   - a section heading: one of the known names, or a short line (at most
 *     HEADING_MAX characters, no ASCII letters, no spaces, not ending in 。)
 *     followed by something that reads like a headline;
 *   - a quote of the current item: a line with no kana or kanji at all, an
 *     English sentence with a few Japanese words in it, or a Japanese
 *     sentence (ends in ます。です。た。... or is enclosed in 「」);
 *   - a URL alone on its line: a link of the current item (the first its url);
 *   - otherwise the headline of a new item. The first line after a heading
 *     is always a headline.
 * The parser works on a table of trimmed lines and never touches `out`
 * until the whole file has parsed. Items past the limits of item.h are
 * then dropped and reported (ks_batch_enforce_limits), the rest kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kensaku/date.h"
#include "kensaku/ingest.h"
#include "kensaku/utf8.h"

#define HEADING_MAX 12	/* characters in an unknown section heading */
#define ISSUE_DIGITS 15 /* digits accepted in an issue number */

static const char *const known_headings[] = {"事件、事故", "攻撃、脅威", "脆弱性", "その他"};

/* One physical line of the file, trimmed. */
struct line {
	const char *s;
	size_t len;
	int no; /* 1-based line number in the file */
};

/* ---- character classes ------------------------------------------------ */

static int is_space_cp(long cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '\v' || cp == '\f' ||
	       cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F ||
	       cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

/* Hiragana that end a sentence before 。: ます/です/た/だ/ない/う/ん/よ/ね/ず
 * and plain verb endings (する/続く/立つ/進む...). The noun-like endings of
 * headlines (差し押さえ。見通し。まとめ。など。) are not. */
static int is_sentence_end(long cp)
{
	static const long ends[] = {
	    0x3059 /* す */, 0x305F /* た */, 0x3060 /* だ */, 0x308B /* る */,
	    0x3044 /* い */, 0x3046 /* う */, 0x3093 /* ん */, 0x3088 /* よ */,
	    0x306D /* ね */, 0x306C /* ぬ */, 0x305A /* ず */, 0x304F /* く */,
	    0x3050 /* ぐ */, 0x3064 /* つ */, 0x3076 /* ぶ */, 0x3080 /* む */};
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
		if (cp == ends[i])
			return 1;
	return 0;
}

/* Kana (full and half width) and CJK ideographs. */
static int is_kana_kanji(long cp)
{
	return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
	       (cp >= 0xFF66 && cp <= 0xFF9F) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0x20000 && cp <= 0x3FFFF) || cp == 0x3005 || cp == 0x3006;
}

/* Kana, kanji or Japanese punctuation (、。「」...). */
static int is_japanese(long cp)
{
	return is_kana_kanji(cp) || (cp >= 0x3001 && cp <= 0x303F) ||
	       (cp >= 0xFF61 && cp <= 0xFF65);
}

/* Letters and digits of any script (roughly): what a separator line lacks. */
static int is_wordish(long cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
	       is_kana_kanji(cp) || (cp >= 0xFF10 && cp <= 0xFF19) ||
	       (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A) ||
	       (cp >= 0xC0 && cp <= 0x24F);
}

/* ---- line helpers ----------------------------------------------------- */

/* Trims white space (ASCII, NBSP, U+3000, BOM, ...) at both ends. */
static void trim(const char **s, size_t *n)
{
	size_t adv;
	while (*n > 0) {
		long cp = ks_utf8_decode(*s, *n, &adv);
		if (cp < 0 || !is_space_cp(cp))
			break;
		*s += adv;
		*n -= adv;
	}
	while (*n > 0) {
		size_t start;
		long cp = ks_utf8_last(*s, *n, &start);
		if (cp < 0 || !is_space_cp(cp))
			break;
		*n = start;
	}
}

static int starts_with_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && strncasecmp(s, prefix, k) == 0;
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* Finds needle in s[0..n) ignoring ASCII case; returns its offset or -1. */
static long find_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return (long)i;
	return -1;
}

static int has_japanese(const char *s, size_t n)
{
	size_t i = 0, adv;
	while (i < n) {
		long cp = ks_utf8_decode(s + i, n - i, &adv);
		if (cp < 0)
			return 0;
		if (is_japanese(cp))
			return 1;
		i += adv;
	}
	return 0;
}

/* ---- dates ------------------------------------------------------------ */

static void skip_spaces(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

/* 1 when s[0..n) is a weekday in parentheses, "(日)" or "（日）", of at most
 * 5 characters. */
static int weekday(const char *s, size_t n)
{
	const char *close = n && s[0] == '(' ? ")" : "）";
	return (starts_with(s, n, "(") || starts_with(s, n, "（")) && ends_with(s, n, close) &&
	       ks_utf8_chars(s, n) <= 5;
}

/* Parses a whole string as a date (ks_date_read): 2022-03-27, 2022/3/27,
 * 2022.03.27, 2022年3月27日 (optionally followed by a weekday in
 * parentheses), March 27, 2022 or 27 March 2022. Returns 1 with out set, 0
 * when s is not shaped like a date, -1 when it is shaped like one but is
 * not a real calendar date (2022-02-30). */
static int parse_date(const char *s, size_t n, char out[11])
{
	size_t end;
	int y, m, d;
	if (!ks_date_read(s, n, 0, &y, &m, &d, &end))
		return 0;
	if (end < n) { /* only after 日: spaces, then a weekday */
		if (!ends_with(s, end, "日"))
			return 0;
		skip_spaces(s, n, &end);
		if (end < n && !weekday(s + end, n - end))
			return 0;
	}
	return ks_date_format(y, m, d, out) == 0 ? 1 : -1;
}

/* If the line is a "Date: ..." line (also 日付: / 発行日:), returns 1 and
 * sets *v and *vn to the value after the label; else 0. */
static int date_label(const char *s, size_t n, const char **v, size_t *vn)
{
	static const char *const labels[] = {"date", "日付", "発行日"};
	for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++) {
		size_t i = strlen(labels[k]);
		if (!starts_with_ci(s, n, labels[k]))
			continue;
		skip_spaces(s, n, &i);
		if (i < n && s[i] == ':')
			i++;
		else if (starts_with(s + i, n - i, "："))
			i += strlen("：");
		else
			continue;
		*v = s + i;
		*vn = n - i;
		trim(v, vn);
		return 1;
	}
	return 0;
}

/* ---- line kinds ------------------------------------------------------- */

enum kind {
	K_BLANK,  /* empty after trimming */
	K_SEP,	  /* only punctuation/symbols: "----", "＊＊＊" */
	K_BOILER, /* "View profile", "Weekly newsletter of ..." */
	K_FOOTER, /* "Did you enjoy this issue?", unsubscribe text, "Created with" */
	K_DATE,	  /* "Date: ..." or a line that is only a date */
	K_CONTENT /* anything else */
};

static int is_weekly(const struct line *l)
{
	return starts_with_ci(l->s, l->len, "Weekly newsletter of");
}

static enum kind line_kind(const struct line *l)
{
	const char *v;
	size_t vn, i = 0, adv;
	char date[11];
	int wordish = 0;
	if (l->len == 0)
		return K_BLANK;
	if (starts_with_ci(l->s, l->len, "View profile") || is_weekly(l))
		return K_BOILER;
	if (starts_with_ci(l->s, l->len, "Did you enjoy this issue") ||
	    starts_with_ci(l->s, l->len, "In order to unsubscribe") ||
	    starts_with_ci(l->s, l->len, "If you were forwarded this newsletter") ||
	    starts_with_ci(l->s, l->len, "Created with "))
		return K_FOOTER;
	if (date_label(l->s, l->len, &v, &vn) || parse_date(l->s, l->len, date) != 0)
		return K_DATE;
	while (i < l->len && !wordish) {
		long cp = ks_utf8_decode(l->s + i, l->len - i, &adv);
		if (cp < 0)
			break;
		wordish = is_wordish(cp);
		i += adv;
	}
	return wordish ? K_CONTENT : K_SEP;
}

/* A bare URL: the whole line is one http(s) link. */
static int is_url(const struct line *l)
{
	if (!starts_with_ci(l->s, l->len, "http://") && !starts_with_ci(l->s, l->len, "https://"))
		return 0;
	for (size_t i = 0; i < l->len; i++)
		if (l->s[i] == ' ' || l->s[i] == '\t' || (unsigned char)l->s[i] >= 0x80)
			return 0;
	return 1;
}

/* Strips decoration around a heading: leading ■/#/● markers and spaces,
 * enclosing 【】/［］/[] and a trailing colon. */
static void heading_core(const char **s, size_t *n)
{
	static const char *const marks[] = {"■", "□", "◆", "◇", "●", "○", "▼",
					    "▽", "▶", "▷", "★", "☆", "#", "＃"};
	static const char *const pairs[][2] = {
	    {"【", "】"}, {"［", "］"}, {"[", "]"}, {"〔", "〕"}, {"《", "》"}};
	int again = 1;
	while (again) {
		again = 0;
		for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
			if (starts_with(*s, *n, marks[k])) {
				*s += strlen(marks[k]);
				*n -= strlen(marks[k]);
				trim(s, n);
				again = 1;
			}
		}
	}
	if (ends_with(*s, *n, ":"))
		*n -= 1;
	else if (ends_with(*s, *n, "："))
		*n -= strlen("：");
	for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
		size_t a = strlen(pairs[k][0]), b = strlen(pairs[k][1]);
		if (*n > a + b && starts_with(*s, *n, pairs[k][0]) &&
		    ends_with(*s, *n, pairs[k][1])) {
			*s += a;
			*n -= a + b;
			break;
		}
	}
	trim(s, n);
}

static int is_known_heading(const char *s, size_t n)
{
	for (size_t k = 0; k < sizeof known_headings / sizeof known_headings[0]; k++)
		if (n == strlen(known_headings[k]) && memcmp(s, known_headings[k], n) == 0)
			return 1;
	return 0;
}

/* The shape of an unknown heading: short, Japanese, no ASCII letters, no
 * spaces, not a sentence (no final 。), not a quotation. */
static int heading_shaped(const char *s, size_t n)
{
	size_t i = 0, adv, start;
	int jp = 0;
	if (n == 0 || ks_utf8_chars(s, n) > HEADING_MAX)
		return 0;
	while (i < n) {
		long cp = ks_utf8_decode(s + i, n - i, &adv);
		if (cp < 0 || is_space_cp(cp) || (cp >= 'A' && cp <= 'Z') ||
		    (cp >= 'a' && cp <= 'z'))
			return 0;
		jp |= is_kana_kanji(cp);
		i += adv;
	}
	long last = ks_utf8_last(s, n, &start);
	if (!jp || last == 0x3002 /* 。 */ || last == '.' || last == 0xFF0E || last == 0x3001)
		return 0;
	if (starts_with(s, n, "「") || starts_with(s, n, "『") || starts_with(s, n, "“"))
		return 0;
	return 1;
}

/* A Japanese line that reads as a quoted sentence rather than a headline:
 * it ends with a sentence-final hiragana + 。 (ます。です。た。ない。...;
 * closing brackets after the 。 and a parenthesis before it are looked
 * through), or it is enclosed in 「」/『』/“”. */
static int is_jp_sentence(const char *s, size_t n)
{
	static const char *const pairs[][2] = {{"「", "」"}, {"『", "』"}, {"“", "”"}};
	size_t start;
	long cp;
	for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
		if (starts_with(s, n, pairs[k][0]) &&
		    (ends_with(s, n, pairs[k][1]) || ends_with(s, n, "。")))
			return 1;
	/* look through closing brackets and quotes after the final 。 */
	while (n > 0) {
		cp = ks_utf8_last(s, n, &start);
		if (cp != 0x300D && cp != 0x300F && cp != 0xFF09 && cp != ')' && cp != 0x201D &&
		    cp != '"')
			break;
		n = start;
	}
	if (n == 0 || ks_utf8_last(s, n, &start) != 0x3002)
		return 0;
	n = start;
	if (n == 0)
		return 0;
	cp = ks_utf8_last(s, n, &start);
	if (cp == ')' || cp == 0xFF09) { /* "...を行います（3月25日）。" */
		int depth = 0;
		while (n > 0) {
			cp = ks_utf8_last(s, n, &start);
			n = start;
			if (cp == ')' || cp == 0xFF09)
				depth++;
			else if ((cp == '(' || cp == 0xFF08) && --depth == 0)
				break;
		}
		if (n == 0 || depth != 0)
			return 0;
		cp = ks_utf8_last(s, n, &start);
	}
	if (cp == 0x304B && start > 0) { /* か after ます/です/しょう: a question */
		long prev = ks_utf8_last(s, start, &start);
		return prev == 0x3059 || prev == 0x3046;
	}
	return is_sentence_end(cp);
}

/* An English sentence with a few Japanese words in it ("... known as
 * エモテット."): it ends with . ! or ? (closing quotes and brackets looked
 * through) and has at least four Latin letters per kana or kanji. Headlines
 * that mix in English (IC3) are Japanese-led and never end with a period. */
static int is_english_sentence(const char *s, size_t n)
{
	size_t i = 0, adv, start;
	size_t latin = 0, jp = 0;
	long cp = 0;
	while (n > 0) {
		cp = ks_utf8_last(s, n, &start);
		if (cp != '"' && cp != '\'' && cp != ')' && cp != ']' && cp != 0x201D &&
		    cp != 0x2019)
			break;
		n = start;
	}
	if (n == 0 || (cp != '.' && cp != '!' && cp != '?'))
		return 0;
	while (i < n) {
		cp = ks_utf8_decode(s + i, n - i, &adv);
		if (cp < 0)
			return 0;
		if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'))
			latin++;
		else if (is_kana_kanji(cp))
			jp++;
		i += adv;
	}
	return latin >= 4 * jp;
}

/* Whether a line after an item's headline continues that item as a quote. */
static int is_quote_line(const char *s, size_t n)
{
	return !has_japanese(s, n) || is_english_sentence(s, n) || is_jp_sentence(s, n);
}

/* ---- the parser ------------------------------------------------------- */

struct parser {
	const char *name;
	struct line *lines;
	size_t n_lines;
	enum kind *kinds;
	struct ks_err *err;
};

/* Splits data into trimmed lines (\n, \r\n or \r), checking UTF-8 and
 * refusing NUL bytes. Returns KS_OK or an error with err set. */
static int split_lines(struct parser *p, const char *data, size_t len)
{
	size_t cap = 1, i;
	for (i = 0; i < len; i++)
		if (data[i] == '\n' || data[i] == '\r')
			cap++;
	p->lines = calloc(cap, sizeof *p->lines);
	p->kinds = calloc(cap, sizeof *p->kinds);
	if (!p->lines || !p->kinds)
		return ks_err_set(p->err, KS_ERR_NOMEM, "[ingest] %s: out of memory", p->name);
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	int no = 1;
	i = 0;
	while (i < len) {
		size_t b = i;
		while (i < len && data[i] != '\n' && data[i] != '\r')
			i++;
		struct line *l = &p->lines[p->n_lines++];
		l->s = data + b;
		l->len = i - b;
		l->no = no;
		for (size_t j = 0, adv; j < l->len; j += adv) {
			if (l->s[j] == 0)
				return ks_err_set(p->err, KS_ERR_PARSE, "%s:%d: NUL byte in text",
						  p->name, no);
			if (ks_utf8_decode(l->s + j, l->len - j, &adv) < 0)
				return ks_err_set(p->err, KS_ERR_PARSE,
						  "%s:%d: invalid UTF-8 at byte %zu", p->name, no,
						  j + 1);
		}
		trim(&l->s, &l->len);
		if (i < len && data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			i++;
		if (i < len)
			i++;
		no++;
	}
	for (i = 0; i < p->n_lines; i++)
		p->kinds[i] = line_kind(&p->lines[i]);
	return KS_OK;
}

/* A line that ends the body: hard footer text, or "Weekly newsletter of"
 * once past the header. */
static int ends_body(const struct parser *p, size_t i, size_t body)
{
	return p->kinds[i] == K_FOOTER || (i >= body && is_weekly(&p->lines[i]));
}

/* Index of the next content line after i, or n_lines when the body ends
 * first. */
static size_t next_content(const struct parser *p, size_t i)
{
	for (size_t j = i + 1; j < p->n_lines; j++) {
		if (p->kinds[j] == K_FOOTER || is_weekly(&p->lines[j]))
			return p->n_lines;
		if (p->kinds[j] == K_CONTENT)
			return j;
	}
	return p->n_lines;
}

/* Whether line i is a section heading; on success sets *s and *n to its name. */
static int is_heading(const struct parser *p, size_t i, const char **s, size_t *n)
{
	const struct line *l = &p->lines[i];
	const char *hs = l->s;
	size_t hn = l->len;
	if (p->kinds[i] != K_CONTENT)
		return 0;
	heading_core(&hs, &hn);
	if (!is_known_heading(hs, hn)) {
		if (!heading_shaped(hs, hn))
			return 0;
		/* an unknown heading must be followed by a headline */
		size_t j = next_content(p, i);
		if (j >= p->n_lines)
			return 0;
		const struct line *nl = &p->lines[j];
		const char *ns = nl->s;
		size_t nn = nl->len;
		heading_core(&ns, &nn);
		if (is_known_heading(ns, nn) || is_url(nl) || is_quote_line(nl->s, nl->len))
			return 0;
	}
	*s = hs;
	*n = hn;
	return 1;
}

/* Parses an issue number of 1..ISSUE_DIGITS digits at s[*i]; returns it or
 * -1. */
static long long read_issue_number(const char *s, size_t n, size_t *i)
{
	long long v = 0;
	size_t k = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		if (++k > ISSUE_DIGITS)
			return -1;
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	return k > 0 && v > 0 ? v : -1;
}

/* "Issue #59" anywhere in the line; returns the number or -1. */
static long long issue_in_line(const char *s, size_t n)
{
	long off = find_ci(s, n, "issue");
	while (off >= 0) {
		size_t i = (size_t)off + 5;
		skip_spaces(s, n, &i);
		if (i < n && s[i] == '#') {
			i++;
			skip_spaces(s, n, &i);
			long long v = read_issue_number(s, n, &i);
			if (v > 0)
				return v;
		}
		long next = find_ci(s + off + 5, n - (size_t)off - 5, "issue");
		off = next < 0 ? -1 : off + 5 + next;
	}
	return -1;
}

/* Takes the issue number and date from a file name: issue-59.txt,
 * issue59, 59.txt, 2022-03-27-issue-59.txt, issue-102-2022-04-10.txt.
 * Leaves *number at -1 / date[0] at 0 when absent. */
static void from_file_name(const char *name, long long *number, char date[11])
{
	const char *base = name;
	for (const char *c = name; *c; c++)
		if (*c == '/' || *c == '\\')
			base = c + 1;
	size_t n = strlen(base), dpos = n;
	*number = -1;
	date[0] = 0;
	for (size_t i = 0; i + 10 <= n; i++) {
		const char *c = base + i;
		int shaped = c[4] == '-' && c[7] == '-';
		for (int k = 0; shaped && k < 10; k++)
			if (k != 4 && k != 7 && !(c[k] >= '0' && c[k] <= '9'))
				shaped = 0;
		if (!shaped || (i > 0 && base[i - 1] >= '0' && base[i - 1] <= '9') ||
		    (i + 10 < n && base[i + 10] >= '0' && base[i + 10] <= '9'))
			continue;
		dpos = i;
		if (parse_date(c, 10, date) != 1)
			date[0] = 0;
		break;
	}
	/* "issue" followed by separators and digits */
	long off = find_ci(base, n, "issue");
	if (off >= 0) {
		size_t i = (size_t)off + 5;
		while (i < n && (base[i] == '-' || base[i] == '_' || base[i] == '#' ||
				 base[i] == ' ' || base[i] == '.'))
			i++;
		if (i != dpos) {
			long long v = read_issue_number(base, n, &i);
			if (v > 0) {
				*number = v;
				return;
			}
		}
	}
	/* else the stem, without the date, must be one number: 59.txt */
	size_t stem = n;
	for (size_t i = n; i > 0; i--) {
		if (base[i - 1] == '.') {
			stem = i - 1;
			break;
		}
	}
	long long v = -1;
	for (size_t i = 0; i < stem;) {
		if (i == dpos) {
			i += 10;
		} else if (base[i] >= '0' && base[i] <= '9') {
			if (v > 0)
				return; /* two numbers: ambiguous */
			v = read_issue_number(base, stem, &i);
			if (v < 0)
				return;
		} else if (base[i] == '-' || base[i] == '_' || base[i] == ' ') {
			i++;
		} else {
			return;
		}
	}
	*number = v;
}

static char *dup_line(const struct line *l)
{
	return strndup(l->s, l->len);
}

/* Appends paragraph l to it->quote, joining with "\n"; *qlen and *qcap
 * track the quote's length and allocation so long quotes grow in amortized
 * linear time. */
static int add_quote(struct ks_item *it, size_t *qlen, size_t *qcap, const struct line *l)
{
	size_t old = it->quote ? *qlen : 0;
	size_t need = old + 1 + l->len + 1;
	if (need < l->len)
		return -1;
	if (!it->quote || need > *qcap) {
		size_t cap = it->quote && *qcap * 2 > need ? *qcap * 2 : need;
		char *q = realloc(it->quote, cap);
		if (!q)
			return -1;
		it->quote = q;
		*qcap = cap;
	}
	if (old)
		it->quote[old++] = '\n';
	memcpy(it->quote + old, l->s, l->len);
	it->quote[old + l->len] = 0;
	*qlen = old + l->len;
	return 0;
}

/* Records a date from a K_DATE line into date[] when none is set yet. */
static int take_date(struct parser *p, const struct line *l, char date[11])
{
	const char *v = l->s;
	size_t vn = l->len;
	char d[11];
	int r;
	date_label(l->s, l->len, &v, &vn);
	r = parse_date(v, vn, d);
	if (r < 0)
		return ks_err_set(p->err, KS_ERR_PARSE, "%s:%d: invalid date \"%.*s\"", p->name,
				  l->no, (int)vn, v);
	/* an unrecognised value ("Date: unknown") is ignored */
	if (r == 1 && !date[0])
		memcpy(date, d, 11);
	return KS_OK;
}

/* Walks the body [body, end) building items into is. */
static int parse_body(struct parser *p, size_t body, size_t end, struct ks_issue *is, char date[11])
{
	const char *sec = NULL;
	size_t sec_len = 0;
	int want_headline = 1;
	struct ks_item *cur = NULL;
	size_t qlen = 0, qcap = 0; /* of cur->quote */
	for (size_t i = body; i < end; i++) {
		const struct line *l = &p->lines[i];
		const char *hs;
		size_t hn;
		if (p->kinds[i] == K_DATE) {
			int rc = take_date(p, l, date);
			if (rc != KS_OK)
				return rc;
			continue;
		}
		if (p->kinds[i] != K_CONTENT)
			continue;
		if (is_heading(p, i, &hs, &hn)) {
			sec = hs;
			sec_len = hn;
			want_headline = 1;
			continue;
		}
		if (cur && !want_headline) {
			if (is_url(l)) { /* the first is its url; each one a link */
				if (ks_item_add_link(cur, l->s, l->len) != 0 ||
				    (!cur->url && !(cur->url = dup_line(l))))
					goto nomem;
				continue;
			}
			if (is_quote_line(l->s, l->len)) {
				if (add_quote(cur, &qlen, &qcap, l) != 0)
					goto nomem;
				continue;
			}
		}
		if (!(cur = ks_issue_add_item(is)))
			goto nomem;
		cur->line = l->no;
		if (!(cur->title = dup_line(l)) || (sec && !(cur->section = strndup(sec, sec_len))))
			goto nomem;
		want_headline = 0;
	}
	return KS_OK;
nomem:
	return ks_err_set(p->err, KS_ERR_NOMEM, "[ingest] %s: out of memory", p->name);
}

/* Where the body of p lies: [*body, *end). It starts at the first heading
 * before the footer, else after the header lines (at the first content
 * line that names no issue), and ends at the footer. */
static void find_body(const struct parser *p, size_t *body, size_t *end)
{
	size_t hard_end, b, e, hn;
	const char *hs;
	for (hard_end = 0; hard_end < p->n_lines && p->kinds[hard_end] != K_FOOTER; hard_end++)
		;
	for (b = 0; b < hard_end && !is_heading(p, b, &hs, &hn); b++)
		;
	if (b == hard_end) {
		for (b = 0; b < hard_end; b++) {
			const struct line *l = &p->lines[b];
			if (p->kinds[b] == K_CONTENT && issue_in_line(l->s, l->len) < 0)
				break;
		}
	}
	for (e = b; e < p->n_lines && !ends_body(p, e, b); e++)
		;
	*body = b;
	*end = e;
}

/* The issue's header (the lines before body): its date into date, its
 * number into *number (-1 when none) and the line naming it into *title
 * (NULL when none). KS_OK or a parse error. */
static int read_header(struct parser *p, size_t body, char date[11], long long *number,
		       const struct line **title)
{
	int rc;
	*number = -1;
	*title = NULL;
	for (size_t i = 0; i < body; i++) {
		const struct line *l = &p->lines[i];
		if (p->kinds[i] == K_DATE) {
			if ((rc = take_date(p, l, date)) != KS_OK)
				return rc;
		} else if (p->kinds[i] == K_CONTENT && *number < 0) {
			*number = issue_in_line(l->s, l->len);
			if (*number > 0)
				*title = l;
		}
	}
	return KS_OK;
}

/* Gives the parsed issue is its number, date and title, falling back on
 * the file name for the number and the date. KS_OK or an error. */
static int complete_issue(struct parser *p, struct ks_issue *is, long long number,
			  const char date[11], const struct line *title)
{
	char fdate[11];
	long long fnumber;
	from_file_name(p->name, &fnumber, fdate);
	if (number < 0)
		number = fnumber;
	if (number < 0)
		return ks_err_set(p->err, KS_ERR_PARSE,
				  "%s:1: no issue number (no \"Issue #N\" line "
				  "and none in the file name)",
				  p->name);
	if (is->n_items == 0)
		return ks_err_set(p->err, KS_ERR_PARSE, "%s:1: no items found", p->name);
	is->number = number;
	if (!date[0] && fdate[0])
		date = fdate;
	if ((date[0] && !(is->date = strdup(date))) || (title && !(is->title = dup_line(title))))
		return ks_err_set(p->err, KS_ERR_NOMEM, "[ingest] %s: out of memory", p->name);
	return KS_OK;
}

int ks_ingest_text(const char *name, const char *data, size_t len, struct ks_batch *out,
		   struct ks_err *err)
{
	struct parser p = {.name = name ? name : "(input)", .err = err};
	struct ks_batch tmp = {0};
	struct ks_issue *is;
	char date[11] = {0};
	long long number;
	const struct line *title;
	size_t body, end;
	int rc;

	if (!out || (!data && len > 0))
		return ks_err_set(err, KS_ERR_ARG, "[ingest] no input or no output batch");
	if ((rc = split_lines(&p, data ? data : "", len)) != KS_OK)
		goto out;
	find_body(&p, &body, &end);
	if ((rc = read_header(&p, body, date, &number, &title)) != KS_OK)
		goto out;
	if (!(is = ks_batch_add_issue(&tmp))) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "[ingest] %s: out of memory", p.name);
		goto out;
	}
	if ((rc = parse_body(&p, body, end, is, date)) == KS_OK &&
	    (rc = complete_issue(&p, is, number, date, title)) == KS_OK)
		rc = ks_batch_finish(&tmp, out, p.name, err);
out:
	ks_batch_clear(&tmp);
	free(p.lines);
	free(p.kinds);
	return rc;
}
