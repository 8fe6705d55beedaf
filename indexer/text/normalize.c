/* normalize.c - NFKC_Casefold with a map from each output unit to the source
 * byte range it came from.
 *
 * The text is cut into normalization chunks (a code point plus the ones
 * that follow without a normalization boundary, for NFKC_Casefold or for
 * NFKC, e.g. ｶ + ﾞ), each chunk is normalized on its own, and every unit of
 * the chunk's output maps to the chunk's source bytes. ASCII not followed by a non-ASCII byte takes
 * a fast path (lower-casing is all NFKC_Casefold does to it).
 *
 * A chunk is cut after CHUNK_MAX_CP code points: a run of combining marks
 * has no boundary, and canonical reordering costs up to the square of its
 * length. The cut reorders and composes differently from the whole run, so
 * it is set above the longest query (KS_QUERY_MAX_BYTES bytes, so at most
 * as many code points): query.c normalizes a query whole, and any text a
 * query can hold is chunked here exactly as that whole normalization does
 * (a title of a + 31 x U+0301 + U+0323 once did not find itself when the
 * cut was at 32). Worst case, a document made only of marks costs about a
 * thousand steps per byte. */
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/utf16.h>

#include "kensaku/search.h"
#include "kensaku/utf8.h"
#include "normalize.h"

#define CHUNK_MAX_CP 1024 /* longer runs without a boundary are cut (see above) */

_Static_assert(CHUNK_MAX_CP >= KS_QUERY_MAX_BYTES,
	       "a query's combining run must never be cut in a document");

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
		long c = ks_utf8_decode(s + i, (size_t)(end - i), &n);
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
		long c = ks_utf8_decode(s + i, (size_t)(len - i), &n);
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
			long d = ks_utf8_decode(s + i, (size_t)(len - i), &n);
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

void ks_norm_free(struct ks_norm *nb)
{
	if (!nb)
		return;
	free(nb->u);
	free(nb->src_start);
	free(nb->src_end);
	memset(nb, 0, sizeof *nb);
}
