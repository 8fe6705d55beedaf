/* html.h - HTML of the render layer (html.c): text escaped with <mark>
 * around byte ranges, and the two HTML strings of a search hit. Every
 * result is a new malloc'd string the caller frees. */
#ifndef KENSAKU_HTML_H
#define KENSAKU_HTML_H

#include "hit.h"

#define KS_SNIPPET_CHARS 160 /* snippet window, in characters */

/* HTML-escapes len bytes of text and wraps the byte ranges in marks
 * (n_marks pairs, sorted by start, may overlap) in <mark>...</mark>; when
 * window_chars > 0 cuts a window of that many characters around the first
 * match (with "…" where cut). A bidi control becomes a visible marker
 * element. Returns a malloc'd string or NULL on out of memory. */
char *ks_html_mark(const char *text, int len, const int *marks, int n_marks, int window_chars);

/* The "title_html" of a search hit: h's title (NULL: "") escaped, with
 * h->title_marks in <mark>. malloc'd; NULL on out of memory. */
char *ks_hit_title_html(const struct ks_hit *h);

/* The "snippet_html" of a search hit: a window of KS_SNIPPET_CHARS
 * characters of h's quote (NULL: "") around its first mark, escaped, with
 * h->quote_marks in <mark>. malloc'd; NULL on out of memory. */
char *ks_hit_snippet_html(const struct ks_hit *h);

#endif
