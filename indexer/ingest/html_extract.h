/* html_extract.h - the one HTML extractor of ingest (private): an issue
 * page or a feed entry's HTML content, parsed with libxml2's HTML parser
 * (recovering, no network), becomes items.
 *
 * The page is flattened into blocks in document order: headings, headline
 * paragraphs (a paragraph all in <strong>/<b>), text paragraphs (those in a
 * <blockquote> marked as quoted) and rules (<hr>). Navigation, share
 * buttons, subscribe boxes, footers, scripts, forms and the like are
 * dropped on the way, by element (nav, footer, aside, form, button, ...),
 * by role (navigation, contentinfo, complementary) and by class or id
 * words (share, subscribe, footer, nav, menu, social, signup, comments,
 * ...). Then:
 *   - a heading that names the issue ("Issue #59", "第59号", "vol. 59"), a
 *     heading whose class or id says title (post-title, subtitle) and a
 *     lone <h1> above other headings are the page's title, not items;
 *   - with two or more heading levels left, the deepest level makes the
 *     items and the shallower ones the sections; with one level, it makes
 *     the sections when headline paragraphs follow (they are then the
 *     items), else the items; with none, headline paragraphs are items;
 *   - the paragraphs after a headline, up to the next heading or rule, are
 *     its quote (joined by "\n"); a paragraph that is only a link, or only
 *     a date, is not quote text;
 *   - an item's links are the http(s) links of its headline, then of its
 *     paragraphs (an <a href> or a paragraph that is a bare URL), in order,
 *     each once (ks_item_add_link: at most KS_MAX_ITEM_LINKS); its url is
 *     the first.
 * Every string handed out is valid UTF-8 without control characters (ill-
 * formed bytes become U+FFFD). */
#ifndef KS_HTML_EXTRACT_H
#define KS_HTML_EXTRACT_H

#include <stddef.h>

#include "kensaku/item.h"

/* What a page says about its issue, beside the items. */
struct ks_html_meta {
	long long number; /* the issue number, -1 when the page names none */
	char date[11];	  /* "YYYY-MM-DD", "" when none */
	char *title;	  /* the line naming the issue (or <title>), NULL if none */
};

/* Flags of ks_html_extract. */
enum ks_html_flags {
	/* The text is UTF-8 already (converted from a mail part's charset, or
	 * a feed's content as libxml2 gives it): a charset its <meta> or
	 * <?xml?> declares is ignored. Without it a declared charset is read
	 * (a page as served), else UTF-8. */
	KS_HTML_UTF8 = 1 << 0
};

/* Parses len bytes of HTML (a whole page or a fragment) and appends its
 * items to is (positions continue from is->n_items; each item's line is
 * its line in the HTML plus line0, clamped to 1..max_line); flags are
 * enum ks_html_flags. meta is filled (its title owned by the caller:
 * ks_html_meta_clear). Returns KS_OK, or KS_ERR_NOMEM (is then holds the
 * items added so far, meta is cleared). Never fails on content: a page
 * without items adds none. */
int ks_html_extract(const char *html, size_t len, int line0, int max_line, unsigned flags,
		    struct ks_issue *is, struct ks_html_meta *meta);

/* Frees meta's title and resets it. Accepts NULL. */
void ks_html_meta_clear(struct ks_html_meta *meta);

/* The issue number s[0..n) names: "Issue #59", "issue 59", "issue-59",
 * "第59号", "vol. 59", "No. 59" or "#59" (in that order of preference);
 * -1 when none. Pure. */
long long ks_html_issue_number(const char *s, size_t n);

/* Finds the first real date written in s[0..n): 2022-03-27 (also with '/'
 * or '.', and as the start of an RFC 3339 time), 2022年3月27日,
 * March 27, 2022, Mar 27 2022 or 27 Mar 2022 (so an RFC 822 date);
 * ASCII or full-width digits. Returns 1 with out set, else 0. Pure. */
int ks_html_find_date(const char *s, size_t n, char out[11]);

/* The number of lines of data[0..len) as an editor counts them (\n,
 * \r\n or a lone \r ends a line); at least 1. */
int ks_html_count_lines(const char *data, size_t len);

#endif
