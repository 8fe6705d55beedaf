/* cli_util.c - what every `kensaku` subcommand shares: the default index,
 * flags read from a table (getopt_long), usage errors, joining words into
 * one text, opening the index read-only, printing a JSON body.
 * The subcommands use it; it uses none of them. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

const char *ks_cli_default_db(void)
{
	const char *env = getenv("KENSAKU_DB");
	return env && *env ? env : "./kensaku.db";
}

int ks_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "kensaku %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'kensaku --help'.\n");
	return 2;
}

/* The getopt_long code of flag i: its letter, else a code above any char. */
static int flag_code(const struct ks_cli_flag *f, size_t i)
{
	return f[i].letter ? f[i].letter : 256 + (int)i;
}

int ks_cli_flags(const char *cmd, const char *usage, const struct ks_cli_flag *flags, size_t n,
		 int argc, char **argv, int *first)
{
	struct option opts[KS_CLI_FLAGS_MAX + 2] = {{"help", no_argument, NULL, 'h'}};
	char letters[2 * KS_CLI_FLAGS_MAX + 3] = "+h";
	size_t at = 2;
	int c;
	if (n > KS_CLI_FLAGS_MAX) {
		fprintf(stderr, "kensaku %s: more than %d flags in its table\n", cmd,
			KS_CLI_FLAGS_MAX);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		int arg = flags[i].value ? required_argument : no_argument;
		opts[i + 1] = (struct option){flags[i].name, arg, NULL, flag_code(flags, i)};
		if (flags[i].letter) {
			letters[at++] = flags[i].letter;
			if (arg == required_argument)
				letters[at++] = ':';
		}
	}
	letters[at] = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, letters, opts, NULL)) != -1) {
		size_t i = 0;
		if (c == 'h') {
			puts(usage);
			return 0;
		}
		while (i < n && flag_code(flags, i) != c)
			i++;
		if (i == n)
			return ks_cli_usage_error(cmd, "unknown or incomplete option '%s'",
						  argv[optind - 1]);
		if (flags[i].value)
			*flags[i].value = optarg;
		else
			*flags[i].on = 1;
	}
	*first = optind;
	return -1;
}

char *ks_cli_join(int argc, char **argv, int from)
{
	size_t n = 1;
	for (int i = from; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = calloc(1, n);
	if (!s)
		return NULL;
	size_t at = 0;
	for (int i = from; i < argc; i++) {
		size_t k = strlen(argv[i]);
		if (i > from)
			s[at++] = ' ';
		memcpy(s + at, argv[i], k);
		at += k;
	}
	return s;
}

struct ks_store *ks_cli_open_ro(const char *db)
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

int ks_cli_print_json(json_t *j)
{
	char *body = j ? ks_json_body(j) : NULL;
	if (body)
		puts(body);
	free(body);
	json_decref(j);
	return body ? KS_OK : KS_ERR_NOMEM;
}
