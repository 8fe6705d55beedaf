/* test_lexicon.c - the compiled-in term groups and gazetteer: data
 * hygiene (sizes, no spelling in two places), folding, lookups, the CVE and
 * entity scanners, and query expansion (ks_query_translate_opts). */
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "harness.h"
#include "kensaku/lexicon.h"
#include "kensaku/query.h"
#include "kensaku/tokenizer.h"
#include "kensaku/utf8.h"

/* 1 when s holds a kana or kanji; 2 when it holds a Latin letter too. */
static int scripts(const char *s)
{
	int cjk = 0, latin = 0;
	int32_t i = 0, n = (int32_t)strlen(s);
	while (i < n) {
		UChar32 c;
		U8_NEXT(s, i, n, c);
		if (c < 0)
			continue;
		UBlockCode b = ublock_getCode(c);
		if (b == UBLOCK_HIRAGANA || b == UBLOCK_KATAKANA ||
		    b == UBLOCK_CJK_UNIFIED_IDEOGRAPHS)
			cjk = 1;
		else if (c < 0x80 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			latin = 1;
	}
	return cjk + (cjk && latin);
}

static void test_data(void)
{
	CHECK(ks_lexicon_init() == KS_OK);
	/* at least 150 groups pair a Latin and a Japanese spelling (terms.tsv alone has more) */
	size_t bilingual = 0, n = ks_terms_count();
	for (size_t i = 0; i < n; i++) {
		const char *const *v;
		size_t nv;
		CHECK(ks_terms_group(i, &v, &nv));
		int latin = 0, cjk = 0;
		for (size_t j = 0; j < nv; j++) {
			int s = scripts(v[j]);
			if (s == 0)
				latin = 1;
			else
				cjk = 1;
		}
		bilingual += latin && cjk;
	}
	printf("# %zu term groups, %zu bilingual; %zu entities\n", n, bilingual, ks_entity_count());
	CHECK(bilingual >= 150);
	CHECK(ks_entity_count() >= 300);
	/* every entity has a known kind; Japanese spellings exist for many */
	size_t with_ja = 0;
	for (size_t i = 0; i < ks_entity_count(); i++) {
		const struct ks_entity *e = ks_entity_at(i);
		static const char *const kinds[] = {"vendor",  "product", "actor",
						    "malware", "vuln",	  "org"};
		int known = 0;
		for (size_t k = 0; k < 6; k++)
			known |= !strcmp(e->kind, kinds[k]);
		if (!known)
			fprintf(stderr, "unknown kind %s of %s\n", e->kind, e->name);
		CHECK(known);
		CHECK(e->n_spellings >= 1 && !strcmp(e->spellings[0], e->name));
		for (size_t j = 0; j < e->n_spellings; j++)
			if (scripts(e->spellings[j])) {
				with_ja++;
				break;
			}
		/* every spelling of an entity finds that entity */
		for (size_t j = 0; j < e->n_spellings; j++) {
			const struct ks_entity *f = ks_entity_find(e->spellings[j]);
			if (f != e)
				fprintf(stderr, "spelling %s of %s finds %s\n", e->spellings[j],
					e->name, f ? f->name : "nothing");
			CHECK(f == e);
		}
	}
	CHECK(with_ja >= 100);
	/* every spelling of every group finds its own group (no spelling is in
	 * two groups) */
	for (size_t i = 0; i < n; i++) {
		const char *const *v, *const *w;
		size_t nv, nw;
		ks_terms_group(i, &v, &nv);
		for (size_t j = 0; j < nv && nv >= 2; j++) {
			char *f = ks_fold(v[j], strlen(v[j]), NULL);
			int found = ks_terms_lookup(f, &w, &nw);
			if (!found || w != v)
				fprintf(stderr, "variant %s of group %s is elsewhere\n", v[j],
					v[0]);
			CHECK(found && w == v);
			free(f);
		}
	}
}

static void test_fold(void)
{
	char *f = ks_fold("ＬＡＰＳＵＳ$ ﾗﾝｻﾑｳｪｱ", strlen("ＬＡＰＳＵＳ$ ﾗﾝｻﾑｳｪｱ"), NULL);
	CHECK_STR(f, "lapsus$ ランサムウェア");
	free(f);
	size_t n = 0;
	f = ks_fold("ABC\xff", 4, &n);
	CHECK_STR(f, "abc\xef\xbf\xbd"); /* invalid UTF-8 becomes U+FFFD */
	CHECK(n == 6);
	free(f);
}

/* ks_nfkc: NFKC without case folding, the query translator's first step. */
static void test_nfkc(void)
{
	size_t n = 0;
	char *f = ks_nfkc("ＬＡＰＳＵＳ＄ ＯＲ ﾗﾝｻﾑｳｪｱ　＂ａ＂",
			  strlen("ＬＡＰＳＵＳ＄ ＯＲ ﾗﾝｻﾑｳｪｱ　＂ａ＂"), &n);
	CHECK_STR(f, "LAPSUS$ OR ランサムウェア \"a\""); /* width and kana, never case */
	CHECK(f && n == strlen(f));
	free(f);
	f = ks_nfkc("x\xE3\x81", 3, NULL);
	CHECK_STR(f, "x\xef\xbf\xbd"); /* invalid UTF-8 becomes U+FFFD */
	free(f);
	f = ks_nfkc("", 0, &n);
	CHECK_STR(f, "");
	CHECK(n == 0);
	free(f);
	/* a run of marks longer than a chunk is normalized in pieces, as the
	 * tokenizer chunks documents: 3000 marks take no quadratic time and
	 * every one is kept */
	size_t marks = 3000, len = 1 + 2 * marks;
	char *s = malloc(len + 1);
	CHECK(s != NULL);
	if (!s)
		return;
	s[0] = 'a';
	for (size_t i = 0; i < marks; i++)
		memcpy(s + 1 + 2 * i, i % 2 ? "\xCC\x81" : "\xCC\xA3", 2); /* U+0301, U+0323 */
	s[len] = 0;
	f = ks_nfkc(s, len, &n);
	CHECK(f && ks_utf8_chars(f, n) == ks_utf8_chars(s, len) - 1); /* a + U+0323 compose */
	free(f);
	free(s);
}

static void test_lookup(void)
{
	const char *const *v;
	size_t n;
	CHECK(ks_terms_lookup("ransomware", &v, &n) && n >= 2);
	CHECK_STR(v[0], "ransomware");
	CHECK(ks_terms_lookup("ランサムウェア", &v, &n) && !strcmp(v[0], "ransomware"));
	CHECK(ks_terms_lookup("サーバー", &v, &n) && !strcmp(v[0], "server"));
	CHECK(ks_terms_lookup("ウィルス", &v, &n) && !strcmp(v[0], "virus"));
	CHECK(ks_terms_lookup("インタフェース", &v, &n) && !strcmp(v[0], "interface"));
	/* gazetteer spellings expand too */
	CHECK(ks_terms_lookup("エモテット", &v, &n) && !strcmp(v[0], "Emotet"));
	CHECK(!ks_terms_lookup("lapsus$x", &v, &n));
	CHECK(!ks_terms_lookup("", &v, &n));

	const struct ks_entity *e = ks_entity_find("ｅｍｏｔｅｔ");
	CHECK(e && !strcmp(e->name, "Emotet") && !strcmp(e->kind, "malware"));
	e = ks_entity_find("ﾗｻﾞﾙｽ");
	CHECK(e && !strcmp(e->name, "Lazarus Group"));
	CHECK(ks_entity_find("nothing-like-this") == NULL);
}

static int count_prefix(void *ctx, const struct ks_entity *e)
{
	(void)e;
	++*(int *)ctx;
	return 0;
}

static int want_name(void *ctx, const struct ks_entity *e)
{
	return !strcmp(e->name, (const char *)ctx);
}

static void test_prefix(void)
{
	int n = 0;
	CHECK(ks_entity_prefix("", count_prefix, &n) == 0);
	CHECK((size_t)n == ks_entity_count());
	CHECK(ks_entity_prefix("emo", want_name, (void *)"Emotet") == 1);
	CHECK(ks_entity_prefix("エモ", want_name, (void *)"Emotet") == 1);
	CHECK(ks_entity_prefix("apt2", want_name, (void *)"APT28") == 1);
	n = 0;
	ks_entity_prefix("zzzzzz", count_prefix, &n);
	CHECK(n == 0);
}

static void test_cve(void)
{
	char id[KS_CVE_MAX];
	CHECK(ks_cve_canonical("CVE-2022-0609", id) && !strcmp(id, "CVE-2022-0609"));
	CHECK(ks_cve_canonical("ＣＶＥ－２０２２－０６０９", id) && !strcmp(id, "CVE-2022-0609"));
	CHECK(ks_cve_canonical("cve-2021-44228", id) && !strcmp(id, "CVE-2021-44228"));
	CHECK(ks_cve_canonical(" CVE\xe2\x80\x90"
			       "2023\xe2\x88\x92"
			       "1234567 ",
			       id) &&
	      !strcmp(id, "CVE-2023-1234567"));
	CHECK(!ks_cve_canonical("CVE-2022-060", id));
	CHECK(!ks_cve_canonical("CVE-2022-06091234", id));
	CHECK(!ks_cve_canonical("CVE-1822-0609", id));
	CHECK(!ks_cve_canonical("XCVE-2022-0609", id));
	CHECK(!ks_cve_canonical("CVE-2022-0609 x", id));
	CHECK(!ks_cve_canonical("CVE 2022 0609", id));
	CHECK(!ks_cve_canonical("", id));
}

struct found {
	char buf[2048];
};

static int collect(void *ctx, const char *kind, const char *name)
{
	struct found *f = ctx;
	size_t at = strlen(f->buf);
	snprintf(f->buf + at, sizeof f->buf - at, "%s%s:%s", at ? "|" : "", kind, name);
	return 0;
}

static const char *extract(const char *text, struct found *f)
{
	f->buf[0] = 0;
	CHECK(ks_extract(text, strlen(text), collect, f) == 0);
	return f->buf;
}

static void test_extract(void)
{
	struct found f;
	CHECK_STR(extract("Chrome のゼロデイ (ＣＶＥ－２０２２－０６０９) と CVE-2022-0609、"
			  "cve-2021-44228",
			  &f),
		  "cve:CVE-2022-0609|cve:CVE-2021-44228|product:Google Chrome");
	/* Japanese spellings, half-width, words only for Latin names */
	CHECK_STR(extract("国内でｴﾓﾃｯﾄの感染が拡大", &f), "malware:Emotet");
	CHECK_STR(extract("APT28 と APT281 と xapt29", &f), "actor:APT28");
	CHECK_STR(extract("QNAP製 NAS を狙う DeadBolt", &f), "vendor:QNAP|malware:DeadBolt");
	CHECK_STR(extract("攻撃者グループ LAPSUS$ が恐喝", &f), "actor:LAPSUS$");
	CHECK_STR(extract("Lazarus と ラザルス は同じ", &f), "actor:Lazarus Group");
	CHECK_STR(extract("Conti\xe3\x83\xa9\xe3\x83\xb3\xe3\x82\xb5\xe3\x83\xa0", &f),
		  "malware:Conti");
	CHECK_STR(extract("nothing here at all; contingent and windowsill", &f), "");
	CHECK_STR(extract("", &f), "");
	/* invalid UTF-8 does not crash */
	extract("\xff\xfe CVE-2020-1234 \xc3", &f);
	CHECK(strstr(f.buf, "cve:CVE-2020-1234") != NULL);
}

static struct ks_tok *tk;

static const char *tr(const char *q, unsigned flags, struct ks_query *out)
{
	ks_query_clear(out);
	CHECK(ks_query_translate_opts(tk, q, flags, out) == KS_OK);
	return out->kind == KS_Q_EXCLUDE ? out->exclude : out->match;
}

static void test_expand(void)
{
	struct ks_query q = {0};
	tk = ks_tok_new();
	CHECK(tk != NULL);
	CHECK_STR(tr("ransomware", KS_QUERY_EXPAND, &q),
		  "(\"ransomware\" OR \"ランサムウェア\" OR \"ランサムウエア\")");
	CHECK(q.n_expanded == 1 && !strcmp(q.expanded[0].term, "ransomware") &&
	      q.expanded[0].n_variants == 3);
	/* the term is kept as typed; its own spelling is not repeated */
	CHECK_STR(tr("ＲＡＮＳＯＭＷＡＲＥ", KS_QUERY_EXPAND, &q),
		  "(\"RANSOMWARE\" OR \"ランサムウェア\" OR \"ランサムウエア\")");
	CHECK_STR(tr("サーバ QNAP", KS_QUERY_EXPAND, &q),
		  "(\"サーバ\" OR \"server\" OR \"servers\" OR \"サーバー\") AND (\"QNAP\" OR "
		  "\"キューナップ\")");
	CHECK(q.n_expanded == 2);
	/* OR groups keep their shape; exclusions exclude every variant */
	CHECK_STR(tr("a OR ウィルス -phishing", KS_QUERY_EXPAND, &q),
		  "((\"a\" OR \"ウィルス\" OR \"virus\" OR \"viruses\" OR \"ウイルス\" OR "
		  "\"コンピュータウイルス\")) NOT (\"phishing\" OR \"フィッシング\")");
	CHECK_STR(tr("-ransomware", KS_QUERY_EXPAND, &q),
		  "\"ransomware\" OR \"ランサムウェア\" OR \"ランサムウエア\"");
	CHECK(q.kind == KS_Q_EXCLUDE);
	/* phrases and prefixes are exact */
	CHECK_STR(tr("\"ransomware\" ransom*", KS_QUERY_EXPAND, &q),
		  "(\"ransomware\") AND (\"ransom\" *)");
	CHECK(q.n_expanded == 0);
	/* a repeated term is listed once */
	tr("emotet Emotet", KS_QUERY_EXPAND, &q);
	CHECK(q.n_expanded == 2 || q.n_expanded == 1);
	tr("emotet emotet", KS_QUERY_EXPAND, &q);
	CHECK(q.n_expanded == 1);
	/* no expansion: the literal translation, byte for byte */
	const char *const same[] = {"lapsus", "a b OR c", "Microsoft -Okta", "\"x\"",
				    "ran*",   "弱",	  "NEAR(",	     "",
				    "*",      "-okta"};
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		struct ks_query a = {0}, b = {0};
		CHECK(ks_query_translate(tk, same[i], &a) == KS_OK);
		CHECK(ks_query_translate_opts(tk, same[i], 0, &b) == KS_OK);
		CHECK(a.kind == b.kind);
		CHECK((a.match == NULL) == (b.match == NULL));
		if (a.match && b.match)
			CHECK_STR(a.match, b.match);
		ks_query_clear(&a);
		ks_query_clear(&b);
	}
	/* without the flag nothing is expanded */
	CHECK_STR(tr("ransomware", 0, &q), "(\"ransomware\")");
	CHECK(q.n_expanded == 0);
	ks_query_clear(&q);
	ks_tok_free(tk);
}

TEST_MAIN(TEST(test_data), TEST(test_fold), TEST(test_nfkc), TEST(test_lookup), TEST(test_prefix),
	  TEST(test_cve), TEST(test_extract), TEST(test_expand))
