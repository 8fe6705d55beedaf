/* words.c - word maps (the contract is in words.h): the tokenizer's
 * positions in document mode, read against the segmenter's word starts. */
#include "words.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

#include "kensaku/err.h"
#include "varint.h"

struct map_ctx {
	struct ks_tok *tok;
	const int *starts; /* the segmenter's word starts, ascending */
	int n_starts;
	int pos;      /* positions so far */
	int last_src; /* source offset of the previous CJK unigram; -1 after other tokens */
	struct ks_buf *out;
	size_t base; /* where the bitmap begins in out */
};

/* 1 when off is one of the word starts (binary search). */
static int starts_word(const struct map_ctx *c, int off)
{
	int lo = 0, hi = c->n_starts;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (c->starts[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n_starts && c->starts[lo] == off;
}

/* Sets bit i of the bitmap, appending the zero bytes before it. */
static int set_bit(struct map_ctx *c, int i)
{
	static const unsigned char zeros[64];
	size_t want = c->base + (size_t)i / 8 + 1;
	while (c->out->len < want && !c->out->oom) {
		size_t k = want - c->out->len;
		ks_buf_add(c->out, zeros, k < sizeof zeros ? k : sizeof zeros);
	}
	if (c->out->oom)
		return KS_ERR_NOMEM;
	c->out->p[c->base + (size_t)i / 8] |= (unsigned char)(1u << (i % 8));
	return 0;
}

/* One token: FTS5 gives it a new position unless it is colocated (the
 * first token of a column always gets one). */
static int on_token(void *ctx, const char *text, int len, int start, int end)
{
	struct map_ctx *c = ctx;
	(void)end;
	if (ks_tok_colocated(c->tok) && c->pos > 0)
		return 0;
	int i = c->pos++, k = 0;
	UChar32 ch;
	U8_NEXT((const uint8_t *)text, k, len, ch);
	if (ch < 0 || !ks_tok_is_cjk(ch)) {
		c->last_src = -1;
		return 0;
	}
	/* a unigram: inside a word unless the segmenter starts one here */
	int word_start = start != c->last_src && starts_word(c, start);
	c->last_src = start;
	return word_start ? 0 : set_bit(c, i);
}

int ks_words_map(struct ks_tok *tok, struct ks_seg *seg, const char *text, int len,
		 struct ks_buf *out)
{
	if (!text || len <= 0)
		return 0;
	int *starts = NULL, n = 0;
	if (ks_seg_starts(seg, text, len, &starts, &n) != 0)
		return KS_ERR_NOMEM;
	struct map_ctx c = {tok, starts, n, 0, -1, out, out->len};
	int rc = ks_tok_run(tok, KS_TOK_DOCUMENT, text, len, on_token, &c);
	free(starts);
	if (rc == 0 && out->oom)
		rc = KS_ERR_NOMEM;
	return rc == 0 ? 0 : KS_ERR_NOMEM;
}

/* Writes v as an SQLite varint (big-endian groups of 7 bits, the high bit
 * set on all but the last byte) into p; its length (at most 10). */
static int put_varint(unsigned char *p, uint64_t v)
{
	unsigned char b[10];
	int n = 0;
	do {
		b[n++] = (unsigned char)((v & 0x7f) | 0x80);
		v >>= 7;
	} while (v && n < 9);
	b[0] &= 0x7f;
	for (int i = 0; i < n; i++)
		p[i] = b[n - 1 - i];
	return n;
}

int ks_words_item(struct ks_tok *tok, struct ks_seg *seg, const char *title, const char *quote,
		  struct ks_buf *out)
{
	size_t base = out->len;
	int rc = title ? ks_words_map(tok, seg, title, (int)strlen(title), out) : 0;
	if (rc)
		return rc;
	size_t tlen = out->len - base;
	unsigned char v[10];
	int nv = put_varint(v, tlen);
	ks_buf_add(out, v, (size_t)nv);
	if (out->oom)
		return KS_ERR_NOMEM;
	memmove(out->p + base + nv, out->p + base, tlen);
	memcpy(out->p + base, v, (size_t)nv);
	return quote ? ks_words_map(tok, seg, quote, (int)strlen(quote), out) : 0;
}

int ks_words_split(const unsigned char *map, int n, const unsigned char **title, int *n_title,
		   const unsigned char **quote, int *n_quote)
{
	uint64_t tlen = 0;
	int k = map && n > 0 ? ks_varint_get(map, n, &tlen) : 0;
	if (k == 0 || tlen > (uint64_t)(n - k))
		return -1;
	*title = map + k;
	*n_title = (int)tlen;
	*quote = map + k + (int)tlen;
	*n_quote = n - k - (int)tlen;
	return 0;
}
