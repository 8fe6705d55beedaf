/* test_entities.c - entity tags through the public API (entities.h,
 * search.h): indexing tags the gazetteer names and CVE ids an item
 * mentions in any spelling, the entity filter and facets see them, lookup
 * and autocomplete count them, and a name nobody mentions is no match. */
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/entities.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

static char path[64];

/* Four items: spellings of Microsoft, Emotet and one CVE id, and one item
 * without any. */
static struct ks_store *fixture(void)
{
	static const char *const text[][2] = {
	    {"マイクロソフトが月例パッチを公開", "Fixes cve-2022-21907 in http.sys."},
	    {"Microsoft Exchange の脆弱性", "CVE-2022-21907 again, and Emotet."},
	    {"エモテットの活動再開", NULL},
	    {"無関係な記事", "nothing to tag here"}};
	return fx_index(path, "ent", 30, "2022-02-20", text, sizeof text / sizeof text[0]);
}

/* The number of items a search with the entity filter finds. */
static long long tagged(struct ks_store *s, const char *entity)
{
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.entity = entity;
	struct ks_result *r = fx_run(s, &p);
	long long n = r ? r->total : -1;
	ks_result_free(r);
	return n;
}

static long long facet(const struct ks_facet *f, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].key, key))
			return f[i].count;
	return -1;
}

static void test_tags_and_filter(void)
{
	struct ks_store *s = fixture();
	/* any spelling tags the canonical name, and a filter by any
	 * spelling finds the same items */
	CHECK(tagged(s, "Microsoft") == 2); /* "Microsoft Exchange" names the vendor too */
	CHECK(tagged(s, "マイクロソフト") == 2);
	CHECK(tagged(s, "Microsoft Exchange") == 1);
	CHECK(tagged(s, "Exchange Server") == 1);
	CHECK(tagged(s, "Emotet") == 2);
	CHECK(tagged(s, "エモテット") == 2);
	CHECK(tagged(s, "CVE-2022-21907") == 2);
	CHECK(tagged(s, "cve-2022-21907") == 2);
	CHECK(tagged(s, "LockBit") == 0);
	struct ks_result *r = fx_search(s, "");
	CHECK(r && facet(r->cves, r->n_cves, "CVE-2022-21907") == 2);
	CHECK(r && facet(r->entities, r->n_entities, "Emotet") == 2);
	ks_result_free(r);
	char buf[KS_CVE_MAX];
	CHECK_STR(ks_entity_resolve("ｃｖｅ-2022-21907", buf), "CVE-2022-21907");
	CHECK_STR(ks_entity_resolve("エモテット", buf), "Emotet");
	fx_close(s, path);
}

static void test_lookup_and_suggest(void)
{
	struct ks_store *s = fixture();
	struct ks_err err = {""};
	struct ks_entity_hit h = {0};
	CHECK(ks_entity_lookup(s, "EMOTET", 0, &h, &err) == KS_OK);
	CHECK(h.count == 2 && !strcmp(ks_entity_hit_name(&h), "Emotet"));
	CHECK(!strcmp(ks_entity_hit_kind(&h), "malware"));
	ks_entity_hit_clear(&h);
	CHECK(ks_entity_lookup(s, "no such thing at all", 0, &h, &err) == KS_ERR_NOTFOUND);
	struct ks_entity_hits list = {0};
	CHECK(ks_entities_find(s, "cve-2022", NULL, 10, 0, &list, &err) == KS_OK);
	CHECK(list.n == 1 && !strcmp(ks_entity_hit_name(&list.v[0]), "CVE-2022-21907"));
	CHECK(list.n == 1 && list.v[0].count == 2);
	ks_entity_hits_clear(&list);
	/* "" lists what tags items, most tagged first */
	CHECK(ks_entities_find(s, "", NULL, 10, 0, &list, &err) == KS_OK);
	CHECK(list.n >= 3 && list.v[0].count == 2);
	for (size_t i = 1; i < list.n; i++)
		CHECK(list.v[i - 1].count >= list.v[i].count && list.v[i].count > 0);
	ks_entity_hits_clear(&list);
	fx_close(s, path);
}

TEST_MAIN(TEST(test_tags_and_filter), TEST(test_lookup_and_suggest))
