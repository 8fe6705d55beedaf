/* test_feed.c - the Atom feed through the public API (feed.h) on a real
 * index file: well-formed XML that libxml2 parses back, one entry per
 * match newest first, tag URI ids, and text cleaned of what XML cannot
 * hold and of bidi controls. */
#include <stdlib.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/feed.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

static char path[64];

static void add_item(struct ks_issue *is, const char *title, const char *quote, const char *url)
{
	fx_item(is, "攻撃、脅威", title, quote)->url = url ? strdup(url) : NULL;
}

static struct ks_store *fixture(void)
{
	struct ks_store *s = fx_open(path, "feed");
	struct ks_batch b = {0};
	struct ks_issue *old = fx_issue(&b, 3, "2022-01-09");
	add_item(old, "phishing older", "plain quote", "https://example.org/a b");
	struct ks_issue *is = fx_issue(&b, 4, "2022-03-27");
	add_item(is,
		 "phishing evil\xE2\x80\xAE"
		 "exe.txt",
		 "ctl\x01 <b>&amp;</b>", NULL);
	add_item(is, "unrelated", NULL, NULL);
	fx_put(s, "/src/feed.txt", &b);
	return s;
}

/* The text of the first child of n named name, or NULL. */
static xmlNode *child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

static int same_text(xmlNode *n, const char *want)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	int same = t && !strcmp((const char *)t, want);
	if (!same)
		fprintf(stderr, "  text: %s\n  want: %s\n", t ? (const char *)t : "(none)", want);
	xmlFree(t);
	return same;
}

static void test_feed(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	struct ks_feed_opts o = {.base = "http://127.0.0.1:8080", .limit = 20};
	struct ks_err err = {""};
	char *xml = NULL;
	size_t len = 0;
	ks_search_params_init(&p);
	p.q = "phishing";
	p.expand = 1; /* as kensakud: the id then names the query alone */
	CHECK(ks_feed_atom(s, &p, &o, &xml, &len, &err) == KS_OK);
	CHECK(xml && strlen(xml) == len);
	xmlDoc *doc = xml ? xmlReadMemory(xml, (int)len, "feed.atom", NULL, XML_PARSE_NONET) : NULL;
	CHECK(doc != NULL); /* well-formed: the controls are gone */
	xmlNode *feed = doc ? xmlDocGetRootElement(doc) : NULL;
	CHECK(feed && !strcmp((const char *)feed->name, "feed"));
	CHECK(same_text(child(feed, "id"), KS_FEED_TAG "feed?q=phishing"));
	int entries = 0;
	xmlNode *first = NULL;
	for (xmlNode *c = feed ? feed->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "entry"))
			entries++, first = first ? first : c;
	CHECK(entries == 2);
	/* newest first; the bidi control made visible, the C0 control gone */
	CHECK(same_text(child(first, "id"), KS_FEED_TAG "item:4-1"));
	CHECK(same_text(child(first, "title"), "phishing evil[U+202E RLO]exe.txt"));
	CHECK(same_text(child(first, "updated"), "2022-03-27T00:00:00Z"));
	CHECK(xml && !strstr(xml, "\x01") && !strstr(xml, "\xE2\x80\xAE"));
	/* the feed's updated is its newest entry's */
	CHECK(same_text(child(feed, "updated"), "2022-03-27T00:00:00Z"));
	xmlFreeDoc(doc);
	free(xml);
	xml = NULL;
	o.limit = KS_FEED_LIMIT_MAX + 1;
	CHECK(ks_feed_atom(s, &p, &o, &xml, &len, &err) == KS_ERR_ARG && xml == NULL);
	fx_close(s, path);
}

/* The hrefs of n's <link rel=rel> children, joined by spaces, into b. */
static void hrefs(xmlNode *n, const char *rel, char *b, size_t cap)
{
	b[0] = 0;
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "link"))
			continue;
		xmlChar *r = xmlGetProp(c, BAD_CAST "rel"), *h = xmlGetProp(c, BAD_CAST "href");
		if (r && h && !strcmp((const char *)r, rel))
			snprintf(b + strlen(b), cap - strlen(b), "%s%s", b[0] ? " " : "",
				 (const char *)h);
		xmlFree(r);
		xmlFree(h);
	}
}

/* An entry's sources: rel="related" for its url, then its other links in
 * order; never a javascript: one; the alternate stays the web UI. */
static void test_feed_links(void)
{
	struct ks_store *s = fx_open(path, "feed");
	struct ks_batch b = {0};
	struct ks_issue *is = fx_issue(&b, 5, "2022-04-03");
	struct ks_item *it = fx_item(is, NULL, "linked", NULL);
	it->url = strdup("https://a.example/1");
	CHECK(ks_item_add_link(it, "https://b.example/2", 19) == 0);
	CHECK(ks_item_add_link(it, "javascript:alert(1)", 19) == 0);
	CHECK(ks_item_add_link(it, "http://c.example/3?x=1&y=2", 26) == 0);
	CHECK(ks_batch_enforce_limits(&b, "feed.txt") == 0);
	fx_put(s, "/src/feed.txt", &b);
	struct ks_search_params p;
	struct ks_feed_opts o = {.base = "http://127.0.0.1:8080", .limit = 20};
	struct ks_err err = {""};
	char *xml = NULL, got[512];
	size_t len = 0;
	ks_search_params_init(&p);
	p.q = "linked";
	CHECK(ks_feed_atom(s, &p, &o, &xml, &len, &err) == KS_OK);
	xmlDoc *doc = xml ? xmlReadMemory(xml, (int)len, "feed.atom", NULL, XML_PARSE_NONET) : NULL;
	xmlNode *e = child(doc ? xmlDocGetRootElement(doc) : NULL, "entry");
	CHECK(e != NULL);
	hrefs(e, "related", got, sizeof got);
	CHECK_STR(got, "https://a.example/1 https://b.example/2 http://c.example/3?x=1&y=2");
	hrefs(e, "alternate", got, sizeof got);
	CHECK_STR(got, "http://127.0.0.1:8080/issue.html?n=5#item-1");
	CHECK(xml && !strstr(xml, "javascript"));
	xmlFreeDoc(doc);
	free(xml);
	fx_close(s, path);
}

TEST_MAIN(TEST(test_feed), TEST(test_feed_links))
