/* memo.c - the per-connection read caches of memo.h: sorted rowid arrays
 * with lengths, with offsets into a tag id array, and with offsets into one
 * arena of word map blobs; tag names interned in an open-addressing hash
 * table. */
#include "memo.h"

#include <stdlib.h>
#include <string.h>

#include "varint.h"
#include "words.h"

#define MISSES_MAX 256 /* rows found missing before a reload is due */

struct ks_memo {
	/* lengths */
	sqlite3_int64 *len_rowid;
	uint32_t *len;
	size_t n_len;
	int len_loaded;
	/* tags: item i has ids[off[i] .. off[i + 1]) */
	sqlite3_int64 *tag_rowid;
	uint32_t *off;
	uint32_t *ids;
	size_t n_items, n_ids;
	int tags_loaded;
	/* tag names */
	char **names, **kinds;
	size_t n_names, cap_names;
	uint32_t *slots; /* hash of names: id + 1, 0 when empty */
	size_t n_slots;
	/* word maps: item i's blob (words.h) is w_arena[w_off[i] .. w_off[i + 1]) */
	sqlite3_int64 *w_rowid;
	uint32_t *w_off;
	uint32_t *w_words;
	unsigned char *w_arena;
	size_t n_w, cap_w, w_len, w_cap;
	double w_sum; /* words over all loaded items */
	int w_loaded, w_present;
	long long *counters; /* ks_memo_counters */
	size_t n_counters;
	int misses;
};

struct ks_memo *ks_memo_new(void)
{
	return calloc(1, sizeof(struct ks_memo));
}

static void lengths_clear(struct ks_memo *m)
{
	free(m->len_rowid);
	free(m->len);
	m->len_rowid = NULL;
	m->len = NULL;
	m->n_len = 0;
	m->len_loaded = 0;
}

static void tags_clear(struct ks_memo *m)
{
	free(m->tag_rowid);
	free(m->off);
	free(m->ids);
	m->tag_rowid = NULL;
	m->off = NULL;
	m->ids = NULL;
	m->n_items = m->n_ids = 0;
	m->tags_loaded = 0;
}

static void words_clear(struct ks_memo *m)
{
	free(m->w_rowid);
	free(m->w_off);
	free(m->w_words);
	free(m->w_arena);
	m->w_rowid = NULL;
	m->w_off = NULL;
	m->w_words = NULL;
	m->w_arena = NULL;
	m->n_w = m->cap_w = m->w_len = m->w_cap = 0;
	m->w_sum = 0;
	m->w_loaded = m->w_present = 0;
}

void ks_memo_free(struct ks_memo *m)
{
	if (!m)
		return;
	lengths_clear(m);
	tags_clear(m);
	words_clear(m);
	for (size_t i = 0; i < m->n_names; i++) {
		free(m->names[i]);
		free(m->kinds[i]);
	}
	free(m->names);
	free(m->kinds);
	free(m->slots);
	free(m->counters);
	free(m);
}

void ks_memo_note_miss(struct ks_memo *m)
{
	if (m && m->misses <= MISSES_MAX)
		m->misses++;
}

/* Index of rowid in the ascending array a[0..n), or -1. The search starts
 * at *hint and gallops forward (rowids usually come ascending); *hint is
 * left where rowid is or would be. */
static long find(const sqlite3_int64 *a, size_t n, sqlite3_int64 rowid, size_t *hint)
{
	size_t lo = 0, hi = n;
	if (*hint < n && a[*hint] <= rowid) {
		size_t step = 1;
		lo = *hint;
		hi = lo + 1;
		while (hi < n && a[hi] <= rowid) {
			lo = hi;
			step *= 2;
			hi = lo + step < n ? lo + step : n;
		}
		if (a[lo] == rowid) {
			*hint = lo;
			return (long)lo;
		}
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < rowid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*hint = lo;
	return lo < n && a[lo] == rowid ? (long)lo : -1;
}

/* Grows the arrays a (elem bytes each) and b to hold cap elements. */
static int grow2(void **a, size_t ea, void **b, size_t eb, size_t cap)
{
	void *na = realloc(*a, cap * ea);
	if (!na)
		return -1;
	*a = na;
	void *nb = realloc(*b, cap * eb);
	if (!nb)
		return -1;
	*b = nb;
	return 0;
}

int ks_memo_lengths_ready(const struct ks_memo *m)
{
	return m && m->len_loaded && m->misses <= MISSES_MAX;
}

int ks_memo_lengths_load(struct ks_memo *m, sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int r;

	lengths_clear(m);
	m->misses = 0;
	r = sqlite3_prepare_v2(db, "SELECT id, sz FROM items_fts_docsize ORDER BY id", -1, &st,
			       NULL);
	if (r == SQLITE_OK)
		r = SQLITE_ROW;
	while (r == SQLITE_ROW && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *sz = sqlite3_column_blob(st, 1);
		int n = sqlite3_column_bytes(st, 1), at = 0, k;
		uint64_t v, total = 0;
		if (m->n_len == cap) {
			cap = cap ? cap * 2 : 4096;
			if (grow2((void **)&m->len_rowid, sizeof(*m->len_rowid), (void **)&m->len,
				  sizeof(*m->len), cap) < 0) {
				r = SQLITE_NOMEM;
				break;
			}
		}
		while (sz && at < n && (k = ks_varint_get(sz + at, n - at, &v)) > 0) {
			total += v;
			at += k;
		}
		m->len_rowid[m->n_len] = sqlite3_column_int64(st, 0);
		m->len[m->n_len++] = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		lengths_clear(m);
		return r == SQLITE_OK || r == SQLITE_ROW ? SQLITE_ERROR : r;
	}
	m->len_loaded = 1;
	return SQLITE_OK;
}

int ks_memo_length(const struct ks_memo *m, sqlite3_int64 rowid, int *len, size_t *hint)
{
	long i = m->len_loaded ? find(m->len_rowid, m->n_len, rowid, hint) : -1;
	if (i < 0)
		return 0;
	*len = m->len[i] > INT32_MAX ? INT32_MAX : (int)m->len[i];
	return 1;
}

/* ---- tag names */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int rehash(struct ks_memo *m, size_t n_slots)
{
	uint32_t *slots = calloc(n_slots, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t id = 0; id < m->n_names; id++) {
		size_t j = hash_str(m->names[id]) & (n_slots - 1);
		while (slots[j])
			j = (j + 1) & (n_slots - 1);
		slots[j] = (uint32_t)id + 1;
	}
	free(m->slots);
	m->slots = slots;
	m->n_slots = n_slots;
	return 0;
}

uint32_t ks_memo_tag_id(struct ks_memo *m, const char *name, const char *kind)
{
	if (!name || !kind)
		return UINT32_MAX;
	if ((m->n_names + 1) * 2 > m->n_slots && rehash(m, m->n_slots ? m->n_slots * 2 : 1024) < 0)
		return UINT32_MAX;
	size_t j = hash_str(name) & (m->n_slots - 1);
	while (m->slots[j]) {
		uint32_t id = m->slots[j] - 1;
		if (!strcmp(m->names[id], name))
			return id;
		j = (j + 1) & (m->n_slots - 1);
	}
	if (m->n_names == m->cap_names) {
		size_t cap = m->cap_names ? m->cap_names * 2 : 256;
		if (grow2((void **)&m->names, sizeof(*m->names), (void **)&m->kinds,
			  sizeof(*m->kinds), cap) < 0)
			return UINT32_MAX;
		m->cap_names = cap;
	}
	char *n = strdup(name), *k = strdup(kind);
	if (!n || !k) {
		free(n);
		free(k);
		return UINT32_MAX;
	}
	m->names[m->n_names] = n;
	m->kinds[m->n_names] = k;
	m->slots[j] = (uint32_t)m->n_names + 1;
	return (uint32_t)m->n_names++;
}

size_t ks_memo_tag_count(const struct ks_memo *m)
{
	return m->n_names;
}

const char *ks_memo_tag_name(const struct ks_memo *m, uint32_t id)
{
	return id < m->n_names ? m->names[id] : NULL;
}

const char *ks_memo_tag_kind(const struct ks_memo *m, uint32_t id)
{
	return id < m->n_names ? m->kinds[id] : NULL;
}

long long *ks_memo_counters(struct ks_memo *m, size_t n)
{
	if (n > m->n_counters || !m->counters) { /* n == 0: an index without tags */
		size_t cap = n * 2 + 64;
		long long *c = realloc(m->counters, cap * sizeof(*c));
		if (!c)
			return NULL;
		memset(c + m->n_counters, 0, (cap - m->n_counters) * sizeof(*c));
		m->counters = c;
		m->n_counters = cap;
	}
	return m->counters;
}

/* ---- tags */

int ks_memo_tags_ready(const struct ks_memo *m)
{
	return m && m->tags_loaded && m->misses <= MISSES_MAX;
}

int ks_memo_tags_load(struct ks_memo *m, sqlite3 *db)
{
	sqlite3_stmt *items = NULL, *tags = NULL;
	size_t cap = 0, cap_ids = 0;
	int r, t = SQLITE_ROW;

	tags_clear(m);
	m->misses = 0;
	r = sqlite3_prepare_v2(db, "SELECT rowid FROM items ORDER BY rowid", -1, &items, NULL);
	if (r == SQLITE_OK)
		r = sqlite3_prepare_v2(db,
				       "SELECT item, name, kind FROM item_entities ORDER BY item",
				       -1, &tags, NULL);
	if (r == SQLITE_OK) {
		t = sqlite3_step(tags);
		r = SQLITE_ROW;
	}
	while (r == SQLITE_ROW && (r = sqlite3_step(items)) == SQLITE_ROW) {
		sqlite3_int64 rowid = sqlite3_column_int64(items, 0);
		if (m->n_items + 1 >= cap) {
			cap = cap ? cap * 2 : 4096;
			if (grow2((void **)&m->tag_rowid, sizeof(*m->tag_rowid), (void **)&m->off,
				  sizeof(*m->off), cap) < 0) {
				r = SQLITE_NOMEM;
				break;
			}
		}
		m->tag_rowid[m->n_items] = rowid;
		m->off[m->n_items] = (uint32_t)m->n_ids;
		/* tags of items the items table lacks (none) are skipped */
		while (t == SQLITE_ROW && sqlite3_column_int64(tags, 0) < rowid)
			t = sqlite3_step(tags);
		while (t == SQLITE_ROW && sqlite3_column_int64(tags, 0) == rowid) {
			uint32_t id = ks_memo_tag_id(m, (const char *)sqlite3_column_text(tags, 1),
						     (const char *)sqlite3_column_text(tags, 2));
			if (id == UINT32_MAX)
				break;
			if (m->n_ids == cap_ids) {
				size_t nc = cap_ids ? cap_ids * 2 : 4096;
				uint32_t *n = realloc(m->ids, nc * sizeof(*n));
				if (!n)
					break;
				m->ids = n;
				cap_ids = nc;
			}
			m->ids[m->n_ids++] = id;
			t = sqlite3_step(tags);
		}
		if (t == SQLITE_ROW && sqlite3_column_int64(tags, 0) == rowid) {
			r = SQLITE_NOMEM;
			break;
		}
		m->n_items++;
	}
	if (r == SQLITE_DONE && t != SQLITE_ROW && t != SQLITE_DONE)
		r = t;
	sqlite3_finalize(items);
	sqlite3_finalize(tags);
	if (r != SQLITE_DONE) {
		tags_clear(m);
		return r == SQLITE_OK || r == SQLITE_ROW ? SQLITE_ERROR : r;
	}
	if (m->off)
		m->off[m->n_items] = (uint32_t)m->n_ids;
	m->tags_loaded = 1;
	return SQLITE_OK;
}

int ks_memo_tags(const struct ks_memo *m, sqlite3_int64 rowid, const uint32_t **ids, size_t *n,
		 size_t *hint)
{
	long i = m->tags_loaded ? find(m->tag_rowid, m->n_items, rowid, hint) : -1;
	if (i < 0)
		return 0;
	*ids = m->ids + m->off[i];
	*n = m->off[i + 1] - m->off[i];
	return 1;
}

/* ---- word maps */

int ks_memo_words_ready(const struct ks_memo *m)
{
	return m && m->w_loaded && m->misses <= MISSES_MAX;
}

int ks_memo_words_present(const struct ks_memo *m)
{
	return m && m->w_present;
}

double ks_memo_words_avg(const struct ks_memo *m)
{
	return m && m->n_w ? m->w_sum / (double)m->n_w : 1.0;
}

size_t ks_memo_words_bytes(const struct ks_memo *m)
{
	if (!m || !m->w_loaded)
		return 0;
	return m->cap_w * (sizeof(*m->w_rowid) + sizeof(*m->w_off) + sizeof(*m->w_words)) +
	       m->w_cap;
}

/* Set bits in n bytes of p. */
static uint32_t popcount(const unsigned char *p, int n)
{
	uint32_t k = 0;
	for (int i = 0; i < n; i++)
		k += (uint32_t)__builtin_popcount(p[i]);
	return k;
}

/* Appends an item: its rowid, its map blob (n bytes, checked well-formed
 * by the caller) and its length in words. -1 on out of memory or an arena
 * past 4 GiB. */
static int words_add(struct ks_memo *m, sqlite3_int64 rowid, const void *blob, size_t n,
		     uint32_t words)
{
	if (m->n_w + 1 >= m->cap_w) {
		size_t cap = m->cap_w ? m->cap_w * 2 : 4096;
		if (grow2((void **)&m->w_rowid, sizeof(*m->w_rowid), (void **)&m->w_off,
			  sizeof(*m->w_off), cap) < 0)
			return -1;
		uint32_t *w = realloc(m->w_words, cap * sizeof(*w));
		if (!w)
			return -1;
		m->w_words = w;
		m->cap_w = cap;
	}
	if (m->w_len + n > UINT32_MAX)
		return -1;
	if (m->w_len + n > m->w_cap) {
		size_t cap = m->w_cap ? m->w_cap * 2 : 65536;
		while (cap < m->w_len + n)
			cap *= 2;
		unsigned char *a = realloc(m->w_arena, cap);
		if (!a)
			return -1;
		m->w_arena = a;
		m->w_cap = cap;
	}
	if (n)
		memcpy(m->w_arena + m->w_len, blob, n);
	m->w_rowid[m->n_w] = rowid;
	m->w_off[m->n_w] = (uint32_t)m->w_len;
	m->w_words[m->n_w++] = words;
	m->w_len += n;
	m->w_off[m->n_w] = (uint32_t)m->w_len;
	m->w_sum += words;
	return 0;
}

/* Adds the item of the current row of maps (item, map) given its docsize
 * row (id, sz); a malformed map is left out. SQLITE_OK or SQLITE_NOMEM. */
static int words_row(struct ks_memo *m, sqlite3_stmt *maps, sqlite3_stmt *sizes)
{
	const unsigned char *blob = sqlite3_column_blob(maps, 1), *t, *q, *sz;
	int n = sqlite3_column_bytes(maps, 1), nt, nq, at = 0, k;
	uint64_t v, positions = 0;
	if (!blob || ks_words_split(blob, n, &t, &nt, &q, &nq) < 0)
		return SQLITE_OK;
	sz = sqlite3_column_blob(sizes, 1);
	int nsz = sqlite3_column_bytes(sizes, 1);
	while (sz && at < nsz && (k = ks_varint_get(sz + at, nsz - at, &v)) > 0) {
		positions += v;
		at += k;
	}
	uint64_t inside = popcount(t, nt) + (uint64_t)popcount(q, nq);
	uint64_t words = positions > inside ? positions - inside : 0;
	if (words_add(m, sqlite3_column_int64(maps, 0), blob, (size_t)n,
		      words > UINT32_MAX ? UINT32_MAX : (uint32_t)words) < 0)
		return SQLITE_NOMEM;
	return SQLITE_OK;
}

/* *exists = 1 when db has the table item_words. An SQLite code. */
static int words_table(sqlite3 *db, int *exists)
{
	sqlite3_stmt *st = NULL;
	int r = sqlite3_prepare_v2(db,
				   "SELECT 1 FROM sqlite_schema WHERE type = 'table'"
				   " AND name = 'item_words'",
				   -1, &st, NULL);
	if (r == SQLITE_OK)
		r = sqlite3_step(st);
	sqlite3_finalize(st);
	*exists = r == SQLITE_ROW;
	return r == SQLITE_ROW || r == SQLITE_DONE ? SQLITE_OK : r;
}

/* Gives back what the doubling arrays hold past their use (a failed
 * shrink keeps the larger block). */
static void words_fit(struct ks_memo *m)
{
	size_t cap = m->n_w + 1;
	void *p;
	if ((p = realloc(m->w_rowid, cap * sizeof(*m->w_rowid))))
		m->w_rowid = p;
	if ((p = realloc(m->w_off, cap * sizeof(*m->w_off))))
		m->w_off = p;
	if ((p = realloc(m->w_words, cap * sizeof(*m->w_words))))
		m->w_words = p;
	m->cap_w = cap; /* each array holds at least cap, shrunk or not */
	if (m->w_len && (p = realloc(m->w_arena, m->w_len))) {
		m->w_arena = p;
		m->w_cap = m->w_len;
	}
}

int ks_memo_words_load(struct ks_memo *m, sqlite3 *db)
{
	sqlite3_stmt *maps = NULL, *sizes = NULL;
	int exists = 0, t = SQLITE_ROW;

	words_clear(m);
	m->misses = 0;
	int r = words_table(db, &exists);
	if (r != SQLITE_OK || !exists)
		return r;
	r = sqlite3_prepare_v2(db, "SELECT item, map FROM item_words ORDER BY item", -1, &maps,
			       NULL);
	if (r == SQLITE_OK)
		r = sqlite3_prepare_v2(db, "SELECT id, sz FROM items_fts_docsize ORDER BY id", -1,
				       &sizes, NULL);
	if (r == SQLITE_OK) {
		t = sqlite3_step(sizes);
		r = SQLITE_ROW;
	}
	while (r == SQLITE_ROW && (r = sqlite3_step(maps)) == SQLITE_ROW) {
		sqlite3_int64 rowid = sqlite3_column_int64(maps, 0);
		while (t == SQLITE_ROW && sqlite3_column_int64(sizes, 0) < rowid)
			t = sqlite3_step(sizes);
		if (t != SQLITE_ROW || sqlite3_column_int64(sizes, 0) != rowid)
			continue; /* no docsize row: left out */
		int a = words_row(m, maps, sizes);
		if (a != SQLITE_OK)
			r = a;
	}
	if (r == SQLITE_DONE && t != SQLITE_ROW && t != SQLITE_DONE)
		r = t;
	sqlite3_finalize(maps);
	sqlite3_finalize(sizes);
	if (r != SQLITE_DONE) {
		words_clear(m);
		return r == SQLITE_OK || r == SQLITE_ROW ? SQLITE_ERROR : r;
	}
	words_fit(m);
	m->w_loaded = m->w_present = 1;
	return SQLITE_OK;
}

int ks_memo_words(const struct ks_memo *m, sqlite3_int64 rowid, struct ks_words_row *out,
		  size_t *hint)
{
	long i = m->w_loaded ? find(m->w_rowid, m->n_w, rowid, hint) : -1;
	if (i < 0)
		return 0;
	const unsigned char *blob = m->w_arena ? m->w_arena + m->w_off[i] : NULL;
	int n = (int)(m->w_off[i + 1] - m->w_off[i]);
	if (!blob ||
	    ks_words_split(blob, n, &out->title, &out->n_title, &out->quote, &out->n_quote) < 0)
		return 0; /* can't happen: checked at load */
	out->words = m->w_words[i];
	return 1;
}
