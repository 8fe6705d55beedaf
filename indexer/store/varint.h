/* varint.h - reading SQLite varints (private to the store layer): the
 * length prefix of a word map (words.c) and the token counts of FTS5's
 * docsize blobs (memo.c). */
#ifndef KS_VARINT_H
#define KS_VARINT_H

#include <stdint.h>

/* Decodes one SQLite varint (1..9 bytes: big-endian groups of 7 bits, the
 * high bit set on all but the last; a 9th byte gives all 8 of its bits)
 * from p[0..n) into *v. Returns the bytes used, or 0 (and *v untouched)
 * when p ends before the varint does. Can't fail otherwise. */
static inline int ks_varint_get(const unsigned char *p, int n, uint64_t *v)
{
	uint64_t x = 0;
	for (int i = 0; i < 9 && i < n; i++) {
		if (i == 8) {
			*v = (x << 8) | p[i];
			return 9;
		}
		x = (x << 7) | (p[i] & 0x7f);
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

#endif
