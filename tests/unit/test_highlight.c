/* test_highlight.c - marks through the public search API (search.h): a
 * search hit's title_html marks exactly what matched, a word, a Japanese
 * substring, a prefix's whole word, a phrase as one span, and nothing
 * else, HTML-escaped around the marks. */
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

static char path[64];

static struct ks_store *fixture(void)
{
	struct ks_store *s = fx_open(path, "hl");
	struct ks_batch b = {0};
	struct ks_issue *is = fx_issue(&b, 5, NULL);
	fx_item(is, NULL, "Microsoft Exchange の脆弱性 ProxyLogon <b>", NULL);
	fx_put(s, "/src/hl.txt", &b);
	return s;
}

/* Checks that q finds the item with title_html want. */
static void marks(struct ks_store *s, const char *q, const char *want)
{
	struct ks_result *r = fx_search(s, q);
	CHECK(r && r->n_hits == 1);
	if (r && r->n_hits == 1)
		CHECK_STR(r->hits[0].title_html, want);
	ks_result_free(r);
}

static void test_marks(void)
{
	struct ks_store *s = fixture();
	marks(s, "exchange", "Microsoft <mark>Exchange</mark> の脆弱性 ProxyLogon &lt;b&gt;");
	marks(s, "脆弱", "Microsoft Exchange の<mark>脆弱</mark>性 ProxyLogon &lt;b&gt;");
	marks(s, "proxy*", "Microsoft Exchange の脆弱性 <mark>ProxyLogon</mark> &lt;b&gt;");
	marks(s, "\"microsoft exchange\"",
	      "<mark>Microsoft Exchange</mark> の脆弱性 ProxyLogon &lt;b&gt;");
	/* an excluded term that is absent marks nothing */
	marks(s, "proxylogon -wormable",
	      "Microsoft Exchange の脆弱性 <mark>ProxyLogon</mark> &lt;b&gt;");
	fx_close(s, path);
}

TEST_MAIN(TEST(test_marks))
