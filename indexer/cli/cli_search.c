/* cli_search.c - `kensaku search`: the flags, the query from the remaining
 * words, and the hits as text, as the API's JSON body (--json) or as every
 * match in CSV (--csv). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_util.h"
#include "kensaku/csv.h"
#include "kensaku/html.h"
#include "kensaku/num.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

/* The command line of a search. */
struct args {
	struct ks_search_params p;
	const char *db, *limit, *offset, *sort;
	int json, csv, bom, exact;
	int first; /* argv index of the query's first word */
	int page;  /* --csv: rows per page */
};

/* Prints HTML of html.h (NULL: nothing) as plain text with [marks]. */
static void print_marked(const char *html)
{
	for (const char *p = html ? html : ""; *p;) {
		static const struct {
			const char *from, *to;
		} rep[] = {{"<mark>", "\033[1m"}, {"</mark>", "\033[0m"}, {"&amp;", "&"},
			   {"&lt;", "<"},	  {"&gt;", ">"},	  {"&quot;", "\""},
			   {"&#39;", "'"}};
		size_t i;
		for (i = 0; i < sizeof rep / sizeof rep[0]; i++) {
			size_t n = strlen(rep[i].from);
			if (!strncmp(p, rep[i].from, n)) {
				if (i >= 2 || isatty(STDOUT_FILENO))
					fputs(rep[i].to, stdout);
				else
					fputs(i == 0 ? "[" : "]", stdout);
				p += n;
				break;
			}
		}
		if (i == sizeof rep / sizeof rep[0])
			putchar(*p++);
	}
}

/* Prints every match of p as CSV, page after page (csv.h): the bytes of
 * the API's pages concatenated. Returns the exit code. */
static int print_csv(struct ks_store *s, const struct ks_search_params *p, int page, int bom)
{
	struct ks_csv_opts o = {page, NULL, bom};
	struct ks_csv_page pg = {0};
	char cursor[KS_CSV_CURSOR_MAX + 1];
	struct ks_err err = {""};
	int rc;
	for (;;) {
		if ((rc = ks_csv_page(s, p, &o, &pg, &err)) != KS_OK)
			break;
		if (fwrite(pg.data, 1, pg.len, stdout) != pg.len) {
			rc = ks_err_set(&err, KS_ERR_IO, "cannot write the output");
			break;
		}
		if (!pg.next[0])
			break;
		memcpy(cursor, pg.next, sizeof cursor);
		o.cursor = cursor;
		ks_csv_page_clear(&pg);
	}
	ks_csv_page_clear(&pg);
	if (rc == KS_OK && fflush(stdout) != 0)
		rc = ks_err_set(&err, KS_ERR_IO, "cannot write the output");
	if (rc != KS_OK)
		fprintf(stderr, "kensaku search: %s\n", err.msg);
	return rc == KS_OK ? 0 : 1;
}

/* Checks the flags that go together and the numbers; -1 when they are
 * fine, else the exit code (2) after saying why. */
static int check_flags(struct args *a)
{
	if (a->sort && ks_sort_parse(a->sort, &a->p.sort) != KS_OK)
		return ks_cli_usage_error(
		    "search", "--sort must be relevance, newest or oldest, not '%s'", a->sort);
	if (a->csv && (a->json || a->offset))
		return ks_cli_usage_error("search",
					  "--csv prints every match: no --json, no --offset");
	if (a->bom && !a->csv)
		return ks_cli_usage_error("search", "--bom goes with --csv");
	if (a->csv && a->limit && ks_parse_int(a->limit, 1, KS_CSV_LIMIT_MAX, &a->page) < 0)
		return ks_cli_usage_error("search",
					  "--limit (rows per page) must be 1-%d, not '%s'",
					  KS_CSV_LIMIT_MAX, a->limit);
	if (!a->csv && a->limit && ks_parse_int(a->limit, 1, KS_LIMIT_MAX, &a->p.limit) < 0)
		return ks_cli_usage_error("search", "--limit must be 1-100, not '%s'", a->limit);
	if (a->offset && ks_parse_int(a->offset, 0, KS_OFFSET_MAX, &a->p.offset) < 0)
		return ks_cli_usage_error("search", "--offset must be 0-100000, not '%s'",
					  a->offset);
	if (a->csv && !a->sort)
		a->p.sort = KS_SORT_NEWEST; /* as /api/search.csv */
	return -1;
}

/* Reads the flags into a; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof *a);
	ks_search_params_init(&a->p);
	a->db = ks_cli_default_db();
	a->page = KS_CSV_LIMIT_DEFAULT;
	const struct ks_cli_flag flags[] = {
	    {"csv", 0, NULL, &a->csv},	       {"bom", 0, NULL, &a->bom},
	    {"exact", 0, NULL, &a->exact},     {"explain", 0, NULL, &a->p.explain},
	    {"entity", 0, &a->p.entity, NULL}, {"db", 'd', &a->db, NULL},
	    {"json", 'j', NULL, &a->json},     {"limit", 'l', &a->limit, NULL},
	    {"offset", 'o', &a->offset, NULL}, {"section", 's', &a->p.section, NULL},
	    {"from", 0, &a->p.from, NULL},     {"to", 0, &a->p.to, NULL},
	    {"sort", 0, &a->sort, NULL},
	};
	int rc = ks_cli_flags("search",
			      "usage: kensaku search [--db FILE] [--json | --csv [--bom]] "
			      "[--limit N] [--offset N] [--section S] [--from D] [--to D] "
			      "[--sort S] [--entity NAME] [--exact] [--explain] QUERY...",
			      flags, sizeof flags / sizeof flags[0], argc, argv, &a->first);
	if (rc >= 0)
		return rc;
	a->p.expand = !a->exact; /* as the API: bilingual expansion unless --exact */
	return check_flags(a);
}

/* Prints r as the API's JSON body; KS_OK or KS_ERR_NOMEM. */
static int print_json(const struct ks_result *r)
{
	json_t *j = ks_result_json(r);
	char *body = ks_json_body(j);
	if (body)
		puts(body);
	free(body);
	json_decref(j);
	return body ? KS_OK : KS_ERR_NOMEM;
}

/* Prints why h scored what it did (explain). */
static void print_why(const struct ks_hit *h)
{
	const struct ks_score_parts *w = h->why;
	if (!w)
		return;
	printf("  score %.4g: bm25 %.4g x proximity %.3g; words in title %d, in quote %d, "
	       "inside longer words %d, through spellings %d; length %.0f %s (mean %.1f)\n",
	       h->score, w->bm25, w->proximity, w->title_words, w->quote_words, w->inside,
	       w->spellings, w->words, w->in_words ? "words" : "tokens", w->avg_words);
}

/* Prints the count, the notices (stderr), the expansions, the FTS5
 * expression (explain) and the hits with their marks (and, explaining,
 * their score's parts). */
static void print_text(const struct ks_result *r, int explain)
{
	printf("%lld hits (%.1f ms)", r->total, r->took_ms);
	if (r->total > (long long)r->n_hits && r->n_hits)
		printf(", showing %d-%zu", r->offset + 1, (size_t)r->offset + r->n_hits);
	putchar('\n');
	for (size_t i = 0; i < r->n_notices; i++) {
		char *msg = ks_notice_message(&r->notices[i]);
		fprintf(stderr, "kensaku search: note: %s\n", msg ? msg : "a bound was reached");
		free(msg);
	}
	for (size_t i = 0; i < r->n_expanded; i++) {
		printf("expanded %s:", r->expanded[i].term);
		for (size_t j = 0; j < r->expanded[i].n_variants; j++)
			printf(" %s", r->expanded[i].variants[j]);
		putchar('\n');
	}
	for (size_t i = 0; i < r->n_suggestions; i++)
		printf("%s%s%s", i ? ", " : "did you mean: ", r->suggestions[i],
		       i + 1 == r->n_suggestions ? "\n" : "");
	if (explain)
		printf("fts: %s\n", r->fts ? r->fts : "(none: every item)");
	for (size_t i = 0; i < r->n_hits; i++) {
		const struct ks_hit *h = &r->hits[i];
		char *title = ks_hit_title_html(h), *snippet = ks_hit_snippet_html(h);
		printf("\n%-8s #%lld  %s  %s\n  ", h->id, h->issue,
		       h->date ? h->date : "----------", h->section ? h->section : "");
		print_marked(title);
		putchar('\n');
		if (snippet && *snippet) {
			fputs("  ", stdout);
			print_marked(snippet);
			putchar('\n');
		}
		free(title);
		free(snippet);
		print_why(h);
	}
}

/* Runs the search of a on s and prints it; the exit code. */
static int run(struct ks_store *s, const struct args *a)
{
	struct ks_result *r = NULL;
	struct ks_err err = {""};
	if (a->csv)
		return print_csv(s, &a->p, a->page, a->bom);
	int rc = ks_search_run(s, &a->p, &r, &err);
	if (rc != KS_OK)
		fprintf(stderr, "kensaku search: %s\n", err.msg);
	else if (a->json)
		rc = print_json(r);
	else
		print_text(r, a->p.explain);
	ks_result_free(r);
	return rc == KS_OK ? 0 : 1;
}

int ks_cli_search(int argc, char **argv)
{
	struct args a;
	struct ks_err err = {""};
	struct ks_store *s = NULL;
	int rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	/* the query is the remaining words joined by spaces ("--" ends options) */
	char *q = ks_cli_join(argc, argv, a.first);
	if (!q)
		return 1;
	a.p.q = q;
	if (ks_search_params_check(&a.p, &err) != KS_OK)
		rc = ks_cli_usage_error("search", "%s", err.msg);
	else if (!(s = ks_cli_open_ro(a.db)))
		rc = 1;
	else
		rc = run(s, &a);
	ks_store_close(s);
	free(q);
	return rc;
}
