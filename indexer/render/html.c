/* html.c - HTML escaping with <mark> around byte ranges, character
 * windows for snippets, and a search hit's title_html and snippet_html
 * from its text and marks (html.h). The text is escaped first; marks are inserted at
 * range boundaries only, so nothing from the text can become markup. A bidi
 * control (bidi.h) becomes a visible marker element,
 *   <span class="bidi-ctl" title="U+202E RIGHT-TO-LEFT OVERRIDE">[U+202E RLO]</span>
 * so it can't reorder the text around it where the HTML is shown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bidi.h"
#include "kensaku/buf.h"
#include "kensaku/html.h"
#include "kensaku/utf8.h"

static void put_bidi(struct ks_buf *o, const struct ks_bidi *c)
{
	char t[80];
	int n =
	    snprintf(t, sizeof t, "<span class=\"bidi-ctl\" title=\"U+%04X %s\">", c->cp, c->name);
	if (n < 0 || (size_t)n >= sizeof t) {
		o->oom = 1;
		return;
	}
	ks_buf_add(o, t, (size_t)n);
	ks_bidi_label(o, c);
	ks_buf_str(o, "</span>");
}

static void put_escaped(struct ks_buf *o, const char *s, int a, int b)
{
	int run = a;
	for (int i = a; i < b; i++) {
		const char *rep = NULL;
		const struct ks_bidi *c = NULL;
		int n = ks_bidi_at(s, (size_t)i, (size_t)b, &c);
		if (n) {
			ks_buf_add(o, s + run, (size_t)(i - run));
			put_bidi(o, c);
			i += n - 1;
			run = i + 1;
			continue;
		}
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		}
		if (rep) {
			ks_buf_add(o, s + run, (size_t)(i - run));
			ks_buf_add(o, rep, strlen(rep));
			run = i + 1;
		}
	}
	ks_buf_add(o, s + run, (size_t)(b - run));
}

char *ks_html_mark(const char *text, int len, const int *marks, int n_marks, int window_chars)
{
	struct ks_buf o = {0};
	int a = 0, b = len;
	ks_buf_add(&o, "", 0);
	if (!text)
		return ks_buf_take(&o);
	if (window_chars > 0 && ks_utf8_chars(text, (size_t)len) > (size_t)window_chars) {
		size_t n = (size_t)len;
		size_t first = n_marks > 0 ? ks_utf8_ceil(text, n, (size_t)marks[0]) : 0;
		/* a fifth of the window before the first match, the rest after */
		a = n_marks > 0 ? (int)ks_utf8_step(text, n, first, -(window_chars / 5)) : 0;
		b = (int)ks_utf8_step(text, n, (size_t)a, window_chars);
		if (b == len)
			a = (int)ks_utf8_step(text, n, n, -window_chars);
		/* do not open on a space */
		while (a < b && (text[a] == ' ' || text[a] == '\n'))
			a++;
	}
	if (a > 0)
		ks_buf_add(&o, "…", strlen("…"));
	int at = a;
	for (int m = 0; m < n_marks; m++) {
		int ms = marks[2 * m], me = marks[2 * m + 1];
		/* merge overlapping and touching ranges */
		while (m + 1 < n_marks && marks[2 * (m + 1)] <= me) {
			if (marks[2 * (m + 1) + 1] > me)
				me = marks[2 * (m + 1) + 1];
			m++;
		}
		if (ms < at)
			ms = at;
		if (me > b)
			me = b;
		if (ms >= me)
			continue;
		ms = (int)ks_utf8_ceil(text, (size_t)len, (size_t)ms);
		me = (int)ks_utf8_ceil(text, (size_t)len, (size_t)me);
		if (ms >= me)
			continue;
		put_escaped(&o, text, at, ms);
		ks_buf_add(&o, "<mark>", 6);
		put_escaped(&o, text, ms, me);
		ks_buf_add(&o, "</mark>", 7);
		at = me;
	}
	put_escaped(&o, text, at, b);
	if (b < len)
		ks_buf_add(&o, "…", strlen("…"));
	return ks_buf_take(&o);
}

char *ks_hit_title_html(const struct ks_hit *h)
{
	const char *t = h->title ? h->title : "";
	return ks_html_mark(t, (int)strlen(t), h->title_marks.at, h->title_marks.n, 0);
}

char *ks_hit_snippet_html(const struct ks_hit *h)
{
	const char *q = h->quote ? h->quote : "";
	return ks_html_mark(q, (int)strlen(q), h->quote_marks.at, h->quote_marks.n,
			    KS_SNIPPET_CHARS);
}
