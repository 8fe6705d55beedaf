/* cli_index.c - `kensaku index` and `kensaku reindex`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_util.h"
#include "kensaku/build.h"
#include "kensaku/num.h"

static const struct option g_opts[] = {
    {"db", required_argument, NULL, 'd'},
    {"format", required_argument, NULL, 'f'},
    {"prune", no_argument, NULL, 'p'},
    {"skip-malformed", no_argument, NULL, 's'},
    {"quiet", no_argument, NULL, 'q'},
    {"timeout", required_argument, NULL, 'T'},
    {"connect-timeout", required_argument, NULL, 'C'},
    {"max-redirects", required_argument, NULL, 'R'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Takes a limit of fetching (--timeout, --connect-timeout: seconds;
 * --max-redirects) into o->fetch; -1 to go on, else the exit code. */
static int take_fetch_flag(const char *cmd, int c, struct ks_build_opts *o)
{
	int v;
	switch (c) {
	case 'T':
	case 'C':
		if (ks_parse_int(optarg, 1, 86400, &v) != 0)
			return ks_cli_usage_error(cmd, "--%s takes seconds, 1 to 86400, not '%s'",
						  c == 'T' ? "timeout" : "connect-timeout", optarg);
		*(c == 'T' ? &o->fetch.timeout_ms : &o->fetch.connect_timeout_ms) = v * 1000L;
		return -1;
	default:
		if (ks_parse_int(optarg, 0, 50, &v) != 0)
			return ks_cli_usage_error(cmd, "--max-redirects takes 0 to 50, not '%s'",
						  optarg);
		o->fetch.max_redirects = v ? v : -1;
		return -1;
	}
}

/* Takes flag c (with optarg) into o and *quiet; -1 to go on, else the
 * exit code. */
static int take_flag(const char *cmd, int rebuild, int c, char **argv, struct ks_build_opts *o,
		     int *quiet)
{
	switch (c) {
	case 'd':
		o->db = optarg;
		break;
	case 'f':
		if (ks_ingest_format_parse(optarg, &o->fmt) != KS_OK)
			return ks_cli_usage_error(
			    cmd,
			    "--format must be auto, text, jsonl, html, feed or email, not '%s'",
			    optarg);
		break;
	case 'p':
		if (rebuild)
			return ks_cli_usage_error(cmd, "--prune is for index (reindex always "
						       "drops what is gone)");
		o->prune = 1;
		break;
	case 's':
		if (!rebuild)
			return ks_cli_usage_error(cmd, "--skip-malformed is for reindex");
		o->skip_malformed = 1;
		break;
	case 'q':
		*quiet = 1;
		o->progress = 0;
		break;
	case 'T':
	case 'C':
	case 'R':
		return take_fetch_flag(cmd, c, o);
	case 'h':
		printf(
		    "usage: kensaku %s [--db FILE] [--format auto|text|jsonl|html|feed|email] "
		    "%s[--quiet]\n"
		    "       [--timeout S] [--connect-timeout S] [--max-redirects N] PATH|URL...\n"
		    "URLs (http, https) are fetched with conditional GET: timeout %ds for a "
		    "whole\ntransfer, %ds to connect, at most %d redirects and %ld bytes.\n",
		    cmd, rebuild ? "[--skip-malformed] " : "[--prune] ", KS_FETCH_TIMEOUT_S,
		    KS_FETCH_CONNECT_TIMEOUT_S, KS_FETCH_MAX_REDIRECTS, KS_MAX_FILE_BYTES);
		return 0;
	default:
		return ks_cli_usage_error(cmd, "unknown or incomplete option '%s'",
					  argv[optind - 1]);
	}
	return -1;
}

/* Prints what a run did with URLs (stderr). */
static void print_urls(const char *cmd, const struct ks_build_report *rep)
{
	fprintf(stderr,
		"%s: %ld URL(s): %ld indexed, %ld unchanged, %ld failed; %ld request(s), %lld "
		"bytes downloaded\n",
		cmd, rep->urls_seen, rep->urls_indexed, rep->urls_unchanged, rep->urls_failed,
		rep->requests, rep->downloaded);
}

/* Prints what a run did (stderr). */
static void print_report(const char *cmd, int rebuild, const struct ks_build_report *rep)
{
	double rate = rep->seconds > 0 ? (double)rep->items / rep->seconds : 0;
	if (rep->urls_seen)
		print_urls(cmd, rep);
	fprintf(stderr,
		"%s: %ld files read, %ld indexed, %ld unchanged, %ld malformed; %lld items "
		"in %.2fs (%.0f items/s, %.1f MB/s)%s\n",
		cmd, rep->files_seen, rep->files_indexed, rep->files_unchanged, rep->files_failed,
		rep->items, rep->seconds, rate,
		rep->seconds > 0 ? (double)rep->bytes / 1e6 / rep->seconds : 0.0,
		rebuild ? (rep->swapped ? "; new index in place" : "; index unchanged") : "");
	if (rep->files_skipped || rep->items_skipped)
		fprintf(stderr,
			"%s: %ld file(s) skipped (not regular, or reached twice), %ld "
			"item(s) or entries skipped (past the limits, or unreadable: the "
			"lines above say why)\n",
			cmd, rep->files_skipped, rep->items_skipped);
	if (rep->sources_pruned)
		fprintf(stderr, "%s: %ld vanished file(s) pruned\n", cmd, rep->sources_pruned);
}

int ks_cli_index(int argc, char **argv, int rebuild)
{
	const char *cmd = rebuild ? "reindex" : "index";
	struct ks_build_opts o = {0};
	o.db = ks_cli_default_db();
	o.progress = isatty(STDERR_FILENO);
	int quiet = 0, c, rc;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+d:f:qh", g_opts, NULL)) != -1)
		if ((rc = take_flag(cmd, rebuild, c, argv, &o, &quiet)) >= 0)
			return rc;
	if (optind >= argc)
		return ks_cli_usage_error(cmd, "give at least one file, folder or URL to read");
	struct ks_build_report rep;
	struct ks_err err = {""};
	rc = rebuild ? ks_build_reindex(&o, argv + optind, argc - optind, &rep, &err)
		     : ks_build_index(&o, argv + optind, argc - optind, &rep, &err);
	if (!quiet || rc != 0)
		print_report(cmd, rebuild, &rep);
	if (rc != KS_OK) {
		fprintf(stderr, "kensaku %s: %s\n", cmd, err.msg);
		return 1;
	}
	return 0;
}
