/* entities.c - item tags (CVE ids and gazetteer entities, written as items
 * are stored by store/tags.c) read back for facets, the entity filter,
 * autocomplete and entity pages.
 *
 * The table is item_entities(item, name, kind), primary key (item, name),
 * plus an index on name: facets count tags per matching rowid (from the
 * connection's memo of every item's tags, or one lookup per rowid when
 * there are few and the memo is not loaded), the filter and the counts read
 * it by name. */
#include <stdlib.h>
#include <string.h>

#include "entities_internal.h"
#include "kensaku/entities.h"
#include "kensaku/lexicon.h"
#include "memo.h"
#include "store_internal.h"
#include "tagcount.h"

#define POINT_LOOKUPS_MAX 4096 /* more matching rowids than this: load the memo's tags */

static const char OF_ITEM[] = "SELECT name, kind FROM item_entities WHERE item = ?1";
static const char ITEMS_OF[] = "SELECT item FROM item_entities WHERE name = ?1 ORDER BY item";
static const char COUNT_OF[] = "SELECT count(*) FROM item_entities WHERE name = ?1";

/* One tag's count in a search (ks_entities_facets). */
struct tally {
	long long count;
	const char *name;
};

/* 1 when a ranks below b in a facet: fewer items, or on a tie a later name. */
static int tally_worse(const struct tally *a, const struct tally *b)
{
	return a->count != b->count ? a->count < b->count : strcmp(a->name, b->name) > 0;
}

/* The best KS_FACET_TOP tallies of one class: a min-heap (the worst at 0). */
struct best {
	struct tally t[KS_FACET_TOP];
	size_t n;
};

static void best_sift(struct best *b, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < b->n && tally_worse(&b->t[l], &b->t[m]))
			m = l;
		if (r < b->n && tally_worse(&b->t[r], &b->t[m]))
			m = r;
		if (m == i)
			return;
		struct tally x = b->t[i];
		b->t[i] = b->t[m];
		b->t[m] = x;
		i = m;
	}
}

static void best_add(struct best *b, struct tally t)
{
	if (b->n < KS_FACET_TOP) {
		size_t i = b->n++;
		b->t[i] = t;
		while (i > 0 && tally_worse(&b->t[i], &b->t[(i - 1) / 2])) {
			struct tally x = b->t[i];
			b->t[i] = b->t[(i - 1) / 2];
			b->t[(i - 1) / 2] = x;
			i = (i - 1) / 2;
		}
		return;
	}
	if (!tally_worse(&b->t[0], &t))
		return;
	b->t[0] = t;
	best_sift(b, 0);
}

static int by_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	return tally_worse(x, y) ? 1 : tally_worse(y, x) ? -1 : 0;
}

/* Moves a class's best tallies, best first, into a facet list; -1 on out
 * of memory. */
static int best_facets(struct best *b, struct ks_facet **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (!b->n)
		return 0;
	qsort(b->t, b->n, sizeof(b->t[0]), by_tally);
	struct ks_facet *f = calloc(b->n, sizeof *f);
	if (!f)
		return -1;
	*out = f;
	for (size_t i = 0; i < b->n; i++) {
		if (!(f[i].key = strdup(b->t[i].name)))
			return -1;
		f[i].count = b->t[i].count;
		(*n_out)++;
	}
	return 0;
}

/* Appends id to the list of tags seen; -1 on out of memory. */
static int seen_add(uint32_t **seen, size_t *n, size_t *cap, uint32_t id)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		uint32_t *ns = realloc(*seen, nc * sizeof *ns);
		if (!ns)
			return -1;
		*seen = ns;
		*cap = nc;
	}
	(*seen)[(*n)++] = id;
	return 0;
}

/* The cve and entity facets of rowids (ascending), counted by tag id: a
 * step in the connection's memo per rowid (memo.h) when it holds the tags,
 * else a read of the row's tags, whose names the memo interns. Only the
 * tags seen are visited. */
static int facets(struct ks_store *s, struct ks_memo *m, const sqlite3_int64 *rowids, size_t n,
		  struct ks_facet **cv, size_t *n_cv, struct ks_facet **en, size_t *n_en,
		  struct ks_err *err)
{
	uint32_t *seen = NULL;
	size_t n_seen = 0, cap_seen = 0, hint = 0;
	int rc = KS_OK;
	long long *counts = ks_memo_counters(m, ks_memo_tag_count(m));
	if (!counts)
		return ks_err_set(err, KS_ERR_NOMEM, "[entities] out of memory");
	for (size_t i = 0; i < n && rc == KS_OK; i++) {
		const uint32_t *ids;
		size_t k;
		uint32_t one;
		if (!ks_memo_tags(m, rowids[i], &ids, &k, &hint)) {
			/* not in the memo: added since its load (a sign it is
			 * stale), or the memo holds no tags */
			if (ks_memo_tags_ready(m))
				ks_memo_note_miss(m);
			sqlite3_stmt *st = ks_store_stmt(s, OF_ITEM, err);
			if (!st) {
				rc = ks_store_rc(s);
				break;
			}
			sqlite3_bind_int64(st, 1, rowids[i]);
			int step;
			while (rc == KS_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
				one = ks_memo_tag_id(m, (const char *)sqlite3_column_text(st, 0),
						     (const char *)sqlite3_column_text(st, 1));
				long long *grown = one == UINT32_MAX
						       ? NULL
						       : ks_memo_counters(m, ks_memo_tag_count(m));
				if (grown)
					counts = grown; /* the memo may have grown it */
				if (!grown || (counts[one]++ == 0 &&
					       seen_add(&seen, &n_seen, &cap_seen, one) < 0))
					rc = ks_err_set(err, KS_ERR_NOMEM,
							"[entities] out of memory");
			}
			if (rc == KS_OK && step != SQLITE_DONE)
				rc = ks_store_dberr(s, "facets", err);
			sqlite3_reset(st);
			continue;
		}
		for (size_t j = 0; j < k && rc == KS_OK; j++)
			if (counts[ids[j]]++ == 0 &&
			    seen_add(&seen, &n_seen, &cap_seen, ids[j]) < 0)
				rc = ks_err_set(err, KS_ERR_NOMEM, "[entities] out of memory");
	}
	struct best cves = {.n = 0}, ents = {.n = 0};
	for (size_t i = 0; i < n_seen; i++) {
		const char *kind = ks_memo_tag_kind(m, seen[i]);
		struct tally t = {counts[seen[i]], ks_memo_tag_name(m, seen[i])};
		counts[seen[i]] = 0; /* the counters are zeroed for the next search */
		if (rc == KS_OK)
			best_add(kind && !strcmp(kind, "cve") ? &cves : &ents, t);
	}
	/* a tag counted but not in seen (out of memory above) */
	if (rc != KS_OK)
		memset(counts, 0, ks_memo_tag_count(m) * sizeof *counts);
	if (rc == KS_OK && (best_facets(&cves, cv, n_cv) < 0 || best_facets(&ents, en, n_en) < 0))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[entities] out of memory");
	free(seen);
	return rc;
}

int ks_entities_facets(struct ks_store *s, const sqlite3_int64 *rowids, size_t n,
		       struct ks_facet **cves, size_t *n_cves, struct ks_facet **ents,
		       size_t *n_ents, struct ks_err *err)
{
	struct ks_memo *m = ks_store_memo(s);
	if (!n)
		return KS_OK;
	/* many rows: every item's tags once (on failure the memo has no tags
	 * and each row is read: its code is not this call's) */
	if (!ks_memo_tags_ready(m) && n > POINT_LOOKUPS_MAX)
		(void)ks_memo_tags_load(m, ks_store_db(s));
	return facets(s, m, rowids, n, cves, n_cves, ents, n_ents, err);
}

const char *ks_entity_resolve(const char *text, char buf[KS_CVE_MAX])
{
	if (ks_cve_canonical(text, buf))
		return buf;
	const struct ks_entity *e = ks_entity_find(text);
	return e ? e->name : text;
}

int ks_entity_kind_valid(const char *kind)
{
	static const char *const kinds[] = {"cve",     "vendor", "product", "actor",
					    "malware", "vuln",	 "org"};
	for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(kind, kinds[i]))
			return 1;
	return 0;
}

int ks_entities_items(struct ks_store *s, const char *entity, sqlite3_int64 **out, size_t *n,
		      struct ks_err *err)
{
	char buf[KS_CVE_MAX];
	const char *name = ks_entity_resolve(entity, buf);
	sqlite3_int64 *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc = ks_store_rowids(s, ITEMS_OF, name, &v, &cnt, &cap, "entity filter", err);
	if (rc != KS_OK) {
		free(v);
		return rc;
	}
	*out = v;
	*n = cnt;
	return KS_OK;
}

int ks_entities_has(const sqlite3_int64 *set, size_t n, sqlite3_int64 rowid)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (set[mid] == rowid)
			return 1;
		if (set[mid] < rowid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* ---- autocomplete and entity pages ------------------------------------ */

static long long count_of(struct ks_store *s, const char *name, int *rc, struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, COUNT_OF, err);
	if (!st) {
		*rc = ks_store_rc(s);
		return 0;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	long long n = 0;
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		*rc = ks_store_dberr(s, "entities", err);
	sqlite3_reset(st);
	return n;
}

struct suggest {
	struct ks_store *s;
	struct ks_err *err;
	const char *kind;
	struct ks_entity_hit *c;
	size_t n, cap;
	int rc;
	const struct ks_tagcounts *counts; /* every name's item count (tagcount.h) */
};

static int add_cand(struct suggest *g, const struct ks_entity *e, const char *cve, long long n)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		struct ks_entity_hit *nc = realloc(g->c, g->cap * sizeof *nc);
		if (!nc)
			return -1;
		g->c = nc;
	}
	struct ks_entity_hit *c = &g->c[g->n];
	c->e = e;
	c->cve = NULL;
	c->count = n;
	if (cve && !(c->cve = strdup(cve)))
		return -1;
	g->n++;
	return 0;
}

static int on_prefix(void *ctx, const struct ks_entity *e)
{
	struct suggest *g = ctx;
	if (g->kind && strcmp(g->kind, e->kind) != 0)
		return 0;
	long long n = ks_tagcounts_of(g->counts, e->name);
	if (n > 0 && add_cand(g, e, NULL, n) < 0) {
		g->rc = ks_err_set(g->err, KS_ERR_NOMEM, "[entities] out of memory");
		return 1;
	}
	return 0;
}

static int by_cand(const void *a, const void *b)
{
	const struct ks_entity_hit *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(ks_entity_hit_name(x), ks_entity_hit_name(y));
}

/* The upper-cased CVE prefix of folded text ("cve-20" -> "CVE-20"), when
 * text could start a CVE id; 0 otherwise. */
static int cve_prefix(const char *folded, char out[KS_CVE_MAX])
{
	static const char pat[] = "cve-";
	size_t n = strlen(folded);
	if (n >= KS_CVE_MAX - 1)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = folded[i];
		if (i < 4 ? c != pat[i] : !((c >= '0' && c <= '9') || c == '-'))
			return 0;
		out[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	out[n] = 0;
	return 1;
}

/* Adds the CVE ids starting with the folded text f (when it could start
 * one) that can be among the limit most tagged. */
static void add_cves(struct suggest *g, const char *f, int limit)
{
	char lo[KS_CVE_MAX];
	if (!cve_prefix(f, lo))
		return;
	char hi[KS_CVE_MAX + 1];
	size_t n = strlen(lo);
	if (n < 4)
		snprintf(lo, sizeof lo, "CVE-");
	n = strlen(lo);
	memcpy(hi, lo, n);
	hi[n] = 0x7f; /* past every character of a CVE id */
	hi[n + 1] = 0;
	/* the CVE ids of the range, from the counts snapshot: only the
	 * limit most tagged can make the list */
	const struct ks_tagcount **best = calloc((size_t)limit, sizeof *best);
	size_t nb = 0;
	if (!best)
		g->rc = ks_err_set(g->err, KS_ERR_NOMEM, "[entities] out of memory");
	for (size_t i = ks_tagcounts_lower(g->counts, lo);
	     best && i < g->counts->n && strcmp(g->counts->v[i].name, hi) < 0; i++) {
		const struct ks_tagcount *t = &g->counts->v[i];
		if (!t->cve || (nb == (size_t)limit && t->count <= best[nb - 1]->count))
			continue; /* names ascend: a tie keeps the earlier name */
		size_t at = nb < (size_t)limit ? nb++ : nb - 1;
		for (; at > 0 && best[at - 1]->count < t->count; at--)
			best[at] = best[at - 1];
		best[at] = t;
	}
	for (size_t i = 0; g->rc == KS_OK && i < nb; i++)
		if (add_cand(g, NULL, best[i]->name, best[i]->count) < 0)
			g->rc = ks_err_set(g->err, KS_ERR_NOMEM, "[entities] out of memory");
	free(best);
}

static int suggest(struct ks_store *s, const char *prefix, const char *kind, int limit,
		   struct ks_entity_hits *out, struct ks_err *err)
{
	struct suggest g = {s,	   err, kind && strcmp(kind, "cve") ? kind : NULL, NULL, 0, 0,
			    KS_OK, NULL};
	char *folded = ks_fold(prefix ? prefix : "", prefix ? strlen(prefix) : 0, NULL);
	if (!folded)
		return ks_err_set(err, KS_ERR_NOMEM, "[entities] out of memory");
	if ((g.rc = ks_tagcounts_get(s, &g.counts, err)) != KS_OK) {
		free(folded);
		return g.rc;
	}
	/* strip surrounding spaces */
	char *f = folded;
	while (*f == ' ')
		f++;
	for (size_t n = strlen(f); n && f[n - 1] == ' '; n--)
		f[n - 1] = 0;
	if (!kind || strcmp(kind, "cve") != 0)
		if (ks_entity_prefix(f, on_prefix, &g) < 0 && g.rc == KS_OK)
			g.rc = ks_err_set(err, KS_ERR_NOMEM, "[entities] out of memory");
	if (g.rc == KS_OK && (!kind || !strcmp(kind, "cve")))
		add_cves(&g, f, limit);
	if (g.rc == KS_OK && g.n)
		qsort(g.c, g.n, sizeof *g.c, by_cand);
	if (g.rc == KS_OK) {
		for (size_t i = (size_t)limit; i < g.n; i++)
			free(g.c[i].cve);
		out->v = g.c;
		out->n = g.n < (size_t)limit ? g.n : (size_t)limit;
		g.c = NULL;
		g.n = 0;
	}
	for (size_t i = 0; i < g.n; i++)
		free(g.c[i].cve);
	free(g.c);
	ks_tagcounts_release(g.counts);
	free(folded);
	return g.rc;
}

int ks_entities_find(struct ks_store *s, const char *prefix, const char *kind, int limit,
		     int deadline_ms, struct ks_entity_hits *out, struct ks_err *err)
{
	out->v = NULL;
	out->n = 0;
	ks_store_deadline(s, deadline_ms);
	int rc = suggest(s, prefix, kind, limit, out, err);
	ks_store_deadline(s, 0);
	return rc;
}

static int info(struct ks_store *s, const char *text, struct ks_entity_hit *out, struct ks_err *err)
{
	char buf[KS_CVE_MAX];
	const struct ks_entity *e = NULL;
	const char *name;
	if (ks_cve_canonical(text, buf))
		name = buf;
	else if ((e = ks_entity_find(text)))
		name = e->name;
	else
		return ks_err_set(err, KS_ERR_NOTFOUND, "no entity or CVE id %s", text);
	int rc = KS_OK;
	long long n = count_of(s, name, &rc, err);
	if (rc != KS_OK)
		return rc;
	if (!e && !(out->cve = strdup(buf)))
		return ks_err_set(err, KS_ERR_NOMEM, "[entities] out of memory");
	out->e = e;
	out->count = n;
	return KS_OK;
}

int ks_entity_lookup(struct ks_store *s, const char *text, int deadline_ms,
		     struct ks_entity_hit *out, struct ks_err *err)
{
	memset(out, 0, sizeof *out);
	ks_store_deadline(s, deadline_ms);
	int rc = info(s, text, out, err);
	ks_store_deadline(s, 0);
	return rc;
}

const char *ks_entity_hit_name(const struct ks_entity_hit *h)
{
	return h->e ? h->e->name : h->cve;
}

const char *ks_entity_hit_kind(const struct ks_entity_hit *h)
{
	return h->e ? h->e->kind : "cve";
}

void ks_entity_hit_clear(struct ks_entity_hit *h)
{
	if (!h)
		return;
	free(h->cve);
	h->cve = NULL;
}

void ks_entity_hits_clear(struct ks_entity_hits *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].cve);
	free(h->v);
	h->v = NULL;
	h->n = 0;
}
