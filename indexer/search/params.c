/* params.c - defaults and validation of search parameters. */
#include <stdio.h>
#include <string.h>

#include "kensaku/date.h"
#include "kensaku/params.h"
#include "kensaku/utf8.h"
#include "normalize.h"

/* normalize.c cuts a run without a normalization boundary after
 * KS_NORM_CHUNK_MAX_CP code points and a query must never be cut: a
 * query of at most KS_QUERY_MAX_BYTES bytes (checked below) has at most as
 * many code points. */
_Static_assert(KS_NORM_CHUNK_MAX_CP >= KS_QUERY_MAX_BYTES,
	       "a query longer than a normalization chunk would be cut");

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
	return s && ks_date_parse(s, strlen(s), NULL, NULL, NULL);
}

int ks_search_params_check(const struct ks_search_params *p, struct ks_err *err)
{
	if (p->q && strlen(p->q) > KS_QUERY_MAX_BYTES)
		return ks_err_set(err, KS_ERR_ARG, "q is longer than %d bytes", KS_QUERY_MAX_BYTES);
	if (p->q && !ks_utf8_text(p->q, strlen(p->q)))
		return ks_err_set(err, KS_ERR_ARG, "q is not valid UTF-8 text");
	if (p->section &&
	    (strlen(p->section) > 200 || !ks_utf8_text(p->section, strlen(p->section))))
		return ks_err_set(err, KS_ERR_ARG, "section is not valid UTF-8 text");
	if (p->entity && (strlen(p->entity) > 200 || !ks_utf8_text(p->entity, strlen(p->entity))))
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
