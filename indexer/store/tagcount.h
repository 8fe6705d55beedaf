/* tagcount.h - how many items each CVE id and entity tags, for
 * autocomplete (private to the indexer library).
 *
 * Autocomplete ranks every name that matches a prefix by its item count;
 * counting in SQL reads every tag row of those names (a prefix such as
 * "cve" means every CVE tag of the index) on each keystroke. The counts of
 * all names are instead read once, with one grouped scan, into a snapshot
 * shared by every connection of the process, and read again when the index
 * changes: the snapshot is keyed by the index's generation, its item
 * sequence number (grows with every added item) and its number of tag rows
 * (shrinks when items go). */
#ifndef KS_TAGCOUNT_H
#define KS_TAGCOUNT_H

#include <stddef.h>

#include "kensaku/err.h"
#include "kensaku/store.h"

struct ks_tagcount {
	const char *name; /* canonical CVE id or entity name */
	int cve;	  /* 1 for a CVE id */
	long long count;  /* items tagged */
};

/* An immutable snapshot: names ascending (byte order). */
struct ks_tagcounts {
	const struct ks_tagcount *v;
	size_t n;
};

/* The snapshot of the index s reads, built when s's index differs from the
 * cached one. Release it with ks_tagcounts_release. Fails with KS_ERR_DB,
 * KS_ERR_TIMEOUT (under an armed deadline) or KS_ERR_NOMEM. Thread-safe. */
int ks_tagcounts_get(struct ks_store *s, const struct ks_tagcounts **out, struct ks_err *err);

/* Gives a snapshot back. Accepts NULL. */
void ks_tagcounts_release(const struct ks_tagcounts *t);

/* The count of name, 0 when no item has it. */
long long ks_tagcounts_of(const struct ks_tagcounts *t, const char *name);

/* The index of the first name >= key (t->n when none). */
size_t ks_tagcounts_lower(const struct ks_tagcounts *t, const char *key);

#endif
