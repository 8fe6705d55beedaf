/* cli.h - the subcommands of the `kensaku` CLI, which cli.c dispatches to;
 * each lives in cli_<command>.c, returns its exit code (0 ok, 1 runtime
 * error, 2 usage error) and takes argv starting at the subcommand's name.
 * Arrows point one way: cli.c -> cli_<command>.c -> cli_util.c. */
#ifndef KS_CLI_H
#define KS_CLI_H

int ks_cli_index(int argc, char **argv, int rebuild);
int ks_cli_search(int argc, char **argv);
int ks_cli_stats(int argc, char **argv);
int ks_cli_analyze(int argc, char **argv);

#endif
