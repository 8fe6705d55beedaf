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
	CHECK_STR(tr("\"dream job\"*", &q), "(\"dream job\" *)");
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
	CHECK(q.n_terms == KS_QUERY_TERMS_MAX);
	CHECK(q.n_notices == 1 && q.notices[0].code == KS_QL_TERMS);
	CHECK_STR(q.notices[0].term, "w16");
	CHECK(q.notices[0].searched == NULL);
	ks_query_clear(&q);
}

/* n words "w0 w1 ..." (joined by sep) into buf. */
static const char *words(char *buf, size_t cap, int n, const char *sep, const char *suffix)
{
	size_t at = 0;
	buf[0] = 0;
	for (int i = 0; i < n && at < cap; i++)
		at += (size_t)snprintf(buf + at, cap - at, "%sw%02d%s", i ? sep : "", i, suffix);
	return buf;
}

/* The one notice of q has code and term, and searched (NULL: none). */
static void check_notice(const struct ks_query *q, enum ks_query_limit code, const char *term,
			 const char *searched)
{
	CHECK(q->n_notices == 1);
	if (q->n_notices != 1)
		return;
	CHECK(q->notices[0].code == code);
	CHECK_STR(q->notices[0].term, term);
	if (searched)
		CHECK_STR(q->notices[0].searched, searched);
	else
		CHECK(q->notices[0].searched == NULL);
}

/* Each bound of query.h: just within it nothing changes; past it the query
 * is still searched, more simply, and a notice says so. */
static void test_bound_terms(void)
{
	char buf[1024];
	struct ks_query q = {0};
	tr(words(buf, sizeof buf, KS_QUERY_TERMS_MAX, " ", ""), &q);
	CHECK(q.n_terms == KS_QUERY_TERMS_MAX && q.n_notices == 0);
	tr(words(buf, sizeof buf, KS_QUERY_TERMS_MAX + 1, " OR ", ""), &q);
	CHECK(q.n_terms == KS_QUERY_TERMS_MAX);
	check_notice(&q, KS_QL_TERMS, "w16", NULL); /* the term, not the connector */
	/* excluded terms count too */
	tr(words(buf, sizeof buf, KS_QUERY_TERMS_MAX + 3, " -", ""), &q);
	CHECK(q.n_terms == 1 && q.n_notices == 1);
	CHECK(strstr(q.match, "w15") && !strstr(q.match, "w16"));
	ks_query_clear(&q);
}

static void test_bound_prefix_short(void)
{
	struct ks_query q = {0};
	CHECK_STR(tr("ran*", &q), "(\"ran\" *)");
	CHECK(q.n_notices == 0);
	CHECK_STR(tr("ra*", &q), "(\"ra\")");
	check_notice(&q, KS_QL_PREFIX_SHORT, "ra*", "ra");
	CHECK_STR(tr("8* OR 2* OR h*", &q), "(\"8\" OR \"2\" OR \"h\")");
	CHECK(q.n_notices == 3 && q.notices[2].code == KS_QL_PREFIX_SHORT);
	CHECK_STR(q.notices[2].term, "h*");
	/* characters, not bytes: three kana are enough, one is not */
	CHECK_STR(tr("ランサ*", &q), "(\"ランサ\" *)");
	CHECK(q.n_notices == 0);
	CHECK_STR(tr("ラ*", &q), "(\"ラ\")");
	/* a phrase's last word is what the star extends */
	CHECK_STR(tr("\"dream jo\"*", &q), "(\"dream jo\")");
	check_notice(&q, KS_QL_PREFIX_SHORT, "\"dream jo\"*", "\"dream jo\"");
	CHECK_STR(tr("okta -ab*", &q), "((\"okta\")) NOT (\"ab\")");
	check_notice(&q, KS_QL_PREFIX_SHORT, "-ab*", "-ab");
	ks_query_clear(&q);
}

static void test_bound_prefixes(void)
{
	char buf[1024];
	struct ks_query q = {0};
	tr(words(buf, sizeof buf, KS_QUERY_PREFIXES_MAX, " OR ", "*"), &q);
	CHECK(q.n_notices == 0);
	CHECK_STR(q.match, "(\"w00\" * OR \"w01\" * OR \"w02\" * OR \"w03\" *)");
	tr(words(buf, sizeof buf, KS_QUERY_PREFIXES_MAX + 2, " OR ", "*"), &q);
	CHECK_STR(q.match, "(\"w00\" * OR \"w01\" * OR \"w02\" * OR \"w03\" * OR \"w04\" OR "
			   "\"w05\")");
	CHECK(q.n_notices == 2 && q.notices[0].code == KS_QL_PREFIXES);
	CHECK_STR(q.notices[0].term, "w04*");
	CHECK_STR(q.notices[0].searched, "w04");
	/* a short prefix is not one of them */
	tr("a* b* c* d* e* fff* ggg* hhh* iii*", &q);
	CHECK(strstr(q.match, "\"iii\" *") != NULL);
	ks_query_clear(&q);
}

static void test_bound_phrase_tokens(void)
{
	char buf[1024], in[1100], want[1200];
	struct ks_query q = {0};
	snprintf(in, sizeof in, "\"%s\"",
		 words(buf, sizeof buf, KS_QUERY_PHRASE_TOKENS_MAX, " ", ""));
	snprintf(want, sizeof want, "(%s)", in);
	CHECK_STR(tr(in, &q), want);
	CHECK(q.n_notices == 0);
	snprintf(in, sizeof in, "\"%s\"*",
		 words(buf, sizeof buf, KS_QUERY_PHRASE_TOKENS_MAX + 5, " ", ""));
	words(buf, sizeof buf, KS_QUERY_PHRASE_TOKENS_MAX, " ", "");
	snprintf(want, sizeof want, "(\"%s\")", buf);
	CHECK_STR(tr(in, &q), want);
	char shown[1200];
	snprintf(shown, sizeof shown, "\"%s\"", buf);
	check_notice(&q, KS_QL_PHRASE_LONG, in, shown);
	/* a Japanese term is a phrase of bigrams: n + 1 characters are n */
	char ja[400] = "", cut[400] = "";
	size_t n1 = (KS_QUERY_PHRASE_TOKENS_MAX + 1) * 3; /* bytes of n + 1 kana */
	for (size_t i = 0; i < n1 + 6; i += 3)
		memcpy(ja + i, "あ", 3);
	snprintf(cut, sizeof cut, "(\"%.*s\")", (int)n1, ja);
	memcpy(buf, ja, n1);
	buf[n1] = 0;
	CHECK_STR(tr(buf, &q), cut);
	CHECK(q.n_notices == 0);
	CHECK_STR(tr(ja, &q), cut);
	CHECK(q.n_notices == 1 && q.notices[0].code == KS_QL_PHRASE_LONG);
	ks_query_clear(&q);
}

static void test_bound_spellings(void)
{
	char buf[1024], in[1100];
	struct ks_query q = {0};
	/* ransomware has two other spellings (lexicon) */
	CHECK(ks_query_translate_opts(tk, "ransomware", KS_QUERY_EXPAND, &q) == KS_OK);
	CHECK_STR(q.match, "(\"ransomware\" OR \"ランサムウェア\" OR \"ランサムウエア\")");
	CHECK(q.n_notices == 0);
	ks_query_clear(&q);
	/* with 15 other terms the phrases are all used: searched as typed */
	snprintf(in, sizeof in, "%s ransomware",
		 words(buf, sizeof buf, KS_QUERY_PHRASES_MAX - 1, " ", ""));
	CHECK(ks_query_translate_opts(tk, in, KS_QUERY_EXPAND, &q) == KS_OK);
	CHECK(q.n_terms == KS_QUERY_PHRASES_MAX);
	CHECK(strstr(q.match, "ランサム") == NULL);
	check_notice(&q, KS_QL_SPELLINGS, "ransomware", NULL);
	ks_query_clear(&q);
	/* room for one spelling of two */
	snprintf(in, sizeof in, "%s ransomware",
		 words(buf, sizeof buf, KS_QUERY_PHRASES_MAX - 2, " ", ""));
	CHECK(ks_query_translate_opts(tk, in, KS_QUERY_EXPAND, &q) == KS_OK);
	CHECK(strstr(q.match, "(\"ransomware\" OR \"ランサムウェア\")") != NULL);
	check_notice(&q, KS_QL_SPELLINGS, "ransomware", NULL);
	CHECK(strcmp(ks_query_limit_name(KS_QL_SPELLINGS), "spellings") == 0);
	ks_query_clear(&q);
}

static void run_all(void)
{
	tk = ks_tok_new();
	CHECK(tk != NULL);
}

/* site:host is a filter, not text: its site key (labels reversed, lower
 * case) in sites or not_sites, once each; without a host name it is
 * literal text. */
static void test_site(void)
{
	struct ks_query q = {0};
	CHECK(tr("site:BleepingComputer.com", &q) == NULL && q.kind == KS_Q_ALL);
	CHECK(q.n_sites == 1 && q.n_not_sites == 0);
	if (q.n_sites == 1)
		CHECK_STR(q.sites[0], "com.bleepingcomputer");
	CHECK_STR(tr("lapsus site:a.example OR site:www.b.example -site:c.example site:a.example", &q),
		  "(\"lapsus\")");
	CHECK(q.n_sites == 2 && q.n_not_sites == 1 && q.n_terms == 1);
	if (q.n_sites == 2 && q.n_not_sites == 1) {
		CHECK_STR(q.sites[1], "example.b.www");
		CHECK_STR(q.not_sites[0], "example.c");
	}
	CHECK(tr("-site:c.example", &q) == NULL);
	CHECK(q.kind == KS_Q_ALL && q.n_not_sites == 1);
	CHECK_STR(tr("a OR site:x.example b", &q), "(\"a\") AND (\"b\")");
	CHECK_STR(tr("okta -site:x.example", &q), "(\"okta\")");
	CHECK(tr("site:https://x.example:8443/path?q", &q) == NULL);
	if (q.n_sites == 1)
		CHECK_STR(q.sites[0], "example.x");
	/* no host name: the text itself */
	static const char *const literal[] = {"site:", "site:::", "site:\"x\"", "site:a..b",
					      "site:.a", "site:a*b", "site:*", "site:<b>"};
	for (size_t i = 0; i < sizeof literal / sizeof literal[0]; i++) {
		tr(literal[i], &q);
		CHECK(q.n_sites == 0 && q.kind != KS_Q_ALL);
	}
	CHECK_STR(tr("site:", &q), "(\"site:\")");
	/* site: terms count toward KS_QUERY_TERMS_MAX */
	char many[1024] = "";
	for (int i = 0; i < KS_QUERY_TERMS_MAX + 2; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "site:h%d.example ", i);
	tr(many, &q);
	CHECK(q.n_sites == KS_QUERY_TERMS_MAX && q.n_notices == 1);
	ks_query_clear(&q);
}

TEST_MAIN(TEST(run_all), TEST(test_site), TEST(test_language), TEST(test_kinds), TEST(test_literal),
	  TEST(test_many_terms), TEST(test_bound_terms), TEST(test_bound_prefix_short),
	  TEST(test_bound_prefixes), TEST(test_bound_phrase_tokens), TEST(test_bound_spellings))
