/* lexicon.h - the vocabulary compiled into kensaku: bilingual and spelling
 * variant term groups (indexer/data/terms.tsv), the entity gazetteer
 * (indexer/data/entities.tsv), NFKC case folding, and the scanners that
 * find CVE ids and gazetteer names in text.
 *
 * The data is parsed and folded once per process, on first use, behind a
 * pthread_once; after that everything here is read-only and safe to call
 * from any thread. Pointers to data strings (variants, names, kinds) stay
 * valid until the process exits and are never freed by the caller. */
#ifndef KENSAKU_LEXICON_H
#define KENSAKU_LEXICON_H

#include <stddef.h>

#define KS_CVE_MAX 32 /* room for a canonical CVE id and its NUL */

/* Loads the data (once). Returns KS_OK, or KS_ERR_NOMEM when it could not
 * be loaded; every lookup then finds nothing. Calling it is optional: every
 * other function loads on demand. */
int ks_lexicon_init(void);

/* NFKC_Casefold of len bytes of UTF-8 (invalid sequences become U+FFFD) as
 * a malloc'd NUL-terminated string, its length in *out_len when not NULL.
 * Returns NULL on out of memory. (Defined in text/normalize.c, with
 * ks_nfkc.) */
char *ks_fold(const char *s, size_t len, size_t *out_len);

/* NFKC without case folding (so a query's OR stays OR, and full-width
 * ＂ － ＊ become ASCII) of len bytes of UTF-8, otherwise as ks_fold:
 * invalid sequences become U+FFFD; a malloc'd NUL-terminated string, its
 * length in *out_len when not NULL; NULL on out of memory. */
char *ks_nfkc(const char *s, size_t len, size_t *out_len);

/* Finds the expansion group of a query term. folded is the term already
 * passed through ks_fold. When some group holds it, sets *variants to the
 * group's spellings as written in the data (the first is the group's
 * display name) and *n to their number (>= 2) and returns 1; returns 0
 * otherwise. Groups come from terms.tsv and from gazetteer entities with
 * more than one spelling (terms.tsv wins a spelling both hold). */
int ks_terms_lookup(const char *folded, const char *const **variants, size_t *n);

/* Number of expansion groups, and group i (0-based) as above; for tests
 * and statistics. ks_terms_group returns 0 when i is out of range. */
size_t ks_terms_count(void);
int ks_terms_group(size_t i, const char *const **variants, size_t *n);

/* One gazetteer entity. */
struct ks_entity {
	const char *kind;	      /* "vendor" "product" "actor" "malware" "vuln" "org" */
	const char *name;	      /* canonical spelling (what the index stores) */
	const char *const *spellings; /* name and its aliases, as written */
	size_t n_spellings;
};

/* Number of entities, and entity i (NULL when out of range). */
size_t ks_entity_count(void);
const struct ks_entity *ks_entity_at(size_t i);

/* The entity one of whose spellings equals text after NFKC case folding
 * (so "ｅｍｏｔｅｔ", "EMOTET" and "エモテット" all find Emotet), or NULL. */
const struct ks_entity *ks_entity_find(const char *text);

/* Calls fn(ctx, e) once for each entity having a spelling that starts with
 * folded_prefix (already folded; "" matches every entity), in order of
 * that spelling; stops when fn returns non-zero and returns that value. */
int ks_entity_prefix(const char *folded_prefix, int (*fn)(void *ctx, const struct ks_entity *e),
		     void *ctx);

/* When text (any width or case, e.g. "ＣＶＥ－２０２２－０６０９") is exactly one
 * CVE id, writes its canonical form ("CVE-2022-0609") to out and returns 1;
 * returns 0 otherwise. */
int ks_cve_canonical(const char *text, char out[KS_CVE_MAX]);

/* Callback of ks_extract: kind is "cve" or a gazetteer kind, name the CVE
 * id or the entity's canonical name. Return non-zero to stop. */
typedef int (*ks_extract_fn)(void *ctx, const char *kind, const char *name);

/* Finds every CVE id and gazetteer entity in len bytes of UTF-8 text (any
 * width or case; CVE ids may be written with - or a Unicode dash) and calls
 * fn once per distinct one, CVE ids first, in order of first appearance.
 * Latin names match only as whole words; kana/kanji names anywhere. Returns
 * 0, the first non-zero value of fn, or -1 on out of memory. */
int ks_extract(const char *text, size_t len, ks_extract_fn fn, void *ctx);

#endif
