/* build.h - what `kensaku index` and `kensaku reindex` do, as library calls.
 *
 * Both take the writer lock (an flock on DB.lock): a second writer on the
 * same index fails at once with KS_ERR_BUSY. Malformed files are reported
 * on opts->log as "file:line: reason" and skipped; they never change what
 * is already indexed.
 *
 * A path that is a URL (ks_fetch_is_url: "scheme://...") is fetched
 * (fetch.h, with opts->fetch's limits) and is a source like a file, named
 * by the URL as given: parsed by the same parsers (the format its bytes
 * show, else its Content-Type's), skipped when unchanged, its items kept
 * under the same ids. What is kept of it beside its items (fetched.h):
 *   - its ETag and Last-Modified, sent back on the next run: a 304, or a
 *     body of the content hash recorded, changes nothing ("unchanged");
 *   - for a feed, the pages of its summary entries (feed_split.h: an
 *     entry without its full content is read from the page it links to,
 *     as HTML unless the page shows another format). Each page is a
 *     source of its own, fetched conditionally on every run that reads
 *     the feed, even when the feed is unchanged, and never twice in a
 *     run; its issue replaces what the feed's entry gave. A page that
 *     holds no issue is recorded empty and reported as a skipped entry.
 *     The pages of a feed served from a public address are fetched only
 *     from public addresses (not loopback, private or link-local).
 * A URL that cannot be fetched (any failure of ks_fetch_get, a scheme
 * other than http and https included) or parsed is reported on opts->log
 * as "URL: reason" and skipped, as a malformed file is: nothing of it in
 * the index changes. A reindex fetches every URL again, unconditionally
 * (the new file must hold their content). */
#ifndef KENSAKU_BUILD_H
#define KENSAKU_BUILD_H

#include <stdio.h>

#include "err.h"
#include "fetch.h"
#include "ingest.h"

struct ks_build_opts {
	const char *db;		    /* index path */
	enum ks_format fmt;	    /* KS_FMT_AUTO to detect per file */
	int prune;		    /* index: forget files that no longer exist */
	int progress;		    /* print a progress line (on a TTY) */
	int skip_malformed;	    /* reindex: install the rebuild even if files failed */
	FILE *log;		    /* messages; stderr when NULL */
	struct ks_fetch_opts fetch; /* limits of URLs (zeroed: fetch.h's defaults) */
};

struct ks_build_report {
	long files_seen, files_indexed, files_unchanged, files_failed, sources_pruned;
	long files_skipped; /* not regular files, loops, files reached twice */
	long items_skipped; /* items (and JSON lines) past the limits */
	long long items;    /* items written */
	long long bytes;    /* bytes of input read (of files, and of URLs decoded) */
	long urls_seen;	    /* URLs asked for, feeds' pages included (each once) */
	long urls_indexed, urls_unchanged, urls_failed; /* unchanged: a 304 or the same bytes */
	long requests;	      /* HTTP requests made (every redirect is one) */
	long long downloaded; /* body bytes received over the network */
	double seconds;
	int swapped; /* reindex: the new file was renamed into place */
};

/* Adds or updates the items of the files under paths (folders are walked,
 * taking *.txt, *.jsonl, *.ndjson, *.json, *.html, *.htm, *.xml, *.rss,
 * *.atom, *.eml, *.mbox, *.mbx and every file of a Maildir's cur/ and new/
 * folders), skipping files whose content
 * hash is unchanged. Symlinks are followed, but every folder is walked and
 * every file read once, told apart by (st_dev, st_ino): a loop or a second
 * link is reported ("path: skipped: already indexed as ...") and skipped,
 * as is anything not a folder or a regular file ("path: skipped: not a
 * regular file (fifo)"); files are opened without blocking and checked
 * with fstat before they are read. Neither is an error. KS_OK when every
 * file was fine, KS_ERR_PARSE when some were malformed, over
 * KS_MAX_FILE_BYTES, or held items past the limits of item.h (the rest is
 * indexed), or some URL failed, another code on a runtime error (nothing
 * of the failing batch is committed). URLs are read after the files,
 * each source in a transaction of its own; --prune never drops a URL's
 * items. */
int ks_build_index(const struct ks_build_opts *opts, char *const *paths, int n_paths,
		   struct ks_build_report *rep, struct ks_err *err);

/* Rebuilds the index from paths into DB.reindex-tmp, checks its integrity,
 * fsyncs it and renames it over DB. On any failure (including malformed
 * files, unless skip_malformed) DB is untouched and the temp file removed,
 * except when another writer holds the lock (KS_ERR_BUSY): the temp file
 * is then that writer's and is left alone.
 * With skip_malformed the rebuild is installed without the bad files (and
 * URLs that failed) and KS_ERR_PARSE is still returned, so the run exits 1. Items past the
 * limits do not stop the swap (the rest of their file is in the new
 * index) but also make it return KS_ERR_PARSE. Files are walked and read
 * as by ks_build_index.
 * A temp file left by a killed run is removed first. */
int ks_build_reindex(const struct ks_build_opts *opts, char *const *paths, int n_paths,
		     struct ks_build_report *rep, struct ks_err *err);

/* Content hash of len bytes as 32 hex characters (XXH3 128). */
void ks_hash_hex(const void *data, size_t len, char out[33]);

#endif
