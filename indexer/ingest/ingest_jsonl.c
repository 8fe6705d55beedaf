/* ingest_jsonl.c - JSON Lines archives.
 *
 * Each non-blank line is one JSON object, either one item
 *   {"issue": 59, "date": "2022-03-27", "section": "脆弱性", "title": "…",
 *    "quote": "…" | ["…", "…"], "url": "…", "links": ["…", …]}
 * or one whole issue
 *   {"issue": 59, "date": "…", "title": "…", "items": [{"section": …,
 *    "title": …, "quote": …, "url": …}, …]}.
 * links (optional) lists the item's links: the http(s) ones are kept, in
 * order, each once, url first when both are given (item.h).
 * title and issue are required; issue is a positive integer or a string of
 * digits; date is a real calendar date "YYYY-MM-DD" (a time after a 'T' is
 * ignored); unknown fields are ignored. Items of one issue may be spread over
 * lines: they are numbered in first-seen order. Any bad line rejects the
 * whole file with "name:line: reason", and `out` is left untouched. Past a
 * limit is not bad: a line longer than KS_MAX_JSONL_LINE or nested deeper
 * than JSON_DEPTH_MAX is skipped, and so are items past the limits of
 * item.h (ks_batch_enforce_limits), each reported in out's notes. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kensaku/date.h"
#include "kensaku/ingest.h"

#define ISSUE_DIGITS 15	 /* digits accepted in an issue number string */
#define JSON_DEPTH_MAX 8 /* an issue line nests 4 deep: {items: [{quote: [...]}]} */

struct jparser {
	const char *name;
	int line;
	struct ks_batch tmp;
	struct ks_err *err;
};

/* Reports reason at the current line; always returns KS_ERR_PARSE. */
static int bad(struct jparser *p, const char *what, const char *reason)
{
	return ks_err_set(p->err, KS_ERR_PARSE, "%s:%d: %s%s", p->name, p->line, what, reason);
}

static int nomem(struct jparser *p)
{
	return ks_err_set(p->err, KS_ERR_NOMEM, "[ingest] %s:%d: out of memory", p->name, p->line);
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Validates "YYYY-MM-DD" (optionally followed by "T...") as a real calendar
 * date and writes the date part to out[11]; returns 0 or -1. */
static int check_date(const char *s, char out[11])
{
	size_t n = strlen(s);
	if (n < 10 || (n > 10 && s[10] != 'T') || !ks_date_parse(s, 10, NULL, NULL, NULL))
		return -1;
	memcpy(out, s, 10);
	out[10] = 0;
	return 0;
}

/* Reads the "issue" member: a positive integer or a string of digits.
 * Returns the number or -1. */
static long long issue_number(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (long long)json_integer_value(v) : -1;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = strlen(s);
		long long x = 0;
		if (n == 0 || n > ISSUE_DIGITS)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			x = x * 10 + (s[i] - '0');
		}
		return x > 0 ? x : -1;
	}
	return -1;
}

/* Reads an optional string member into *dst (a copy; NULL when absent,
 * null or, with empty_is_null, ""). Returns 0, or -1 with *why set. */
static int opt_string(json_t *obj, const char *key, int empty_is_null, char **dst, const char **why)
{
	json_t *v = json_object_get(obj, key);
	*dst = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		*why = "must be a string";
		return -1;
	}
	if (empty_is_null && json_string_length(v) == 0)
		return 0;
	if (!(*dst = strdup(json_string_value(v)))) {
		*why = NULL; /* out of memory */
		return -1;
	}
	return 0;
}

/* Reads "quote": a string, an array of strings (joined by "\n") or null.
 * Returns 0, or -1 with *why set (NULL for out of memory). */
static int read_quote(json_t *obj, char **dst, const char **why)
{
	json_t *v = json_object_get(obj, "quote"), *e;
	size_t i, total = 0;
	*dst = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v))
		return opt_string(obj, "quote", 1, dst, why);
	if (!json_is_array(v)) {
		*why = "\"quote\" must be a string or an array of strings";
		return -1;
	}
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e)) {
			*why = "\"quote\" must be a string or an array of strings";
			return -1;
		}
		total += json_string_length(e) + 1;
	}
	if (total == 0)
		return 0;
	char *q = malloc(total), *w = q;
	if (!q) {
		*why = NULL;
		return -1;
	}
	json_array_foreach(v, i, e)
	{
		size_t n = json_string_length(e);
		if (w != q)
			*w++ = '\n';
		memcpy(w, json_string_value(e), n);
		w += n;
	}
	*w = 0;
	*dst = q;
	return 0;
}

/* Adds the strings of obj's optional "links" array to it; -1 with *why
 * set when it is not an array of strings, -1 with *why NULL on out of
 * memory. */
static int read_links(json_t *obj, struct ks_item *it, const char **why)
{
	json_t *v = json_object_get(obj, "links"), *e;
	size_t i;
	*why = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v)) {
		*why = "\"links\" must be an array of strings";
		return -1;
	}
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e)) {
			*why = "\"links\" must be an array of strings";
			return -1;
		}
		if (ks_item_add_link(it, json_string_value(e), json_string_length(e)) != 0)
			return -1;
	}
	return 0;
}

/* Finds or creates issue `number` in the temporary batch and reconciles its
 * date. */
static int get_issue(struct jparser *p, long long number, const char *date, struct ks_issue **out)
{
	struct ks_issue *is = ks_batch_find_issue(&p->tmp, number);
	if (!is) {
		if (!(is = ks_batch_add_issue(&p->tmp)))
			return nomem(p);
		is->number = number;
	}
	if (date) {
		if (!is->date) {
			if (!(is->date = strdup(date)))
				return nomem(p);
		} else if (strcmp(is->date, date) != 0) {
			return ks_err_set(p->err, KS_ERR_PARSE,
					  "%s:%d: date %s conflicts with %s given earlier for "
					  "issue %lld",
					  p->name, p->line, date, is->date, number);
		}
	}
	*out = is;
	return KS_OK;
}

/* Adds the item described by obj to is; where names it in messages ("" for
 * a one-item line, "items[3]: " inside an issue line). */
static int add_item(struct jparser *p, struct ks_issue *is, json_t *obj, const char *where)
{
	struct ks_item tmp = {0};
	const char *why = NULL;
	json_t *t = json_object_get(obj, "title");
	int rc;

	if (!json_is_object(obj))
		return bad(p, where, "an item must be a JSON object");
	if (!t)
		return bad(p, where, "missing \"title\"");
	if (!json_is_string(t))
		return bad(p, where, "\"title\" must be a string");
	const char *ts = json_string_value(t);
	if (strspn(ts, " \t\r\n") == strlen(ts))
		return bad(p, where, "\"title\" is empty");
	if (opt_string(obj, "section", 1, &tmp.section, &why) != 0) {
		rc = why ? bad(p, where, "\"section\" must be a string") : nomem(p);
		goto fail;
	}
	if (opt_string(obj, "url", 1, &tmp.url, &why) != 0) {
		rc = why ? bad(p, where, "\"url\" must be a string") : nomem(p);
		goto fail;
	}
	if (read_quote(obj, &tmp.quote, &why) != 0) {
		rc = why ? bad(p, where, why) : nomem(p);
		goto fail;
	}
	if (read_links(obj, &tmp, &why) != 0) {
		rc = why ? bad(p, where, why) : nomem(p);
		goto fail;
	}
	if (!(tmp.title = strdup(ts))) {
		rc = nomem(p);
		goto fail;
	}
	struct ks_item *it = ks_issue_add_item(is);
	if (!it) {
		rc = nomem(p);
		goto fail;
	}
	tmp.position = it->position;
	tmp.line = p->line;
	*it = tmp;
	return KS_OK;
fail:
	ks_item_clear(&tmp);
	return rc;
}

/* The deepest nesting of arrays and objects in the JSON text s[n] (strings
 * skipped); stops counting past JSON_DEPTH_MAX. */
static int json_depth(const char *s, size_t n)
{
	int depth = 0, max = 0, in_str = 0;
	for (size_t i = 0; i < n && max <= JSON_DEPTH_MAX; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			max = ++depth > max ? depth : max;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return max;
}

/* Skips a line past a limit (too long, nested too deep) with a note, or
 * returns 0 to parse it. -1 on out of memory. */
static int line_over_limit(struct jparser *p, const char *s, size_t n)
{
	if (n > KS_MAX_JSONL_LINE)
		return ks_batch_skip(&p->tmp, "%s:%d: line skipped: %zu bytes (at most %d)",
				     p->name, p->line, n, KS_MAX_JSONL_LINE)
			   ? -1
			   : 1;
	if (json_depth(s, n) > JSON_DEPTH_MAX)
		return ks_batch_skip(&p->tmp, "%s:%d: line skipped: JSON nested deeper than %d",
				     p->name, p->line, JSON_DEPTH_MAX)
			   ? -1
			   : 1;
	return 0;
}

/* Parses one non-blank line. */
static int parse_line(struct jparser *p, const char *s, size_t n)
{
	json_error_t jerr;
	json_t *root = json_loadb(s, n, JSON_DECODE_ANY, &jerr), *v, *items;
	struct ks_issue *is = NULL;
	char date[11];
	const char *datep = NULL;
	long long number;
	int rc;

	if (!root)
		return ks_err_set(p->err, KS_ERR_PARSE, "%s:%d: not valid JSON: %s", p->name,
				  p->line, jerr.text);
	if (!json_is_object(root)) {
		rc = bad(p, "", "not a JSON object");
		goto out;
	}
	if (!(v = json_object_get(root, "issue"))) {
		rc = bad(p, "", "missing \"issue\"");
		goto out;
	}
	if ((number = issue_number(v)) < 0) {
		rc = bad(p, "", "\"issue\" must be a positive integer");
		goto out;
	}
	v = json_object_get(root, "date");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || check_date(json_string_value(v), date) != 0) {
			rc = ks_err_set(p->err, KS_ERR_PARSE,
					"%s:%d: invalid \"date\" (want a real date YYYY-MM-DD)",
					p->name, p->line);
			goto out;
		}
		datep = date;
	}
	items = json_object_get(root, "items");
	if (items && !json_is_array(items)) {
		rc = bad(p, "", "\"items\" must be an array");
		goto out;
	}
	if (items && json_array_size(items) == 0) {
		rc = bad(p, "", "\"items\" is empty");
		goto out;
	}
	if ((rc = get_issue(p, number, datep, &is)) != KS_OK)
		goto out;
	if (!items) {
		rc = add_item(p, is, root, "");
		goto out;
	}
	json_t *t = json_object_get(root, "title");
	if (t && !json_is_null(t) && !json_is_string(t)) {
		rc = bad(p, "", "\"title\" must be a string");
		goto out;
	}
	if (t && json_is_string(t) && !is->title && !(is->title = strdup(json_string_value(t)))) {
		rc = nomem(p);
		goto out;
	}
	size_t i;
	json_t *e;
	json_array_foreach(items, i, e)
	{
		char where[48];
		int w = snprintf(where, sizeof where, "items[%zu]: ", i);
		if (w < 0 || (size_t)w >= sizeof where)
			where[0] = 0;
		if ((rc = add_item(p, is, e, where)) != KS_OK)
			goto out;
	}
	rc = KS_OK;
out:
	json_decref(root);
	return rc;
}

int ks_ingest_jsonl(const char *name, const char *data, size_t len, struct ks_batch *out,
		    struct ks_err *err)
{
	struct jparser p = {.name = name ? name : "(input)", .err = err};
	size_t i = 0;
	int rc = KS_OK;

	if (!out || (!data && len > 0))
		return ks_err_set(err, KS_ERR_ARG, "[ingest] no input or no output batch");
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (rc == KS_OK && i < len) {
		size_t b = i;
		while (i < len && data[i] != '\n')
			i++;
		size_t n = i - b;
		p.line++;
		if (i < len)
			i++;
		if (n > 0 && data[b + n - 1] == '\r')
			n--;
		if (is_blank(data + b, n))
			continue;
		int over = line_over_limit(&p, data + b, n);
		if (over < 0)
			rc = nomem(&p);
		else if (!over)
			rc = parse_line(&p, data + b, n);
	}
	if (rc == KS_OK)
		rc = ks_batch_finish(&p.tmp, out, p.name, err);
	ks_batch_clear(&p.tmp);
	return rc;
}
