/* bidi.c - the bidi controls of bidi.h and their marker text. */
#include "bidi.h"

#include "kensaku/utf8.h"

static const struct ks_bidi g_bidi[] = {
    {0x061C, "ALM", "ARABIC LETTER MARK"},	{0x200E, "LRM", "LEFT-TO-RIGHT MARK"},
    {0x200F, "RLM", "RIGHT-TO-LEFT MARK"},	{0x202A, "LRE", "LEFT-TO-RIGHT EMBEDDING"},
    {0x202B, "RLE", "RIGHT-TO-LEFT EMBEDDING"}, {0x202C, "PDF", "POP DIRECTIONAL FORMATTING"},
    {0x202D, "LRO", "LEFT-TO-RIGHT OVERRIDE"},	{0x202E, "RLO", "RIGHT-TO-LEFT OVERRIDE"},
    {0x2066, "LRI", "LEFT-TO-RIGHT ISOLATE"},	{0x2067, "RLI", "RIGHT-TO-LEFT ISOLATE"},
    {0x2068, "FSI", "FIRST STRONG ISOLATE"},	{0x2069, "PDI", "POP DIRECTIONAL ISOLATE"},
};

int ks_bidi_at(const char *s, size_t i, size_t end, const struct ks_bidi **out)
{
	unsigned char b = i < end ? (unsigned char)s[i] : 0;
	size_t n;
	if (b != 0xD8 && b != 0xE2)
		return 0; /* the lead bytes of U+061C and U+2000..U+2FFF */
	long cp = ks_utf8_decode(s + i, end - i, &n);
	for (size_t k = 0; cp > 0 && k < sizeof g_bidi / sizeof g_bidi[0]; k++) {
		if (g_bidi[k].cp == (unsigned)cp) {
			*out = &g_bidi[k];
			return (int)n;
		}
	}
	return 0;
}

void ks_bidi_label(struct ks_buf *b, const struct ks_bidi *c)
{
	ks_buf_printf(b, "[U+%04X %s]", c->cp, c->abbr);
}
