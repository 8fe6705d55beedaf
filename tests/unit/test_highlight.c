/* test_highlight.c - marks through the public search API (search.h): a
 * search hit's title marks (hit.h) are exactly the bytes that matched, a
 * word, a Japanese substring, a prefix's whole word, a phrase as one span,
 * and nothing else; its title_html (html.h) is escaped around the marks. */
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/html.h"
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
	if (r && r->n_hits == 1) {
		char *html = ks_hit_title_html(&r->hits[0]);
		CHECK_STR(html, want);
		free(html);
	}
	ks_result_free(r);
}

/* Checks that q finds the item with the title marks want (n pairs) and
 * no quote marks. */
static void ranges(struct ks_store *s, const char *q, const int *want, int n)
{
	struct ks_result *r = fx_search(s, q);
	CHECK(r && r->n_hits == 1);
	if (r && r->n_hits == 1) {
		const struct ks_hit *h = &r->hits[0];
		CHECK(h->title_marks.n == n && h->quote_marks.n == 0 && !h->quote_marks.at);
		for (int i = 0; i < 2 * n && h->title_marks.n == n; i++)
			CHECK(h->title_marks.at[i] == want[i]);
	}
	ks_result_free(r);
}

/* The search layer hands out byte ranges; overlapping ones stay apart
 * (the render layer merges them). */
static void test_ranges(void)
{
	struct ks_store *s = fixture();
	/* "Microsoft Exchange の脆弱性 ProxyLogon <b>": の at 19, 脆弱性 at 22 */
	ranges(s, "exchange", (const int[]){10, 18}, 1);
	ranges(s, "脆弱", (const int[]){22, 28}, 1);
	ranges(s, "脆弱 弱性", (const int[]){22, 28, 25, 31}, 2);
	ranges(s, "microsoft exchange", (const int[]){0, 9, 10, 18}, 2);
	ranges(s, "\"microsoft exchange\"", (const int[]){0, 18}, 1);
	fx_close(s, path);
}

/* An item lookup carries no marks. */
static void test_lookup_unmarked(void)
{
	struct ks_store *s = fixture();
	struct ks_hit *h = NULL;
	struct ks_err err = {""};
	CHECK(ks_item_get(s, "5-1", &h, &err) == KS_OK);
	CHECK(h && h->title_marks.n == 0 && !h->title_marks.at && h->quote_marks.n == 0);
	ks_hit_free(h);
	fx_close(s, path);
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

TEST_MAIN(TEST(test_marks), TEST(test_ranges), TEST(test_lookup_unmarked))
