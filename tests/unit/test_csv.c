/* test_csv.c - CSV export through the public API (csv.h) on a real index
 * file: RFC 4180 quoting, the formula guard, and keyset paging that
 * visits every match exactly once with the header only on the first page. */
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "kensaku/csv.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

static char path[64];

/* One issue of five items whose titles all hold "kensaku", two of them
 * with text a spreadsheet would evaluate or a parser would split. */
static struct ks_store *fixture(void)
{
	struct ks_store *s = fx_open(path, "csv");
	struct ks_batch b = {0};
	struct ks_issue *is = fx_issue(&b, 7, "2022-03-27");
	fx_item(is, "脆弱性", "=HYPERLINK(\"http://x\") kensaku", "a, \"quoted\"\nline");
	fx_item(is, "その他", "+1 kensaku", "-2 @3");
	fx_item(is, "その他", "kensaku plain", NULL);
	fx_item(is, "その他", "kensaku again", NULL);
	fx_item(is, "その他", "kensaku last", NULL);
	fx_put(s, "/src/csv.txt", &b);
	return s;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Quoting (RFC 4180) and the guard against formulas. */
static void test_escaping(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	struct ks_csv_opts o = {.limit = 100};
	struct ks_csv_page pg = {0};
	struct ks_err err = {""};
	ks_search_params_init(&p);
	p.q = "kensaku";
	p.sort = KS_SORT_OLDEST;
	CHECK(ks_csv_page(s, &p, &o, &pg, &err) == KS_OK);
	CHECK(pg.data && pg.rows == 5 && pg.next[0] == 0);
	if (pg.data) {
		CHECK(strncmp(pg.data, KS_CSV_HEADER, strlen(KS_CSV_HEADER)) == 0);
		/* a field with a quote is quoted, its quotes doubled, and the
		 * formula gets a leading ' inside the quotes */
		CHECK(strstr(pg.data, ",\"'=HYPERLINK(\"\"http://x\"\") kensaku\",") != NULL);
		/* a comma or a line break quotes the field; LF stays inside */
		CHECK(strstr(pg.data, ",\"a, \"\"quoted\"\"\nline\",") != NULL);
		CHECK(strstr(pg.data, ",'+1 kensaku,'-2 @3,") != NULL);
		/* every row ends in CRLF: header + 5 rows */
		CHECK(count(pg.data, "\r\n") == 6);
		CHECK(strlen(pg.data) == pg.len);
	}
	ks_csv_page_clear(&pg);
	CHECK(pg.data == NULL);
	fx_close(s, path);
}

/* Pages of two rows: the header and the BOM only first, every item once,
 * and a cursor is refused for another query. */
static void test_paging(void)
{
	struct ks_store *s = fixture();
	struct ks_search_params p;
	struct ks_csv_opts o = {.limit = 2, .bom = 1};
	struct ks_csv_page pg = {0};
	struct ks_err err = {""};
	char cursor[KS_CSV_CURSOR_MAX + 1] = "";
	long long rows = 0;
	int pages = 0, headers = 0, boms = 0, plain = 0;
	ks_search_params_init(&p);
	p.q = "kensaku";
	p.sort = KS_SORT_NEWEST;
	do {
		o.cursor = pages ? cursor : NULL;
		CHECK(ks_csv_page(s, &p, &o, &pg, &err) == KS_OK);
		if (!pg.data)
			break;
		pages++;
		rows += pg.rows;
		headers += count(pg.data, "id,issue,date");
		boms += !strncmp(pg.data, "\xEF\xBB\xBF", 3);
		plain += count(pg.data, "kensaku plain");
		memcpy(cursor, pg.next, sizeof cursor);
		ks_csv_page_clear(&pg);
	} while (cursor[0] && pages < 10);
	CHECK(pages == 3 && rows == 5);
	CHECK(headers == 1 && boms == 1 && plain == 1);
	/* a cursor of this query is refused for another one */
	p.sort = KS_SORT_NEWEST;
	o.cursor = NULL;
	CHECK(ks_csv_page(s, &p, &o, &pg, &err) == KS_OK);
	memcpy(cursor, pg.next, sizeof cursor);
	ks_csv_page_clear(&pg);
	p.q = "plain";
	o.cursor = cursor;
	CHECK(ks_csv_page(s, &p, &o, &pg, &err) == KS_ERR_ARG);
	o.cursor = "1.n.not-a-cursor";
	CHECK(ks_csv_page(s, &p, &o, &pg, &err) == KS_ERR_ARG);
	o.limit = KS_CSV_LIMIT_MAX + 1;
	o.cursor = NULL;
	CHECK(ks_csv_page(s, &p, &o, &pg, &err) == KS_ERR_ARG);
	fx_close(s, path);
}

TEST_MAIN(TEST(test_escaping), TEST(test_paging))
