/* ingest.h - turn archive files into issues and items.
 *
 * Parsers are pure functions over bytes: they never touch the index, so a
 * malformed file can be rejected before anything is written. */
#ifndef KENSAKU_INGEST_H
#define KENSAKU_INGEST_H

#include <stddef.h>

#include "err.h"
#include "item.h"

/* Input sizes no real archive reaches (see item.h for the per-item ones):
 * a file over KS_MAX_FILE_BYTES is skipped with a message before it is
 * read; a JSON Lines line over KS_MAX_JSONL_LINE is skipped. */
#define KS_MAX_FILE_BYTES (64L * 1024 * 1024)
#define KS_MAX_JSONL_LINE (4 * 1024 * 1024)

enum ks_format {
	KS_FMT_AUTO = 0, /* detect by content */
	KS_FMT_TEXT,	 /* the plain-text issue layout */
	KS_FMT_JSONL,	 /* JSON Lines: one item or one issue per line */
	KS_FMT_HTML,	 /* an HTML issue page */
	KS_FMT_FEED,	 /* an RSS 2.0 / RSS 1.0 / Atom feed: each entry an issue */
	KS_FMT_EMAIL	 /* one email message (.eml, Maildir) or an mbox: each an issue */
};

/* Guesses the format of data from its first non-blank bytes (after a
 * BOM): JSONL when they are '{'; when they are markup ('<' then a letter,
 * '!' or '?'), FEED when the first KS_DETECT_PROBE bytes hold <rss, <feed
 * or <rdf:RDF and no <html, HTML when they hold <!doctype html, <html,
 * <head, <body, <meta or <title; EMAIL when they are an RFC 5322 header
 * (within KS_DETECT_PROBE bytes: at least two header fields, one of them
 * From, Received, Return-Path, Message-ID, MIME-Version, Subject, Date or
 * Delivered-To, up to a blank line or the end of the probe, no other
 * line) or an mbox "From " line followed by such a header; TEXT
 * otherwise. Never fails. */
enum ks_format ks_ingest_detect(const char *data, size_t len);

/* Bytes at the start of a file searched for the markers of HTML or a feed. */
#define KS_DETECT_PROBE 4096

/* Parses "text", "jsonl", "html", "feed" (also "rss", "atom"), "email"
 * (also "eml", "mbox", "mail") or "auto" into *out; returns KS_ERR_ARG
 * otherwise. */
int ks_ingest_format_parse(const char *s, enum ks_format *out);

/* Parses len bytes of one file. name is the file's path as shown to the
 * user: it is used in error messages ("name:line: reason") and, for the
 * text layout, as a fallback source of the issue number and date
 * (issue-59.txt, 2022-03-27-issue-59.txt). On success appends the file's
 * issues to out (items in file order, positions from 1) and returns KS_OK;
 * items past the limits (item.h) are left out, counted in out->n_skipped
 * and reported in out->notes. On failure returns KS_ERR_PARSE with err
 * set, and out is left as it was. */
int ks_ingest_parse(const char *name, const char *data, size_t len, enum ks_format fmt,
		    struct ks_batch *out, struct ks_err *err);

/* The plain-text layout parser; same contract as ks_ingest_parse. */
int ks_ingest_text(const char *name, const char *data, size_t len, struct ks_batch *out,
		   struct ks_err *err);

/* The JSON Lines parser; same contract as ks_ingest_parse. */
int ks_ingest_jsonl(const char *name, const char *data, size_t len, struct ks_batch *out,
		    struct ks_err *err);

/* The HTML issue page parser (one issue a file); same contract as
 * ks_ingest_parse. See indexer/ingest/html_extract.h for the structures
 * it recognises. */
int ks_ingest_html(const char *name, const char *data, size_t len, struct ks_batch *out,
		   struct ks_err *err);

/* The RSS / Atom feed parser (one issue an entry, entries that cannot be
 * read skipped and reported in out->notes); same contract as
 * ks_ingest_parse. */
int ks_ingest_feed(const char *name, const char *data, size_t len, struct ks_batch *out,
		   struct ks_err *err);

/* The email parser (GMime): one message, or an mbox when data starts with
 * a "From " line; each message one issue, messages that cannot be read
 * skipped and reported in out->notes ("name:line: message N skipped:
 * reason"; a file of one message fails instead). Same contract as
 * ks_ingest_parse. See indexer/ingest/ingest_email.c for which part of a
 * message is read and where the issue number and date come from. */
int ks_ingest_email(const char *name, const char *data, size_t len, struct ks_batch *out,
		    struct ks_err *err);

#endif
