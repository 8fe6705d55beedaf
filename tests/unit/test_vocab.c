/* test_vocab.c - inflections and suggestions from a small real index,
 * through a writer's connection and a read-only one (as kensakud opens
 * the file). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "fixture.h"
#include "kensaku/vocab.h"

/* Document counts: vulnerability 3, vulnerable 2, vulnerabilities 1,
 * ransomware 4, ransomwares 0, vpn 2, エモテット 1, ランサムウェア 2. */
static const char *const ITEMS[][2] = {
    {"Chrome vulnerability fixed", "A vulnerability in V8"},
    {"Critical vulnerability in VPN", "The vpn appliance is vulnerable"},
    {"Exchange vulnerability", NULL},
    {"Routers left vulnerable", "vulnerabilities everywhere"},
    {"ransomware gang", "ransomware again"},
    {"New ransomware", "ランサムウェア の被害"},
    {"ransomware payments", "VPN"},
    {"ransomware and ransoms", "エモテット 再来"},
    {"ランサムウェア 攻撃", "vulnerably exposed"},
};

static void free_all(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
}

/* The lookups of one store, checked. */
static void check_lookups(struct ks_store *s)
{
	struct ks_err err = {""};
	char *out[8] = {0};
	int n = ks_vocab_inflections(s, "vulnerabilities", out, 8, &err);
	if (n < 0)
		fprintf(stderr, "inflections: %s\n", err.msg);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(out[0], "vulnerability"); /* 3 items */
		CHECK_STR(out[1], "vulnerable");    /* 2 */
		CHECK_STR(out[2], "vulnerably");    /* 1 */
	}
	free_all(out, n);
	n = ks_vocab_inflections(s, "vulnerability", out, 1, &err);
	CHECK(n == 1);
	if (n == 1)
		CHECK_STR(out[0], "vulnerable");
	free_all(out, n);
	n = ks_vocab_inflections(s, "ransomwares", out, 8, &err);
	CHECK(n == 1);
	if (n == 1)
		CHECK_STR(out[0], "ransomware");
	free_all(out, n);
	/* "ransoms" shares the range but not the stem */
	n = ks_vocab_inflections(s, "ransom", out, 8, &err);
	CHECK(n == 1);
	if (n == 1)
		CHECK_STR(out[0], "ransoms");
	free_all(out, n);
	CHECK(ks_vocab_inflections(s, "exploited", out, 8, &err) == 0);
	CHECK(ks_vocab_inflections(s, "Vulnerable", out, 8, &err) == 0);
	CHECK(ks_vocab_inflections(s, "脆弱性", out, 8, &err) == 0);
	CHECK(ks_vocab_inflections(s, "", out, 8, &err) == 0);
}

static void check_suggestions(struct ks_store *s)
{
	struct ks_err err = {""};
	char *out[8] = {0};
	int n = ks_vocab_suggest(s, "ransomwere", out, 8, &err);
	CHECK(n == 1);
	if (n == 1)
		CHECK_STR(out[0], "ransomware");
	free_all(out, n);
	/* a transposition is one edit */
	n = ks_vocab_suggest(s, "vulnerabiltiy", out, 8, &err);
	CHECK(n >= 1);
	if (n >= 1)
		CHECK_STR(out[0], "vulnerability");
	free_all(out, n);
	/* short terms: distance 1 only; most frequent first */
	n = ks_vocab_suggest(s, "vpm", out, 8, &err);
	CHECK(n == 1);
	if (n == 1)
		CHECK_STR(out[0], "vpn");
	free_all(out, n);
	CHECK(ks_vocab_suggest(s, "vxx", out, 8, &err) == 0);
	/* the term itself is never suggested; a near word is */
	n = ks_vocab_suggest(s, "ransomware", out, 8, &err);
	for (int i = 0; i < n; i++)
		CHECK(strcmp(out[i], "ransomware") != 0);
	free_all(out, n);
	/* katakana: from the lexicon's spellings the index holds */
	n = ks_vocab_suggest(s, "ランサムウエア", out, 8, &err);
	CHECK(n == 1);
	if (n == 1)
		CHECK_STR(out[0], "ランサムウェア");
	free_all(out, n);
	n = ks_vocab_suggest(s, "エモテト", out, 8, &err);
	CHECK(n == 1);
	if (n == 1)
		CHECK_STR(out[0], "エモテット");
	free_all(out, n);
	/* in the lexicon, near, but in no item */
	CHECK(ks_vocab_suggest(s, "フィッシンク", out, 8, &err) == 0);
	CHECK(ks_vocab_suggest(s, "脆弱", out, 8, &err) == 0);
	CHECK(ks_vocab_suggest(s, "らんさむ", out, 8, &err) == 0);
	CHECK(ks_vocab_suggest(s, "c++", out, 8, &err) == 0);
	CHECK(ks_vocab_suggest(s, "", out, 8, &err) == 0);
	CHECK(ks_vocab_suggest(s, "ransomwere", out, 0, &err) == 0);
	CHECK(ks_vocab_suggest(s, "ransomwere", out, KS_VOCAB_MAX + 1, &err) == -KS_ERR_ARG);
	CHECK(ks_vocab_inflections(s, "ransom", out, -1, &err) == -KS_ERR_ARG);
}

static int pragma_int(struct ks_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(ks_store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_writer(void)
{
	char path[64];
	struct ks_store *s =
	    fx_index(path, "vocab-w", 1, "2024-01-01", ITEMS, sizeof ITEMS / sizeof ITEMS[0]);
	if (!s)
		return;
	check_lookups(s);
	check_suggestions(s);
	CHECK(pragma_int(s, "PRAGMA query_only") == 0);
	fx_close(s, path);
}

/* As kensakud opens the index: query_only, which the lookups lift for
 * their temp table and put back; still no write reaches the file. */
static void test_read_only(void)
{
	char path[64];
	struct ks_err err = {""};
	struct ks_store *w =
	    fx_index(path, "vocab-r", 1, "2024-01-01", ITEMS, sizeof ITEMS / sizeof ITEMS[0]);
	if (!w)
		return;
	ks_store_close(w);
	struct ks_store *s = NULL;
	CHECK(ks_store_open(path, KS_STORE_READONLY | KS_STORE_NO_MMAP, &s, &err) == KS_OK);
	if (s) {
		CHECK(pragma_int(s, "PRAGMA query_only") == 1);
		check_lookups(s);
		check_suggestions(s);
		CHECK(pragma_int(s, "PRAGMA query_only") == 1);
		CHECK(ks_store_meta_set(s, "x", "y", &err) != KS_OK);
		/* inside a read transaction, too */
		int started = 0;
		CHECK(ks_store_read_begin(s, &started, &err) == KS_OK);
		check_lookups(s);
		if (started)
			ks_store_read_end(s);
	}
	fx_close(s, path);
}

/* A second store on the same file creates its own temp table. */
static void test_two_connections(void)
{
	char path[64];
	struct ks_err err = {""};
	struct ks_store *w =
	    fx_index(path, "vocab-2", 1, "2024-01-01", ITEMS, sizeof ITEMS / sizeof ITEMS[0]);
	struct ks_store *r = NULL;
	CHECK(ks_store_open(path, KS_STORE_READONLY, &r, &err) == KS_OK);
	char *out[4] = {0};
	if (w && r) {
		int n = ks_vocab_suggest(w, "ransomwere", out, 4, &err);
		CHECK(n == 1);
		free_all(out, n);
		n = ks_vocab_suggest(r, "ransomwere", out, 4, &err);
		CHECK(n == 1);
		free_all(out, n);
	}
	ks_store_close(r);
	fx_close(w, path);
}

TEST_MAIN(TEST(test_writer), TEST(test_read_only), TEST(test_two_connections))
