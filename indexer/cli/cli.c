/* cli.c - the `kensaku` command line: usage, --version and the dispatch to
 * the subcommands (cli_index.c, cli_search.c, cli_stats.c, cli_analyze.c).
 * Exit codes: 0 ok, 1 runtime error, 2 usage error. */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "cli.h"
#include "kensaku/tokenizer.h"

static void usage(FILE *f)
{
	fputs("usage: kensaku COMMAND [OPTIONS] ...\n"
	      "\n"
	      "commands:\n"
	      "  index   [--db FILE] [--format auto|text|jsonl|html|feed|email] [--prune]\n"
	      "          [--quiet] [--timeout S] [--connect-timeout S] [--max-redirects N]\n"
	      "          PATH|URL...\n"
	      "          add or update items from files, folders or http(s) URLs of feeds\n"
	      "          and pages (unchanged files are skipped; URLs are fetched with\n"
	      "          conditional GET, and a 304 changes nothing)\n"
	      "  reindex [--db FILE] [--format F] [--skip-malformed] [--quiet] [--timeout S]\n"
	      "          [--connect-timeout S] [--max-redirects N] PATH|URL...\n"
	      "          rebuild into a new file, check it, and swap it in atomically\n"
	      "  search  [--db FILE] [--json | --csv [--bom]] [--limit N] [--offset N]\n"
	      "          [--section S] [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
	      "          [--sort relevance|newest|oldest] [--entity NAME] [--exact] [--explain]\n"
	      "          QUERY...\n"
	      "          --exact: no expansion (bilingual, variant, kana, inflection);\n"
	      "          --explain: show the FTS5 expression that ran and each hit's\n"
	      "          score parts; --csv: every match as CSV (sort newest unless\n"
	      "          --sort; --limit is then the page size, 1-10000)\n"
	      "  analyze [--mode document|query] [--exact] [--json] TEXT...\n"
	      "          the tokens the index sees for TEXT and the FTS5 expression a\n"
	      "          search for it runs (--json: the body of /api/analyze)\n"
	      "  stats   [--db FILE] [--json]\n"
	      "\n"
	      "--db defaults to $KENSAKU_DB, else ./kensaku.db.\n"
	      "Query language: a b (both), a OR b, -a (exclude), \"a b\" (phrase), ran* (prefix).\n"
	      "Exit codes: 0 ok, 1 runtime error, 2 usage error.\n",
	      f);
}

/* --version: this binary's tokenizer, ICU and SQLite, which an index must
 * match (`kensaku stats` says when it does not). */
static void version(void)
{
	printf("kensaku %s (tokenizer %s, ICU %s, SQLite %s)\n", KS_VERSION, ks_tok_version(),
	       ks_tok_icu_version(), sqlite3_libversion());
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
		version();
		return 0;
	}
	/* subcommands parse argv[1..] so getopt sees the command as argv[0] */
	if (!strcmp(cmd, "index"))
		return ks_cli_index(argc - 1, argv + 1, 0);
	if (!strcmp(cmd, "reindex"))
		return ks_cli_index(argc - 1, argv + 1, 1);
	if (!strcmp(cmd, "search"))
		return ks_cli_search(argc - 1, argv + 1);
	if (!strcmp(cmd, "stats"))
		return ks_cli_stats(argc - 1, argv + 1);
	if (!strcmp(cmd, "analyze"))
		return ks_cli_analyze(argc - 1, argv + 1);
	fprintf(stderr, "kensaku: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
