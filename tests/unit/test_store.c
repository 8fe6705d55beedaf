/* test_store.c - the index file through the public API (store.h): a newer
 * schema is refused, read-only connections cannot write, metadata round
 * trips, another connection's commit is seen, sources are listed. */
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/store.h"

static char path[64];

static struct ks_store *fresh(void)
{
	return fx_open(path, "store");
}

static void put(struct ks_store *s, const char *source, long long issue, const char *title)
{
	struct ks_batch b = {0};
	struct ks_issue *is = ks_batch_add_issue(&b);
	is->number = issue;
	fx_item(is, NULL, title, NULL);
	fx_put(s, source, &b);
}

/* A file written by a newer kensaku (a higher user_version) is refused,
 * read-only or not, with a message saying so; it is left as it was. */
static void test_newer_schema(void)
{
	struct ks_store *s = fresh();
	struct ks_err err = {""};
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", KS_SCHEMA_VERSION + 1);
	CHECK(s && sqlite3_exec(ks_store_db(s), sql, NULL, NULL, NULL) == SQLITE_OK);
	ks_store_close(s);
	s = NULL;
	CHECK(ks_store_open(path, KS_STORE_READONLY, &s, &err) == KS_ERR_VERSION);
	CHECK(s == NULL && strstr(err.msg, "newer") != NULL);
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_ERR_VERSION);
	CHECK(s == NULL);
	fx_close(NULL, path);
}

static void test_readonly_and_meta(void)
{
	struct ks_store *s = fresh(), *ro = NULL;
	struct ks_err err = {""};
	char *v = NULL;
	CHECK(ks_store_meta_set(s, "note", "値 with ' quote", &err) == KS_OK);
	CHECK(ks_store_meta_get(s, "note", &v, &err) == KS_OK);
	CHECK_STR(v, "値 with ' quote");
	free(v);
	v = (char *)"untouched";
	CHECK(ks_store_meta_get(s, "absent", &v, &err) == KS_OK && v == NULL);
	CHECK(ks_store_open(path, KS_STORE_READONLY, &ro, &err) == KS_OK);
	CHECK(ro && ks_store_meta_set(ro, "note", "x", &err) != KS_OK);
	/* the first call reports a change, then none until a commit elsewhere */
	int changed = -1;
	CHECK(ro && ks_store_data_changed(ro, &changed, &err) == KS_OK && changed == 1);
	CHECK(ro && ks_store_data_changed(ro, &changed, &err) == KS_OK && changed == 0);
	put(s, "/src/a.txt", 1, "first");
	CHECK(ro && ks_store_data_changed(ro, &changed, &err) == KS_OK && changed == 1);
	CHECK(ro && ks_store_data_changed(ro, &changed, &err) == KS_OK && changed == 0);
	ks_store_close(ro);
	ks_store_close(s);
	fx_close(NULL, path);
}

static int collect(const char *source, void *ctx)
{
	int *n = ctx;
	CHECK(strncmp(source, "/src/", 5) == 0);
	return ++*n == 2 ? 7 : 0;
}

static void test_sources(void)
{
	struct ks_store *s = fresh();
	struct ks_err err = {""};
	struct ks_store_stats st;
	put(s, "/src/a.txt", 1, "first");
	put(s, "/src/b.txt", 2, "second");
	put(s, "/src/c.txt", 3, "third");
	int n = 0;
	/* stops at the callback's non-zero value and returns it */
	CHECK(ks_store_each_source(s, collect, &n, &err) == 7 && n == 2);
	CHECK(ks_store_stats(s, &st, &err) == KS_OK && st.items == 3 && st.sources == 3);
	CHECK(ks_store_check_version(s, &err) == KS_OK);
	CHECK(ks_store_integrity(s, &err) == KS_OK);
	ks_store_close(s);
	fx_close(NULL, path);
}

TEST_MAIN(TEST(test_newer_schema), TEST(test_readonly_and_meta), TEST(test_sources))
