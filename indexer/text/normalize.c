/* normalize.c - NFKC_Casefold with a map from each output unit to the source
 * byte range it came from (ks_norm_run, for the tokenizer), and whole
 * strings normalized to NFKC or NFKC_Casefold (ks_nfkc, ks_fold).
 *
 * The text is cut into normalization chunks (a code point plus the ones
 * that follow without a normalization boundary, for NFKC_Casefold or for
 * NFKC, e.g. ｶ + ﾞ), each chunk is normalized on its own, and every unit of
 * the chunk's output maps to the chunk's source bytes. ASCII not followed
 * by a non-ASCII byte takes a fast path (lower-casing is all NFKC_Casefold
 * does to it).
 *
 * A chunk is cut after KS_NORM_CHUNK_MAX_CP code points: a run of combining
 * marks has no boundary, and canonical reordering costs up to the square
 * of its length. The cut reorders and composes differently from the whole
 * run, so it is set above the longest query (KS_QUERY_MAX_BYTES bytes, so
 * at most as many code points; indexer/search/params.c asserts it): a query is never
 * cut, and any text a query can hold is chunked here exactly as the
 * query's whole normalization does (a title of a + 31 x U+0301 + U+0323
 * once did not find itself when the cut was at 32). Worst case, a document
 * made only of marks costs about a thousand steps per byte. */
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "kensaku/lexicon.h"
#include "normalize.h"
#include "utf8_internal.h"

#define CHUNK_MAX_CP KS_NORM_CHUNK_MAX_CP

/* Makes room for extra more units; 0 or -1. */
static int reserve(struct ks_norm *nb, int extra)
{
	if (nb->n + extra <= nb->cap)
		return 0;
	int cap = nb->cap ? nb->cap : 256;
	while (cap < nb->n + extra)
		cap *= 2;
	UChar *u = realloc(nb->u, (size_t)cap * sizeof *u);
	if (!u)
		return -1;
	nb->u = u;
	int *a = realloc(nb->src_start, (size_t)cap * sizeof *a);
	if (!a)
		return -1;
	nb->src_start = a;
	int *b = realloc(nb->src_end, (size_t)cap * sizeof *b);
	if (!b)
		return -1;
	nb->src_end = b;
	nb->cap = cap;
	return 0;
}

static void push(struct ks_norm *nb, UChar c, int start, int end)
{
	nb->u[nb->n] = c;
	nb->src_start[nb->n] = start;
	nb->src_end[nb->n] = end;
	nb->n++;
}

/* Normalizes the chunk s[start, end) (valid UTF-8) and appends it. */
static int push_chunk(struct ks_norm *nb, const UNormalizer2 *norm, const char *s, int start,
		      int end)
{
	UChar in[CHUNK_MAX_CP * 2 + 2];
	int32_t n_in = 0;
	for (int i = start; i < end;) {
		size_t n;
		long c = ks_utf8_decode_inline(s + i, (size_t)(end - i), &n);
		U16_APPEND_UNSAFE(in, n_in, c < 0 ? 0xFFFD : (UChar32)c);
		i += (int)n;
	}
	/* NFKC expands one code point to at most 18 units (U+FDFA). */
	int32_t room = n_in * 18 + 4;
	if (reserve(nb, room) < 0)
		return -1;
	UErrorCode st = U_ZERO_ERROR;
	UChar *pre = NULL;
	const UChar *src = in;
	int32_t n_src = n_in;
	/* U+0345 is the one mark NFKC_Casefold maps to a starter (ι), and ICU
	 * maps it before the canonical ordering that would move it after the
	 * other marks; query.c applies NFKC to a query first, which orders it.
	 * So a chunk with it gets NFKC first here too, or
	 * 9 + U+0301 + U+0345 + U+0301 would not find itself (fuzz_search,
	 * regressions/fuzz_search/ypogegrammeni-order). */
	for (int32_t k = 0; k < n_in && !pre; k++) {
		if (in[k] != 0x0345)
			continue;
		const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&st);
		if (U_FAILURE(st) || !(pre = malloc((size_t)room * sizeof *pre)))
			return -1;
		n_src = unorm2_normalize(nfkc, in, n_in, pre, room, &st);
		if (U_FAILURE(st)) {
			free(pre);
			return -1;
		}
		src = pre;
		/* case folding of that still expands, up to 3 units per unit */
		if (n_src * 3 + 4 > room) {
			room = n_src * 3 + 4;
			if (reserve(nb, room) < 0) {
				free(pre);
				return -1;
			}
		}
	}
	int32_t got = unorm2_normalize(norm, src, n_src, nb->u + nb->n, room, &st);
	free(pre);
	if (U_FAILURE(st))
		return -1;
	for (int32_t k = 0; k < got; k++) {
		nb->src_start[nb->n + k] = start;
		nb->src_end[nb->n + k] = end;
	}
	nb->n += got;
	return 0;
}

int ks_norm_run(struct ks_norm *nb, const char *s, int len)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *norm = unorm2_getNFKCCasefoldInstance(&st);
	const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&st);
	nb->n = 0;
	if (U_FAILURE(st))
		return -1;
	if (reserve(nb, len + 16) < 0)
		return -1;
	int i = 0;
	while (i < len) {
		unsigned char b = (unsigned char)s[i];
		if (b < 0x80 && (i + 1 >= len || (unsigned char)s[i + 1] < 0x80)) {
			if (reserve(nb, 1) < 0)
				goto fail;
			push(nb, (UChar)(b >= 'A' && b <= 'Z' ? b + 32 : b), i, i + 1);
			i++;
			continue;
		}
		int start = i;
		size_t n;
		long c = ks_utf8_decode_inline(s + i, (size_t)(len - i), &n);
		i += (int)n;
		if (c < 0) {
			if (reserve(nb, 1) < 0)
				goto fail;
			push(nb, 0x20, start, i);
			continue;
		}
		/* extend the chunk over code points without a boundary before them */
		int ncp = 1;
		while (i < len && ncp < CHUNK_MAX_CP) {
			long d = ks_utf8_decode_inline(s + i, (size_t)(len - i), &n);
			/* a boundary for both NFKC (query.c's first step) and
			 * NFKC_Casefold: U+0345 has one only for the latter */
			if (d < 0 || (unorm2_hasBoundaryBefore(norm, (UChar32)d) &&
				      unorm2_hasBoundaryBefore(nfkc, (UChar32)d)))
				break;
			i += (int)n;
			ncp++;
		}
		if (push_chunk(nb, norm, s, start, i) < 0)
			goto fail;
	}
	return 0;
fail:
	nb->n = 0;
	return -1;
}

/* ---- whole strings: ks_fold and ks_nfkc (lexicon.h) ------------------ */

/* The common case without ICU's normalize: ASCII (lower-cased), full-width
 * ASCII U+FF01..U+FF5E (to ASCII, lower-cased), U+3000 (a space) and code
 * points that NFKC_Casefold leaves alone whatever surrounds them (ICU's
 * "inert": kana, kanji, most punctuation). Returns NULL with *fallback set
 * when s holds anything else (or invalid UTF-8), NULL alone on OOM. */
static char *fold_fast(const char *s, size_t len, size_t *out_len, int *fallback)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *norm = unorm2_getNFKCCasefoldInstance(&st);
	if (U_FAILURE(st) || len > INT32_MAX) {
		*fallback = 1;
		return NULL;
	}
	char *p = malloc(len + 1);
	if (!p)
		return NULL;
	size_t o = 0, i = 0;
	while (i < len) {
		unsigned char b = (unsigned char)s[i];
		if (b < 0x80) {
			p[o++] = (char)(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
			i++;
			continue;
		}
		size_t cl;
		long c = ks_utf8_decode_inline(s + i, len - i, &cl);
		if (c >= 0xFF01 && c <= 0xFF5E) {
			c -= 0xFEE0;
			p[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		} else if (c == 0x3000) {
			p[o++] = ' ';
		} else if (c > 0 && unorm2_isInert(norm, (UChar32)c)) {
			memcpy(p + o, s + i, cl);
			o += cl;
		} else {
			free(p);
			*fallback = 1;
			return NULL;
		}
		i += cl;
	}
	p[o] = 0;
	if (out_len)
		*out_len = o;
	return p;
}

/* nv UTF-16 units of v as a malloc'd NUL-terminated UTF-8 string (its
 * length in *out_len when not NULL); NULL on out of memory. */
static char *utf16_to_utf8(const UChar *v, int32_t nv, size_t *out_len)
{
	int32_t n8 = 0;
	UErrorCode st = U_ZERO_ERROR;
	u_strToUTF8(NULL, 0, &n8, v, nv, &st);
	st = U_ZERO_ERROR;
	char *out = malloc((size_t)n8 + 1);
	if (!out)
		return NULL;
	u_strToUTF8(out, n8 + 1, NULL, v, nv, &st);
	out[n8] = 0;
	if (out_len)
		*out_len = (size_t)n8;
	return out;
}

/* norm (NFKC or NFKC_Casefold) of len bytes of UTF-8, invalid sequences
 * replaced by U+FFFD, as a malloc'd NUL-terminated string (its length in
 * *out_len when not NULL); NULL on out of memory. The text is normalized
 * in pieces cut inside runs of CHUNK_MAX_CP code points without a
 * normalization boundary (combining marks), as ks_norm_run chunks it:
 * canonical reordering costs the square of a run's length, and a hostile
 * document of marks took hours. Texts without such runs (any query) are
 * one piece. */
static char *normalize_utf8(const UNormalizer2 *norm, const char *s, size_t len, size_t *out_len)
{
	if (len > 1 << 26)
		return NULL;
	UErrorCode st = U_ZERO_ERROR;
	int32_t n16 = 0;
	u_strFromUTF8WithSub(NULL, 0, &n16, s, (int32_t)len, 0xFFFD, NULL, &st);
	st = U_ZERO_ERROR;
	UChar *u = malloc(((size_t)n16 + 1) * sizeof *u);
	/* NFKC(_Casefold) expands at most 18 times (U+FDFA) */
	int32_t cap = n16 * 18 + 1;
	UChar *v = malloc((size_t)cap * sizeof *v);
	char *out = NULL;
	if (!u || !v)
		goto out;
	u_strFromUTF8WithSub(u, n16 + 1, NULL, s, (int32_t)len, 0xFFFD, NULL, &st);
	int32_t nv = 0, from = 0, run = 0, i = 0;
	while (U_SUCCESS(st) && i < n16) {
		int32_t at = i;
		UChar32 c;
		U16_NEXT(u, i, n16, c);
		if (unorm2_hasBoundaryBefore(norm, c)) {
			run = 1;
		} else if (++run > CHUNK_MAX_CP) {
			nv += unorm2_normalize(norm, u + from, at - from, v + nv, cap - nv, &st);
			from = at;
			run = 1;
		}
	}
	if (U_SUCCESS(st))
		nv += unorm2_normalize(norm, u + from, n16 - from, v + nv, cap - nv, &st);
	if (U_SUCCESS(st))
		out = utf16_to_utf8(v, nv, out_len);
out:
	free(u);
	free(v);
	return out;
}

char *ks_fold(const char *s, size_t len, size_t *out_len)
{
	int fallback = 0;
	char *fast = fold_fast(s, len, out_len, &fallback);
	if (fast || !fallback)
		return fast;
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *norm = unorm2_getNFKCCasefoldInstance(&st);
	return U_SUCCESS(st) ? normalize_utf8(norm, s, len, out_len) : NULL;
}

char *ks_nfkc(const char *s, size_t len, size_t *out_len)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *norm = unorm2_getNFKCInstance(&st);
	return U_SUCCESS(st) ? normalize_utf8(norm, s, len, out_len) : NULL;
}

void ks_norm_free(struct ks_norm *nb)
{
	if (!nb)
		return;
	free(nb->u);
	free(nb->src_start);
	free(nb->src_end);
	memset(nb, 0, sizeof *nb);
}
