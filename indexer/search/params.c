/* params.c - defaults and validation of search parameters. */
#include <stdio.h>
#include <string.h>

#include <unicode/utf8.h>

#include "kensaku/search.h"

void ks_search_params_init(struct ks_search_params *p)
{
	memset(p, 0, sizeof *p);
	p->limit = KS_LIMIT_DEFAULT;
	p->sort = KS_SORT_RELEVANCE;
}

int ks_sort_parse(const char *s, enum ks_sort *out)
{
	if (!s || !strcmp(s, "relevance"))
		*out = KS_SORT_RELEVANCE;
	else if (!strcmp(s, "newest"))
		*out = KS_SORT_NEWEST;
	else if (!strcmp(s, "oldest"))
		*out = KS_SORT_OLDEST;
	else
		return KS_ERR_ARG;
	return KS_OK;
}

int ks_date_valid(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* 1 when s is valid UTF-8 with no NUL or other C0 control but \t \n \r. */
static int text_ok(const char *s)
{
	int32_t len = (int32_t)strlen(s), i = 0;
	while (i < len) {
		UChar32 c;
		U8_NEXT(s, i, len, c);
		if (c < 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
			return 0;
	}
	return 1;
}

int ks_search_params_check(const struct ks_search_params *p, struct ks_err *err)
{
	if (p->q && strlen(p->q) > KS_QUERY_MAX_BYTES)
		return ks_err_set(err, KS_ERR_ARG, "q is longer than %d bytes", KS_QUERY_MAX_BYTES);
	if (p->q && !text_ok(p->q))
		return ks_err_set(err, KS_ERR_ARG, "q is not valid UTF-8 text");
	if (p->section && (strlen(p->section) > 200 || !text_ok(p->section)))
		return ks_err_set(err, KS_ERR_ARG, "section is not valid UTF-8 text");
	if (p->entity && (strlen(p->entity) > 200 || !text_ok(p->entity)))
		return ks_err_set(err, KS_ERR_ARG,
				  "entity must be valid UTF-8 text of at most 200 bytes");
	if (p->limit < 1 || p->limit > KS_LIMIT_MAX)
		return ks_err_set(err, KS_ERR_ARG, "limit must be between 1 and %d", KS_LIMIT_MAX);
	if (p->offset < 0 || p->offset > KS_OFFSET_MAX)
		return ks_err_set(err, KS_ERR_ARG, "offset must be between 0 and %d",
				  KS_OFFSET_MAX);
	if (p->from && !ks_date_valid(p->from))
		return ks_err_set(err, KS_ERR_ARG, "from must be a date YYYY-MM-DD");
	if (p->to && !ks_date_valid(p->to))
		return ks_err_set(err, KS_ERR_ARG, "to must be a date YYYY-MM-DD");
	if (p->from && p->to && strcmp(p->from, p->to) > 0)
		return ks_err_set(err, KS_ERR_ARG, "from is after to");
	if (p->sort != KS_SORT_RELEVANCE && p->sort != KS_SORT_NEWEST && p->sort != KS_SORT_OLDEST)
		return ks_err_set(err, KS_ERR_ARG, "sort must be relevance, newest or oldest");
	return KS_OK;
}
