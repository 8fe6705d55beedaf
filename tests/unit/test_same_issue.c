/* test_same_issue.c - one issue written in every format kensaku reads
 * (tests/data/same-issue/: plain text, JSON Lines, an HTML page, an Atom
 * feed, an ISO-2022-JP email) gives the same items: issue number, date,
 * positions, sections, titles, quotes, urls and links identical to the plain-text
 * copy's; and an issue that moves from one format to another keeps its ids
 * (issue 13, point 5). */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "kensaku/build.h"
#include "kensaku/ingest.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

#define SAME_DIR KS_SOURCE_DIR "/tests/data/same-issue"

/* The plain-text copy is the reference; every other format must match it. */
static const char *const OTHERS[] = {"issue-60.jsonl", "issue-60.html", "issue-60.atom",
				     "issue-60.eml"};

/* Parses SAME_DIR/file (format detected) into b; KS_OK or the parser's rc. */
static int parse(const char *file, struct ks_batch *b)
{
	char path[1024];
	size_t len = 0;
	struct ks_err e = {""};
	snprintf(path, sizeof path, "%s/%s", SAME_DIR, file);
	char *data = h_slurp(path, &len);
	memset(b, 0, sizeof *b);
	if (!data) {
		fprintf(stderr, "  %s: cannot read\n", path);
		return KS_ERR_IO;
	}
	int rc = ks_ingest_parse(file, data, len, KS_FMT_AUTO, b, &e);
	if (rc != KS_OK)
		fprintf(stderr, "  %s: %s\n", file, e.msg);
	free(data);
	return rc;
}

/* NULL and "" are both "absent" (a format may not say an empty quote). */
static const char *opt(const char *s)
{
	return s && s[0] ? s : "(none)";
}

static void same_items(const char *file, const struct ks_issue *want, const struct ks_issue *got)
{
	fprintf(stderr, "# %s\n", file);
	CHECK(got->number == want->number);
	CHECK_STR(opt(got->date), opt(want->date));
	CHECK(got->n_items == want->n_items);
	for (size_t i = 0; i < want->n_items && i < got->n_items; i++) {
		const struct ks_item *w = &want->items[i], *g = &got->items[i];
		CHECK(g->position == w->position);
		CHECK_STR(opt(g->section), opt(w->section));
		CHECK_STR(g->title, w->title);
		CHECK_STR(opt(g->quote), opt(w->quote));
		CHECK_STR(opt(g->url), opt(w->url));
		CHECK(g->n_links == w->n_links); /* every format here carries its links */
		for (size_t k = 0; k < w->n_links && k < g->n_links; k++)
			CHECK_STR(g->links[k], w->links[k]);
	}
}

static void test_every_format_gives_the_same_items(void)
{
	struct ks_batch ref, b;
	CHECK(parse("issue-60.txt", &ref) == KS_OK);
	CHECK(ref.n_issues == 1 && ref.issues[0].n_items == 4);
	for (size_t k = 0; k < sizeof OTHERS / sizeof OTHERS[0] && ref.n_issues == 1; k++) {
		int rc = parse(OTHERS[k], &b);
		CHECK(rc == KS_OK && b.n_issues == 1);
		if (rc == KS_OK && b.n_issues == 1)
			same_items(OTHERS[k], &ref.issues[0], &b.issues[0]);
		ks_batch_clear(&b);
	}
	ks_batch_clear(&ref);
}

/* Indexes SAME_DIR/file into db; KS_OK or the build's rc. */
static int index_file(const char *db, const char *file)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", SAME_DIR, file);
	char *paths[] = {path};
	FILE *log = fopen("/dev/null", "w");
	struct ks_build_opts o = {.db = db, .log = log};
	struct ks_build_report rep;
	struct ks_err e = {""};
	int rc = ks_build_index(&o, paths, 1, &rep, &e);
	if (rc != KS_OK)
		fprintf(stderr, "  index %s: %s\n", file, e.msg);
	if (log)
		fclose(log);
	return rc;
}

/* The title of item id in db, malloc'd, or NULL when it is not there. */
static char *title_of(const char *db, const char *id)
{
	struct ks_store *s = NULL;
	struct ks_hit *h = NULL;
	struct ks_err e = {""};
	char *t = NULL;
	if (ks_store_open(db, 0, &s, &e) != KS_OK)
		return NULL;
	if (ks_item_get(s, id, &h, &e) == KS_OK && h && h->title)
		t = strdup(h->title);
	ks_hit_free(h);
	ks_store_close(s);
	return t;
}

/* The issue indexed as plain text, then from each other format in turn
 * (each replacing the last: same issue number): ids and titles stay. */
static void test_ids_stay_when_the_format_changes(void)
{
	char dir[] = "/tmp/ks-same-XXXXXX", db[64], side[96];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(db, sizeof db, "%s/k.db", dir);
	CHECK(index_file(db, "issue-60.txt") == KS_OK);
	char *want = title_of(db, "60-3");
	CHECK(want != NULL);
	for (size_t k = 0; k < sizeof OTHERS / sizeof OTHERS[0]; k++) {
		CHECK(index_file(db, OTHERS[k]) == KS_OK);
		char *got = title_of(db, "60-3");
		CHECK_STR(got, want);
		free(got);
		got = title_of(db, "60-5");
		CHECK(got == NULL); /* no item appeared or shifted */
		free(got);
	}
	free(want);
	static const char *const files[] = {"", "-wal", "-shm", ".lock"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(side, sizeof side, "%s%s", db, files[i]);
		unlink(side);
	}
	CHECK(rmdir(dir) == 0);
}

TEST_MAIN(TEST(test_every_format_gives_the_same_items), TEST(test_ids_stay_when_the_format_changes))
