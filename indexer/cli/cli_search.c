/* cli_search.c - `kensaku search`, `kensaku stats`, `kensaku --version`. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kensaku/csv.h"
#include "kensaku/search.h"
#include "kensaku/store.h"
#include "kensaku/tokenizer.h"

void ks_cli_version(void)
{
	printf("kensaku %s (tokenizer %s, ICU %s, SQLite %s)\n", KS_VERSION, ks_tok_version(),
	       ks_tok_icu_version(), sqlite3_libversion());
}

/* Parses a whole decimal int in [lo, hi]; -1 when it is not one. */
static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *e;
	errno = 0;
	long v = strtol(s, &e, 10);
	if (!*s || *e || errno || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* Prints snippet HTML as plain text with [marks]. */
static void print_marked(const char *html)
{
	for (const char *p = html; *p;) {
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

/* Opens db read-only; prints the reason and returns NULL on failure. */
static struct ks_store *open_ro(const char *db)
{
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	if (ks_store_open(db, KS_STORE_READONLY, &s, &err) != KS_OK) {
		fprintf(stderr, "kensaku: %s\n", err.msg);
		return NULL;
	}
	if (ks_store_check_version(s, &err) != KS_OK)
		fprintf(stderr, "kensaku: warning: %s\n", err.msg);
	return s;
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

int ks_cli_search(int argc, char **argv)
{
	const char *db = ks_cli_default_db();
	struct ks_search_params p;
	ks_search_params_init(&p);
	p.expand = 1; /* as the API: bilingual expansion unless --exact */
	int json = 0, csv = 0, bom = 0, sort_set = 0;
	const char *limit = NULL, *offset = NULL;
	static const struct option opts[] = {
	    {"csv", no_argument, NULL, 'c'},
	    {"bom", no_argument, NULL, 'b'},
	    {"exact", no_argument, NULL, 'x'},
	    {"explain", no_argument, NULL, 'e'},
	    {"entity", required_argument, NULL, 'E'},
	    {"db", required_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'j'},
	    {"limit", required_argument, NULL, 'l'},
	    {"offset", required_argument, NULL, 'o'},
	    {"section", required_argument, NULL, 's'},
	    {"from", required_argument, NULL, 'F'},
	    {"to", required_argument, NULL, 'T'},
	    {"sort", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	opterr = 0;
	/* "+" stops at the first non-option, so queries like -okta still parse after it */
	while ((c = getopt_long(argc, argv, "+d:jl:o:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'x':
			p.expand = 0;
			break;
		case 'e':
			p.explain = 1;
			break;
		case 'E':
			p.entity = optarg;
			break;
		case 'c':
			csv = 1;
			break;
		case 'b':
			bom = 1;
			break;
		case 'l':
			limit = optarg;
			break;
		case 'o':
			offset = optarg;
			break;
		case 's':
			p.section = optarg;
			break;
		case 'F':
			p.from = optarg;
			break;
		case 'T':
			p.to = optarg;
			break;
		case 'S':
			if (ks_sort_parse(optarg, &p.sort) != KS_OK)
				return ks_cli_usage_error(
				    "search",
				    "--sort must be relevance, newest or oldest, not '%s'", optarg);
			sort_set = 1;
			break;
		case 'h':
			puts("usage: kensaku search [--db FILE] [--json | --csv [--bom]] "
			     "[--limit N] [--offset N] [--section S] [--from D] [--to D] "
			     "[--sort S] [--entity NAME] [--exact] [--explain] QUERY...");
			return 0;
		default:
			return ks_cli_usage_error("search", "unknown or incomplete option '%s'",
						  argv[optind - 1]);
		}
	}
	int page = KS_CSV_LIMIT_DEFAULT;
	if (csv && (json || offset))
		return ks_cli_usage_error("search",
					  "--csv prints every match: no --json, no --offset");
	if (bom && !csv)
		return ks_cli_usage_error("search", "--bom goes with --csv");
	if (csv && limit && parse_int(limit, 1, KS_CSV_LIMIT_MAX, &page) < 0)
		return ks_cli_usage_error("search",
					  "--limit (rows per page) must be 1-%d, not '%s'",
					  KS_CSV_LIMIT_MAX, limit);
	if (!csv && limit && parse_int(limit, 1, KS_LIMIT_MAX, &p.limit) < 0)
		return ks_cli_usage_error("search", "--limit must be 1-100, not '%s'", limit);
	if (offset && parse_int(offset, 0, KS_OFFSET_MAX, &p.offset) < 0)
		return ks_cli_usage_error("search", "--offset must be 0-100000, not '%s'", offset);
	if (csv && !sort_set)
		p.sort = KS_SORT_NEWEST; /* as /api/search.csv */
	/* the query is the remaining words joined by spaces ("--" ends options) */
	size_t qlen = 0;
	for (int i = optind; i < argc; i++)
		qlen += strlen(argv[i]) + 1;
	char *q = calloc(1, qlen + 1);
	if (!q)
		return 1;
	size_t at = 0;
	for (int i = optind; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (i > optind)
			q[at++] = ' ';
		memcpy(q + at, argv[i], n);
		at += n;
	}
	p.q = q;
	struct ks_err err = {""};
	if (ks_search_params_check(&p, &err) != KS_OK) {
		free(q);
		return ks_cli_usage_error("search", "%s", err.msg);
	}
	struct ks_store *s = open_ro(db);
	if (!s) {
		free(q);
		return 1;
	}
	if (csv) {
		int rc = print_csv(s, &p, page, bom);
		ks_store_close(s);
		free(q);
		return rc;
	}
	struct ks_result *r = NULL;
	int rc = ks_search_run(s, &p, &r, &err);
	if (rc != KS_OK) {
		fprintf(stderr, "kensaku search: %s\n", err.msg);
	} else if (json) {
		json_t *j = ks_result_json(r);
		char *body = ks_json_body(j);
		if (body)
			puts(body);
		else
			rc = KS_ERR_NOMEM;
		free(body);
		json_decref(j);
	} else {
		printf("%lld hits (%.1f ms)", r->total, r->took_ms);
		if (r->total > (long long)r->n_hits && r->n_hits)
			printf(", showing %d-%zu", r->offset + 1, (size_t)r->offset + r->n_hits);
		putchar('\n');
		for (size_t i = 0; i < r->n_notices; i++) {
			char *msg = ks_notice_message(&r->notices[i]);
			fprintf(stderr, "kensaku search: note: %s\n",
				msg ? msg : "a bound was reached");
			free(msg);
		}
		for (size_t i = 0; i < r->n_expanded; i++) {
			printf("expanded %s:", r->expanded[i].term);
			for (size_t j = 0; j < r->expanded[i].n_variants; j++)
				printf(" %s", r->expanded[i].variants[j]);
			putchar('\n');
		}
		if (p.explain)
			printf("fts: %s\n", r->fts ? r->fts : "(none: every item)");
		for (size_t i = 0; i < r->n_hits; i++) {
			const struct ks_hit *h = &r->hits[i];
			printf("\n%-8s #%lld  %s  %s\n  ", h->id, h->issue,
			       h->date ? h->date : "----------", h->section ? h->section : "");
			print_marked(h->title_html);
			putchar('\n');
			if (h->snippet_html && *h->snippet_html) {
				fputs("  ", stdout);
				print_marked(h->snippet_html);
				putchar('\n');
			}
		}
	}
	ks_result_free(r);
	ks_store_close(s);
	free(q);
	return rc == KS_OK ? 0 : 1;
}

int ks_cli_stats(int argc, char **argv)
{
	const char *db = ks_cli_default_db();
	int json = 0, c;
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:jh", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'j')
			json = 1;
		else if (c == 'h') {
			puts("usage: kensaku stats [--db FILE] [--json]");
			return 0;
		} else
			return ks_cli_usage_error("stats", "unknown or incomplete option '%s'",
						  argv[optind - 1]);
	}
	if (optind < argc)
		return ks_cli_usage_error("stats", "unexpected argument '%s'", argv[optind]);
	struct ks_store *s = open_ro(db);
	if (!s)
		return 1;
	struct ks_store_stats st;
	struct ks_err err = {""};
	int rc = ks_store_stats(s, &st, &err);
	int stale = ks_store_check_version(s, &err) != KS_OK;
	ks_store_close(s);
	if (rc != KS_OK) {
		fprintf(stderr, "kensaku stats: %s\n", err.msg);
		return 1;
	}
	if (json) {
		json_t *j = json_pack(
		    "{s:I,s:I,s:I,s:s?,s:s?,s:s,s:s,s:s,s:s,s:I,s:b,s:s,s:s}", "items",
		    (json_int_t)st.items, "issues", (json_int_t)st.issues, "sources",
		    (json_int_t)st.sources, "first_date", st.first_date[0] ? st.first_date : NULL,
		    "last_date", st.last_date[0] ? st.last_date : NULL, "built_at", st.built_at,
		    "tokenizer", st.tokenizer, "icu", st.icu, "generation", st.generation,
		    "file_bytes", (json_int_t)st.file_bytes, "reindex_needed", stale,
		    "binary_tokenizer", ks_tok_version(), "binary_icu", ks_tok_icu_version());
		char *body = ks_json_body(j);
		if (body)
			puts(body);
		free(body);
		json_decref(j);
		return body ? 0 : 1;
	}
	printf("index       %s (%.1f MB)\n", db, (double)st.file_bytes / 1e6);
	printf("items       %lld\nissues      %lld\nfiles       %lld\n", st.items, st.issues,
	       st.sources);
	printf("dates       %s .. %s\n", st.first_date[0] ? st.first_date : "?",
	       st.last_date[0] ? st.last_date : "?");
	printf("built       %s (generation %s)\n", st.built_at, st.generation);
	printf("tokenizer   %s, ICU %s%s\n", st.tokenizer, st.icu,
	       stale ? "  <- differs from this binary: run `kensaku reindex`" : "");
	return 0;
}
