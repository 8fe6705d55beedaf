/* cli_analyze.c - `kensaku analyze [--mode document|query] [--exact]
 * [--json] TEXT...`: the tokens the index sees for TEXT, and the FTS5
 * expression a search for it runs. --json prints exactly the body of
 * GET /api/analyze. Needs no index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_util.h"
#include "kensaku/analyze.h"
#include "kensaku/search.h"

static void print_table(const json_t *body)
{
	size_t i;
	json_t *t;
	printf("%-4s %-9s %-4s %s\n", "pos", "bytes", "", "token");
	json_array_foreach(json_object_get(body, "tokens"), i, t)
	{
		char range[32];
		snprintf(range, sizeof range, "%lld-%lld",
			 (long long)json_integer_value(json_object_get(t, "start")),
			 (long long)json_integer_value(json_object_get(t, "end")));
		printf("%-4lld %-9s %-4s %s\n",
		       (long long)json_integer_value(json_object_get(t, "position")), range,
		       json_is_true(json_object_get(t, "colocated")) ? "+" : "",
		       json_string_value(json_object_get(t, "token")));
	}
	const char *q = json_string_value(json_object_get(body, "query"));
	printf("query: %s\n", q ? q : "(none: matches every item or none)");
}

int ks_cli_analyze(int argc, char **argv)
{
	enum ks_tok_mode mode = KS_TOK_DOCUMENT;
	const char *mode_name = NULL;
	int json = 0, exact = 0, first, rc;
	const struct ks_cli_flag flags[] = {
	    {"mode", 'm', &mode_name, NULL},
	    {"json", 'j', NULL, &json},
	    {"exact", 0, NULL, &exact},
	};
	if ((rc = ks_cli_flags("analyze",
			       "usage: kensaku analyze [--mode document|query] [--exact] [--json] "
			       "TEXT...",
			       flags, sizeof flags / sizeof flags[0], argc, argv, &first)) >= 0)
		return rc;
	if (mode_name && ks_tok_mode_parse(mode_name, &mode) != KS_OK)
		return ks_cli_usage_error("analyze", "--mode must be document or query, not '%s'",
					  mode_name);
	if (first >= argc)
		return ks_cli_usage_error("analyze", "no text to analyze");
	char *text = ks_cli_join(argc, argv, first);
	if (!text)
		return 1;
	struct ks_err err = {""};
	if (ks_analyze_check(text, &err) != KS_OK) {
		free(text);
		return ks_cli_usage_error("analyze", "%s", err.msg);
	}
	struct ks_tok *tok = ks_tok_new();
	json_t *body = NULL;
	rc = tok ? ks_analyze_json(tok, text, mode, !exact, &body, &err)
		 : ks_err_set(&err, KS_ERR_NOMEM, "ICU could not create the tokenizer");
	ks_tok_free(tok);
	free(text);
	if (rc != KS_OK) {
		fprintf(stderr, "kensaku analyze: %s\n", err.msg);
		return 1;
	}
	if (json)
		return ks_cli_print_json(body) == KS_OK ? 0 : 1;
	print_table(body);
	json_decref(body);
	return 0;
}
