/* normalize.h - ICU NFKC case folding into UTF-16 with an offset map back to
 * the original UTF-8 bytes (private to the indexer library). */
#ifndef KS_NORMALIZE_H
#define KS_NORMALIZE_H

#include <unicode/utypes.h>

/* Runs of more code points than this without a normalization boundary are
 * normalized in pieces (normalize.c says why). The search layer keeps its
 * longest query within it (_Static_assert in indexer/search/params.c). */
#define KS_NORM_CHUNK_MAX_CP 1024

struct ks_norm {
	UChar *u;	/* normalized text, n UTF-16 units */
	int *src_start; /* per unit: first source byte it came from */
	int *src_end;	/* per unit: one past the last source byte */
	int n, cap;
};

/* Normalizes len bytes of UTF-8 into nb (replacing its previous content).
 * Invalid UTF-8 bytes become U+0020 so they separate tokens. Returns 0, or
 * -1 on out of memory / ICU failure (nb is then empty). nb's buffers are
 * reused across calls; free them with ks_norm_free. */
int ks_norm_run(struct ks_norm *nb, const char *s, int len);

/* Frees nb's buffers and zeroes it. Accepts NULL. */
void ks_norm_free(struct ks_norm *nb);

#endif
