/* fixture.h - a throw-away index file for the unit tests that read one
 * through the public API: made with fx_open, filled with fx_put, removed
 * with fx_close. Include after harness.h (the helpers CHECK each step). */
#ifndef KS_TEST_FIXTURE_H
#define KS_TEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kensaku/item.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

/* Creates a fresh index /tmp/ks-NAME-PID.db (its path in path); NULL when
 * it cannot (a failed CHECK says so). */
static inline struct ks_store *fx_open(char path[64], const char *name)
{
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	snprintf(path, 64, "/tmp/ks-%s-%d.db", name, (int)getpid());
	unlink(path);
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_OK);
	return s;
}

/* Adds issue number to b, dated date ("YYYY-MM-DD"; NULL: undated). */
static inline struct ks_issue *fx_issue(struct ks_batch *b, long long number, const char *date)
{
	struct ks_issue *is = ks_batch_add_issue(b);
	is->number = number;
	is->date = date ? strdup(date) : NULL;
	return is;
}

/* Adds an item to is; section and quote may be NULL. */
static inline struct ks_item *fx_item(struct ks_issue *is, const char *section, const char *title,
				      const char *quote)
{
	struct ks_item *it = ks_issue_add_item(is);
	it->section = section ? strdup(section) : NULL;
	it->title = strdup(title);
	it->quote = quote ? strdup(quote) : NULL;
	return it;
}

/* Writes b as the items of source in one transaction and empties b. */
static inline void fx_put(struct ks_store *s, const char *source, struct ks_batch *b)
{
	struct ks_err err = {""};
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_put_source(s, source, "hash", b, &err) == KS_OK);
	CHECK(ks_store_commit(s, &err) == KS_OK);
	ks_batch_clear(b);
}

/* Runs p on s; the result, or NULL after a failed CHECK. */
static inline struct ks_result *fx_run(struct ks_store *s, const struct ks_search_params *p)
{
	struct ks_result *r = NULL;
	struct ks_err err = {""};
	CHECK(ks_search_run(s, p, &r, &err) == KS_OK);
	return r;
}

/* Runs q on s (relevance, no expansion), as fx_run. */
static inline struct ks_result *fx_search(struct ks_store *s, const char *q)
{
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.q = q;
	return fx_run(s, &p);
}

/* A fresh index (as fx_open) holding one issue dated date whose items are
 * the n {title, quote} pairs of text (quote may be NULL). */
static inline struct ks_store *fx_index(char path[64], const char *name, long long number,
					const char *date, const char *const (*text)[2], size_t n)
{
	struct ks_store *s = fx_open(path, name);
	struct ks_batch b = {0};
	struct ks_issue *is = fx_issue(&b, number, date);
	for (size_t i = 0; i < n; i++)
		fx_item(is, NULL, text[i][0], text[i][1]);
	fx_put(s, "/src/fixture.txt", &b);
	return s;
}

/* Closes s (may be NULL) and removes the file at path and its sidecars. */
static inline void fx_close(struct ks_store *s, const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	ks_store_close(s);
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char file[80];
		snprintf(file, sizeof file, "%s%s", path, suffixes[i]);
		unlink(file);
	}
}

#endif
