/* csv.h - search results as CSV for spreadsheets: the body of GET
 * /api/search.csv and `kensaku search --csv`.
 *
 * RFC 4180: CRLF line ends; a field holding , " CR or LF is quoted, with
 * quotes doubled. Formula guard: a text field (id, date, section, title,
 * quote, url) that starts with = + - @ TAB or CR gets a leading ' so that
 * spreadsheets show it as text instead of evaluating it (CSV injection);
 * issue and score are numbers we format, never guarded.
 *
 * Every match is exported, one page at a time. A page holds up to limit
 * rows; the opaque cursor of the next page resumes after the last row's
 * sort key (keyset paging, nothing is skipped or counted twice), and
 * carries a watermark: an export shows the items that existed when its
 * first page was made, so items that `kensaku index` adds meanwhile neither
 * shift nor join it. A cursor is bound to its query, filters, sort and
 * index build: any other use of it is rejected. Only the first page (no
 * cursor) starts with the header row (and the BOM when asked), so the pages
 * concatenated are one CSV file. */
#ifndef KENSAKU_CSV_H
#define KENSAKU_CSV_H

#include <stddef.h>

#include "err.h"
#include "search.h"
#include "store.h"

#define KS_CSV_LIMIT_DEFAULT 1000
#define KS_CSV_LIMIT_MAX 10000
#define KS_CSV_PAGE_BYTES (16 << 20) /* a page also ends after the row that passes this */
#define KS_CSV_CURSOR_MAX 96	     /* longer cursors are malformed */
#define KS_CSV_HEADER "id,issue,date,section,title,quote,url,score\r\n"

struct ks_csv_opts {
	int limit;	    /* rows per page, 1..KS_CSV_LIMIT_MAX */
	const char *cursor; /* NULL for the first page */
	int bom;	    /* first page: start with a UTF-8 byte order mark */
};

struct ks_csv_page {
	char *data; /* the CSV bytes (malloc'd, NUL-terminated) */
	size_t len;
	long long rows;			  /* rows in this page */
	char next[KS_CSV_CURSOR_MAX + 1]; /* cursor of the next page, "" after the last */
};

/* One page of the matches of p (q, expand, section, from, to, entity, sort,
 * deadline_ms; p must pass ks_search_params_check; limit and offset are
 * ignored), in p->sort order: relevance (as a search: score, then newest;
 * browsing and exclusions-only queries sort newest), newest or oldest (as
 * a search: undated items last). Columns id,issue,date,section,title,quote,
 * url,score; score is the search's (relevance: ks_rank; date sorts: the
 * cheap rank of a date-sorted search's hits; 0 without positive terms).
 * Fills *out on success (free with ks_csv_page_clear). KS_ERR_ARG for a bad
 * limit or a cursor that is malformed or belongs to another query, sort or
 * index build; KS_ERR_TIMEOUT, KS_ERR_DB, KS_ERR_NOMEM otherwise.
 * With sort relevance, `kensaku index` running between two pages changes
 * the corpus statistics and so the scores: a row can then move across the
 * cursor; export in date order from an index being written. */
int ks_csv_page(struct ks_store *s, const struct ks_search_params *p, const struct ks_csv_opts *o,
		struct ks_csv_page *out, struct ks_err *err);

/* Frees what pg holds and zeroes it. Accepts NULL. */
void ks_csv_page_clear(struct ks_csv_page *pg);

#endif
