/* segment.h - where words begin in UTF-8 text: one interface, two backends.
 *
 * MeCab with IPADIC (the default: its dictionary keeps ランサムウェア whole
 * where ICU's splits it into ラン|サム|ウェア) or ICU's dictionary word
 * break (locale ja). Either runs on the original text, so its offsets are
 * those the tokenizer reports. The index records which one wrote its word
 * maps (meta key "segmenter", ks_seg_name); `kensaku index` and `reindex`
 * pick one with the environment variable KENSAKU_SEGMENTER=mecab|icu.
 *
 * A struct ks_seg is used by one thread at a time. Ownership: ks_seg_new's
 * result is freed with ks_seg_free; the starts array with free(). */
#ifndef KENSAKU_SEGMENT_H
#define KENSAKU_SEGMENT_H

enum ks_seg_kind { KS_SEG_MECAB = 0, KS_SEG_ICU = 1 };

/* The environment variable that picks the backend at index time. */
#define KS_SEG_ENV "KENSAKU_SEGMENTER"

struct ks_seg;

/* A segmenter of kind; NULL when the backend can't start (MeCab without a
 * UTF-8 dictionary, ICU without its break rules) or out of memory. MeCab
 * uses IPADIC (/var/lib/mecab/dic/ipadic-utf8) when it is installed, else
 * the dictionary /etc/mecabrc names. */
struct ks_seg *ks_seg_new(enum ks_seg_kind kind);

/* Frees g. Accepts NULL. */
void ks_seg_free(struct ks_seg *g);

/* The backend and its dictionary, as recorded in the index, e.g.
 * "mecab-0.996-ipadic-utf8" or "icu-72.1". Owned by g; never NULL. */
const char *ks_seg_name(const struct ks_seg *g);

/* The kind a name from ks_seg_name or KENSAKU_SEGMENTER ("mecab", "icu",
 * "mecab-...", "icu-...") stands for; -1 for any other name. */
int ks_seg_kind_of(const char *name);

/* Byte offsets (ascending, distinct) where words begin in len bytes of
 * UTF-8 text (invalid sequences are read as one character per byte, never
 * crash); spaces and, for ICU, punctuation begin no word. *starts is
 * malloc'd (caller frees; NULL when *n is 0). Returns 0, or KS_ERR_NOMEM
 * (also when the backend fails) with *starts and *n untouched. */
int ks_seg_starts(struct ks_seg *g, const char *text, int len, int **starts, int *n);

#endif
