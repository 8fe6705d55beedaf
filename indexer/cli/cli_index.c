/* cli_index.c - `kensaku index` and `kensaku reindex`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_util.h"
#include "kensaku/build.h"

static const struct option g_opts[] = {
    {"db", required_argument, NULL, 'd'},
    {"format", required_argument, NULL, 'f'},
    {"prune", no_argument, NULL, 'p'},
    {"skip-malformed", no_argument, NULL, 's'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

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
			    cmd, "--format must be auto, text or jsonl, not '%s'", optarg);
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
	case 'h':
		printf("usage: kensaku %s [--db FILE] [--format auto|text|jsonl|html|feed] %s[--quiet] "
		       "PATH...\n",
		       cmd, rebuild ? "[--skip-malformed] " : "[--prune] ");
		return 0;
	default:
		return ks_cli_usage_error(cmd, "unknown or incomplete option '%s'",
					  argv[optind - 1]);
	}
	return -1;
}

/* Prints what a run did (stderr). */
static void print_report(const char *cmd, int rebuild, const struct ks_build_report *rep)
{
	double rate = rep->seconds > 0 ? (double)rep->items / rep->seconds : 0;
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
			"item(s) skipped past the limits\n",
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
		return ks_cli_usage_error(cmd, "give at least one file or folder to read");
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
