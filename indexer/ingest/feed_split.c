/* feed_split.c - a fetched feed's summary entries, read from their pages
 * (feed_split.h).
 *
 * The feed is parsed with libxml2 as ks_ingest_feed parses it (no network,
 * no entity expansion, line numbers past 65535). Each summary entry with
 * an http(s) link is replaced in the tree by a comment holding as many
 * line breaks as the entry's own markup, and the root element is written
 * out after as many line breaks as came before it: every line the feed's
 * parser reports in what is left is the line of the fetched feed. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "feed_split.h"
#include "kensaku/buf.h"
#include "kensaku/fetch.h"

static int named(const xmlNode *n, const char *local)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, local);
}

/* The element holding the entries of the feed rooted at root, and the
 * entries' name; NULL when root is no feed. */
static xmlNode *entries_of(xmlNode *root, const char **entry)
{
	*entry = named(root, "feed") ? "entry" : "item";
	if (named(root, "feed") || named(root, "RDF"))
		return root;
	for (xmlNode *c = named(root, "rss") ? root->children : NULL; c; c = c->next)
		if (named(c, "channel"))
			return c;
	return NULL;
}

/* Whether entry e carries its issue in full: RSS content:encoded, or an
 * Atom <content> given inline (one with src= points elsewhere). */
static int in_full(const xmlNode *e)
{
	for (xmlNode *c = e->children; c; c = c->next)
		if (named(c, "encoded") ||
		    (named(c, "content") && !xmlHasProp(c, (const xmlChar *)"src")))
			return 1;
	return 0;
}

/* Whether the attribute name of e is absent or equals want. */
static int attr_absent_or(xmlNode *e, const char *name, const char *want)
{
	xmlChar *v = xmlGetNoNsProp(e, (const xmlChar *)name);
	int ok = !v || !strcmp((const char *)v, want);
	xmlFree(v);
	return ok;
}

/* The link of entry e as written (xmlFree it): the href of its first
 * <link> that is an alternate (or has no rel), else the text of a <link>
 * without attributes (RSS), else a <guid> that is a permalink; NULL when
 * none. */
static xmlChar *link_of(xmlNode *e)
{
	for (xmlNode *c = e->children; c; c = c->next) {
		xmlChar *href =
		    named(c, "link") ? xmlGetNoNsProp(c, (const xmlChar *)"href") : NULL;
		if (href && attr_absent_or(c, "rel", "alternate"))
			return href;
		xmlFree(href);
		if (named(c, "link") && !c->properties)
			return xmlNodeGetContent(c);
	}
	for (xmlNode *c = e->children; c; c = c->next)
		if (named(c, "guid") && attr_absent_or(c, "isPermaLink", "true"))
			return xmlNodeGetContent(c);
	return NULL;
}

/* The page of summary entry e resolved against base, malloc'd; NULL when
 * it has no http(s) one. */
static char *page_of(xmlNode *e, const char *base)
{
	xmlChar *link = link_of(e);
	char *url = link ? ks_fetch_resolve(base, (const char *)link) : NULL;
	xmlFree(link);
	if (url && strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
		free(url);
		url = NULL;
	}
	return url;
}

/* Adds url (taken) to s's pages unless there already; -1 on out of memory
 * (url freed). */
static int add_page(struct ks_feed_split *s, char *url)
{
	for (size_t i = 0; i < s->n_pages; i++)
		if (!strcmp(s->pages[i], url)) {
			free(url);
			return 0;
		}
	char **v = realloc(s->pages, (s->n_pages + 1) * sizeof *v);
	if (!v) {
		free(url);
		return -1;
	}
	s->pages = v;
	s->pages[s->n_pages++] = url;
	return 0;
}

/* Replaces e by a comment of as many line breaks as its markup holds. */
static int blank_out(xmlDoc *doc, xmlNode *e)
{
	xmlBufferPtr b = xmlBufferCreate();
	struct ks_buf nl = {0};
	xmlNode *c = NULL;
	if (b && xmlNodeDump(b, doc, e, 0, 0) >= 0) {
		for (const xmlChar *p = xmlBufferContent(b); p && *p; p++)
			if (*p == '\n')
				ks_buf_add(&nl, "\n", 1);
		ks_buf_add(&nl, "", 0);
		if (!nl.oom)
			c = xmlNewDocComment(doc, (const xmlChar *)nl.p);
	}
	xmlBufferFree(b);
	ks_buf_free(&nl);
	if (!c)
		return -1;
	xmlReplaceNode(e, c);
	xmlFreeNode(e);
	return 0;
}

/* Takes the summary entries of the entries under parent out of the tree
 * into s; counts the entries left. -1 on out of memory. */
static int take_summaries(xmlDoc *doc, xmlNode *parent, const char *entry, const char *base,
			  struct ks_feed_split *s)
{
	xmlNode *next;
	for (xmlNode *e = parent->children; e; e = next) {
		char *url;
		next = e->next;
		if (!named(e, entry))
			continue;
		if (in_full(e) || !(url = page_of(e, base))) {
			s->n_rest++;
			continue;
		}
		if (add_page(s, url) != 0 || blank_out(doc, e) != 0)
			return -1;
	}
	return 0;
}

/* Writes root after the line breaks that preceded it into s->rest. */
static int write_rest(xmlDoc *doc, xmlNode *root, struct ks_feed_split *s)
{
	struct ks_buf out = {0};
	xmlBufferPtr b = xmlBufferCreate();
	int rc = -1;
	for (long l = xmlGetLineNo(root); l > 1; l--)
		ks_buf_add(&out, "\n", 1);
	if (b && xmlNodeDump(b, doc, root, 0, 0) >= 0) {
		ks_buf_str(&out, (const char *)xmlBufferContent(b));
		if (!out.oom) {
			s->rest_len = out.len;
			s->rest = ks_buf_take(&out);
			rc = s->rest ? 0 : -1;
		}
	}
	xmlBufferFree(b);
	ks_buf_free(&out);
	return rc;
}

int ks_feed_split(const char *data, size_t len, const char *base, struct ks_feed_split *out,
		  struct ks_err *err)
{
	const int opts =
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES;
	struct ks_feed_split s = {0};
	xmlDoc *doc = len <= INT_MAX ? xmlReadMemory(data, (int)len, NULL, NULL, opts) : NULL;
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL, *parent;
	const char *entry;
	int rc = KS_OK;
	memset(out, 0, sizeof *out);
	/* a DOCTYPE (which may declare entities, refused by the feed's parser)
	 * would be lost in rest: such a feed is left whole */
	if (!root || doc->intSubset || !(parent = entries_of(root, &entry)))
		goto out;
	if (take_summaries(doc, parent, entry, base, &s) != 0 ||
	    (s.n_pages && write_rest(doc, root, &s) != 0))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[fetch] %s: out of memory", base);
out:
	xmlFreeDoc(doc);
	if (rc == KS_OK && s.n_pages)
		*out = s;
	else
		ks_feed_split_clear(&s);
	return rc;
}

void ks_feed_split_clear(struct ks_feed_split *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_pages; i++)
		free(s->pages[i]);
	free(s->pages);
	free(s->rest);
	memset(s, 0, sizeof *s);
}
