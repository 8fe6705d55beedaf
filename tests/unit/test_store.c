/* test_store.c - the index file through the public API (store.h): a newer
 * schema is refused, read-only connections cannot write, metadata round
 * trips, another connection's commit is seen, sources are listed; every
 * item gets a word map (schema 3) from the segmenter the index records,
 * deleted with it, in bulk loads too; a schema 2 index is migrated and
 * asks for a reindex while it has items without maps; every link of an
 * item is stored (schema 5), and a schema 4 index gets its urls as links. */
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/segment.h"
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

/* The hex of item_words.map of the only item titled title, "" if none. */
static const char *map_of(struct ks_store *s, const char *title, char *buf, size_t n)
{
	sqlite3_stmt *st = NULL;
	buf[0] = 0;
	CHECK(sqlite3_prepare_v2(
		  ks_store_db(s),
		  "SELECT hex(w.map) FROM items i JOIN item_words w ON w.item = i.rowid"
		  " WHERE i.title = ?1",
		  -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
	if (st && sqlite3_step(st) == SQLITE_ROW)
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

static long long count_of(struct ks_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;
	CHECK(sqlite3_prepare_v2(ks_store_db(s), sql, -1, &st, NULL) == SQLITE_OK);
	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_word_maps(void)
{
	struct ks_store *s = fresh();
	struct ks_err err = {""};
	struct ks_store_stats st;
	char hex[64];
	unsetenv(KS_SEG_ENV);
	put(s, "/src/a.txt", 1, "ランサムウェア対策");
	put(s, "/src/b.txt", 2, "English only");
	/* ラ(0) ン..ア(1-6 inside) 対(7) 策(8 inside): 7e 01, after the title length 02 */
	CHECK_STR(map_of(s, "ランサムウェア対策", hex, sizeof hex), "027E01");
	CHECK_STR(map_of(s, "English only", hex, sizeof hex), "00");
	CHECK(count_of(s, "SELECT count(*) FROM item_words") == 2);
	CHECK(ks_store_stats(s, &st, &err) == KS_OK && !strncmp(st.segmenter, "mecab-", 6));
	/* deleted with its item */
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_forget_source(s, "/src/a.txt", &err) == KS_OK);
	CHECK(ks_store_commit(s, &err) == KS_OK);
	CHECK(count_of(s, "SELECT count(*) FROM item_words") == 1);
	CHECK(ks_store_check_version(s, &err) == KS_OK);
	ks_store_close(s);
	/* an index keeps the segmenter it recorded, whatever the environment */
	setenv(KS_SEG_ENV, "icu", 1);
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_OK);
	put(s, "/src/c.txt", 3, "ランサムウェア対策");
	CHECK_STR(map_of(s, "ランサムウェア対策", hex, sizeof hex), "027E01");
	ks_store_close(s);
	fx_close(NULL, path);
	/* KENSAKU_SEGMENTER=icu: ICU's ラン|サム|ウェア|対策 */
	s = fresh();
	put(s, "/src/a.txt", 1, "ランサムウェア対策");
	CHECK_STR(map_of(s, "ランサムウェア対策", hex, sizeof hex), "026A01");
	CHECK(ks_store_stats(s, &st, &err) == KS_OK && !strncmp(st.segmenter, "icu-", 4));
	ks_store_close(s);
	fx_close(NULL, path);
	/* an unknown name is an error, not a silent default */
	setenv(KS_SEG_ENV, "juman", 1);
	s = fresh();
	struct ks_batch b = {0};
	fx_item(fx_issue(&b, 1, NULL), NULL, "x", NULL);
	CHECK(s && ks_store_begin(s, &err) == KS_OK);
	CHECK(s && ks_store_put_source(s, "/src/a.txt", "h", &b, &err) == KS_ERR_ARG);
	CHECK(strstr(err.msg, "juman") != NULL);
	ks_store_rollback(s);
	ks_batch_clear(&b);
	ks_store_close(s);
	fx_close(NULL, path);
	unsetenv(KS_SEG_ENV);
}

/* A bulk load (reindex) writes the maps as it inserts items. */
static void test_word_maps_bulk(void)
{
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	char hex[64];
	snprintf(path, sizeof path, "/tmp/ks-store-bulk-%d.db", (int)getpid());
	unlink(path);
	CHECK(ks_store_open(path, KS_STORE_CREATE | KS_STORE_BULK, &s, &err) == KS_OK);
	CHECK(s && ks_store_bulk_begin(s, &err) == KS_OK);
	put(s, "/src/a.txt", 1, "ランサムウェア対策");
	CHECK(s && ks_store_bulk_end(s, &err) == KS_OK);
	CHECK_STR(map_of(s, "ランサムウェア対策", hex, sizeof hex), "027E01");
	CHECK(ks_store_check_version(s, &err) == KS_OK);
	ks_store_close(s);
	fx_close(NULL, path);
}

/* Makes the file at path look like a schema 2 index (no item_words). */
static void to_schema2(void)
{
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	CHECK(ks_store_open(path, 0, &s, &err) == KS_OK);
	CHECK(s &&
	      sqlite3_exec(ks_store_db(s),
			   "DROP TRIGGER items_ad_words; DROP TABLE item_words;"
			   " UPDATE meta SET value = '2' WHERE key = 'schema';"
			   " DELETE FROM meta WHERE key = 'segmenter'; PRAGMA user_version = 2",
			   NULL, NULL, NULL) == SQLITE_OK);
	ks_store_close(s);
}

static void test_schema2(void)
{
	struct ks_store *s = fresh(), *ro = NULL;
	struct ks_err err = {""};
	struct ks_store_stats st;
	put(s, "/src/a.txt", 1, "ランサムウェア対策");
	ks_store_close(s);
	to_schema2();
	/* read-only: served as it is, a reindex asked for */
	CHECK(ks_store_open(path, KS_STORE_READONLY, &ro, &err) == KS_OK);
	CHECK(ro && ks_store_stats(ro, &st, &err) == KS_OK && st.items == 1 && !st.segmenter[0]);
	CHECK(ro && ks_store_check_version(ro, &err) == KS_ERR_VERSION);
	CHECK(strstr(err.msg, "word maps") && strstr(err.msg, "reindex"));
	ks_store_close(ro);
	/* a writer migrates it to the current schema; its items still have no maps */
	s = NULL;
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_OK);
	CHECK(s && count_of(s, "PRAGMA user_version") == KS_SCHEMA_VERSION);
	CHECK(s && count_of(s, "SELECT count(*) FROM item_words") == 0);
	CHECK(s && ks_store_check_version(s, &err) == KS_ERR_VERSION);
	ks_store_close(s);
	fx_close(NULL, path);
	/* an empty schema 2 index needs no reindex once migrated */
	s = fresh();
	ks_store_close(s);
	to_schema2();
	s = NULL;
	CHECK(ks_store_open(path, KS_STORE_READONLY, &s, &err) == KS_OK);
	CHECK(s && ks_store_check_version(s, &err) == KS_OK);
	ks_store_close(s);
	s = NULL;
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_OK);
	CHECK(s && ks_store_check_version(s, &err) == KS_OK);
	put(s, "/src/a.txt", 1, "ランサムウェア対策");
	CHECK(s && count_of(s, "SELECT count(*) FROM item_words") == 1);
	CHECK(s && ks_store_check_version(s, &err) == KS_OK);
	ks_store_close(s);
	fx_close(NULL, path);
}

/* An item with a url and two more links, one with a url that is no link,
 * one without; fed to ks_batch_enforce_limits as a parser does. */
static void put_linked(struct ks_store *s, const char *source, long long issue)
{
	struct ks_batch b = {0};
	struct ks_issue *is = fx_issue(&b, issue, "2022-03-27");
	struct ks_item *it = fx_item(is, NULL, "linked", NULL);
	it->url = strdup("https://www.BleepingComputer.com/news/1");
	CHECK(ks_item_add_link(it, "https://example.com/a", 21) == 0);
	CHECK(ks_item_add_link(it, "https://sub.example.com/b", 25) == 0);
	fx_item(is, NULL, "odd url", NULL)->url = strdup("javascript:alert(1)");
	fx_item(is, NULL, "no url", NULL);
	CHECK(ks_batch_enforce_limits(&b, source) == 0);
	fx_put(s, source, &b);
}

/* Schema 5: every link of an item, in order (url first), with its site
 * key; deleted with its item, written in bulk loads too. */
static void test_links(void)
{
	struct ks_store *s = fresh();
	struct ks_err err = {""};
	put_linked(s, "/src/a.txt", 1);
	CHECK(count_of(s, "SELECT count(*) FROM item_links") == 3);
	CHECK(count_of(s, "SELECT count(*) FROM item_links WHERE n = 0 AND"
			  " url = 'https://www.BleepingComputer.com/news/1' AND"
			  " site = 'com.bleepingcomputer.www'") == 1);
	CHECK(count_of(s, "SELECT count(*) FROM item_links WHERE n = 2 AND"
			  " site = 'com.example.sub'") == 1);
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_forget_source(s, "/src/a.txt", &err) == KS_OK);
	CHECK(ks_store_commit(s, &err) == KS_OK);
	CHECK(count_of(s, "SELECT count(*) FROM item_links") == 0);
	ks_store_close(s);
	fx_close(NULL, path);
	snprintf(path, sizeof path, "/tmp/ks-store-bulk-%d.db", (int)getpid());
	unlink(path);
	s = NULL;
	CHECK(ks_store_open(path, KS_STORE_CREATE | KS_STORE_BULK, &s, &err) == KS_OK);
	CHECK(s && ks_store_bulk_begin(s, &err) == KS_OK);
	put_linked(s, "/src/a.txt", 1);
	put_linked(s, "/src/a.txt", 1); /* the issue again: its rows replaced */
	CHECK(s && ks_store_bulk_end(s, &err) == KS_OK);
	CHECK(s && count_of(s, "SELECT count(*) FROM item_links") == 3);
	ks_store_close(s);
	fx_close(NULL, path);
}

/* A schema 4 index: read-only, each item's url is its link (a view); the
 * first writer migrates it in place, the urls becoming links. */
static void test_links_schema4(void)
{
	struct ks_store *s = fresh(), *ro = NULL;
	struct ks_err err = {""};
	put_linked(s, "/src/a.txt", 1);
	CHECK(sqlite3_exec(ks_store_db(s),
			   "DROP TRIGGER items_ad_links; DROP TABLE item_links;"
			   " UPDATE meta SET value = '4' WHERE key = 'schema'; PRAGMA user_version = 4",
			   NULL, NULL, NULL) == SQLITE_OK);
	ks_store_close(s);
	CHECK(ks_store_open(path, KS_STORE_READONLY, &ro, &err) == KS_OK);
	CHECK(ro && count_of(ro, "PRAGMA user_version") == 4);
	CHECK(ro && count_of(ro, "SELECT count(*) FROM item_links WHERE"
				 " site = 'com.bleepingcomputer.www' AND n = 0") == 1);
	CHECK(ro && count_of(ro, "SELECT count(*) FROM item_links") == 1);
	ks_store_close(ro);
	s = NULL;
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_OK);
	CHECK(s && count_of(s, "PRAGMA user_version") == KS_SCHEMA_VERSION);
	CHECK(s && count_of(s, "SELECT count(*) FROM item_links WHERE"
			       " site = 'com.bleepingcomputer.www' AND n = 0") == 1);
	CHECK(s && count_of(s, "SELECT count(*) FROM item_links") == 1);
	CHECK(s && ks_store_check_version(s, &err) == KS_OK);
	put_linked(s, "/src/b.txt", 2); /* new items get all their links */
	CHECK(s && count_of(s, "SELECT count(*) FROM item_links") == 4);
	ks_store_close(s);
	fx_close(NULL, path);
}

TEST_MAIN(TEST(test_links), TEST(test_links_schema4), TEST(test_newer_schema), TEST(test_readonly_and_meta), TEST(test_sources),
	  TEST(test_word_maps), TEST(test_word_maps_bulk), TEST(test_schema2))
