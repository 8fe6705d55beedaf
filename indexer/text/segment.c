/* segment.c - word starts from MeCab (IPADIC) or ICU word break (the
 * contract is in segment.h).
 *
 * MeCab parses the original UTF-8 in place: each node's surface points
 * into the caller's text, so a word's byte offset is surface - text. ICU
 * works on UTF-16: the text is decoded once into a buffer kept with the
 * segmenter, with each unit's byte offset beside it. */
#include "kensaku/segment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <mecab.h>
#include <unicode/ubrk.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/uversion.h>

#include "kensaku/err.h"

#define IPADIC_DIR "/var/lib/mecab/dic/ipadic-utf8"

/* Defined only by the out-of-memory test (tests/oom): while held (on 1,
 * off 0, nested), it fails no allocation. Neither backend survives one:
 * MeCab throws std::bad_alloc through its C API (std::terminate), and
 * ICU 72's dictionary break engine dereferences a failed UText or silently
 * breaks without its dictionary. NULL (weak) everywhere else. */
extern void ks_oom_hold(int on) __attribute__((weak));

static void hold(int on)
{
	if (ks_oom_hold)
		ks_oom_hold(on);
}

struct ks_seg {
	enum ks_seg_kind kind;
	mecab_t *mecab;
	UBreakIterator *bi;
	UChar *u; /* ICU: the text in UTF-16 */
	int *at;  /* ICU: byte offset of each unit of u, and of its end */
	int cap;  /* units u and at hold */
	char name[96];
};

/* A growing array of offsets. */
struct offs {
	int *v;
	int n, cap;
};

/* Appends off when it is past the last one; -1 on out of memory. */
static int push(struct offs *o, int off)
{
	if (o->n && o->v[o->n - 1] >= off)
		return 0;
	if (o->n == o->cap) {
		int cap = o->cap ? o->cap * 2 : 64;
		int *v = realloc(o->v, (size_t)cap * sizeof *v);
		if (!v)
			return -1;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = off;
	return 0;
}

/* "mecab-VERSION-DICT", DICT the folder of the system dictionary. 0, or -1
 * when the dictionary is not UTF-8 (offsets would not be the text's). */
static int mecab_name(struct ks_seg *g)
{
	const mecab_dictionary_info_t *d = mecab_dictionary_info(g->mecab);
	while (d && d->type != MECAB_SYS_DIC)
		d = d->next;
	if (!d || !d->charset ||
	    (strcasecmp(d->charset, "utf-8") && strcasecmp(d->charset, "utf8")))
		return -1;
	const char *f = d->filename ? d->filename : "";
	const char *slash = strrchr(f, '/');
	const char *dir = f;
	int dlen = slash ? (int)(slash - f) : 0;
	for (int i = 0; i < dlen; i++)
		if (f[i] == '/')
			dir = f + i + 1;
	int k = snprintf(g->name, sizeof g->name, "mecab-%s-%.*s", mecab_version(),
			 (int)(f + dlen - dir), dir);
	return k > 0 && (size_t)k < sizeof g->name ? 0 : -1;
}

static int mecab_open(struct ks_seg *g)
{
	struct stat sb;
	const char *arg = stat(IPADIC_DIR "/sys.dic", &sb) == 0 ? "-d " IPADIC_DIR : "";
	g->mecab = mecab_new2(arg);
	return g->mecab && mecab_name(g) == 0 ? 0 : -1;
}

static int icu_open(struct ks_seg *g)
{
	UErrorCode st = U_ZERO_ERROR;
	UVersionInfo v;
	char ver[U_MAX_VERSION_STRING_LENGTH];
	g->bi = ubrk_open(UBRK_WORD, "ja", NULL, 0, &st);
	if (U_FAILURE(st) || !g->bi)
		return -1;
	u_getVersion(v);
	u_versionToString(v, ver);
	snprintf(g->name, sizeof g->name, "icu-%s", ver);
	return 0;
}

struct ks_seg *ks_seg_new(enum ks_seg_kind kind)
{
	struct ks_seg *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->kind = kind;
	hold(1);
	int r = kind == KS_SEG_MECAB ? mecab_open(g) : kind == KS_SEG_ICU ? icu_open(g) : -1;
	hold(0);
	if (r < 0) {
		ks_seg_free(g);
		return NULL;
	}
	return g;
}

void ks_seg_free(struct ks_seg *g)
{
	if (!g)
		return;
	if (g->mecab)
		mecab_destroy(g->mecab);
	if (g->bi)
		ubrk_close(g->bi);
	free(g->u);
	free(g->at);
	free(g);
}

const char *ks_seg_name(const struct ks_seg *g)
{
	return g->name;
}

int ks_seg_kind_of(const char *name)
{
	if (!name)
		return -1;
	if (!strcmp(name, "mecab") || !strncmp(name, "mecab-", 6))
		return KS_SEG_MECAB;
	if (!strcmp(name, "icu") || !strncmp(name, "icu-", 4))
		return KS_SEG_ICU;
	return -1;
}

static int mecab_starts(struct ks_seg *g, const char *text, int len, struct offs *o)
{
	const mecab_node_t *nd = mecab_sparse_tonode2(g->mecab, text, (size_t)len);
	if (!nd)
		return -1;
	for (; nd; nd = nd->next) {
		if (nd->stat == MECAB_BOS_NODE || nd->stat == MECAB_EOS_NODE || !nd->length)
			continue;
		long off = (long)(nd->surface - text);
		if (off >= 0 && off < len && push(o, (int)off) < 0)
			return -1;
	}
	return 0;
}

/* Decodes len bytes of text into g->u (at most len units), noting each
 * unit's byte offset in g->at; the number of units, -1 on out of memory. */
static int to_utf16(struct ks_seg *g, const char *text, int len)
{
	if (len + 1 > g->cap) {
		int cap = len + 1 < 256 ? 256 : len + 1;
		UChar *u = realloc(g->u, (size_t)cap * sizeof *u);
		if (u)
			g->u = u;
		int *at = realloc(g->at, (size_t)cap * sizeof *at);
		if (at)
			g->at = at;
		if (!u || !at)
			return -1;
		g->cap = cap;
	}
	const uint8_t *s = (const uint8_t *)text;
	int i = 0, n = 0;
	while (i < len) {
		int from = i;
		UChar32 c;
		U8_NEXT(s, i, len, c);
		if (c < 0)
			c = 0xFFFD;
		if (c > 0xFFFF) {
			g->at[n] = from;
			g->u[n++] = U16_LEAD(c);
			g->at[n] = from;
			g->u[n++] = U16_TRAIL(c);
		} else {
			g->at[n] = from;
			g->u[n++] = (UChar)c;
		}
	}
	g->at[n] = len;
	return n;
}

static int icu_starts(struct ks_seg *g, const char *text, int len, struct offs *o)
{
	int n = to_utf16(g, text, len);
	if (n < 0)
		return -1;
	UErrorCode st = U_ZERO_ERROR;
	ubrk_setText(g->bi, g->u, n, &st);
	if (U_FAILURE(st))
		return -1;
	int32_t s = ubrk_first(g->bi);
	for (int32_t e = ubrk_next(g->bi); e != UBRK_DONE; s = e, e = ubrk_next(g->bi))
		if (ubrk_getRuleStatus(g->bi) >= UBRK_WORD_NONE_LIMIT && push(o, g->at[s]) < 0)
			return -1;
	return 0;
}

int ks_seg_starts(struct ks_seg *g, const char *text, int len, int **starts, int *n)
{
	struct offs o = {NULL, 0, 0};
	int r = 0;
	if (text && len > 0 && g->kind == KS_SEG_MECAB) {
		hold(1);
		r = mecab_starts(g, text, len, &o);
		hold(0);
	} else if (text && len > 0) {
		hold(1);
		r = icu_starts(g, text, len, &o);
		hold(0);
	}
	if (r < 0) {
		free(o.v);
		return KS_ERR_NOMEM;
	}
	*starts = o.v;
	*n = o.n;
	return 0;
}
