/* variants.c - kana script and long-vowel variants of a query term, and the
 * Snowball English stem of a Latin word (the contract is in variants.h).
 *
 * Every character a kana term may hold (hiragana, katakana, ー) is three
 * bytes of UTF-8, so a variant is built by decoding the term once into code
 * points, mapping them, and encoding them back. */
#include "kensaku/variants.h"

#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "kensaku/utf8.h"

#define CHOON 0x30FC /* ー, KATAKANA-HIRAGANA PROLONGED SOUND MARK */

static int is_hira(long c)
{
	return (c >= 0x3041 && c <= 0x3096) || c == 0x309D || c == 0x309E;
}

static int is_kata(long c)
{
	return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FD || c == 0x30FE;
}

static long to_kata(long c)
{
	return is_hira(c) ? c + 0x60 : c;
}

/* The hiragana of c, c itself when it is not katakana, -1 when it is
 * katakana with no hiragana (ヷ ヸ ヹ ヺ). */
static long to_hira(long c)
{
	if (!is_kata(c))
		return c;
	if (c >= 0x30F7 && c <= 0x30FA)
		return -1;
	return c - 0x60;
}

/* 1 when a final ー may follow katakana c (variants.h: a vowel a, i or o,
 * not a bare vowel; and ュ). */
static int can_lengthen(long c)
{
	static const char *const ok = "カガキギコゴサザシジソゾタダチヂトドナニノハバパヒビピホボポ"
				      "マミモヤヨラリロワヲャョァィォュヵ";
	for (size_t i = 0; ok[i]; i += 3) {
		size_t n;
		if (ks_utf8_decode(ok + i, 3, &n) == c)
			return 1;
	}
	return 0;
}

/* Decodes folded into cp (room for strlen(folded) code points) when it is
 * a kana term (variants.h); returns the number of characters, or 0 when
 * it is not one. */
static size_t decode_kana(const char *folded, size_t len, long *cp)
{
	size_t n = 0, letters = 0;
	for (size_t i = 0; i < len;) {
		size_t k;
		long c = ks_utf8_decode(folded + i, len - i, &k);
		if (!(is_hira(c) || is_kata(c) || c == CHOON))
			return 0;
		letters += c != CHOON;
		cp[n++] = c;
		i += k;
	}
	return letters ? n : 0;
}

/* A malloc'd UTF-8 string of the n code points of cp (each below U+10000
 * and above U+07FF: three bytes), NULL on out of memory. */
static char *encode3(const long *cp, size_t n)
{
	char *s = malloc(3 * n + 1), *p = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		*p++ = (char)(0xE0 | (cp[i] >> 12));
		*p++ = (char)(0x80 | ((cp[i] >> 6) & 0x3F));
		*p++ = (char)(0x80 | (cp[i] & 0x3F));
	}
	*p = '\0';
	return s;
}

struct vout {
	const char *term;
	char **out;
	int max, n;
};

/* Encodes cp[0..n) and appends it to v unless it equals the term or v is
 * full; 0, or -1 on out of memory. */
static int put(struct vout *v, const long *cp, size_t n)
{
	if (v->n >= v->max || n == 0)
		return 0;
	char *s = encode3(cp, n);
	if (!s)
		return -1;
	if (!strcmp(s, v->term)) {
		free(s);
		return 0;
	}
	v->out[v->n++] = s;
	return 0;
}

/* The length of the ー form of katakana k[0..n) (variants.h, rule 2): n - 1
 * when it loses its final ー, n + 1 when it gains one (k must have room for
 * it; k[n] is set), 0 when it has none. */
static size_t choon_form(long *k, size_t n)
{
	if (k[n - 1] == CHOON)
		return n - 1 >= 3 && can_lengthen(k[n - 2]) ? n - 1 : 0;
	if (n < 3 || !can_lengthen(k[n - 1]))
		return 0;
	k[n] = CHOON;
	return n + 1;
}

int ks_kana_variants(const char *folded, char **out, int max)
{
	size_t len = folded ? strlen(folded) : 0;
	if (max <= 0 || len == 0 || !ks_utf8_valid(folded, len))
		return 0;
	long *cp = malloc((2 * len + 2) * sizeof *cp);
	if (!cp)
		return -1;
	long *k = cp + len + 1; /* the katakana spelling, with room for a ー */
	struct vout v = {folded, out, max, 0};
	int rc = 0, hira_ok = 1;
	size_t n = decode_kana(folded, len, cp);
	if (n == 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		k[i] = to_kata(cp[i]);
	rc = put(&v, k, n);
	size_t m = choon_form(k, n);
	if (rc == 0 && m)
		rc = put(&v, k, m);
	for (size_t i = 0; i < n; i++)
		if ((cp[i] = to_hira(cp[i])) < 0)
			hira_ok = 0;
	if (rc == 0 && hira_ok)
		rc = put(&v, cp, n);
out:
	free(cp);
	if (rc < 0) {
		while (v.n > 0)
			free(out[--v.n]);
		return -1;
	}
	return v.n;
}

/* ---- English stems */

struct ks_stemmer {
	struct sb_stemmer *sb;
};

struct ks_stemmer *ks_stemmer_new(void)
{
	struct ks_stemmer *st = malloc(sizeof *st);
	if (!st)
		return NULL;
	if (!(st->sb = sb_stemmer_new("english", "UTF_8"))) {
		free(st);
		return NULL;
	}
	return st;
}

void ks_stemmer_free(struct ks_stemmer *st)
{
	if (!st)
		return;
	sb_stemmer_delete(st->sb);
	free(st);
}

/* 1 when word is 1 to KS_STEM_WORD_MAX letters a-z. */
static int stemmable(const char *word, size_t *len)
{
	size_t n = 0;
	for (; word[n]; n++)
		if (n >= KS_STEM_WORD_MAX || word[n] < 'a' || word[n] > 'z')
			return 0;
	*len = n;
	return n > 0;
}

int ks_stemmer_stem(struct ks_stemmer *st, const char *word, char *out, size_t cap)
{
	size_t len;
	if (!st || !word || !stemmable(word, &len))
		return -1;
	const sb_symbol *s = sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
	if (!s)
		return -1;
	int n = sb_stemmer_length(st->sb);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	memcpy(out, s, (size_t)n);
	out[n] = '\0';
	return 0;
}

int ks_stem_en(const char *word, char *out, size_t cap)
{
	size_t len;
	if (!word || !stemmable(word, &len))
		return -1;
	struct ks_stemmer *st = ks_stemmer_new();
	int rc = st ? ks_stemmer_stem(st, word, out, cap) : -1;
	ks_stemmer_free(st);
	return rc;
}
