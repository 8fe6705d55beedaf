/* html_extract.c - HTML issue content to items (see html_extract.h for
 * the rules). Two passes: walk() flattens the parsed document into blocks,
 * build() reads the blocks as headlines, sections and quotes. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "html_extract.h"

#include "kensaku/buf.h"
#include "kensaku/date.h"
#include "kensaku/utf8.h"
#include "site.h"

#define WALK_DEPTH_MAX 256	  /* elements nested deeper are not read */
#define HEADLINE_MAX_BYTES 600	  /* a bold paragraph longer than this is text */
#define DATE_LINE_MAX_BYTES 48	  /* a paragraph this short holding a date is a date line */
#define HEADER_TEXT_MAX_BYTES 300 /* text before the items searched for number and date */
#define LINK_LINE_MAX_BYTES 100	  /* "Source: <a>site</a>" is a link line up to this */
#define ISSUE_DIGITS 15
#define CHARSET_PROBE 2048 /* bytes searched for a declared charset */

enum bkind { B_TEXT, B_HEAD, B_RULE };

/* One block of the flattened page. */
struct block {
	enum bkind kind;
	int level;     /* B_HEAD: 1..6 */
	int quoted;    /* inside a <blockquote> */
	int bold;      /* all its text in <strong>/<b> */
	int link_only; /* its text mostly inside links, and short: "Source: site.example" */
	int titleish;  /* a heading naming the page, not an item */
	char *text;    /* clean UTF-8, trimmed, never empty */
	char *href;    /* its http(s) links joined by '\n' (the first is its link), NULL if none */
	int line;
};

struct walk {
	struct block *v;
	size_t n, cap;
	struct ks_buf run;		      /* the text of the block being read */
	size_t run_chars, run_bold, run_link; /* its non-space bytes, in bold, in links */
	struct ks_buf run_href;		      /* the run's links, each ending with '\n' */
	int run_line;
	int quoted, bold, link;
	char *page_title, *og_title;
	char time_date[11], meta_date[11];
	int oom;
};

/* ---- strings ---------------------------------------------------------- */

static int is_trim_space(long cp)
{
	return cp == ' ' || cp == '\n' || cp == '\t' || cp == 0xA0 || cp == 0x3000 || cp == 0xFEFF;
}

/* A clean copy of s[0..n): ill-formed UTF-8 becomes U+FFFD, control
 * characters a space ('\n' kept when keep_nl, else a space too), white
 * space trimmed at both ends. NULL when nothing is left or out of memory
 * (*oom then set). */
static char *clean_dup(const char *s, size_t n, int keep_nl, int *oom)
{
	char *o = malloc(n * 3 + 1);
	size_t w = 0, adv, first = 0, end = 0;
	if (!o) {
		*oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i += adv) {
		long cp = ks_utf8_decode(s + i, n - i, &adv);
		size_t w0 = w;
		if (cp < 0) {
			memcpy(o + w, "\xEF\xBF\xBD", 3);
			w += 3;
		} else if ((cp < 0x20 && !(cp == '\n' && keep_nl)) || cp == 0x7F) {
			o[w++] = ' ';
		} else {
			memcpy(o + w, s + i, adv);
			w += adv;
		}
		if (!is_trim_space(cp) && !(cp >= 0 && cp < 0x20) && cp != 0x7F) {
			if (end == 0)
				first = w0;
			end = w;
		}
	}
	if (end == 0) {
		free(o);
		return NULL;
	}
	memmove(o, o + first, end - first);
	o[end - first] = 0;
	return o;
}

/* 1 when s is one http(s) URL a url field can keep (site.h). */
static int usable_url(const char *s)
{
	return s && ks_link_usable(s, strlen(s));
}

/* ---- numbers and dates ------------------------------------------------ */

static int is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Whether s[i] is a digit (ASCII, or the first byte of a full-width one). */
static int is_digit_at(const char *s, size_t n, size_t i)
{
	return i < n &&
	       ((s[i] >= '0' && s[i] <= '9') ||
		(i + 3 <= n && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBC &&
		 (unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0x99));
}

static void skip_sp(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n'))
		(*i)++;
}

/* A real date written at s[i] (ks_date_read) into out; 1, else 0. */
static int date_at(const char *s, size_t n, size_t i, char out[11])
{
	int y, m, d;
	size_t end;
	return ks_date_read(s, n, i, &y, &m, &d, &end) && ks_date_format(y, m, d, out) == 0;
}

int ks_html_find_date(const char *s, size_t n, char out[11])
{
	for (size_t i = 0; s && i < n; i++) {
		int boundary = i == 0 || !(is_alpha(s[i - 1]) || is_digit_at(s, n, i - 1));
		if (!boundary)
			continue;
		if ((is_digit_at(s, n, i) || is_alpha(s[i])) && date_at(s, n, i, out))
			return 1;
	}
	return 0;
}

/* The number after a marker at s[i] (spaces, '#', ':', '-', '_' and "no."
 * skipped); -1 when no number follows. */
static long long number_after(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '#' || s[i] == ':' || s[i] == '-' || s[i] == '_' ||
			 s[i] == '.'))
		i++;
	if (i + 3 <= n && strncasecmp(s + i, "no.", 3) == 0)
		i += 3;
	skip_sp(s, n, &i);
	long long v = ks_date_digits(s, n, &i, 1, ISSUE_DIGITS);
	return v > 0 ? v : -1;
}

/* The number after the first word-initial marker of s (ASCII case
 * ignored); -1 when none is followed by a number. */
static long long after_marker(const char *s, size_t n, const char *marker)
{
	size_t k = strlen(marker);
	for (size_t i = 0; i + k <= n; i++) {
		if ((i > 0 && is_alpha(s[i - 1]) && is_alpha(marker[0])) ||
		    strncasecmp(s + i, marker, k) != 0)
			continue;
		if (marker[0] == '#' && i > 0 && s[i - 1] == '&')
			continue; /* &#59; */
		long long v = number_after(s, n, i + k);
		if (v > 0)
			return v;
	}
	return -1;
}

long long ks_html_issue_number(const char *s, size_t n)
{
	long long v;
	if (!s)
		return -1;
	if ((v = after_marker(s, n, "issue")) > 0)
		return v;
	for (size_t i = 0; i + 3 <= n; i++) { /* 第59号 */
		size_t j = i + 3;
		if (memcmp(s + i, "第", 3) != 0)
			continue;
		skip_sp(s, n, &j);
		if ((v = ks_date_digits(s, n, &j, 1, ISSUE_DIGITS)) <= 0)
			continue;
		skip_sp(s, n, &j);
		if (n - j >= 3 && !memcmp(s + j, "号", 3))
			return v;
	}
	if ((v = after_marker(s, n, "vol")) > 0 || (v = after_marker(s, n, "no.")) > 0 ||
	    (v = after_marker(s, n, "#")) > 0)
		return v;
	return -1;
}

int ks_html_count_lines(const char *data, size_t len)
{
	long n = 1;
	for (size_t i = 0; i < len && n < INT_MAX; i++)
		if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= len || data[i + 1] != '\n')))
			n++;
	return (int)n;
}

/* ---- the walk: document to blocks ------------------------------------- */

#define ATTR_PROBE 256 /* bytes of a class or id looked at */

static int has_word(const char *v, const char *const *words, size_t nw, int substring)
{
	size_t i = 0, n = strnlen(v, ATTR_PROBE);
	while (i < n) {
		size_t b = i;
		while (i < n && (is_alpha(v[i]) || (v[i] >= '0' && v[i] <= '9')))
			i++;
		for (size_t k = 0; k < nw && i > b; k++) {
			size_t wl = strlen(words[k]);
			if (i - b == wl && strncasecmp(v + b, words[k], wl) == 0)
				return 1;
			for (size_t j = b; substring && wl >= 5 && j + wl <= i; j++)
				if (strncasecmp(v + j, words[k], wl) == 0)
					return 1;
		}
		i += i == b;
	}
	return 0;
}

/* Whether element e is page furniture (navigation, sharing, subscribing,
 * footer) by its class, id or role. */
static int furniture_attrs(xmlNode *e)
{
	static const char *const words[] = {
	    "share",	"sharing", "subscribe",	 "subscription", "social",	"footer",
	    "nav",	"navbar",  "navigation", "menu",	 "sidebar",	"signup",
	    "comments", "comment", "breadcrumb", "awesomebar",	 "unsubscribe", "paywall",
	    "cookie",	"related", "promo",	 "advert",	 "preferences"};
	static const char *const roles[] = {"navigation", "contentinfo", "complementary", "search"};
	static const char *const attrs[] = {"class", "id", "role"};
	int hit = 0;
	for (size_t a = 0; a < 3 && !hit; a++) {
		xmlChar *v = xmlGetNoNsProp(e, (const xmlChar *)attrs[a]);
		if (v)
			hit = a == 2
				  ? has_word((char *)v, roles, 4, 0)
				  : has_word((char *)v, words, sizeof words / sizeof words[0], 1);
		xmlFree(v);
	}
	return hit;
}

/* Whether heading e's own class or id names it the page's title. */
static int title_attrs(xmlNode *e)
{
	static const char *const words[] = {"title", "subtitle", "headline"};
	int hit = 0;
	for (int a = 0; a < 2 && !hit; a++) {
		xmlChar *v = xmlGetNoNsProp(e, (const xmlChar *)(a ? "id" : "class"));
		if (v) {
			/* whole class names: post-title, subtitle; not item-title */
			char *c = (char *)v, *save = NULL;
			if (strlen(c) > ATTR_PROBE)
				c[ATTR_PROBE] = 0;
			for (char *t = strtok_r(c, " \t\r\n", &save); t && !hit;
			     t = strtok_r(NULL, " \t\r\n", &save)) {
				const char *last = strrchr(t, '-');
				last = last ? last + 1 : t;
				hit = has_word(last, words, 3, 0) && strncasecmp(t, "item", 4) != 0;
			}
		}
		xmlFree(v);
	}
	return hit;
}

static int name_in(const char *nm, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(nm, list[i]) == 0)
			return 1;
	return 0;
}

enum role {
	R_INLINE,
	R_SKIP,
	R_BLOCK,
	R_HEAD,
	R_QUOTE,
	R_LINK,
	R_BOLD,
	R_BR,
	R_HR,
	R_TITLE,
	R_META,
	R_TIME
};

static enum role role_of(const char *nm)
{
	static const char *const skip[] = {
	    "script", "style", "noscript", "nav",      "footer", "form",     "button",
	    "aside",  "svg",   "iframe",   "template", "select", "textarea", "input",
	    "object", "embed", "canvas",   "video",    "audio",	 "map",	     "head"};
	static const char *const blocks[] = {
	    "p",       "div",	  "li",	     "ul",	"ol",	   "dl",    "dt",     "dd",
	    "table",   "tbody",	  "thead",   "tfoot",	"tr",	   "td",    "th",     "section",
	    "article", "main",	  "header",  "body",	"html",	   "pre",   "figure", "figcaption",
	    "center",  "address", "details", "summary", "caption", "hgroup"};
	if ((nm[0] == 'h' || nm[0] == 'H') && nm[1] >= '1' && nm[1] <= '6' && !nm[2])
		return R_HEAD;
	if (!strcasecmp(nm, "title"))
		return R_TITLE;
	if (!strcasecmp(nm, "meta"))
		return R_META;
	if (name_in(nm, skip, sizeof skip / sizeof skip[0]))
		return R_SKIP;
	if (name_in(nm, blocks, sizeof blocks / sizeof blocks[0]))
		return R_BLOCK;
	if (!strcasecmp(nm, "blockquote"))
		return R_QUOTE;
	if (!strcasecmp(nm, "a"))
		return R_LINK;
	if (!strcasecmp(nm, "strong") || !strcasecmp(nm, "b"))
		return R_BOLD;
	if (!strcasecmp(nm, "br"))
		return R_BR;
	if (!strcasecmp(nm, "hr"))
		return R_HR;
	return !strcasecmp(nm, "time") ? R_TIME : R_INLINE;
}

static int node_line(xmlNode *n)
{
	long l = xmlGetLineNo(n);
	return l > 0 && l < INT_MAX ? (int)l : 0;
}

/* Appends text s to the run, white space collapsed (NBSP too). */
static void run_text(struct walk *w, const char *s, int line)
{
	while (*s) {
		size_t k = 0;
		while (s[k] && !(s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r' ||
				 s[k] == '\f' || s[k] == '\v' ||
				 ((unsigned char)s[k] == 0xC2 && (unsigned char)s[k + 1] == 0xA0)))
			k++;
		if (k) {
			if (w->run_chars == 0)
				w->run_line = line;
			ks_buf_add(&w->run, s, k);
			w->run_chars += k;
			w->run_bold += w->bold ? k : 0;
			w->run_link += w->link ? k : 0;
			s += k;
			continue;
		}
		s += (unsigned char)*s == 0xC2 ? 2 : 1;
		if (w->run.len && w->run.p[w->run.len - 1] != ' ' &&
		    w->run.p[w->run.len - 1] != '\n')
			ks_buf_add(&w->run, " ", 1);
	}
}

static void run_break(struct walk *w)
{
	while (w->run.len && w->run.p[w->run.len - 1] == ' ')
		w->run.p[--w->run.len] = 0;
	if (w->run.len && w->run.p[w->run.len - 1] != '\n')
		ks_buf_add(&w->run, "\n", 1);
}

/* The run's links for its block ('\n'-separated), NULL when none. */
static char *run_links(struct walk *w)
{
	if (!w->run_href.len)
		return NULL;
	w->run_href.p[--w->run_href.len] = 0; /* the last '\n' */
	char *v = ks_buf_take(&w->run_href);
	if (!v)
		w->oom = 1;
	return v;
}

/* Ends the run as a block of kind (a heading of level); an empty run
 * makes no block. */
static void flush(struct walk *w, enum bkind kind, int level, int titleish)
{
	char *text = NULL;
	if (w->run.oom)
		w->oom = 1;
	if (w->run_chars && !w->oom)
		text = clean_dup(w->run.p, w->run.len, kind == B_TEXT, &w->oom);
	if (text && w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct block *v = realloc(w->v, cap * sizeof *v);
		if (!v) {
			w->oom = 1;
			free(text);
			text = NULL;
		} else {
			w->v = v;
			w->cap = cap;
		}
	}
	if (w->run_href.oom)
		w->oom = 1;
	if (text) {
		int linkish = w->run_link == w->run_chars || (w->run_link * 2 >= w->run_chars &&
							      w->run.len <= LINK_LINE_MAX_BYTES);
		w->v[w->n++] =
		    (struct block){kind,       level,	 w->quoted > 0, w->run_bold == w->run_chars,
				   linkish,    titleish, text,		run_links(w),
				   w->run_line};
	}
	ks_buf_free(&w->run_href);
	w->run.len = 0;
	w->run_chars = w->run_bold = w->run_link = 0;
}

static void add_rule(struct walk *w)
{
	flush(w, B_TEXT, 0, 0);
	run_text(w, "-", 0);
	flush(w, B_RULE, 0, 0);
}

/* The text of e's subtree (text and CDATA nodes only, no entities). */
static void subtree_text(xmlNode *e, struct ks_buf *b, int depth)
{
	for (xmlNode *c = e->children; c && depth < WALK_DEPTH_MAX; c = c->next) {
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
			ks_buf_add(b, (const char *)c->content, strlen((const char *)c->content));
		else if (c->type == XML_ELEMENT_NODE)
			subtree_text(c, b, depth + 1);
	}
}

static void take_title(struct walk *w, xmlNode *e)
{
	struct ks_buf b = {0};
	if (w->page_title)
		return;
	subtree_text(e, &b, 0);
	if (b.oom)
		w->oom = 1;
	else if (b.p)
		w->page_title = clean_dup(b.p, b.len, 0, &w->oom);
	free(b.p);
}

static void take_meta(struct walk *w, xmlNode *e)
{
	static const char *const dates[] = {"article:published_time", "date", "dc.date", "pubdate",
					    "publish-date"};
	xmlChar *k = xmlGetNoNsProp(e, (const xmlChar *)"property");
	xmlChar *v = xmlGetNoNsProp(e, (const xmlChar *)"content");
	if (!k)
		k = xmlGetNoNsProp(e, (const xmlChar *)"name");
	if (k && v) {
		const char *ks = (const char *)k, *vs = (const char *)v;
		if (!strcasecmp(ks, "og:title") && !w->og_title)
			w->og_title = clean_dup(vs, strlen(vs), 0, &w->oom);
		else if (name_in(ks, dates, sizeof dates / sizeof dates[0]) && !w->meta_date[0] &&
			 !ks_html_find_date(vs, strlen(vs), w->meta_date))
			w->meta_date[0] = 0;
	}
	xmlFree(k);
	xmlFree(v);
}

/* <head>: only its <title> and <meta> tags are read. */
static void walk_head(struct walk *w, xmlNode *head)
{
	for (xmlNode *c = head->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !c->name)
			continue;
		if (role_of((const char *)c->name) == R_TITLE)
			take_title(w, c);
		else if (role_of((const char *)c->name) == R_META)
			take_meta(w, c);
	}
}

static void walk_children(struct walk *w, xmlNode *e, int depth);

/* Reads element e (of role r) into the walk. */
static void walk_element(struct walk *w, xmlNode *e, enum role r, int depth)
{
	switch (r) {
	case R_HEAD:
		flush(w, B_TEXT, 0, 0);
		walk_children(w, e, depth + 1);
		flush(w, B_HEAD, e->name[1] - '0', title_attrs(e));
		return;
	case R_BLOCK:
	case R_QUOTE:
		flush(w, B_TEXT, 0, 0);
		w->quoted += r == R_QUOTE;
		walk_children(w, e, depth + 1);
		flush(w, B_TEXT, 0, 0);
		w->quoted -= r == R_QUOTE;
		return;
	case R_LINK: {
		xmlChar *href = xmlGetNoNsProp(e, (const xmlChar *)"href");
		if (usable_url((const char *)href)) {
			ks_buf_str(&w->run_href, (const char *)href);
			ks_buf_add(&w->run_href, "\n", 1);
		}
		xmlFree(href);
		w->link++;
		walk_children(w, e, depth + 1);
		w->link--;
		return;
	}
	case R_BOLD:
		w->bold++;
		walk_children(w, e, depth + 1);
		w->bold--;
		return;
	case R_TIME: {
		xmlChar *dt = xmlGetNoNsProp(e, (const xmlChar *)"datetime");
		if (dt && !w->time_date[0] &&
		    !ks_html_find_date((char *)dt, strlen((char *)dt), w->time_date))
			w->time_date[0] = 0;
		xmlFree(dt);
		walk_children(w, e, depth + 1);
		return;
	}
	default:
		walk_children(w, e, depth + 1);
	}
}

static void walk_children(struct walk *w, xmlNode *e, int depth)
{
	if (depth > WALK_DEPTH_MAX)
		return;
	for (xmlNode *c = e->children; c && !w->oom; c = c->next) {
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
			run_text(w, (const char *)c->content, node_line(c));
			continue;
		}
		if (c->type != XML_ELEMENT_NODE || !c->name)
			continue;
		enum role r = role_of((const char *)c->name);
		if (r == R_TITLE)
			take_title(w, c);
		else if (r == R_META)
			take_meta(w, c);
		else if (r == R_BR)
			run_break(w);
		else if (r == R_HR)
			add_rule(w);
		else if (r == R_SKIP && strcasecmp((const char *)c->name, "head") == 0)
			walk_head(w, c);
		else if (r != R_SKIP && !furniture_attrs(c))
			walk_element(w, c, r, depth);
	}
}

/* ---- the build: blocks to items --------------------------------------- */

#define LEVEL_BOLD 7 /* items made of headline paragraphs */

struct build {
	struct walk *w;
	struct ks_issue *is;
	int item_level; /* 1..6 headings, LEVEL_BOLD, 0: no items */
	int line0, max_line;
	struct ks_item *cur;
	struct ks_buf quote; /* of cur */
	int oom;
};

/* A paragraph that is only a date ("2022年3月27日", "Published May 1, 2022"). */
static int date_line(const struct block *b)
{
	char d[11];
	return strlen(b->text) <= DATE_LINE_MAX_BYTES &&
	       ks_html_find_date(b->text, strlen(b->text), d);
}

static int headline_para(const struct block *b)
{
	return b->kind == B_TEXT && b->bold && !b->quoted &&
	       strlen(b->text) <= HEADLINE_MAX_BYTES && !date_line(b);
}

/* Marks the headings that name the page: by class, the run of headings
 * at the top that carry an issue number, and a lone <h1> above the rest. */
static void mark_titles(struct walk *w)
{
	int top = 1, h1 = 0, first = -1, other_levels = 0;
	for (size_t i = 0; i < w->n; i++) {
		struct block *b = &w->v[i];
		if (b->kind != B_HEAD)
			continue;
		if (top && ks_html_issue_number(b->text, strlen(b->text)) > 0)
			b->titleish = 1;
		if (b->titleish)
			continue;
		top = 0;
		if (first < 0)
			first = (int)i;
		if (b->level == 1)
			h1++;
		else
			other_levels = 1;
	}
	if (first >= 0 && h1 == 1 && other_levels && w->v[first].level == 1)
		w->v[first].titleish = 1;
}

/* Chooses which blocks are the items' headlines (see html_extract.h). */
static int item_level(const struct walk *w)
{
	unsigned levels = 0;
	int deepest = 0, nlevels = 0, first_head = -1, bold_after = 0;
	for (size_t i = 0; i < w->n; i++) {
		const struct block *b = &w->v[i];
		if (b->kind == B_HEAD && !b->titleish) {
			if (!(levels & (1u << b->level)))
				nlevels++;
			levels |= 1u << b->level;
			deepest = b->level > deepest ? b->level : deepest;
			if (first_head < 0)
				first_head = (int)i;
		} else if (headline_para(b) && first_head >= 0) {
			bold_after = 1;
		}
	}
	if (nlevels >= 2 || (nlevels == 1 && !bold_after))
		return deepest;
	if (nlevels == 1)
		return LEVEL_BOLD;
	for (size_t i = 0; i < w->n; i++)
		if (headline_para(&w->v[i]))
			return LEVEL_BOLD;
	return 0;
}

/* Hands the quote gathered so far to the current item. */
static void end_item(struct build *bd)
{
	if (bd->quote.oom)
		bd->oom = 1;
	if (bd->cur && bd->quote.len && !bd->oom)
		bd->cur->quote = bd->quote.p;
	else
		free(bd->quote.p);
	bd->quote = (struct ks_buf){0};
	bd->cur = NULL;
}

/* Adds the links of v ('\n'-separated) to the current item; the first
 * link it gets is its url. */
static void add_links(struct build *bd, const char *v)
{
	struct ks_item *it = bd->cur;
	while (v && *v && !bd->oom) {
		size_t n = strcspn(v, "\n");
		if (ks_item_add_link(it, v, n) != 0 ||
		    (!it->url && it->n_links && !(it->url = strdup(it->links[0]))))
			bd->oom = 1;
		v += n + (v[n] == '\n');
	}
}

static void new_item(struct build *bd, const struct block *b, const char *section)
{
	end_item(bd);
	struct ks_item *it = ks_issue_add_item(bd->is);
	if (!it) {
		bd->oom = 1;
		return;
	}
	long line = (long)b->line + bd->line0;
	it->line = line < 1 ? 1 : line > bd->max_line ? bd->max_line : (int)line;
	if (!(it->title = strdup(b->text)) || (section && !(it->section = strdup(section))))
		bd->oom = 1;
	bd->cur = it;
	add_links(bd, b->href);
}

/* A paragraph under the current item: its quote, or its links. */
static void add_text(struct build *bd, const struct block *b)
{
	int bare_url = usable_url(b->text);
	add_links(bd, b->href);
	if (bare_url)
		add_links(bd, b->text);
	if (bare_url || (b->link_only && b->href) || date_line(b))
		return;
	if (bd->quote.len)
		ks_buf_add(&bd->quote, "\n", 1);
	ks_buf_add(&bd->quote, b->text, strlen(b->text));
}

static void build_items(struct build *bd)
{
	const char *section = NULL;
	int lv = bd->item_level;
	for (size_t i = 0; i < bd->w->n && !bd->oom; i++) {
		const struct block *b = &bd->w->v[i];
		int headline = (lv == LEVEL_BOLD && headline_para(b)) ||
			       (b->kind == B_HEAD && !b->titleish && b->level == lv);
		if (headline)
			new_item(bd, b, section);
		else if (b->kind == B_RULE || (b->kind == B_HEAD && b->titleish))
			end_item(bd);
		else if (b->kind == B_HEAD && b->level < lv) {
			end_item(bd);
			section = b->text;
		} else if (b->kind == B_TEXT && bd->cur)
			add_text(bd, b);
	}
	end_item(bd);
}

/* The issue's number, title and date from what the page shows before its
 * first item: <title>, og:title, title headings, then short text. */
static void find_meta(const struct walk *w, int lv, struct ks_html_meta *m, int *oom)
{
	const char *named = NULL, *cands[2] = {w->page_title, w->og_title};
	for (int k = 0; k < 2 && !named; k++)
		if (cands[k] && (m->number = ks_html_issue_number(cands[k], strlen(cands[k]))) > 0)
			named = cands[k];
	if (!m->date[0] && w->time_date[0])
		memcpy(m->date, w->time_date, 11);
	if (!m->date[0] && w->meta_date[0])
		memcpy(m->date, w->meta_date, 11);
	for (size_t i = 0; i < w->n; i++) {
		const struct block *b = &w->v[i];
		size_t n = strlen(b->text);
		if ((lv == LEVEL_BOLD && headline_para(b)) ||
		    (b->kind == B_HEAD && b->level == lv && !b->titleish))
			break;
		if (b->kind == B_TEXT && n > HEADER_TEXT_MAX_BYTES)
			continue;
		if (!named && (m->number = ks_html_issue_number(b->text, n)) > 0)
			named = b->text;
		if (!m->date[0] && !ks_html_find_date(b->text, n, m->date))
			m->date[0] = 0;
	}
	if (!named)
		m->number = -1;
	if (!named)
		named = w->page_title ? w->page_title : w->og_title;
	if (named && !(m->title = strdup(named)))
		*oom = 1;
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i].text);
		free(w->v[i].href);
	}
	free(w->v);
	free(w->run.p);
	ks_buf_free(&w->run_href);
	free(w->page_title);
	free(w->og_title);
}

/* 1 when the first bytes of html declare a charset (libxml2 then
 * converts from it); else the page is read as UTF-8. */
static int declares_charset(const char *html, size_t len)
{
	size_t n = len < CHARSET_PROBE ? len : CHARSET_PROBE;
	for (size_t i = 0; i + 8 <= n; i++)
		if (strncasecmp(html + i, "charset=", 8) == 0 ||
		    (i + 9 <= n && strncasecmp(html + i, "encoding=", 9) == 0))
			return 1;
	return 0;
}

int ks_html_extract(const char *html, size_t len, int line0, int max_line, unsigned flags,
		    struct ks_issue *is, struct ks_html_meta *meta)
{
	struct walk w = {0};
	struct build bd = {
	    .w = &w, .is = is, .line0 = line0, .max_line = max_line > 0 ? max_line : 1};
	int utf8 = (flags & KS_HTML_UTF8) || !declares_charset(html, len);
	const int opts = HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
			 HTML_PARSE_RECOVER | (utf8 ? HTML_PARSE_IGNORE_ENC : 0);
	htmlDocPtr doc = NULL;

	*meta = (struct ks_html_meta){.number = -1};
	if (len > 0 && len <= INT_MAX)
		doc = htmlReadMemory(html, (int)len, NULL, utf8 ? "UTF-8" : NULL, opts);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root) {
		xmlNode top = {.type = XML_ELEMENT_NODE, .children = root};
		walk_children(&w, &top, 0);
		flush(&w, B_TEXT, 0, 0);
	}
	if (!w.oom) {
		mark_titles(&w);
		bd.item_level = item_level(&w);
		if (bd.item_level)
			build_items(&bd);
		find_meta(&w, bd.item_level, meta, &bd.oom);
	}
	int rc = w.oom || bd.oom ? KS_ERR_NOMEM : KS_OK;
	if (rc != KS_OK)
		ks_html_meta_clear(meta);
	walk_free(&w);
	xmlFreeDoc(doc);
	return rc;
}

void ks_html_meta_clear(struct ks_html_meta *meta)
{
	if (!meta)
		return;
	free(meta->title);
	*meta = (struct ks_html_meta){.number = -1};
}
