/* cli.h - the subcommands of the `kensaku` CLI; each returns its exit code
 * (0 ok, 1 runtime error, 2 usage error) and takes argv starting at the
 * subcommand's name. */
#ifndef KS_CLI_H
#define KS_CLI_H

int ks_cli_index(int argc, char **argv, int rebuild);
int ks_cli_search(int argc, char **argv);
int ks_cli_stats(int argc, char **argv);
int ks_cli_analyze(int argc, char **argv);
void ks_cli_version(void);

/* $KENSAKU_DB, else ./kensaku.db. */
const char *ks_cli_default_db(void);

/* Prints "kensaku CMD: <message>" and a hint to stderr; returns 2. */
int ks_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
