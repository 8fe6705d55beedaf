/* date.h - calendar dates: the one validator of "YYYY-MM-DD" (what ingest
 * stores and what a search's from/to may say), the one reader of dates as
 * archives write them (ks_date_read: the text layout and the HTML, feed
 * and file-name extractors), and the one converter between dates and day
 * numbers, all on the proleptic Gregorian calendar. Pure functions: none
 * allocates or fails.
 *
 * A date's year is four digits, KS_DATE_YEAR_MIN..KS_DATE_YEAR_MAX: an
 * archive of newsletters has no earlier dates, and the floor keeps a
 * 4-digit issue number such as 0059 from reading as a year. */
#ifndef KENSAKU_DATE_H
#define KENSAKU_DATE_H

#include <stddef.h>

#define KS_DATE_YEAR_MIN 1000
#define KS_DATE_YEAR_MAX 9999

/* 1 when y-m-d is a real calendar date with a year in
 * KS_DATE_YEAR_MIN..KS_DATE_YEAR_MAX, else 0. */
int ks_date_real(int y, int m, int d);

/* 1 when s[0..n) is exactly "YYYY-MM-DD" (ASCII digits) naming a real
 * date (ks_date_real), with its parts in *y, *m, *d (each may be NULL);
 * else 0 with nothing set. */
int ks_date_parse(const char *s, size_t n, int *y, int *m, int *d);

/* Writes y-m-d as "YYYY-MM-DD" and a NUL into out when it is a real date
 * (ks_date_real) and returns 0; returns -1 (out untouched) otherwise. */
int ks_date_format(int y, int m, int d, char out[11]);

/* An English month name at s[*i] (ASCII letters, any case: the full name,
 * its first three letters, or "Sept"), then an optional '.': returns 1..12
 * and moves *i past it, or 0 (*i untouched). */
int ks_date_month_name(const char *s, size_t n, size_t *i);

/* Reads mind..maxd digits at s[*i] (s[0..n)), ASCII or full-width
 * (U+FF10..U+FF19) mixed, as the numbers of a written date (and of an
 * issue number beside it); a further digit right after them refuses the
 * whole number. Returns the value and moves *i past the digits, or -1
 * (*i untouched). maxd at most 18. */
long long ks_date_digits(const char *s, size_t n, size_t *i, int mind, int maxd);

/* Reads a date written at s[i] of s[0..n):
 *   year first: Y-M-D, Y/M/D or Y.M.D (M and D of one or two digits), or
 *     Y年M月D日 (spaces, tabs and newlines allowed before 年, 月 and 日
 *     and after 年 and 月);
 *   English: "March 27, 2022", "Mar. 27th 2022", "27 Mar 2022"
 *     (ks_date_month_name; the day's st/nd/rd/th when no letter follows
 *     it; the comma optional);
 * Y of four digits, digits as ks_date_digits. Nothing before s[i] or after
 * the date is looked at. Returns 1 when a date is written there, with its
 * parts in *y, *m, *d (not checked: ks_date_real says whether it names a
 * real day) and the position after its last character in *end; else 0
 * with nothing set. */
int ks_date_read(const char *s, size_t n, size_t i, int *y, int *m, int *d, size_t *end);

/* Days from 1970-01-01 to y-m-d (negative before it), for any y, m 1..12
 * and d 1..31 (H. Hinnant's days_from_civil). */
long ks_date_days(long y, int m, int d);

/* The date that is days days after 1970-01-01 (before it when negative):
 * the inverse of ks_date_days (H. Hinnant's civil_from_days). Any of y, m,
 * d may be NULL. */
void ks_date_civil(long days, long *y, int *m, int *d);

#endif
