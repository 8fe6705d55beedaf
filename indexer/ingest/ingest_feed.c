/* ingest_feed.c - RSS 2.0 (and RSS 1.0) and Atom feeds: each entry one
 * issue.
 *
 * The feed is read with libxml2's XML parser without network access and
 * without loading or expanding external entities or DTDs; a feed that
 * declares entities of its own is refused (no entity expansion at all).
 * A feed that is not well-formed is refused whole: "name:line: reason".
 * For each <item> / <entry>:
 *   - its HTML content (content:encoded, else description; Atom content of
 *     type html or xhtml, else summary) goes through the HTML extractor
 *     (html_extract.h): the items;
 *   - the issue number comes from its title ("Issue #59", "第59号",
 *     "vol. 59"), else its link (".../issue-59", ".../59/"), else the
 *     content's own headings;
 *   - its date from pubDate (RFC 822), dc:date, published or updated
 *     (RFC 3339), else from the content;
 *   - its title is the issue's title.
 * An entry without items, without a number or repeating an earlier
 * entry's number is skipped and reported ("name:line: entry skipped:
 * reason"); items past the limits of item.h are skipped and reported. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "html_extract.h"
#include "kensaku/ingest.h"

#define LINK_DIGITS 9 /* a longer run of digits in a link is no issue number */

struct feed {
	const char *name;
	int lines; /* of the file */
	struct ks_batch tmp;
	struct ks_err *err;
};

static int is_named(const xmlNode *n, const char *local)
{
	return n && n->type == XML_ELEMENT_NODE && n->name && !strcmp((const char *)n->name, local);
}

/* The first child element of e named local (any namespace but, when ns is
 * given, that namespace's URI). */
static xmlNode *child(const xmlNode *e, const char *local, const char *ns)
{
	for (xmlNode *c = e ? e->children : NULL; c; c = c->next)
		if (is_named(c, local) &&
		    (!ns || (c->ns && c->ns->href && !strcmp((const char *)c->ns->href, ns))))
			return c;
	return NULL;
}

/* The text of e (text and CDATA children only: no entity is followed), a
 * malloc'd string; "" when none; NULL on out of memory. */
static char *text_of(const xmlNode *e)
{
	size_t n = 0;
	char *s;
	for (xmlNode *c = e ? e->children : NULL; c; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
			n += strlen((const char *)c->content);
	if (!(s = malloc(n + 1)))
		return NULL;
	n = 0;
	for (xmlNode *c = e ? e->children : NULL; c; c = c->next) {
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
			size_t k = strlen((const char *)c->content);
			memcpy(s + n, c->content, k);
			n += k;
		}
	}
	s[n] = 0;
	return s;
}

/* The markup of e's children (Atom type="xhtml"), malloc'd; NULL on out of
 * memory. */
static char *markup_of(xmlNode *e)
{
	xmlBufferPtr b = xmlBufferCreate();
	char *s = NULL;
	if (!b)
		return NULL;
	for (xmlNode *c = e->children; c; c = c->next)
		xmlNodeDump(b, e->doc, c, 0, 0);
	s = strdup(xmlBufferContent(b) ? (const char *)xmlBufferContent(b) : "");
	xmlBufferFree(b);
	return s;
}

static const char *attr_is(xmlNode *e, const char *name, char *buf, size_t cap)
{
	xmlChar *v = xmlGetNoNsProp(e, (const xmlChar *)name);
	buf[0] = 0;
	if (v && strlen((const char *)v) < cap)
		memcpy(buf, v, strlen((const char *)v) + 1);
	xmlFree(v);
	return buf;
}

/* The entry's HTML content, malloc'd ("" when none); NULL on out of
 * memory. */
static char *entry_html(xmlNode *e)
{
	static const char *const order[] = {"encoded", "content", "description", "summary"};
	char type[16];
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		xmlNode *c = child(e, order[k], NULL);
		if (!c)
			continue;
		if (!strcmp(order[k], "content") &&
		    !strcmp(attr_is(c, "type", type, sizeof type), "xhtml"))
			return markup_of(c);
		return text_of(c);
	}
	return strdup("");
}

/* The entry's link: Atom's alternate (or first) link, RSS's <link>, else a
 * permalink <guid>; malloc'd, "" when none, NULL on out of memory. */
static char *entry_link(xmlNode *e)
{
	char rel[32];
	for (xmlNode *c = e->children; c; c = c->next) {
		if (!is_named(c, "link"))
			continue;
		xmlChar *href = xmlGetNoNsProp(c, (const xmlChar *)"href");
		attr_is(c, "rel", rel, sizeof rel);
		if (href && (!rel[0] || !strcmp(rel, "alternate"))) {
			char *s = strdup((const char *)href);
			xmlFree(href);
			return s;
		}
		xmlFree(href);
		if (!c->properties || !xmlHasProp(c, (const xmlChar *)"rel"))
			return text_of(c);
	}
	xmlNode *g = child(e, "guid", NULL);
	return g ? text_of(g) : strdup("");
}

/* The issue number in a link: after "issue" in it, else its last run of
 * digits (at most LINK_DIGITS) after the host. -1 when none. */
static long long number_from_link(const char *s)
{
	size_t n = strlen(s);
	const char *path = strstr(s, "://");
	long long v = ks_html_issue_number(s, n), x = -1;
	if (v > 0)
		return v;
	path = path ? strchr(path + 3, '/') : s;
	for (size_t i = path ? (size_t)(path - s) : n; i < n;) {
		size_t b = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i > b && i - b <= LINK_DIGITS) {
			x = 0;
			for (size_t j = b; j < i; j++)
				x = x * 10 + (s[j] - '0');
		}
		i += i == b;
	}
	return x > 0 ? x : -1;
}

static int entry_line(const struct feed *f, xmlNode *e)
{
	long l = xmlGetLineNo(e);
	return l < 1 ? 1 : l > f->lines ? f->lines : (int)l;
}

static int skip_entry(struct feed *f, int line, const char *why)
{
	if (ks_batch_skip(&f->tmp, "%s:%d: entry skipped: %s", f->name, line, why) != 0)
		return ks_err_set(f->err, KS_ERR_NOMEM, "[ingest] %s: out of memory", f->name);
	return KS_OK;
}

/* The date of entry e into date[] (left "" when it has none). */
static void entry_date(xmlNode *e, char date[11])
{
	static const char *const order[] = {"pubDate", "date", "published", "updated"};
	for (size_t k = 0; k < sizeof order / sizeof order[0] && !date[0]; k++) {
		char *s = text_of(child(e, order[k], NULL));
		if (s && !ks_html_find_date(s, strlen(s), date))
			date[0] = 0;
		free(s);
	}
}

/* A copy of s without the white space around it into *out (NULL when
 * nothing is left); -1 on out of memory. */
static int trim_dup(const char *s, char **out)
{
	size_t n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	while (n && strchr(" \t\r\n", *s)) {
		s++;
		n--;
	}
	*out = n ? strndup(s, n) : NULL;
	return n && !*out ? -1 : 0;
}

/* Fills issue is from entry e; returns KS_OK, KS_ERR_NOMEM, or KS_ERR_PARSE
 * with *why set (the entry is then skipped). */
static int read_entry(struct feed *f, xmlNode *e, struct ks_issue *is, const char **why)
{
	struct ks_html_meta meta = {.number = -1};
	char *html = entry_html(e), *link = entry_link(e),
	     *title = text_of(child(e, "title", NULL));
	char date[11] = "";
	int rc = KS_ERR_NOMEM, line = entry_line(f, e);
	if (!html || !link || !title)
		goto out;
	if ((rc = ks_html_extract(html, strlen(html), line - 1, f->lines, KS_HTML_UTF8, is,
				   &meta)) != KS_OK)
		goto out;
	for (size_t i = 0; i < is->n_items; i++)
		is->items[i].line = line;
	is->number = ks_html_issue_number(title, strlen(title));
	if (is->number < 0)
		is->number = number_from_link(link);
	if (is->number < 0)
		is->number = meta.number;
	entry_date(e, date);
	if (!date[0])
		memcpy(date, meta.date, sizeof date);
	rc = KS_ERR_PARSE;
	*why = !is->n_items ? "no items in its content (no headlines: headings or bold paragraphs)"
	       : is->number < 0 ? "no issue number (none in its title, link or content)"
	       : ks_batch_find_issue(&f->tmp, is->number) != is
		   ? "its issue number was given by an earlier entry"
		   : NULL;
	if (*why)
		goto out;
	rc = KS_ERR_NOMEM;
	if ((date[0] && !(is->date = strdup(date))) || trim_dup(title, &is->title) != 0)
		goto out;
	rc = KS_OK;
out:
	ks_html_meta_clear(&meta);
	free(html);
	free(link);
	free(title);
	return rc;
}

/* Reads every entry of the feed whose root is root into f->tmp. */
static int read_entries(struct feed *f, xmlNode *root)
{
	int rc = KS_OK, rss = is_named(root, "rss");
	xmlNode *parent = rss ? child(root, "channel", NULL) : root;
	const char *entry = is_named(root, "feed") ? "entry" : "item";
	for (xmlNode *e = parent ? parent->children : NULL; e && rc == KS_OK; e = e->next) {
		const char *why = NULL;
		struct ks_issue *is;
		if (!is_named(e, entry))
			continue;
		if (!(is = ks_batch_add_issue(&f->tmp)))
			return ks_err_set(f->err, KS_ERR_NOMEM, "[ingest] %s: out of memory",
					  f->name);
		rc = read_entry(f, e, is, &why);
		if (rc == KS_OK)
			continue;
		ks_issue_clear(is);
		f->tmp.n_issues--;
		if (rc == KS_ERR_PARSE)
			rc = skip_entry(f, entry_line(f, e), why);
		else
			rc =
			    ks_err_set(f->err, KS_ERR_NOMEM, "[ingest] %s: out of memory", f->name);
	}
	return rc;
}

/* Whether the document declares entities of its own (refused: no entity
 * is ever expanded). */
static int declares_entities(xmlDoc *doc)
{
	for (xmlNode *c = doc->intSubset ? doc->intSubset->children : NULL; c; c = c->next)
		if (c->type == XML_ENTITY_DECL)
			return 1;
	return 0;
}

/* Parses the feed; on failure returns KS_ERR_PARSE / KS_ERR_NOMEM with
 * err set "name:line: reason". */
static int parse_xml(struct feed *f, const char *data, size_t len, xmlDoc **out)
{
	const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			 XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	xmlDoc *doc;
	if (!ctxt)
		return ks_err_set(f->err, KS_ERR_NOMEM, "[ingest] %s: out of memory", f->name);
	doc = len <= INT_MAX ? xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL, opts) : NULL;
	if (!doc || !ctxt->wellFormed) {
		const xmlError *e = &ctxt->lastError;
		int line = e->line < 1 ? 1 : e->line > f->lines ? f->lines : e->line;
		const char *msg = e->message ? e->message : "unreadable";
		size_t n = strcspn(msg, "\n");
		ks_err_set(f->err, KS_ERR_PARSE, "%s:%d: not well-formed XML: %.*s", f->name, line,
			   (int)(n > 200 ? 200 : n), msg);
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		return KS_ERR_PARSE;
	}
	xmlFreeParserCtxt(ctxt);
	*out = doc;
	return KS_OK;
}

int ks_ingest_feed(const char *name, const char *data, size_t len, struct ks_batch *out,
		   struct ks_err *err)
{
	struct feed f = {.name = name ? name : "(input)", .err = err};
	xmlDoc *doc = NULL;
	xmlNode *root;
	int rc;

	if (!out || (!data && len > 0))
		return ks_err_set(err, KS_ERR_ARG, "[ingest] no input or no output batch");
	f.lines = ks_html_count_lines(data, len);
	if ((rc = parse_xml(&f, data ? data : "", len, &doc)) != KS_OK)
		return rc;
	root = xmlDocGetRootElement(doc);
	if (declares_entities(doc))
		rc = ks_err_set(err, KS_ERR_PARSE,
				"%s:1: entity declarations are not accepted in a feed", f.name);
	else if (!is_named(root, "rss") && !is_named(root, "feed") && !is_named(root, "RDF"))
		rc = ks_err_set(err, KS_ERR_PARSE,
				"%s:%d: not an RSS or Atom feed (root element <%.40s>)", f.name,
				entry_line(&f, root),
				root && root->name ? (const char *)root->name : "");
	else if ((rc = read_entries(&f, root)) == KS_OK)
		rc = ks_batch_finish(&f.tmp, out, f.name, err);
	ks_batch_clear(&f.tmp);
	xmlFreeDoc(doc);
	return rc;
}
