/* scan.h - the one walk over the matching rowids, without shaping (private
 * to the indexer library): search.c (total, facets, page, scores),
 * trend.c, csv.c and feed.c walk them.
 *
 * A scan resolves the parameters /api/search shares with the other query
 * endpoints (q with or without expansion and with its site: terms,
 * section, from, to, entity) once,
 * so a search, a trend's total, a feed and an export see the same items. The walk reads only FTS5
 * doclists (or the items b-tree when browsing) and filters on the rowid's date and section bits
 * (rowid.h); the entity and site: filters are sorted rowid sets. */
#ifndef KS_SCAN_H
#define KS_SCAN_H

#include <sqlite3.h>
#include <stddef.h>
#include <time.h>

#include "kensaku/err.h"
#include "kensaku/hit.h"
#include "kensaku/query.h"
#include "kensaku/params.h"
#include "kensaku/store.h"

/* A request's deadline as the C loops of shaping see it: SQLite statements
 * are stopped by the store's progress handler (ks_store_deadline), a loop
 * in C asks ks_deadline_passed now and then. */
struct ks_deadline {
	struct timespec t0; /* when the call started */
	int ms;		    /* 0: none */
};

/* Starts d: ms (0 = none) from now. Can't fail. */
void ks_deadline_start(struct ks_deadline *d, int ms);

/* 1 when d has passed, or when s's progress handler saw it pass (then a
 * statement was stopped); 0 otherwise. Cheap (one clock read). */
int ks_deadline_passed(struct ks_store *s, const struct ks_deadline *d);

struct ks_scan {
	struct ks_query q;	    /* the translated query (owns its strings) */
	struct ks_query_phrases pl; /* q's phrases, as ks_rank receives them */
	const char *fts;	    /* expression bound to MATCH, NULL when browsing */
	sqlite3_int64 lo, hi;	    /* rowid range of the date filter */
	int sec;		    /* section id to keep, -1 for any */
	int none;		    /* nothing can match (no searchable term, unknown section) */
	int has_ent;		    /* entity or site: filter: only rowids in ent */
	sqlite3_int64 *ent;	    /* ascending: the entity's items, and of those,
				     * the items linking to a site: of the query */
	size_t n_ent;
	sqlite3_int64 *out; /* ascending: the items of -site: terms, left out */
	size_t n_out;
	struct ks_deadline dl; /* p->deadline_ms from ks_scan_init */
};

enum ks_scan_order {
	KS_SCAN_ASC = 0, /* ascending rowid */
	KS_SCAN_DESC,	 /* descending rowid */
	KS_SCAN_ANY	 /* any order: browsing the whole range then reads the
			  * smallest covering index instead of the items table */
};

enum ks_scan_score {
	KS_SCORE_NONE = 0, /* score 0 */
	KS_SCORE_FULL,	   /* ks_rank as the relevance sort of a search */
	KS_SCORE_CHEAP	   /* ks_rank without IDF, as a date-sorted search's hits */
};

/* Called for every matching rowid; non-zero stops the walk. */
typedef int (*ks_scan_fn)(void *ctx, sqlite3_int64 rowid, double score);

/* Translates p->q (expanded when p->expand) and resolves the filters of p
 * (which must pass ks_search_params_check), then arms p->deadline_ms on s
 * until ks_scan_clear. On failure sc holds nothing to free but the deadline
 * may be armed: call ks_scan_clear anyway. */
int ks_scan_init(struct ks_store *s, const struct ks_search_params *p, struct ks_scan *sc,
		 struct ks_err *err);

/* Frees what sc holds and disarms the deadline of s. Accepts a zeroed sc. */
void ks_scan_clear(struct ks_store *s, struct ks_scan *sc);

/* Calls fn for each rowid of [lo, hi] (intersected with the date filter)
 * that matches sc, in the order asked for, with the score asked for (scores are 0
 * when the query has no positive terms). Returns KS_OK (also when fn
 * stopped the walk), KS_ERR_TIMEOUT past the deadline (what fn does per
 * row counts toward it), KS_ERR_DB. */
int ks_scan_walk(struct ks_store *s, const struct ks_scan *sc, sqlite3_int64 lo, sqlite3_int64 hi,
		 enum ks_scan_order order, enum ks_scan_score score, ks_scan_fn fn, void *ctx,
		 struct ks_err *err);

/* The parts of rowid's score (hit.h) for sc's query: zeroes when sc has
 * no positive terms or rowid does not match. KS_OK, KS_ERR_TIMEOUT,
 * KS_ERR_DB. */
int ks_scan_explain(struct ks_store *s, const struct ks_scan *sc, sqlite3_int64 rowid,
		    struct ks_score_parts *out, struct ks_err *err);

/* Year and month (1..12) of a rowid day number (> 0). */
void ks_scan_year_month(int day, int *year, int *month);

#endif
