/* test_query.c - the query translator: exact FTS5 output for the language,
 * and hostile strings that must stay literal. */
#include "harness.h"
#include "kensaku/query.h"
#include "kensaku/tokenizer.h"

static struct ks_tok *tk;

static const char *tr(const char *q, struct ks_query *out)
{
	ks_query_clear(out);
	CHECK(ks_query_translate(tk, q, out) == KS_OK);
	return out->kind == KS_Q_EXCLUDE ? out->exclude : out->match;
}

static void test_language(void)
{
	struct ks_query q = {0};
	CHECK_STR(tr("lapsus", &q), "(\"lapsus\")");
	CHECK(q.kind == KS_Q_MATCH);
	CHECK_STR(tr("a b", &q), "(\"a\") AND (\"b\")");
	CHECK_STR(tr("a AND b", &q), "(\"a\") AND (\"b\")");
	CHECK_STR(tr("a OR b", &q), "(\"a\" OR \"b\")");
	CHECK_STR(tr("a b OR c", &q), "(\"a\") AND (\"b\" OR \"c\")");
	CHECK_STR(tr("a OR b OR c d", &q), "(\"a\" OR \"b\" OR \"c\") AND (\"d\")");
	CHECK_STR(tr("Microsoft -Okta", &q), "((\"Microsoft\")) NOT (\"Okta\")");
	CHECK_STR(tr("\"Operation Dream Job\"", &q), "(\"Operation Dream Job\")");
	CHECK_STR(tr("ran*", &q), "(\"ran\" *)");
	CHECK_STR(tr("\"dream jo\"*", &q), "(\"dream jo\" *)");
	CHECK_STR(tr("弱", &q), "(\"弱\")");
	CHECK_STR(tr("QNAP製", &q), "(\"QNAP製\")");
	CHECK_STR(tr("ランサ", &q), "(\"ランサ\")");
	/* full-width syntax characters act like ASCII ones (NFKC) */
	CHECK_STR(tr("ＬＡＰＳＵＳ　－Ｏｋｔａ", &q), "((\"LAPSUS\")) NOT (\"Okta\")");
	ks_query_clear(&q);
}

static void test_kinds(void)
{
	struct ks_query q = {0};
	tr("", &q);
	CHECK(q.kind == KS_Q_ALL);
	tr("   \t ", &q);
	CHECK(q.kind == KS_Q_ALL);
	tr("*", &q);
	CHECK(q.kind == KS_Q_NONE);
	tr(": - ( ) \"", &q);
	CHECK(q.kind == KS_Q_NONE);
	CHECK_STR(tr("-okta", &q), "\"okta\"");
	CHECK(q.kind == KS_Q_EXCLUDE);
	CHECK_STR(tr("-okta -sitel", &q), "\"okta\" OR \"sitel\"");
	ks_query_clear(&q);
}

/* Strings that are FTS5 syntax must come out quoted and literal. */
static void test_literal(void)
{
	struct ks_query q = {0};
	CHECK_STR(tr("LAPSUS$", &q), "(\"LAPSUS$\")");
	CHECK_STR(tr("C++", &q), "(\"C++\")");
	CHECK_STR(tr("NEAR(", &q), "(\"NEAR(\")");
	CHECK_STR(tr("NEAR(a b)", &q), "(\"NEAR(a\") AND (\"b)\")");
	CHECK_STR(tr("title:foo", &q), "(\"title:foo\")");
	CHECK_STR(tr("a\"b", &q), "(\"a\"\"b\")");
	CHECK_STR(tr("OR", &q), "(\"OR\")");
	CHECK_STR(tr("AND", &q), "(\"AND\")");
	CHECK_STR(tr("a OR", &q), "(\"a\") AND (\"OR\")");
	CHECK_STR(tr("OR a", &q), "(\"OR\") AND (\"a\")");
	CHECK_STR(tr("NOT a", &q), "(\"NOT\") AND (\"a\")");
	CHECK_STR(tr("a -", &q), "(\"a\")");
	CHECK_STR(tr("{a} ^b", &q), "(\"{a}\") AND (\"^b\")");
	/* unterminated phrase: the rest is the phrase */
	CHECK_STR(tr("\"dream job", &q), "(\"dream job\")");
	/* invalid UTF-8 is replaced, never passed through */
	tr("ab\xff", &q);
	CHECK(q.kind == KS_Q_MATCH);
	CHECK(q.match && strstr(q.match, "\xff") == NULL);
	ks_query_clear(&q);
}

static void test_many_terms(void)
{
	char buf[4096] = "";
	size_t at = 0;
	for (int i = 0; i < 200; i++)
		at += (size_t)snprintf(buf + at, sizeof buf - at, "w%d ", i);
	struct ks_query q = {0};
	tr(buf, &q);
	CHECK(q.kind == KS_Q_MATCH);
	CHECK(q.n_terms == 32);
	ks_query_clear(&q);
}

static void run_all(void)
{
	tk = ks_tok_new();
	CHECK(tk != NULL);
}

TEST_MAIN(TEST(run_all), TEST(test_language), TEST(test_kinds), TEST(test_literal),
	  TEST(test_many_terms))
