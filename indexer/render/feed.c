/* feed.c - Atom feeds of the newest matches (feed.h). The walk is the
 * newest-first scan of a search, stopped after limit rows; only those rows
 * are read. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>

#include "kensaku/buf.h"
#include "bidi.h"
#include "kensaku/feed.h"
#include "kensaku/utf8.h"
#include "hit.h"
#include "scan.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"
#define EPOCH "1970-01-01T00:00:00Z"

/* ---- strings --------------------------------------------------------- */

/* Appends "&key=value" ("key=value" first) with value percent-encoded
 * (every byte but the unreserved ones of RFC 3986). */
static void sb_param(struct ks_buf *b, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!value)
		return;
	if (b->len && b->p[b->len - 1] != '?')
		ks_buf_add(b, "&", 1);
	ks_buf_str(b, key);
	ks_buf_add(b, "=", 1);
	for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
		if ((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') ||
		    (*v >= '0' && *v <= '9') || *v == '-' || *v == '.' || *v == '_' || *v == '~') {
			ks_buf_add(b, (const char *)v, 1);
		} else {
			char e[3] = {'%', hex[*v >> 4], hex[*v & 15]};
			ks_buf_add(b, e, 3);
		}
	}
}

/* The parameters that define a feed's content, in a fixed order. */
static void sb_query(struct ks_buf *b, const struct ks_search_params *p)
{
	sb_param(b, "q", p->q && *p->q ? p->q : NULL);
	sb_param(b, "section", p->section);
	sb_param(b, "from", p->from);
	sb_param(b, "to", p->to);
	sb_param(b, "entity", p->entity);
	sb_param(b, "exact", p->expand ? NULL : "1");
}

/* A copy of s that XML 1.0 can hold and a reader shows as it is: invalid
 * UTF-8, C0 controls other than tab, LF and CR, U+FFFE and U+FFFF become
 * U+FFFD; a bidi control becomes its marker text, "[U+202E RLO]" (bidi.h).
 * NULL on out of memory. */
static char *xml_clean(const char *s)
{
	struct ks_buf o = {0};
	size_t i = 0, len = strlen(s);
	ks_buf_add(&o, "", 0);
	while (i < len) {
		const struct ks_bidi *bc = NULL;
		int n = ks_bidi_at(s, i, len, &bc);
		if (n) {
			ks_bidi_label(&o, bc);
			i += (size_t)n;
			continue;
		}
		size_t step;
		long c = ks_utf8_decode(s + i, len - i, &step);
		if (c < 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE ||
		    c == 0xFFFF)
			ks_buf_add(&o, "\xEF\xBF\xBD", 3);
		else
			ks_buf_add(&o, s + i, step);
		i += step;
	}
	return ks_buf_take(&o);
}

/* An item's url fit for <link rel="related">: http(s) only (a javascript:
 * or data: url is never offered to a reader), with spaces, controls, DEL
 * and bidi controls percent-encoded so the link can't hide its target.
 * NULL when the url is unfit; *oom set when out of memory. */
static char *related_url(const char *u, int *oom)
{
	static const char hex[] = "0123456789ABCDEF";
	struct ks_buf o = {0};
	size_t len = u ? strlen(u) : 0;
	if (!u || (strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		const struct ks_bidi *bc = NULL;
		size_t n = (size_t)ks_bidi_at(u, i, len, &bc);
		unsigned char c = (unsigned char)u[i];
		if (!n && c > 0x20 && c != 0x7F) {
			ks_buf_add(&o, u + i, 1);
			continue;
		}
		for (size_t k = 0; k < (n ? n : 1); k++) {
			unsigned char e = (unsigned char)u[i + k];
			char pct[3] = {'%', hex[e >> 4], hex[e & 15]};
			ks_buf_add(&o, pct, 3);
		}
		i += n ? n - 1 : 0;
	}
	if (o.oom)
		*oom = 1;
	return ks_buf_take(&o);
}

/* ---- the XML ----------------------------------------------------------- */

/* Writes <name>text</name> (attr 0) or the attribute name="text" (attr 1)
 * with text (NULL: "") cleaned; < 0 on failure. */
static int write_clean(xmlTextWriterPtr w, int attr, const char *name, const char *text)
{
	char *t = xml_clean(text ? text : "");
	if (!t)
		return -1;
	int r = attr ? xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST t)
		     : xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST t);
	free(t);
	return r;
}

static int element(xmlTextWriterPtr w, const char *name, const char *text)
{
	return write_clean(w, 0, name, text);
}

static int attribute(xmlTextWriterPtr w, const char *name, const char *value)
{
	return write_clean(w, 1, name, value);
}

/* <link rel=rel type=type href=href/> */
static int link_el(xmlTextWriterPtr w, const char *rel, const char *type, const char *href)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "link") < 0 || attribute(w, "rel", rel) < 0 ||
	    (type && attribute(w, "type", type) < 0) || attribute(w, "href", href) < 0)
		return -1;
	return xmlTextWriterEndElement(w);
}

/* RFC 3339 time of an item: its date at midnight UTC, else fallback. */
static void item_time(const char *date, const char *fallback, char out[32])
{
	if (date && ks_date_valid(date))
		snprintf(out, 32, "%sT00:00:00Z", date);
	else
		snprintf(out, 32, "%s", fallback);
}

/* <link rel="related"> for u when it is fit (related_url); < 0 on
 * failure. */
static int related_el(xmlTextWriterPtr w, const char *u)
{
	int oom = 0;
	char *r = related_url(u, &oom);
	int bad = oom || (r && link_el(w, "related", NULL, r) < 0);
	free(r);
	return bad ? -1 : 0;
}

/* The item's sources as rel="related" links: its url, then its other
 * links, in order. < 0 on failure. */
static int related_els(xmlTextWriterPtr w, const struct ks_hit *h)
{
	if (related_el(w, h->url) < 0)
		return -1;
	for (size_t i = 0; i < h->n_links; i++)
		if ((!h->url || strcmp(h->links[i], h->url) != 0) && related_el(w, h->links[i]) < 0)
			return -1;
	return 0;
}

/* <entry>: id, title, updated, the item on the web UI (alternate), its
 * sources (related, the http(s) url then the other links), the quote as
 * summary (the title when there is no quote, so no reader shows an empty
 * body), section. */
static int entry(xmlTextWriterPtr w, const struct ks_hit *h, const char *base, const char *when)
{
	char id[96], href[64];
	struct ks_buf link = {0};
	const char *summary = h->quote && *h->quote ? h->quote : h->title;
	snprintf(id, sizeof id, KS_FEED_TAG "item:%s", h->id);
	snprintf(href, sizeof href, "/issue.html?n=%lld#item-%d", h->issue, h->position);
	ks_buf_str(&link, base);
	ks_buf_str(&link, href);
	int bad = link.oom || xmlTextWriterStartElement(w, BAD_CAST "entry") < 0 ||
		  element(w, "id", id) < 0 || element(w, "title", h->title) < 0 ||
		  element(w, "updated", when) < 0 ||
		  link_el(w, "alternate", "text/html", link.p) < 0 || related_els(w, h) < 0 ||
		  (summary && *summary && element(w, "summary", summary) < 0);
	if (!bad && h->section && *h->section)
		bad = xmlTextWriterStartElement(w, BAD_CAST "category") < 0 ||
		      attribute(w, "term", h->section) < 0 || xmlTextWriterEndElement(w) < 0;
	if (!bad)
		bad = xmlTextWriterEndElement(w) < 0;
	ks_buf_free(&link);
	return bad ? -1 : 0;
}

/* The feed's title: the query and its filters. */
static void title_of(struct ks_buf *t, const struct ks_search_params *p)
{
	ks_buf_str(t, "kensaku: ");
	if (p->q && *p->q) {
		ks_buf_str(t, p->q);
	} else {
		ks_buf_str(t, "all items");
	}
	if (p->section) {
		ks_buf_str(t, " [");
		ks_buf_str(t, p->section);
		ks_buf_str(t, "]");
	}
	if (p->entity) {
		ks_buf_str(t, " (");
		ks_buf_str(t, p->entity);
		ks_buf_str(t, ")");
	}
	if (p->from || p->to) {
		ks_buf_str(t, " ");
		ks_buf_str(t, p->from ? p->from : "");
		ks_buf_str(t, "..");
		ks_buf_str(t, p->to ? p->to : "");
	}
}

/* ---- collecting -------------------------------------------------------- */

struct newest {
	sqlite3_int64 *ids;
	int n, k;
};

static int take(void *ctx, sqlite3_int64 rowid, double score)
{
	struct newest *x = ctx;
	(void)score;
	x->ids[x->n++] = rowid;
	return x->n == x->k;
}

static int write_feed(xmlTextWriterPtr w, const struct ks_search_params *p,
		      const struct ks_feed_opts *o, const struct ks_hit *hits, int n,
		      const char *built)
{
	struct ks_buf id = {0}, self = {0}, alt = {0}, title = {0};
	char updated[32], when[32];
	/* the newest entry's time (entries without a date carry the build
	 * time), or the build time for an empty feed */
	snprintf(updated, sizeof updated, "%s", n ? "" : built);
	for (int i = 0; i < n; i++) {
		item_time(hits[i].date, built, when);
		if (strcmp(when, updated) > 0)
			memcpy(updated, when, sizeof updated);
	}
	ks_buf_str(&id, KS_FEED_TAG "feed?");
	sb_query(&id, p);
	ks_buf_str(&self, o->base);
	ks_buf_str(&self, "/feed.atom?");
	sb_query(&self, p);
	if (o->limit != KS_FEED_LIMIT_DEFAULT) {
		char lim[16];
		snprintf(lim, sizeof lim, "%d", o->limit);
		sb_param(&self, "limit", lim);
	}
	if (self.len && self.p[self.len - 1] == '?')
		self.p[--self.len] = 0;
	ks_buf_str(&alt, o->base);
	ks_buf_str(&alt, "/?");
	sb_query(&alt, p);
	if (alt.len && alt.p[alt.len - 1] == '?')
		alt.p[--alt.len] = 0;
	title_of(&title, p);
	int bad = id.oom || self.oom || alt.oom || title.oom;
	bad = bad || xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	      xmlTextWriterStartElement(w, BAD_CAST "feed") < 0 ||
	      attribute(w, "xmlns", ATOM_NS) < 0 || element(w, "id", id.p) < 0 ||
	      element(w, "title", title.p) < 0 || element(w, "updated", updated) < 0 ||
	      link_el(w, "self", "application/atom+xml", self.p) < 0 ||
	      link_el(w, "alternate", "text/html", alt.p) < 0 ||
	      xmlTextWriterStartElement(w, BAD_CAST "author") < 0 ||
	      element(w, "name", "kensaku") < 0 || xmlTextWriterEndElement(w) < 0 ||
	      xmlTextWriterStartElement(w, BAD_CAST "generator") < 0 ||
	      attribute(w, "version", KS_VERSION) < 0 ||
	      xmlTextWriterWriteString(w, BAD_CAST "kensaku") < 0 || xmlTextWriterEndElement(w) < 0;
	for (int i = 0; !bad && i < n; i++) {
		item_time(hits[i].date, built, when);
		bad = entry(w, &hits[i], o->base, when) < 0;
	}
	bad = bad || xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndDocument(w) < 0;
	ks_buf_free(&id);
	ks_buf_free(&self);
	ks_buf_free(&alt);
	ks_buf_free(&title);
	return bad ? -1 : 0;
}

/* The index's build time as RFC 3339, EPOCH when unknown or malformed. */
static int build_time(struct ks_store *s, char out[32], struct ks_err *err)
{
	char *v = NULL;
	snprintf(out, 32, EPOCH);
	int rc = ks_store_meta_get(s, "built_at", &v, err);
	if (rc == KS_OK && v && strlen(v) == 20 && v[10] == 'T' && v[19] == 'Z' && v[4] == '-')
		snprintf(out, 32, "%s", v);
	free(v);
	return rc;
}

static pthread_once_t g_xml_once = PTHREAD_ONCE_INIT;

/* libxml2 2.9 wants its global state set up once before threads use it. */
static void xml_init(void)
{
	xmlInitParser();
}

int ks_feed_atom(struct ks_store *s, const struct ks_search_params *p, const struct ks_feed_opts *o,
		 char **out, size_t *len, struct ks_err *err)
{
	struct ks_scan sc;
	struct newest x = {NULL, 0, o->limit};
	struct ks_hit *hits = NULL;
	int n = 0;
	char built[32];
	xmlBufferPtr xb = NULL;
	xmlTextWriterPtr w = NULL;
	if (o->limit < 1 || o->limit > KS_FEED_LIMIT_MAX)
		return ks_err_set(err, KS_ERR_ARG, "limit must be between 1 and %d",
				  KS_FEED_LIMIT_MAX);
	pthread_once(&g_xml_once, xml_init);
	int rc = ks_scan_init(s, p, &sc, err);
	if (rc == KS_OK && (!(x.ids = calloc((size_t)o->limit, sizeof *x.ids)) ||
			    !(hits = calloc((size_t)o->limit, sizeof *hits))))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[feed] out of memory");
	if (rc == KS_OK)
		rc = ks_scan_walk(s, &sc, 0, INT64_MAX, KS_SCAN_DESC, KS_SCORE_NONE, take, &x, err);
	for (int i = 0; rc == KS_OK && i < x.n; i++) {
		rc = ks_hit_by_rowid(s, x.ids[i], &hits[n], err);
		if (rc == KS_OK)
			n++;
		else if (rc == KS_ERR_NOTFOUND)
			rc = KS_OK; /* removed since the walk */
	}
	if (rc == KS_OK)
		rc = build_time(s, built, err);
	if (rc == KS_OK) {
		if (!(xb = xmlBufferCreate()) || !(w = xmlNewTextWriterMemory(xb, 0)) ||
		    xmlTextWriterSetIndent(w, 1) < 0 ||
		    xmlTextWriterSetIndentString(w, BAD_CAST " ") < 0 ||
		    write_feed(w, p, o, hits, n, built) < 0)
			rc = ks_err_set(err, KS_ERR_NOMEM, "[feed] could not write the XML");
	}
	if (w) {
		xmlFreeTextWriter(w); /* flushes into xb */
		w = NULL;
	}
	if (rc == KS_OK) {
		size_t blen = (size_t)xmlBufferLength(xb);
		char *body = malloc(blen + 1);
		if (!body) {
			rc = ks_err_set(err, KS_ERR_NOMEM, "[feed] out of memory");
		} else {
			memcpy(body, xmlBufferContent(xb), blen);
			body[blen] = 0;
			*out = body;
			*len = blen;
		}
	}
	if (xb)
		xmlBufferFree(xb);
	for (int i = 0; i < n; i++)
		ks_hit_clear(&hits[i]);
	free(hits);
	free(x.ids);
	ks_scan_clear(s, &sc);
	return rc;
}
