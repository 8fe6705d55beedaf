/* build_internal.h - what build.c (files, the runs) and build_url.c (URLs)
 * share of a run of `kensaku index` / `reindex` (private to ingest). */
#ifndef KS_BUILD_INTERNAL_H
#define KS_BUILD_INTERNAL_H

#include <stdio.h>

#include "kensaku/build.h"
#include "kensaku/store.h"

/* One run: its options, its report and where its messages go. */
struct run {
	const struct ks_build_opts *o;
	struct ks_build_report *rep;
	FILE *log;
	double t0, last_progress;
	size_t total_files, done_files;
};

/* Writes batch into s (inside a transaction) as everything source holds,
 * recorded with hash: prints and counts what the parser left out past the
 * limits, warns ("name: warning: ...") of an issue taken from another
 * source, counts the items written. KS_OK or a runtime error. */
int ks_build_put(struct run *r, struct ks_store *s, const char *name, const char *source,
		 const char *hash, const struct ks_batch *batch, struct ks_err *err);

/* Fetches and indexes urls[0..n) into s (build.h says how), each source in
 * a transaction of its own. KS_OK, KS_ERR_PARSE when some URL failed
 * (reported on r->log and counted in r->rep), or a runtime error. */
int ks_build_urls(struct run *r, struct ks_store *s, char *const *urls, size_t n,
		  struct ks_err *err);

#endif
