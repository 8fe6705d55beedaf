/* json.c - the API's JSON bodies, built only with jansson. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kensaku/buf.h"
#include "kensaku/html.h"
#include "kensaku/item.h"
#include "kensaku/search.h"
#include "kensaku/tokenizer.h"
#include "kensaku/trend.h"
#include "kensaku/utf8.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* {"title_words", "quote_words", "inside", "spellings", "words",
 * "avg_words", "length_unit", "proximity", "bm25"}: why a hit scored what
 * it did (hit.h). */
static json_t *why_json(const struct ks_score_parts *w)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:f, s:f, s:s, s:f, s:f}", "title_words",
			 w->title_words, "quote_words", w->quote_words, "inside", w->inside,
			 "spellings", w->spellings, "words", w->words, "avg_words", w->avg_words,
			 "length_unit", w->in_words ? "words" : "tokens", "proximity", w->proximity,
			 "bm25", w->bm25);
}

/* Sets o's key to html (malloc'd, freed here; NULL: out of memory, -1). */
static int set_html(json_t *o, const char *key, char *html)
{
	int bad = !html || json_object_set_new(o, key, json_string(html));
	free(html);
	return bad;
}

/* The links of h as an array of strings ([] when none), NULL on out of
 * memory. */
static json_t *links_json(const struct ks_hit *h)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < h->n_links; i++)
		if (json_array_append_new(a, json_string(h->links[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *ks_hit_json(const struct ks_hit *h, int with_html)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	int bad = json_object_set_new(o, "id", json_string(h->id)) ||
		  json_object_set_new(o, "issue", json_integer(h->issue)) ||
		  json_object_set_new(o, "position", json_integer(h->position)) ||
		  json_object_set_new(o, "date", str_or_null(h->date)) ||
		  json_object_set_new(o, "section", str_or_null(h->section)) ||
		  json_object_set_new(o, "title", json_string(h->title ? h->title : "")) ||
		  json_object_set_new(o, "quote", json_string(h->quote ? h->quote : "")) ||
		  json_object_set_new(o, "url", str_or_null(h->url)) ||
		  json_object_set_new(o, "links", links_json(h));
	if (!bad && with_html)
		bad = set_html(o, "title_html", ks_hit_title_html(h)) ||
		      set_html(o, "snippet_html", ks_hit_snippet_html(h)) ||
		      json_object_set_new(o, "score", json_real(h->score)) ||
		      (h->why && json_object_set_new(o, "explain", why_json(h->why)));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *facet_json(const struct ks_facet *f, size_t n)
{
	json_t *o = json_object();
	for (size_t i = 0; o && i < n; i++) {
		if (json_object_set_new(o, f[i].key, json_integer(f[i].count))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* Appends o (stolen, may be NULL) to *a; on failure frees *a and sets it
 * to NULL, so a builder loops while *a. */
static void push(json_t **a, json_t *o)
{
	if (!o || json_array_append_new(*a, o)) {
		json_decref(*a);
		*a = NULL;
	}
}

/* [{"term": "ransomware", "variants": ["ransomware", "ランサムウェア"]}] */
json_t *ks_expanded_json(const struct ks_query_expansion *e, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		json_t *v = json_array();
		for (size_t j = 0; v && j < e[i].n_variants; j++)
			push(&v, json_string(e[i].variants[j]));
		push(&a, v ? json_pack("{s:s, s:o}", "term", e[i].term, "variants", v) : NULL);
	}
	return a;
}

/* The sentence from parts: before N after TERM then [SEARCHED]. */
char *ks_notice_message(const struct ks_query_notice *n)
{
	static const struct {
		const char *before;
		int n;
		const char *after, *then;
	} text[] = {
	    [KS_QL_TERMS] = {"only the first ", KS_QUERY_TERMS_MAX,
			     " terms are searched: ", " and the rest were ignored"},
	    [KS_QL_PREFIX_SHORT] = {"a prefix needs at least ", KS_QUERY_PREFIX_MIN_CHARS,
				    " characters: ", " was searched as "},
	    [KS_QL_PREFIXES] = {"at most ", KS_QUERY_PREFIXES_MAX,
				" prefixes are searched: ", " was searched as "},
	    [KS_QL_PHRASE_LONG] = {"at most ", KS_QUERY_PHRASE_TOKENS_MAX,
				   " words of a phrase are searched: ", " was searched as "},
	    [KS_QL_SPELLINGS] = {"at most ", KS_QUERY_PHRASES_MAX,
				 " words and spellings are searched: some spellings of ",
				 " were left out"},
	};
	size_t c = (size_t)n->code < sizeof text / sizeof text[0] ? (size_t)n->code : 0;
	char num[16];
	snprintf(num, sizeof num, "%d", text[c].n);
	struct ks_buf b = {0};
	ks_buf_str(&b, text[c].before);
	ks_buf_str(&b, num);
	ks_buf_str(&b, text[c].after);
	ks_buf_str(&b, n->term);
	ks_buf_str(&b, text[c].then);
	ks_buf_str(&b, n->searched ? n->searched : "");
	return ks_buf_take(&b);
}

json_t *ks_notices_json(const struct ks_query_notice *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		char *msg = ks_notice_message(&v[i]);
		push(&a, msg ? json_pack("{s:s, s:s, s:o, s:s}", "code",
					 ks_query_limit_name(v[i].code), "term", v[i].term,
					 "searched", str_or_null(v[i].searched), "message", msg)
			     : NULL);
		free(msg);
	}
	return a;
}

/* The members of a search body before "took_ms": query, total, offset,
 * limit. New reference; NULL on out of memory. */
static json_t *result_head(const struct ks_result *r)
{
	return json_pack("{s:s, s:I, s:i, s:i}", "query", r->query ? r->query : "", "total",
			 (json_int_t)r->total, "offset", r->offset, "limit", r->limit);
}

/* ["…", …]: the n strings of v. New reference; NULL on out of memory. */
static json_t *strings_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		push(&a, json_string(v[i]));
	return a;
}

/* The members after it: hits, facets, expanded (+ fts, sites, notices,
 * suggestions). */
static json_t *result_tail(const struct ks_result *r)
{
	json_t *o = json_object(), *hits = json_array(), *facets = json_object();
	int bad = !o || !hits || !facets;
	for (size_t i = 0; !bad && i < r->n_hits; i++)
		bad = json_array_append_new(hits, ks_hit_json(&r->hits[i], 1));
	bad =
	    bad || json_object_set_new(facets, "section", facet_json(r->sections, r->n_sections)) ||
	    json_object_set_new(facets, "year", facet_json(r->years, r->n_years)) ||
	    json_object_set_new(facets, "cve", facet_json(r->cves, r->n_cves)) ||
	    json_object_set_new(facets, "entity", facet_json(r->entities, r->n_entities)) ||
	    json_object_set(o, "hits", hits) || json_object_set(o, "facets", facets) ||
	    json_object_set_new(o, "expanded", ks_expanded_json(r->expanded, r->n_expanded)) ||
	    (r->explain && json_object_set_new(o, "fts", str_or_null(r->fts))) ||
	    (r->explain && json_object_set_new(o, "sites", strings_json(r->sites, r->n_sites))) ||
	    (r->n_notices &&
	     json_object_set_new(o, "notices", ks_notices_json(r->notices, r->n_notices))) ||
	    (r->n_suggestions &&
	     json_object_set_new(o, "suggestions", strings_json(r->suggestions, r->n_suggestions)));
	json_decref(hits);
	json_decref(facets);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* took_ms as a body holds it: rounded to the microsecond. */
static json_t *took_json(double ms)
{
	return json_real(round(ms * 1000) / 1000);
}

json_t *ks_result_json(const struct ks_result *r)
{
	json_t *o = result_head(r), *tail = result_tail(r);
	int bad = !o || !tail || json_object_set_new(o, "took_ms", took_json(r->took_ms)) ||
		  json_object_update(o, tail);
	json_decref(tail);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The compact bytes of object o without its closing brace (drop_last) or
 * its opening one; malloc'd, NULL on out of memory. */
static char *object_part(const json_t *o, int drop_last)
{
	char *s = ks_json_body(o);
	size_t n = s ? strlen(s) : 0;
	if (n < 2) {
		free(s);
		return NULL;
	}
	if (drop_last)
		s[n - 1] = '\0';
	else
		memmove(s, s + 1, n);
	return s;
}

int ks_result_body_parts(const struct ks_result *r, char **head, char **tail)
{
	json_t *h = result_head(r), *t = result_tail(r);
	char *a = h ? object_part(h, 1) : NULL, *b = t ? object_part(t, 0) : NULL;
	struct ks_buf hb = {0}, tb = {0};
	int ok = a && b;
	json_decref(h);
	json_decref(t);
	if (ok) {
		ks_buf_str(&hb, a);
		ks_buf_str(&hb, ",\"took_ms\":");
		ks_buf_str(&tb, ",");
		ks_buf_str(&tb, b);
	}
	free(a);
	free(b);
	*head = ks_buf_take(&hb);
	*tail = ks_buf_take(&tb);
	if (ok && *head && *tail)
		return 0;
	free(*head);
	free(*tail);
	*head = *tail = NULL;
	return -1;
}

char *ks_result_body_join(const char *head, size_t hlen, double took_ms, const char *tail,
			  size_t tlen, size_t *len)
{
	json_t *v = took_json(took_ms);
	char *took =
	    v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	struct ks_buf b = {0};
	json_decref(v);
	if (!took)
		return NULL;
	ks_buf_add(&b, head, hlen);
	ks_buf_str(&b, took);
	ks_buf_add(&b, tail, tlen);
	free(took);
	*len = b.len;
	return ks_buf_take(&b);
}

json_t *ks_issue_json(const struct ks_issue_result *is)
{
	json_t *o = json_object(), *items = json_array(), *sections = json_array();
	int bad = !o || !items || !sections ||
		  json_object_set_new(o, "issue", json_integer(is->number)) ||
		  json_object_set_new(o, "date", str_or_null(is->date)) ||
		  json_object_set_new(o, "title", str_or_null(is->title)) ||
		  (is->truncated && json_object_set_new(o, "truncated", json_true()));
	for (size_t i = 0; !bad && i < is->n_sections; i++)
		bad = json_array_append_new(sections, json_string(is->sections[i]));
	for (size_t i = 0; !bad && i < is->n_items; i++)
		bad = json_array_append_new(items, ks_hit_json(&is->items[i], 0));
	bad = bad || json_object_set(o, "sections", sections) || json_object_set(o, "items", items);
	json_decref(items);
	json_decref(sections);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* [{"key": "2022-03", "count": 4}, ...] */
static json_t *buckets_json(const struct ks_trend *t)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < t->n_buckets; i++) {
		const struct ks_trend_bucket *b = &t->buckets[i];
		char key[16];
		if (t->interval == KS_INTERVAL_YEAR)
			snprintf(key, sizeof key, "%04d", b->year);
		else
			snprintf(key, sizeof key, "%04d-%02d", b->year, b->month);
		push(&a, json_pack("{s:s, s:I}", "key", key, "count", (json_int_t)b->count));
	}
	return a;
}

json_t *ks_trend_json(const struct ks_trend *t)
{
	json_t *buckets = buckets_json(t);
	json_t *expanded = ks_expanded_json(t->expanded, t->n_expanded);
	json_t *o = NULL;
	if (buckets && expanded)
		o = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o}", "query", t->query, "interval",
			      t->interval == KS_INTERVAL_YEAR ? "year" : "month", "total",
			      (json_int_t)t->total, "undated", (json_int_t)t->undated, "buckets",
			      buckets, "expanded", expanded);
	else {
		json_decref(buckets);
		json_decref(expanded);
	}
	if (o && t->n_notices &&
	    json_object_set_new(o, "notices", ks_notices_json(t->notices, t->n_notices))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

json_t *ks_health_json(const struct ks_store_stats *st, unsigned long server_generation,
		       int reindex_needed)
{
	return json_pack("{s:s, s:I, s:I, s:s?, s:I, s:b, s:s}", "status", "ok", "items",
			 (json_int_t)st->items, "issues", (json_int_t)st->issues, "generation",
			 st->generation[0] ? st->generation : NULL, "server_generation",
			 (json_int_t)server_generation, "reindex_needed", reindex_needed, "version",
			 KS_VERSION);
}

json_t *ks_stats_json(const struct ks_store_stats *st, int reindex_needed)
{
	return json_pack("{s:I,s:I,s:I,s:s?,s:s?,s:s,s:s,s:s,s:s?,s:s,s:I,s:b,s:s,s:s}", "items",
			 (json_int_t)st->items, "issues", (json_int_t)st->issues, "sources",
			 (json_int_t)st->sources, "first_date",
			 st->first_date[0] ? st->first_date : NULL, "last_date",
			 st->last_date[0] ? st->last_date : NULL, "built_at", st->built_at,
			 "tokenizer", st->tokenizer, "icu", st->icu, "segmenter",
			 st->segmenter[0] ? st->segmenter : NULL, "generation", st->generation,
			 "file_bytes", (json_int_t)st->file_bytes, "reindex_needed", reindex_needed,
			 "binary_tokenizer", ks_tok_version(), "binary_icu", ks_tok_icu_version());
}

json_t *ks_error_json(const char *code, const char *message)
{
	json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", code ? code : "internal", "message",
			      message ? message : "");
	return e;
}

/* jansson 2.14 ignores a failed append of an object key (dump_string in
 * do_dump), so json_dumps can return a body missing a key's text; into a
 * ks_buf, whose first failed append makes every later one a no-op, the
 * failure reaches the end. */
static int dump_into(const char *bytes, size_t n, void *data)
{
	struct ks_buf *b = data;
	ks_buf_add(b, bytes, n);
	return b->oom ? -1 : 0;
}

char *ks_json_body(const json_t *j)
{
	struct ks_buf b = {0};
	if (!j || json_dump_callback(j, dump_into, &b, JSON_COMPACT | JSON_REAL_PRECISION(6))) {
		ks_buf_free(&b);
		return NULL;
	}
	return ks_buf_take(&b);
}

/* Cuts the string member key of o to max characters (max_bytes bytes when
 * max is 0). 1 when cut, 0 when not, -1 on out of memory. */
static int clamp_member(json_t *o, const char *key, size_t max, size_t max_bytes)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return 0;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	size_t cut = max ? ks_utf8_step(s, n, 0, (long)max)
			 : ks_utf8_floor(s, n, n < max_bytes ? n : max_bytes);
	if (cut >= n)
		return 0;
	return json_string_setn(v, s, cut) ? -1 : 1;
}

int ks_item_json_clamp(json_t *o)
{
	int cut = 0, r;
	static const struct {
		const char *key;
		size_t chars, bytes;
	} lim[] = {{"title", KS_MAX_TITLE_CHARS, 0},
		   {"quote", KS_MAX_QUOTE_CHARS, 0},
		   {"section", KS_MAX_SECTION_CHARS, 0},
		   {"url", 0, KS_MAX_URL_BYTES}};
	if (!json_is_object(o))
		return 0;
	for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
		if ((r = clamp_member(o, lim[i].key, lim[i].chars, lim[i].bytes)) < 0)
			return -1;
		cut |= r;
	}
	if (cut && json_object_set_new(o, "truncated", json_true()))
		return -1;
	return cut;
}
