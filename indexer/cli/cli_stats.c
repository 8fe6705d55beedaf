/* cli_stats.c - `kensaku stats [--db FILE] [--json]`: what the index holds,
 * when and by which tokenizer it was built, and whether it needs a
 * reindex. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_util.h"
#include "kensaku/search.h"
#include "kensaku/store.h"

int ks_cli_stats(int argc, char **argv)
{
	const char *db = ks_cli_default_db();
	int json = 0, first, rc;
	const struct ks_cli_flag flags[] = {{"db", 'd', &db, NULL}, {"json", 'j', NULL, &json}};
	if ((rc = ks_cli_flags("stats", "usage: kensaku stats [--db FILE] [--json]", flags,
			       sizeof flags / sizeof flags[0], argc, argv, &first)) >= 0)
		return rc;
	if (first < argc)
		return ks_cli_usage_error("stats", "unexpected argument '%s'", argv[first]);
	struct ks_store *s = ks_cli_open_ro(db);
	if (!s)
		return 1;
	struct ks_store_stats st;
	struct ks_err err = {""};
	rc = ks_store_stats(s, &st, &err);
	int stale = ks_store_check_version(s, &err) != KS_OK;
	ks_store_close(s);
	if (rc != KS_OK) {
		fprintf(stderr, "kensaku stats: %s\n", err.msg);
		return 1;
	}
	if (json)
		return ks_cli_print_json(ks_stats_json(&st, stale)) == KS_OK ? 0 : 1;
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
