/* err.h - return codes and the error message carrier shared by every module.
 *
 * Ownership rule of the whole API: a function that returns a pointer through
 * an out-parameter transfers ownership to the caller, who frees it with the
 * matching ks_*_free(); every ks_*_free() accepts NULL.
 *
 * Return rule of the whole API, one of four, each header saying which:
 *  - an enum ks_rc (KS_OK or a KS_ERR_*, with a struct ks_err filled) for
 *    what can fail in several ways (I/O, the index, the user's input);
 *  - 0 or -1 (a count or -1) for what can only run out of memory or only
 *    say "not one of those" (parsers of a date, a number, a UTF-8
 *    character): there is nothing more to tell;
 *  - a count or a negated enum ks_rc (-KS_ERR_DB ...) for lookups that
 *    return how many they found (vocab.h);
 *  - an SQLite code only where SQLite is the caller: the tokenizer and the
 *    registrations FTS5 calls (tokenizer.h). */
#ifndef KENSAKU_ERR_H
#define KENSAKU_ERR_H

#include <stdarg.h>

enum ks_rc {
	KS_OK = 0,
	KS_ERR_NOMEM,	 /* out of memory */
	KS_ERR_IO,	 /* a file could not be read, written or renamed */
	KS_ERR_DB,	 /* SQLite reported an error */
	KS_ERR_PARSE,	 /* malformed input file */
	KS_ERR_BUSY,	 /* another writer holds the index */
	KS_ERR_VERSION,	 /* index built by another tokenizer/ICU: reindex needed */
	KS_ERR_NOTFOUND, /* no such item, issue or file */
	KS_ERR_ARG,	 /* a caller's argument is out of range */
	KS_ERR_TIMEOUT,	 /* the per-query deadline passed */
	KS_ERR_CORRUPT	 /* the index file is damaged or not an index */
};

/* A human-readable reason for the last failure; empty when none. */
struct ks_err {
	char msg[768];
};

/* Sets e->msg from a printf-style format (truncated to fit); e may be NULL.
 * Returns rc so callers can write `return ks_err_set(e, KS_ERR_IO, ...)`. */
int ks_err_set(struct ks_err *e, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A short stable name for rc ("io", "db", ...); never NULL. */
const char *ks_rc_name(int rc);

#endif
