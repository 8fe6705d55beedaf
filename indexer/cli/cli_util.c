/* cli_util.c - what every `kensaku` subcommand shares: the default index,
 * usage errors, joining words into one text, opening the index read-only,
 * printing a JSON body.
 * The subcommands use it; it uses none of them. */
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
