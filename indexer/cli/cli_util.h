/* cli_util.h - what the subcommands of the `kensaku` CLI share (cli.h):
 * the default index, usage errors, joined words, a read-only open, a
 * printed JSON body. */
#ifndef KS_CLI_UTIL_H
#define KS_CLI_UTIL_H

struct ks_store;
struct json_t;

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
