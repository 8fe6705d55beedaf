/* lexicon.c - the compiled-in term groups and gazetteer: parsing, folding
 * (with ks_fold of normalize.c), lookups, and the CVE and entity scanners.
 *
 * At first use the embedded TSV files (lexicon_data.h) are copied, cut into
 * fields and every spelling is NFKC case folded. Three read-only tables
 * follow: the expansion groups with a sorted index of folded spellings, the
 * entities with a sorted index of their folded spellings (lookup, prefix
 * search), and a byte trie of those spellings for scanning text. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kensaku/err.h"
#include "kensaku/lexicon.h"
#include "lexicon_data.h"

struct group {
	const char **v; /* spellings as written */
	size_t n;
};

struct key {
	const char *folded;
	size_t id; /* group or entity index */
};

/* Trie of folded entity spellings: first-child / next-sibling lists. */
struct node {
	int child, sibling;
	int entity; /* index, or -1 when no spelling ends here */
	unsigned char byte;
};

static struct {
	int ok;
	char *terms_text, *entities_text; /* copies of the data, cut in place */
	struct group *groups;
	size_t n_groups;
	struct key *term_keys;
	size_t n_term_keys;
	struct ks_entity *entities;
	size_t n_entities;
	struct key *ent_keys;
	size_t n_ent_keys;
	struct node *nodes;
	size_t n_nodes, cap_nodes;
	int root[256];
} L;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char *fold_str(const char *s)
{
	return ks_fold(s, strlen(s), NULL);
}

/* Copies the data and returns its lines' fields: calls fn(ctx, fields, n)
 * for every non-comment, non-blank line. Returns 0 or -1. */
static int each_line(const char *data, size_t len, char **copy,
		     int (*fn)(void *ctx, char **f, size_t n), void *ctx)
{
	char *t = malloc(len + 1);
	if (!t)
		return -1;
	memcpy(t, data, len);
	t[len] = 0;
	*copy = t;
	char *fields[64];
	for (char *line = t; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = 0;
		if (n && line[0] != '#') {
			size_t nf = 0;
			for (char *f = line; f && nf < 64;) {
				char *tab = strchr(f, '\t');
				if (tab)
					*tab = 0;
				if (*f)
					fields[nf++] = f;
				f = tab ? tab + 1 : NULL;
			}
			if (nf && fn(ctx, fields, nf) < 0)
				return -1;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->folded, y->folded);
	if (c)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

static const struct key *key_find(const struct key *keys, size_t n, const char *folded)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(keys[mid].folded, folded);
		if (c == 0) {
			while (mid > 0 && !strcmp(keys[mid - 1].folded, folded))
				mid--;
			return &keys[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Appends n spellings as a group (also indexing each folded spelling whose
 * folded form no group holds yet). Returns 0 or -1. */
static int add_group(const char *const *v, size_t n, size_t *cap_groups, size_t *cap_keys)
{
	if (L.n_groups == *cap_groups) {
		*cap_groups = *cap_groups ? *cap_groups * 2 : 256;
		struct group *g = realloc(L.groups, *cap_groups * sizeof *g);
		if (!g)
			return -1;
		L.groups = g;
	}
	struct group *g = &L.groups[L.n_groups];
	if (!(g->v = malloc(n * sizeof *g->v)))
		return -1;
	g->n = 0;
	for (size_t i = 0; i < n; i++) {
		char *f = fold_str(v[i]);
		if (!f)
			return -1;
		/* a spelling already in a group (a duplicate in the data, or two
		 * spellings that fold alike) stays where it was first */
		int taken = 0;
		for (size_t k = 0; k < L.n_term_keys && !taken; k++)
			taken = !strcmp(L.term_keys[k].folded, f);
		if (taken) {
			free(f);
			continue;
		}
		if (L.n_term_keys == *cap_keys) {
			*cap_keys = *cap_keys ? *cap_keys * 2 : 1024;
			struct key *k = realloc(L.term_keys, *cap_keys * sizeof *k);
			if (!k) {
				free(f);
				return -1;
			}
			L.term_keys = k;
		}
		L.term_keys[L.n_term_keys].folded = f;
		L.term_keys[L.n_term_keys].id = L.n_groups;
		L.n_term_keys++;
		g->v[g->n++] = v[i];
	}
	L.n_groups++;
	return 0;
}

struct load_ctx {
	size_t cap_groups, cap_keys, cap_entities;
};

static int on_term_line(void *ctx, char **f, size_t n)
{
	struct load_ctx *c = ctx;
	if (n < 2)
		return 0;
	return add_group((const char *const *)f, n, &c->cap_groups, &c->cap_keys);
}

static int on_entity_line(void *ctx, char **f, size_t n)
{
	struct load_ctx *c = ctx;
	if (n < 2)
		return 0;
	if (L.n_entities == c->cap_entities) {
		c->cap_entities = c->cap_entities ? c->cap_entities * 2 : 512;
		struct ks_entity *e = realloc(L.entities, c->cap_entities * sizeof *e);
		if (!e)
			return -1;
		L.entities = e;
	}
	const char **sp = malloc((n - 1) * sizeof *sp);
	if (!sp)
		return -1;
	for (size_t i = 1; i < n; i++)
		sp[i - 1] = f[i];
	struct ks_entity *e = &L.entities[L.n_entities++];
	e->kind = f[0];
	e->name = f[1];
	e->spellings = sp;
	e->n_spellings = n - 1;
	return 0;
}

static int new_node(unsigned char byte)
{
	if (L.n_nodes == L.cap_nodes) {
		L.cap_nodes = L.cap_nodes ? L.cap_nodes * 2 : 4096;
		struct node *nn = realloc(L.nodes, L.cap_nodes * sizeof *nn);
		if (!nn)
			return -1;
		L.nodes = nn;
	}
	struct node *n = &L.nodes[L.n_nodes];
	n->child = n->sibling = n->entity = -1;
	n->byte = byte;
	return (int)L.n_nodes++;
}

/* Adds a folded spelling of entity id to the trie. */
static int trie_add(const char *s, size_t id)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!*p)
		return 0;
	int cur = L.root[*p];
	if (cur < 0) {
		if ((cur = new_node(*p)) < 0)
			return -1;
		L.root[*p] = cur;
	}
	for (p++; *p; p++) {
		int c = L.nodes[cur].child, prev = -1;
		while (c >= 0 && L.nodes[c].byte != *p) {
			prev = c;
			c = L.nodes[c].sibling;
		}
		if (c < 0) {
			if ((c = new_node(*p)) < 0)
				return -1;
			if (prev < 0)
				L.nodes[cur].child = c;
			else
				L.nodes[prev].sibling = c;
		}
		cur = c;
	}
	if (L.nodes[cur].entity < 0)
		L.nodes[cur].entity = (int)id;
	return 0;
}

static int load(void)
{
	struct load_ctx c = {0, 0, 0};
	for (int i = 0; i < 256; i++)
		L.root[i] = -1;
	if (each_line(ks_data_terms, ks_data_terms_len, &L.terms_text, on_term_line, &c) < 0 ||
	    each_line(ks_data_entities, ks_data_entities_len, &L.entities_text, on_entity_line,
		      &c) < 0)
		return -1;
	/* entity spellings: lookup index, trie, and expansion groups */
	size_t cap = 0;
	for (size_t i = 0; i < L.n_entities; i++)
		cap += L.entities[i].n_spellings;
	if (!(L.ent_keys = malloc((cap ? cap : 1) * sizeof *L.ent_keys)))
		return -1;
	for (size_t i = 0; i < L.n_entities; i++) {
		const struct ks_entity *e = &L.entities[i];
		size_t distinct = 0;
		for (size_t j = 0; j < e->n_spellings; j++) {
			char *f = fold_str(e->spellings[j]);
			if (!f)
				return -1;
			int dup = 0;
			for (size_t k = L.n_ent_keys - distinct; k < L.n_ent_keys && !dup; k++)
				dup = !strcmp(L.ent_keys[k].folded, f);
			if (dup) {
				free(f);
				continue;
			}
			L.ent_keys[L.n_ent_keys].folded = f;
			L.ent_keys[L.n_ent_keys].id = i;
			L.n_ent_keys++;
			distinct++;
			if (trie_add(f, i) < 0)
				return -1;
		}
		if (distinct > 1 && add_group((const char *const *)e->spellings, e->n_spellings,
					      &c.cap_groups, &c.cap_keys) < 0)
			return -1;
	}
	/* a group left with one spelling (the others belonged to terms.tsv)
	 * expands nothing */
	qsort(L.term_keys, L.n_term_keys, sizeof *L.term_keys, key_cmp);
	qsort(L.ent_keys, L.n_ent_keys, sizeof *L.ent_keys, key_cmp);
	return 0;
}

static void init_once(void)
{
	L.ok = load() == 0;
	if (!L.ok) {
		/* leave every table empty: lookups find nothing */
		L.n_groups = L.n_term_keys = L.n_entities = L.n_ent_keys = L.n_nodes = 0;
		for (int i = 0; i < 256; i++)
			L.root[i] = -1;
	}
}

int ks_lexicon_init(void)
{
	pthread_once(&g_once, init_once);
	return L.ok ? KS_OK : KS_ERR_NOMEM;
}

int ks_terms_lookup(const char *folded, const char *const **variants, size_t *n)
{
	ks_lexicon_init();
	const struct key *k = key_find(L.term_keys, L.n_term_keys, folded);
	if (!k || L.groups[k->id].n < 2)
		return 0;
	*variants = L.groups[k->id].v;
	*n = L.groups[k->id].n;
	return 1;
}

size_t ks_terms_count(void)
{
	ks_lexicon_init();
	return L.n_groups;
}

int ks_terms_group(size_t i, const char *const **variants, size_t *n)
{
	ks_lexicon_init();
	if (i >= L.n_groups)
		return 0;
	*variants = L.groups[i].v;
	*n = L.groups[i].n;
	return 1;
}

size_t ks_entity_count(void)
{
	ks_lexicon_init();
	return L.n_entities;
}

const struct ks_entity *ks_entity_at(size_t i)
{
	ks_lexicon_init();
	return i < L.n_entities ? &L.entities[i] : NULL;
}

const struct ks_entity *ks_entity_find(const char *text)
{
	ks_lexicon_init();
	char *f = fold_str(text);
	if (!f)
		return NULL;
	const struct key *k = key_find(L.ent_keys, L.n_ent_keys, f);
	free(f);
	return k ? &L.entities[k->id] : NULL;
}

int ks_entity_prefix(const char *folded_prefix, int (*fn)(void *ctx, const struct ks_entity *e),
		     void *ctx)
{
	ks_lexicon_init();
	size_t plen = strlen(folded_prefix), lo = 0, hi = L.n_ent_keys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(L.ent_keys[mid].folded, folded_prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	unsigned char *seen = calloc(L.n_entities ? L.n_entities : 1, 1);
	if (!seen)
		return -1;
	int rc = 0;
	for (size_t i = lo; i < L.n_ent_keys && !rc; i++) {
		if (strncmp(L.ent_keys[i].folded, folded_prefix, plen) != 0)
			break;
		size_t id = L.ent_keys[i].id;
		if (seen[id])
			continue;
		seen[id] = 1;
		rc = fn(ctx, &L.entities[id]);
	}
	free(seen);
	return rc;
}

/* Length of a CVE separator at p (folded text): '-' or a Unicode dash
 * (U+2010..U+2015, U+2212, U+30FC); 0 when none. */
static size_t dash_len(const unsigned char *p, const unsigned char *end)
{
	if (p < end && *p == '-')
		return 1;
	if (end - p >= 3) {
		if (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x90 && p[2] <= 0x95)
			return 3;
		if (p[0] == 0xE2 && p[1] == 0x88 && p[2] == 0x92)
			return 3;
		if (p[0] == 0xE3 && p[1] == 0x83 && p[2] == 0xBC)
			return 3;
	}
	return 0;
}

/* Matches a CVE id at t[i] of folded text; writes the canonical form and
 * returns the bytes it spans, or 0. */
static size_t cve_at(const unsigned char *t, size_t i, size_t len, char out[KS_CVE_MAX])
{
	const unsigned char *p = t + i, *end = t + len;
	if (end - p < 12 || p[0] != 'c' || p[1] != 'v' || p[2] != 'e')
		return 0;
	if (i > 0 && is_alnum(t[i - 1]))
		return 0;
	p += 3;
	size_t d = dash_len(p, end);
	if (!d)
		return 0;
	p += d;
	if (end - p < 4)
		return 0;
	for (int k = 0; k < 4; k++)
		if (p[k] < '0' || p[k] > '9')
			return 0;
	if (!((p[0] == '1' && p[1] == '9') || (p[0] == '2' && p[1] == '0')))
		return 0;
	const unsigned char *year = p;
	p += 4;
	if (!(d = dash_len(p, end)))
		return 0;
	p += d;
	const unsigned char *num = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	size_t nd = (size_t)(p - num);
	if (nd < 4 || nd > 7 || (p < end && is_alnum(*p)))
		return 0;
	memcpy(out, "CVE-", 4);
	memcpy(out + 4, year, 4);
	out[8] = '-';
	memcpy(out + 9, num, nd);
	out[9 + nd] = 0;
	return (size_t)(p - (t + i));
}

int ks_cve_canonical(const char *text, char out[KS_CVE_MAX])
{
	size_t n = 0;
	char *f = ks_fold(text, strlen(text), &n);
	if (!f)
		return 0;
	/* surrounding spaces are forgiven */
	size_t a = 0;
	while (a < n && f[a] == ' ')
		a++;
	while (n > a && f[n - 1] == ' ')
		n--;
	size_t m = cve_at((const unsigned char *)f, a, n, out);
	free(f);
	return m > 0 && a + m == n;
}

struct seen {
	unsigned char *ent; /* one byte per entity */
	char (*cve)[KS_CVE_MAX];
	size_t n_cve, cap_cve;
};

int ks_extract(const char *text, size_t len, ks_extract_fn fn, void *ctx)
{
	ks_lexicon_init();
	size_t n = 0;
	char *f = ks_fold(text, len, &n);
	struct seen s = {calloc(L.n_entities ? L.n_entities : 1, 1), NULL, 0, 0};
	int rc = 0;
	if (!f || !s.ent) {
		rc = -1;
		goto out;
	}
	const unsigned char *t = (const unsigned char *)f;
	/* CVE ids */
	for (size_t i = 0; i + 12 <= n && !rc; i++) {
		char id[KS_CVE_MAX];
		size_t m;
		if (t[i] != 'c' || !(m = cve_at(t, i, n, id)))
			continue;
		int dup = 0;
		for (size_t k = 0; k < s.n_cve && !dup; k++)
			dup = !strcmp(s.cve[k], id);
		if (!dup) {
			if (s.n_cve == s.cap_cve) {
				s.cap_cve = s.cap_cve ? s.cap_cve * 2 : 8;
				char(*nc)[KS_CVE_MAX] = realloc(s.cve, s.cap_cve * sizeof *nc);
				if (!nc) {
					rc = -1;
					break;
				}
				s.cve = nc;
			}
			memcpy(s.cve[s.n_cve++], id, KS_CVE_MAX);
			rc = fn(ctx, "cve", id);
		}
		i += m - 1;
	}
	/* gazetteer names: walk the trie from every start position */
	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char c = t[i];
		if ((c & 0xC0) == 0x80)
			continue; /* inside a UTF-8 sequence */
		if (is_alnum(c) && i > 0 && is_alnum(t[i - 1]))
			continue; /* inside a Latin word */
		int node = L.root[c];
		size_t j = i;
		while (node >= 0 && !rc) {
			j++;
			const struct node *nd = &L.nodes[node];
			if (nd->entity >= 0 && !s.ent[nd->entity] &&
			    !(is_alnum(nd->byte) && j < n && is_alnum(t[j]))) {
				s.ent[nd->entity] = 1;
				const struct ks_entity *e = &L.entities[nd->entity];
				rc = fn(ctx, e->kind, e->name);
			}
			if (j >= n)
				break;
			int ch = nd->child;
			while (ch >= 0 && L.nodes[ch].byte != t[j])
				ch = L.nodes[ch].sibling;
			node = ch;
		}
	}
out:
	free(f);
	free(s.ent);
	free(s.cve);
	return rc;
}
