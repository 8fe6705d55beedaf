/* build_url.c - the URLs of `kensaku index` and `reindex` (build.h says
 * what becomes of them): fetched conditionally (fetch.h), parsed as files
 * are, written with their validators and a feed with its pages
 * (fetched.h). Nothing is written for a URL before it was fetched and
 * parsed, and nothing at all for one that failed or did not change. */
#include <stdlib.h>
#include <string.h>

#include "build_internal.h"
#include "feed_split.h"
#include "fetched.h"
#include "kensaku/fetch.h"

/* The URL side of a run. */
struct urls {
	struct run *r;
	struct ks_store *s;
	struct ks_fetch *f;
	char **done; /* URLs asked for in this run (each is asked for once) */
	size_t n_done;
	int any_bad; /* some URL failed */
	struct ks_err *err;
};

/* 1 when url was asked for already in this run, else 0 (and it is now);
 * -1 on out of memory. */
static int asked_before(struct urls *u, const char *url)
{
	char **v;
	for (size_t i = 0; i < u->n_done; i++)
		if (!strcmp(u->done[i], url))
			return 1;
	if (!(v = realloc(u->done, (u->n_done + 1) * sizeof *v)) || !(v[u->n_done] = strdup(url))) {
		if (v)
			u->done = v;
		return -1;
	}
	u->done = v;
	u->n_done++;
	return 0;
}

/* Reports the failure in u->err ("URL: reason") and counts it; returns
 * KS_ERR_PARSE, or rc itself when it is out of memory (no URL's fault). */
static int failed(struct urls *u, int rc)
{
	if (rc == KS_ERR_NOMEM)
		return rc;
	fprintf(u->r->log, "%s\n", u->err->msg);
	u->r->rep->urls_failed++;
	u->any_bad = 1;
	return KS_ERR_PARSE;
}

/* Fetches url into *res, conditionally when the index holds its content;
 * sets *same when what it answered is what the index holds (a 304, or a
 * body of the recorded hash, then in hash). KS_OK, KS_ERR_PARSE (failed,
 * reported) or a runtime error. */
static int get(struct urls *u, const char *url, struct ks_fetch_result *res, char hash[33],
	       int *same)
{
	char old[65] = "";
	struct ks_fetched v = {0};
	int found = 0, has_v = 0;
	int rc = ks_store_source_hash(u->s, url, old, &found, u->err);
	if (rc == KS_OK && found)
		rc = ks_fetched_get(u->s, url, &v, &has_v, u->err);
	if (rc != KS_OK)
		return rc;
	struct ks_fetch_validators val = {v.etag, v.last_modified};
	rc = ks_fetch_get(u->f, url, has_v ? &val : NULL, res, u->err);
	ks_fetched_clear(&v);
	u->r->rep->requests += res->requests;
	u->r->rep->downloaded += res->wire_bytes;
	if (rc != KS_OK)
		return failed(u, rc);
	*same = res->not_modified;
	if (!*same) {
		u->r->rep->bytes += (long long)res->len;
		ks_hash_hex(res->body, res->len, hash);
		*same = found && !strcmp(old, hash);
	}
	return KS_OK;
}

/* Drops from b the issues that a page of feed holds (recorded by
 * ks_fetched_set_pages): the page's issue replaces the entry's. */
static int drop_paged(struct urls *u, const char *feed, struct ks_batch *b)
{
	for (size_t i = 0; i < b->n_issues;) {
		int held = ks_fetched_page_holds(u->s, feed, b->issues[i].number, u->err);
		if (held < 0)
			return -held;
		if (!held) {
			i++;
			continue;
		}
		ks_issue_clear(&b->issues[i]);
		memmove(&b->issues[i], &b->issues[i + 1],
			(b->n_issues - i - 1) * sizeof *b->issues);
		b->n_issues--;
	}
	return KS_OK;
}

/* Writes url's batch b (hash, res's validators), in a transaction; for a
 * feed (pages not NULL) its pages first, and b without their issues. */
static int record(struct urls *u, const char *url, const struct ks_fetch_result *res,
		  const char *hash, struct ks_batch *b, char *const *pages, size_t n_pages)
{
	int rc = ks_store_begin(u->s, u->err);
	if (rc == KS_OK && pages)
		rc = ks_fetched_set_pages(u->s, url, pages, n_pages, u->err);
	if (rc == KS_OK && pages)
		rc = drop_paged(u, url, b);
	if (rc == KS_OK)
		rc = ks_build_put(u->r, u->s, url, url, hash, b, u->err);
	if (rc == KS_OK)
		rc = ks_fetched_put(u->s, url, res->etag, res->last_modified, u->err);
	if (rc == KS_OK)
		rc = ks_store_commit(u->s, u->err);
	else
		ks_store_rollback(u->s);
	if (rc == KS_OK)
		u->r->rep->urls_indexed++;
	return rc;
}

/* Parses and writes a page (or a feed read as one). A feed's page that
 * holds no issue (page set) is recorded empty, its reason a skipped
 * entry's note: asked again, it answers 304 instead of failing again. */
static int put_page(struct urls *u, const char *url, const struct ks_fetch_result *res,
		    const char *hash, enum ks_format fmt, int page)
{
	struct ks_batch b = {0};
	int rc = ks_ingest_parse(url, res->body, res->len, fmt, &b, u->err);
	if (rc == KS_ERR_PARSE && page &&
	    ks_batch_skip(&b, "%s (a feed's entry: skipped)", u->err->msg) == 0)
		rc = KS_OK;
	rc = rc == KS_OK ? record(u, url, res, hash, &b, NULL, 0) : failed(u, rc);
	ks_batch_clear(&b);
	return rc;
}

static int one_url(struct urls *u, const char *url, int page);

/* Asks each page of pages[0..n) once; a failed page is reported and
 * counted, the others go on. KS_OK or a runtime error. */
static int ask_pages(struct urls *u, char *const *pages, size_t n)
{
	int rc = KS_OK;
	for (size_t i = 0; i < n && rc == KS_OK; i++)
		if ((rc = one_url(u, pages[i], 1)) == KS_ERR_PARSE)
			rc = KS_OK;
	return rc;
}

/* ks_fetched_each_page's callback: one page of an unchanged feed. */
static int recheck(const char *page, void *ctx)
{
	int rc = one_url(ctx, page, 1);
	return rc == KS_ERR_PARSE ? KS_OK : rc;
}

/* A feed that changed: its summary entries' pages first, then the rest of
 * its entries, written with the list of its pages. */
static int put_feed(struct urls *u, const char *url, const struct ks_fetch_result *res,
		    const char *hash)
{
	struct ks_feed_split sp = {0};
	struct ks_batch b = {0};
	int rc = ks_feed_split(res->body, res->len, res->final_url, &sp, u->err);
	if (rc == KS_OK)
		rc = ask_pages(u, sp.pages, sp.n_pages);
	if (rc == KS_OK && (!sp.rest || sp.n_rest)) {
		rc = ks_ingest_parse(url, sp.rest ? sp.rest : res->body,
				     sp.rest ? sp.rest_len : res->len, KS_FMT_FEED, &b, u->err);
		if (rc != KS_OK)
			rc = failed(u, rc);
	}
	if (rc == KS_OK)
		rc = record(u, url, res, hash, &b, sp.pages, sp.n_pages);
	ks_batch_clear(&b);
	ks_feed_split_clear(&sp);
	return rc;
}

/* Fetches url and indexes what changed: a feed's pages are asked for
 * even when it did not change (page: url is one, read as HTML unless its
 * bytes or type say otherwise, and its own pages are not followed). A
 * feed that answered from a public address gets its pages only from
 * public addresses (ks_fetch_public_only). KS_OK, KS_ERR_PARSE (failed,
 * reported) or a runtime error. */
static int one_url(struct urls *u, const char *url, int page)
{
	struct ks_fetch_result res = {0};
	char hash[33] = "";
	int same = 0, rc = asked_before(u, url);
	if (rc != 0)
		return rc < 0 ? ks_err_set(u->err, KS_ERR_NOMEM, "[build] out of memory") : KS_OK;
	u->r->rep->urls_seen++;
	rc = get(u, url, &res, hash, &same);
	if (!page)
		ks_fetch_public_only(u->f, rc == KS_OK && ks_fetch_ip_public(res.ip));
	if (rc == KS_OK && same) {
		u->r->rep->urls_unchanged++;
		if (!page)
			rc = ks_fetched_each_page(u->s, url, recheck, u, u->err);
	} else if (rc == KS_OK) {
		enum ks_format fmt = !page && u->r->o->fmt != KS_FMT_AUTO
					 ? u->r->o->fmt
					 : ks_fetch_format(res.content_type, res.body, res.len,
							   page ? KS_FMT_HTML : KS_FMT_TEXT);
		rc = fmt == KS_FMT_FEED && !page ? put_feed(u, url, &res, hash)
						 : put_page(u, url, &res, hash, fmt, page);
	}
	if (!page)
		ks_fetch_public_only(u->f, 0);
	ks_fetch_result_clear(&res);
	return rc;
}

int ks_build_urls(struct run *r, struct ks_store *s, char *const *urls, size_t n,
		  struct ks_err *err)
{
	struct urls u = {.r = r, .s = s, .err = err};
	int rc = n ? ks_fetch_new(&r->o->fetch, &u.f, err) : KS_OK;
	for (size_t i = 0; i < n && rc == KS_OK; i++)
		if ((rc = one_url(&u, urls[i], 0)) == KS_ERR_PARSE)
			rc = KS_OK;
	for (size_t i = 0; i < u.n_done; i++)
		free(u.done[i]);
	free(u.done);
	ks_fetch_free(u.f);
	return rc == KS_OK && u.any_bad ? KS_ERR_PARSE : rc;
}
