/* cli_util.h - what the subcommands of the `kensaku` CLI share (cli.h):
 * the default index, their flags read from a table, usage errors, joined
 * words, a read-only open, a printed JSON body. */
#ifndef KS_CLI_UTIL_H
#define KS_CLI_UTIL_H

#include <stddef.h>

struct ks_store;
struct json_t;

/* One flag of a subcommand for ks_cli_flags: --name, and -letter when
 * letter is not 0. A flag with a value stores it in *value (the argv
 * string: check it after parsing); a switch (value NULL) sets *on to 1. */
struct ks_cli_flag {
	const char *name;
	char letter;
	const char **value;
	int *on;
};

#define KS_CLI_FLAGS_MAX 24 /* entries a table may hold */

/* Reads the flags at the front of argv (argv[0] is the subcommand) by the
 * n entries of flags (at most KS_CLI_FLAGS_MAX), plus --help/-h; the first
 * word that is not a flag, or the word after "--", ends them (so a query
 * such as -okta after a word is not a flag), and *first is set to its
 * index (argc when none). Returns -1 when the command goes on; 0 after
 * printing the usage line for --help; 2 after a usage error for cmd (an
 * unknown flag, a value missing); 1 when n is over the maximum (a bug). */
int ks_cli_flags(const char *cmd, const char *usage, const struct ks_cli_flag *flags, size_t n,
		 int argc, char **argv, int *first);

/* $KENSAKU_DB, else ./kensaku.db. */
const char *ks_cli_default_db(void);

/* Prints "kensaku CMD: <message>" and a hint to stderr; returns 2. */
int ks_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* argv[from..argc) joined by single spaces ("" when there are none); a
 * malloc'd string, NULL on out of memory. */
char *ks_cli_join(int argc, char **argv, int from);

/* Opens db read-only and warns on stderr when it needs a reindex; prints
 * the reason and returns NULL when it can't be opened. Close it with
 * ks_store_close. */
struct ks_store *ks_cli_open_ro(const char *db);

/* Prints j as the API prints it (ks_json_body) and a newline on stdout,
 * then releases j (the reference is the caller's: NULL is fine, as from
 * a render that ran out of memory). KS_OK, or KS_ERR_NOMEM when j is NULL
 * or the body can't be made (nothing printed). */
int ks_cli_print_json(struct json_t *j);

#endif
