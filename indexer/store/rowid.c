/* rowid.c - calendar arithmetic for the rowid layout (rowid.h). */
#include <stdlib.h>

#include "kensaku/search.h"
#include "rowid.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

int ks_day_from_date(const char *date)
{
	if (!date || !ks_date_valid(date))
		return 0;
	long y = strtol(date, NULL, 10);
	unsigned m = (unsigned)((date[5] - '0') * 10 + (date[6] - '0'));
	unsigned d = (unsigned)((date[8] - '0') * 10 + (date[9] - '0'));
	long days = days_from_civil(y, m, d) + 1;
	if (days < 1 || days > 65535)
		return 0; /* outside 1970..2149: kept, but as undated in the rowid */
	return (int)days;
}

int ks_year_from_day(int day)
{
	long z = (long)day - 1 + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = (long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	return (int)(y + (m <= 2));
}

void ks_rowid_date_range(const char *from, const char *to, sqlite3_int64 *lo, sqlite3_int64 *hi)
{
	if (from) {
		*lo = ks_rowid_day_start(ks_day_from_date(from));
		if (*lo == 0)
			*lo = 1; /* a date before 1970 still excludes undated items */
	}
	if (to) {
		int day = ks_day_from_date(to);
		*hi = day ? ks_rowid_day_start(day + 1) - 1 : INT64_MAX;
		if (*lo == 0)
			*lo = ks_rowid_day_start(1);
	}
}
