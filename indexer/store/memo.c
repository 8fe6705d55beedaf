/* memo.c - the per-connection read caches of memo.h: sorted rowid arrays
 * with lengths, with offsets into a tag id array, and with each item's
 * word maps (split at load, short bitmaps in the item's slot, longer ones
 * in one arena), each array indexed by its runs of consecutive sequence
 * numbers; tag names interned in an open-addressing hash table. */
#include "memo.h"

#include <stdlib.h>
#include <string.h>

#include "rowid.h"
#include "varint.h"
#include "words.h"

#define MISSES_MAX 256 /* rows found missing before a reload is due */

/* A run of a sorted rowid array: its items at .. at + n - 1 have rowid's
 * sequence number (rowid.h) and the next n - 1. An issue's items are one
 * run, so an index has about as many runs as issues, and a lookup finds
 * its run in a small array (from the last one: rowids come ascending) and
 * the one item that can be rowid by arithmetic, then checks it: it reads
 * the large arrays only at that item, and in rowid order. */
struct run {
	sqlite3_int64 rowid; /* first: find reads it */
	uint32_t at, n;
};

/* The runs of one array; none (v NULL) on out of memory: lookups search
 * the array itself. */
struct runs {
	struct run *v;
	size_t n;
};

/* One item's word maps, sorted by rowid: its title's bitmap is
 * arena[off .. off + n_title), its quote's the n_quote bytes after it. */
struct wrow {
	sqlite3_int64 rowid; /* first: find reads it */
	uint32_t off, n_title, n_quote, words;
};

/* The same in 16 bytes, so that a ranked row reads one cache line: not
 * the rowid (runs find the slot) but its day and section, to verify. */
#define WSLOT_QUOTE_BITS 20		  /* lens: title bytes above, quote bytes below */
#define WSLOT_TITLE_MAX 2047		  /* title bitmap bytes a slot holds at most */
#define WSLOT_INLINE (1u << 31)		  /* lens: the bitmaps are in the slot's off */
#define WSLOT_INLINE_MAX sizeof(uint32_t) /* bitmap bytes a slot holds itself */
struct wslot {
	uint32_t check; /* day << 10 | section of the rowid */
	uint32_t words;
	uint32_t off; /* in the arena, or (WSLOT_INLINE) the bitmaps themselves */
	uint32_t lens;
};

struct ks_memo {
	/* lengths */
	sqlite3_int64 *len_rowid;
	uint32_t *len;
	size_t n_len;
	struct runs len_runs;
	int len_loaded;
	/* tags: item i has ids[off[i] .. off[i + 1]) */
	sqlite3_int64 *tag_rowid;
	uint32_t *off;
	uint32_t *ids;
	size_t n_items, n_ids;
	struct runs tag_runs;
	int tags_loaded;
	/* tag names */
	char **names, **kinds;
	size_t n_names, cap_names;
	uint32_t *slots; /* hash of names: id + 1, 0 when empty */
	size_t n_slots;
	/* word maps: w_row[0..n_w) sorted, or (then NULL) w_slot[0..n_w)
	 * found through w_runs; longer bitmaps in w_arena */
	struct wrow *w_row;
	struct wslot *w_slot;
	struct runs w_runs;
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

static void runs_clear(struct runs *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static void lengths_clear(struct ks_memo *m)
{
	runs_clear(&m->len_runs);
	free(m->len_rowid);
	free(m->len);
	m->len_rowid = NULL;
	m->len = NULL;
	m->n_len = 0;
	m->len_loaded = 0;
}

static void tags_clear(struct ks_memo *m)
{
	runs_clear(&m->tag_runs);
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
	free(m->w_row);
	free(m->w_slot);
	runs_clear(&m->w_runs);
	free(m->w_arena);
	m->w_row = NULL;
	m->w_slot = NULL;
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

/* The rowid of element i of the array a of size-byte elements that begin
 * with their rowid. */
static sqlite3_int64 rowid_at(const void *a, size_t size, size_t i)
{
	return *(const sqlite3_int64 *)(const void *)((const char *)a + i * size);
}

/* Index of rowid in the array a[0..n) of size-byte elements that begin
 * with their rowid, ascending; or -1. The search starts at *hint and
 * gallops forward (rowids usually come ascending); *hint is left where
 * rowid is or would be. */
static long find(const void *a, size_t size, size_t n, sqlite3_int64 rowid, size_t *hint)
{
	size_t lo = 0, hi = n;
	if (*hint < n && rowid_at(a, size, *hint) <= rowid) {
		size_t step = 1;
		lo = *hint;
		hi = lo + 1;
		while (hi < n && rowid_at(a, size, hi) <= rowid) {
			lo = hi;
			step *= 2;
			hi = lo + step < n ? lo + step : n;
		}
		if (rowid_at(a, size, lo) == rowid) {
			*hint = lo;
			return (long)lo;
		}
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rowid_at(a, size, mid) < rowid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*hint = lo;
	return lo < n && rowid_at(a, size, lo) == rowid ? (long)lo : -1;
}

static uint64_t seq_of(sqlite3_int64 rowid)
{
	return ((uint64_t)rowid >> KS_ROWID_SEQ_SHIFT) & (uint64_t)KS_ROWID_SEQ_MAX;
}

/* 1 when item i of the sorted array a (as for find) starts a run. */
static int run_starts(const void *a, size_t size, size_t i)
{
	return i == 0 || seq_of(rowid_at(a, size, i)) != seq_of(rowid_at(a, size, i - 1)) + 1;
}

/* Builds t, the runs of the sorted array a[0..n) (as for find); leaves it
 * empty on out of memory. */
static void runs_build(struct runs *t, const void *a, size_t size, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += run_starts(a, size, i);
	if (!k || n > UINT32_MAX || !(t->v = malloc(k * sizeof *t->v)))
		return;
	for (size_t i = 0; i < n; i++) {
		if (run_starts(a, size, i))
			t->v[t->n++] = (struct run){rowid_at(a, size, i), (uint32_t)i, 0};
		t->v[t->n - 1].n++;
	}
}

/* The index rowid has if it is in t's array (the one item of its run with
 * its seq: the caller checks the rest of it), or -1. *hint (start it at
 * 0) is where the last lookup's run was. */
static long runs_find(const struct runs *t, sqlite3_int64 rowid, size_t *hint)
{
	long r = find(t->v, sizeof *t->v, t->n, rowid, hint);
	if (r < 0 && *hint == 0)
		return -1; /* before the first run */
	if (r < 0)
		r = (long)--*hint; /* the last run starting before rowid */
	const struct run *u = &t->v[r];
	uint64_t k = seq_of(rowid) - seq_of(u->rowid); /* wraps when below: >= n */
	return k < u->n ? (long)(u->at + k) : -1;
}

/* Index of rowid in the sorted array a[0..n) (as for find), or -1:
 * through its runs t when it has them. */
static long runs_lookup(const struct runs *t, const void *a, size_t size, size_t n,
			sqlite3_int64 rowid, size_t *hint)
{
	if (!t->v)
		return find(a, size, n, rowid, hint);
	long i = runs_find(t, rowid, hint);
	if (i < 0 || rowid_at(a, size, (size_t)i) != rowid)
		return -1;
	/* lookups read the array in order, with much else between: ask
	 * for its next line now */
	if (((size_t)i + 1) * size + 64 <= n * size)
		__builtin_prefetch((const char *)a + (size_t)i * size + 64);
	return i;
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
	runs_build(&m->len_runs, m->len_rowid, sizeof *m->len_rowid, m->n_len);
	m->len_loaded = 1;
	return SQLITE_OK;
}

int ks_memo_length(const struct ks_memo *m, sqlite3_int64 rowid, int *len, size_t *hint)
{
	long i = m->len_loaded ? runs_lookup(&m->len_runs, m->len_rowid, sizeof *m->len_rowid,
					     m->n_len, rowid, hint)
			       : -1;
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
	runs_build(&m->tag_runs, m->tag_rowid, sizeof *m->tag_rowid, m->n_items);
	m->tags_loaded = 1;
	return SQLITE_OK;
}

int ks_memo_tags(const struct ks_memo *m, sqlite3_int64 rowid, const uint32_t **ids, size_t *n,
		 size_t *hint)
{
	long i = m->tags_loaded ? runs_lookup(&m->tag_runs, m->tag_rowid, sizeof *m->tag_rowid,
					      m->n_items, rowid, hint)
				: -1;
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
	if (m->w_row)
		return m->cap_w * sizeof(*m->w_row) + m->w_cap;
	return m->n_w * sizeof(*m->w_slot) + m->w_runs.n * sizeof(*m->w_runs.v) + m->w_cap;
}

/* Set bits in n bytes of p. */
static uint32_t popcount(const unsigned char *p, int n)
{
	uint32_t k = 0;
	for (int i = 0; i < n; i++)
		k += (uint32_t)__builtin_popcount(p[i]);
	return k;
}

/* Appends an item: its rowid, its bitmaps (nt bytes of title, then nq of
 * quote, at bits) and its length in words. -1 on out of memory or an
 * arena past 4 GiB. */
static int words_add(struct ks_memo *m, sqlite3_int64 rowid, const unsigned char *bits, int nt,
		     int nq, uint32_t words)
{
	size_t n = (size_t)nt + (size_t)nq;
	if (m->n_w == m->cap_w) {
		size_t cap = m->cap_w ? m->cap_w * 2 : 4096;
		struct wrow *w = realloc(m->w_row, cap * sizeof(*w));
		if (!w)
			return -1;
		m->w_row = w;
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
		memcpy(m->w_arena + m->w_len, bits, n);
	m->w_row[m->n_w++] =
	    (struct wrow){rowid, (uint32_t)m->w_len, (uint32_t)nt, (uint32_t)nq, words};
	m->w_len += n;
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
	/* the quote's bitmap follows the title's in the blob */
	if (words_add(m, sqlite3_column_int64(maps, 0), t, nt, nq,
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
	size_t cap = m->n_w ? m->n_w : 1;
	void *p;
	if ((p = realloc(m->w_row, cap * sizeof(*m->w_row))))
		m->w_row = p;
	m->cap_w = cap; /* holds at least cap, shrunk or not */
	if (m->w_len && (p = realloc(m->w_arena, m->w_len))) {
		m->w_arena = p;
		m->w_cap = m->w_len;
	}
}

/* The day and section of rowid (rowid.h), a slot's check. */
static uint32_t check_of(sqlite3_int64 rowid)
{
	uint64_t r = (uint64_t)rowid;
	return (uint32_t)((r >> KS_ROWID_DAY_SHIFT) << 10 | (r & KS_ROWID_SEC_MASK));
}

/* Moves the sorted rows into slots and runs when every row fits a slot
 * (else, or out of memory, they stay sorted); the arena keeps only the
 * bitmaps that do not fit in their slot. */
static void words_slots(struct ks_memo *m)
{
	size_t len = 0;
	for (size_t i = 0; i < m->n_w; i++) {
		const struct wrow *w = &m->w_row[i];
		if (w->rowid < 0 || w->n_title > WSLOT_TITLE_MAX || w->n_quote >> WSLOT_QUOTE_BITS)
			return;
	}
	struct wslot *t = m->n_w ? malloc(m->n_w * sizeof *t) : NULL;
	if (t)
		runs_build(&m->w_runs, m->w_row, sizeof *m->w_row, m->n_w);
	if (!m->w_runs.v) {
		free(t);
		return;
	}
	for (size_t i = 0; i < m->n_w; i++) {
		const struct wrow *w = &m->w_row[i];
		size_t n = (size_t)w->n_title + w->n_quote;
		t[i] = (struct wslot){check_of(w->rowid), w->words, (uint32_t)len,
				      w->n_title << WSLOT_QUOTE_BITS | w->n_quote};
		if (n <= WSLOT_INLINE_MAX) { /* most maps are short */
			t[i].lens |= WSLOT_INLINE;
			t[i].off = 0;
			if (n)
				memcpy(&t[i].off, m->w_arena + w->off, n);
		} else { /* down the arena: len <= w->off */
			memmove(m->w_arena + len, m->w_arena + w->off, n);
			len += n;
		}
	}
	void *p = len ? realloc(m->w_arena, len) : NULL;
	if (p || !len) { /* a failed shrink keeps the larger block */
		if (!len)
			free(m->w_arena);
		m->w_arena = p;
		m->w_cap = len;
	}
	m->w_len = len;
	free(m->w_row);
	m->w_row = NULL;
	m->w_slot = t;
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
	words_slots(m);
	m->w_loaded = m->w_present = 1;
	return SQLITE_OK;
}

/* Fills out with an item's maps. */
static void words_out(const unsigned char *bits, uint32_t n_title, uint32_t n_quote, uint32_t words,
		      struct ks_words_row *out)
{
	out->title = bits; /* NULL (no arena): no bitmap bytes */
	out->quote = bits ? bits + n_title : NULL;
	out->n_title = (int)n_title;
	out->n_quote = (int)n_quote;
	out->words = words;
}

int ks_memo_words(const struct ks_memo *m, sqlite3_int64 rowid, struct ks_words_row *out,
		  size_t *hint)
{
	if (!m->w_loaded)
		return 0;
	if (m->w_slot) {
		long i = runs_find(&m->w_runs, rowid, hint);
		const struct wslot *e = i >= 0 ? &m->w_slot[i] : NULL;
		if (!e || e->check != check_of(rowid))
			return 0;
		if ((size_t)i + 64 / sizeof *e < m->n_w)
			__builtin_prefetch(e + 64 / sizeof *e); /* as in runs_lookup */
		uint32_t q_mask = (1u << WSLOT_QUOTE_BITS) - 1;
		const unsigned char *bits = (e->lens & WSLOT_INLINE) ? (const void *)&e->off
					    : m->w_arena	     ? m->w_arena + e->off
								     : NULL;
		words_out(bits, (e->lens & ~WSLOT_INLINE) >> WSLOT_QUOTE_BITS, e->lens & q_mask,
			  e->words, out);
		return 1;
	}
	long i = find(m->w_row, sizeof *m->w_row, m->n_w, rowid, hint);
	if (i < 0)
		return 0;
	const struct wrow *w = &m->w_row[i];
	words_out(m->w_arena ? m->w_arena + w->off : NULL, w->n_title, w->n_quote, w->words, out);
	return 1;
}
