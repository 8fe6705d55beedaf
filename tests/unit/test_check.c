/* test_check.c - the store's own checks and connection set-up on a real
 * index file: the check of a file alone (check.h) passes a good index,
 * refuses a damaged or too small one and writes nothing; the probe and the
 * scan on an open index; a read transaction keeps one snapshot while
 * another connection commits; the tokenizer's registration no longer
 * registers ks_rank as a side effect (the store does, fts.c); a reader
 * opened with KS_STORE_NO_MMAP maps nothing. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "kensaku/check.h"
#include "kensaku/item.h"
#include "kensaku/store.h"
#include "kensaku/tokenizer.h"
#include "store_internal.h"

static char path[64];

/* Stores one issue numbered n with two items into the writer s. */
static void put_issue(struct ks_store *s, long long n, const char *source)
{
	struct ks_err err = {""};
	struct ks_batch b = {0};
	struct ks_issue *is = ks_batch_add_issue(&b);
	is->number = n;
	is->date = strdup("2022-03-04");
	const char *titles[2] = {"Emotet の再来", "ランサムウェア LockBit の被害"};
	for (int i = 0; i < 2; i++) {
		struct ks_item *it = ks_issue_add_item(is);
		it->title = strdup(titles[i]);
		it->quote = strdup("Apache Log4j の脆弱性 CVE-2021-44228");
	}
	CHECK(ks_store_begin(s, &err) == KS_OK);
	CHECK(ks_store_put_source(s, source, "h", &b, &err) == KS_OK);
	CHECK(ks_store_commit(s, &err) == KS_OK);
	ks_batch_clear(&b);
}

/* A new index at path with issues 1..n (the writer, still open). */
static struct ks_store *make_index(int n)
{
	snprintf(path, sizeof path, "/tmp/ks-check-%d.db", (int)getpid());
	unlink(path);
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	CHECK(ks_store_open(path, KS_STORE_CREATE, &s, &err) == KS_OK);
	for (int i = 1; s && i <= n; i++) {
		char src[32];
		snprintf(src, sizeof src, "/src/%d.txt", i);
		put_issue(s, i, src);
	}
	return s;
}

static void remove_index(void)
{
	static const char *const side[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
		char p[96];
		snprintf(p, sizeof p, "%s%s", path, side[i]);
		unlink(p);
	}
}

/* The whole file at p (malloc'd, *n bytes), NULL when it can't be read. */
static char *slurp(const char *p, size_t *n)
{
	struct stat st;
	FILE *f = fopen(p, "rb");
	char *buf = f && stat(p, &st) == 0 ? malloc((size_t)st.st_size + 1) : NULL;
	*n = buf && fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size ? (size_t)st.st_size
									       : 0;
	if (f)
		fclose(f);
	return buf;
}

/* ks_check_open + ks_check_run on the file at path. */
static int check_file(int content, struct ks_err *err)
{
	struct stat st;
	struct ks_check *c = NULL;
	if (stat(path, &st) != 0)
		return -1;
	int rc = ks_check_open(path, (long long)st.st_size, &c, err);
	if (rc == KS_OK)
		rc = ks_check_run(c, content, err);
	ks_check_close(c);
	return rc;
}

static void test_check_good(void)
{
	struct ks_err err = {""};
	struct ks_store *s = make_index(3);
	ks_store_close(s); /* checkpoints the WAL into the file */
	size_t n0 = 0, n1 = 0;
	char *before = slurp(path, &n0);
	CHECK(check_file(1, &err) == KS_OK);
	CHECK(check_file(0, &err) == KS_OK);
	char *after = slurp(path, &n1);
	/* the check wrote nothing: same bytes, no journal or WAL beside it */
	CHECK(before && after && n0 > 0 && n0 == n1 && memcmp(before, after, n0) == 0);
	char side[96];
	snprintf(side, sizeof side, "%s-journal", path);
	CHECK(access(side, F_OK) != 0);
	snprintf(side, sizeof side, "%s-wal", path);
	CHECK(access(side, F_OK) != 0);
	free(before);
	free(after);
	struct ks_store *r = NULL;
	CHECK(ks_store_open(path, KS_STORE_READONLY, &r, &err) == KS_OK);
	CHECK(r && ks_check_probe(r, &err) == KS_OK);
	CHECK(r && ks_check_scan(r, &err) == KS_OK);
	ks_store_close(r);
	remove_index();
}

static void test_check_refuses(void)
{
	struct ks_err err = {""};
	struct ks_check *c = NULL;
	struct ks_store *s = make_index(3);
	CHECK(ks_check_open(path, KS_CHECK_MIN_BYTES - 1, &c, &err) == KS_ERR_CORRUPT);
	CHECK(c == NULL && strstr(err.msg, "too few"));
	/* damage the full-text index's segments, not the b-trees */
	CHECK(sqlite3_exec(ks_store_db(s),
			   "UPDATE items_fts_data SET block = X'00ff00ff' WHERE id > 10", NULL,
			   NULL, NULL) == SQLITE_OK);
	ks_store_close(s);
	CHECK(check_file(0, &err) == KS_ERR_CORRUPT);
	CHECK(strstr(err.msg, "full-text index") != NULL);
	struct ks_store *r = NULL;
	CHECK(ks_store_open(path, KS_STORE_READONLY, &r, &err) == KS_OK);
	CHECK(r && ks_check_scan(r, &err) == KS_ERR_CORRUPT);
	ks_store_close(r);
	remove_index();
}

static long long items(struct ks_store *s)
{
	struct ks_store_stats st;
	struct ks_err err = {""};
	return ks_store_stats(s, &st, &err) == KS_OK ? st.items : -1;
}

static void test_read_transaction(void)
{
	struct ks_err err = {""};
	struct ks_store *w = make_index(1), *r = NULL;
	CHECK(ks_store_open(path, KS_STORE_READONLY, &r, &err) == KS_OK);
	if (!r || !w)
		goto out;
	int started = -1, again = -1;
	CHECK(ks_store_read_begin(r, &started, &err) == KS_OK && started == 1);
	CHECK(items(r) == 2);
	put_issue(w, 2, "/src/2.txt"); /* another connection commits */
	CHECK(items(w) == 4);
	CHECK(items(r) == 2); /* the snapshot holds */
	CHECK(ks_store_read_begin(r, &again, &err) == KS_OK && again == 0);
	ks_store_read_end(r);
	CHECK(items(r) == 4);
	ks_store_read_end(r); /* no transaction: nothing to do */
	CHECK(items(r) == 4);
out:
	ks_store_close(r);
	ks_store_close(w);
	remove_index();
}

/* 1 when SELECT ks_rank(...) runs on an fts5 table of db. */
static int rank_works(sqlite3 *db)
{
	return sqlite3_exec(db, "SELECT ks_rank(t) FROM t WHERE t MATCH 'emotet'", NULL, NULL,
			    NULL) == SQLITE_OK;
}

static void test_fts_registration(void)
{
	sqlite3 *db = NULL;
	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	fts5_api *api = ks_fts5_api(db);
	CHECK(api != NULL);
	if (!api)
		goto out;
	/* the tokenizer alone: no ranking function as a side effect */
	CHECK(ks_tok_register(api) == SQLITE_OK);
	CHECK(sqlite3_exec(db,
			   "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='kensaku');"
			   "INSERT INTO t VALUES ('Emotet の再来')",
			   NULL, NULL, NULL) == SQLITE_OK);
	CHECK(!rank_works(db) && strstr(sqlite3_errmsg(db), "ks_rank"));
	/* the store's registration: both */
	CHECK(ks_fts_register(db, NULL) == SQLITE_OK);
	CHECK(rank_works(db));
out:
	sqlite3_close(db);
}

static long long mmap_size(struct ks_store *s)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(ks_store_db(s), "PRAGMA mmap_size", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_no_mmap(void)
{
	struct ks_err err = {""};
	struct ks_store *w = make_index(1), *a = NULL, *b = NULL;
	CHECK(ks_store_open(path, KS_STORE_READONLY, &a, &err) == KS_OK);
	CHECK(ks_store_open(path, KS_STORE_READONLY | KS_STORE_NO_MMAP, &b, &err) == KS_OK);
	CHECK(a && mmap_size(a) > 0);
	CHECK(b && mmap_size(b) == 0);
	ks_store_close(a);
	ks_store_close(b);
	ks_store_close(w);
	remove_index();
}

TEST_MAIN(TEST(test_check_good), TEST(test_check_refuses), TEST(test_read_transaction),
	  TEST(test_fts_registration), TEST(test_no_mmap))
