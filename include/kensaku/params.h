/* params.h - the parameters of a search (and of the endpoints that share
 * its filters: trend, CSV, feed), their defaults and their checks
 * (params.c). search.h includes it. */
#ifndef KENSAKU_PARAMS_H
#define KENSAKU_PARAMS_H

#include "err.h"

#define KS_LIMIT_DEFAULT 20
#define KS_LIMIT_MAX 100
#define KS_OFFSET_MAX 100000
#define KS_QUERY_MAX_BYTES 1024 /* longer q is a client error */

enum ks_sort { KS_SORT_RELEVANCE = 0, KS_SORT_NEWEST, KS_SORT_OLDEST };

struct ks_search_params {
	const char *q;	     /* user text; NULL or "" browses everything */
	int limit;	     /* 1..KS_LIMIT_MAX */
	int offset;	     /* 0..KS_OFFSET_MAX */
	const char *section; /* exact section name or NULL */
	const char *from;    /* "YYYY-MM-DD" inclusive or NULL */
	const char *to;	     /* "YYYY-MM-DD" inclusive or NULL */
	enum ks_sort sort;
	int deadline_ms;    /* 0 = none; else KS_ERR_TIMEOUT past it */
	int expand;	    /* 1: bilingual/variant expansion (KS_QUERY_EXPAND); init
			     * leaves 0 (literal), kensakud and the CLI set 1 unless exact */
	const char *entity; /* only items tagged with this CVE id or entity (any
			     * spelling, entities.h), or NULL */
	int explain;	    /* 1: the JSON body carries "fts", the expression that ran */
};

/* Sets p to the defaults (limit 20, offset 0, relevance, no filters). */
void ks_search_params_init(struct ks_search_params *p);

/* Parses "relevance" | "newest" | "oldest"; KS_ERR_ARG otherwise. */
int ks_sort_parse(const char *s, enum ks_sort *out);

/* 1 when s is a valid calendar date "YYYY-MM-DD" (ks_date_parse: years
 * KS_DATE_YEAR_MIN..KS_DATE_YEAR_MAX). */
int ks_date_valid(const char *s);

/* Checks p's ranges and formats (limit, offset, dates, query length and
 * UTF-8); KS_ERR_ARG with a message naming the parameter otherwise. */
int ks_search_params_check(const struct ks_search_params *p, struct ks_err *err);

#endif
