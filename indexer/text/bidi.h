/* bidi.h - the Unicode bidirectional controls that reorder the text shown
 * around them: U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069. A
 * title such as "evil\u202Eexe.txt" is shown "evilexe.txt" reversed, a
 * classic file-name spoof, so every rendering of an item for people (the
 * *_html fields, the Atom feed) shows each control as a visible marker,
 * "[U+202E RLO]", instead of letting it act. The plain-text fields of the
 * API keep them as they are. Private to the indexer library. */
#ifndef KS_BIDI_H
#define KS_BIDI_H

#include <stddef.h>

#include "kensaku/buf.h"

struct ks_bidi {
	unsigned cp;	  /* the code point */
	const char *abbr; /* "RLO" */
	const char *name; /* "RIGHT-TO-LEFT OVERRIDE" */
};

/* When the UTF-8 text s[i..end) starts with a bidi control, sets *out to
 * it and returns its length in bytes (2 or 3); else returns 0. Can't
 * fail. */
int ks_bidi_at(const char *s, size_t i, size_t end, const struct ks_bidi **out);

/* Appends c's marker text, "[U+202E RLO]", to b (sets b->oom on failure). */
void ks_bidi_label(struct ks_buf *b, const struct ks_bidi *c);

#endif
