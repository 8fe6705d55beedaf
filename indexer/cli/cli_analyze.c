/* cli_analyze.c - `kensaku analyze [--mode document|query] [--exact]
 * [--json] TEXT...`: the tokens the index sees for TEXT, and the FTS5
 * expression a search for it runs. --json prints exactly the body of
 * GET /api/analyze. Needs no index. */
#include <getopt.h>
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
	int json = 0, expand = 1, c;
	static const struct option opts[] = {
	    {"mode", required_argument, NULL, 'm'},
	    {"json", no_argument, NULL, 'j'},
	    {"exact", no_argument, NULL, 'x'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+m:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (ks_tok_mode_parse(optarg, &mode) != KS_OK)
				return ks_cli_usage_error(
				    "analyze", "--mode must be document or query, not '%s'",
				    optarg);
			break;
		case 'j':
			json = 1;
			break;
		case 'x':
			expand = 0;
			break;
		case 'h':
			puts("usage: kensaku analyze [--mode document|query] [--exact] [--json] "
			     "TEXT...");
			return 0;
		default:
			return ks_cli_usage_error("analyze", "unknown or incomplete option '%s'",
						  argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return ks_cli_usage_error("analyze", "no text to analyze");
	char *text = ks_cli_join(argc, argv, optind);
	if (!text)
		return 1;
	struct ks_err err = {""};
	if (ks_analyze_check(text, &err) != KS_OK) {
		free(text);
		return ks_cli_usage_error("analyze", "%s", err.msg);
	}
	struct ks_tok *tok = ks_tok_new();
	json_t *body = NULL;
	int rc = tok ? ks_analyze_json(tok, text, mode, expand, &body, &err)
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
