/* rowid.h - the layout of an item's rowid (private to the indexer library).
 *
 * An item's rowid carries what totals, facets, date filters and date sorts
 * need, so those read only FTS5 doclists and never join the items table:
 *
 *   bits 47..62  day: days since 1970-01-01 plus one; 0 when undated
 *   bits 10..46  seq: insertion order (within an issue: later position, lower seq)
 *   bits  0..9   section id (sections table); 0 when none
 *
 * Ordering by rowid is ordering by date (undated first), then issue order,
 * with an issue's items in position order when descending. */
#ifndef KS_ROWID_H
#define KS_ROWID_H

#include <stdint.h>

#include <sqlite3.h>

#define KS_ROWID_DAY_SHIFT 47
#define KS_ROWID_SEQ_SHIFT 10
#define KS_ROWID_SEC_MASK 1023LL
#define KS_ROWID_SEQ_MAX ((1LL << 37) - 1)
#define KS_SECTIONS_MAX 1023

static inline int64_t ks_rowid_make(int day, int64_t seq, int sec)
{
	return ((int64_t)day << KS_ROWID_DAY_SHIFT) | (seq << KS_ROWID_SEQ_SHIFT) | sec;
}

static inline int ks_rowid_day(int64_t rowid)
{
	return (int)(rowid >> KS_ROWID_DAY_SHIFT);
}

static inline int ks_rowid_section(int64_t rowid)
{
	return (int)(rowid & KS_ROWID_SEC_MASK);
}

/* The first rowid of day (inclusive lower bound of a date range). */
static inline int64_t ks_rowid_day_start(int day)
{
	return (int64_t)day << KS_ROWID_DAY_SHIFT;
}

/* The rowid range [*lo, *hi] of the date filter from..to (inclusive
 * "YYYY-MM-DD" or NULL): any date bound excludes undated items (day 0);
 * no bounds leave *lo and *hi as they are. */
void ks_rowid_date_range(const char *from, const char *to, sqlite3_int64 *lo, sqlite3_int64 *hi);

/* Day number (see above) of "YYYY-MM-DD"; 0 for NULL or a malformed date. */
int ks_day_from_date(const char *date);

/* The year of a day number (> 0). */
int ks_year_from_day(int day);

#endif
