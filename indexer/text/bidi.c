/* bidi.c - the bidi controls of bidi.h and their marker text. */
#include "bidi.h"

#include <stdio.h>

static const struct ks_bidi g_bidi[] = {
    {0x061C, "ALM", "ARABIC LETTER MARK"},	{0x200E, "LRM", "LEFT-TO-RIGHT MARK"},
    {0x200F, "RLM", "RIGHT-TO-LEFT MARK"},	{0x202A, "LRE", "LEFT-TO-RIGHT EMBEDDING"},
    {0x202B, "RLE", "RIGHT-TO-LEFT EMBEDDING"}, {0x202C, "PDF", "POP DIRECTIONAL FORMATTING"},
    {0x202D, "LRO", "LEFT-TO-RIGHT OVERRIDE"},	{0x202E, "RLO", "RIGHT-TO-LEFT OVERRIDE"},
    {0x2066, "LRI", "LEFT-TO-RIGHT ISOLATE"},	{0x2067, "RLI", "RIGHT-TO-LEFT ISOLATE"},
    {0x2068, "FSI", "FIRST STRONG ISOLATE"},	{0x2069, "PDI", "POP DIRECTIONAL ISOLATE"},
};

/* The code point of the 2- or 3-byte UTF-8 sequence at s[i], else 0. */
static unsigned decode(const unsigned char *s, size_t i, size_t end, int *n)
{
	if (i + 1 < end && s[i] == 0xD8 && s[i + 1] == 0x9C) {
		*n = 2;
		return 0x061C;
	}
	if (i + 2 < end && s[i] == 0xE2 && (s[i + 1] == 0x80 || s[i + 1] == 0x81) &&
	    (s[i + 2] & 0xC0) == 0x80) {
		*n = 3;
		return 0x2000u | ((unsigned)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3Fu);
	}
	return 0;
}

int ks_bidi_at(const char *s, size_t i, size_t end, const struct ks_bidi **out)
{
	int n = 0;
	unsigned cp = decode((const unsigned char *)s, i, end, &n);
	if (!cp)
		return 0;
	for (size_t k = 0; k < sizeof g_bidi / sizeof g_bidi[0]; k++) {
		if (g_bidi[k].cp == cp) {
			*out = &g_bidi[k];
			return n;
		}
	}
	return 0;
}

void ks_bidi_label(struct ks_buf *b, const struct ks_bidi *c)
{
	char t[32];
	int n = snprintf(t, sizeof t, "[U+%04X %s]", c->cp, c->abbr);
	if (n < 0 || (size_t)n >= sizeof t) {
		b->oom = 1;
		return;
	}
	ks_buf_add(b, t, (size_t)n);
}
