/* rowid.c - calendar arithmetic for the rowid layout (rowid.h). */
#include <string.h>

#include "kensaku/date.h"
#include "rowid.h"

int ks_day_from_date(const char *date)
{
	int y, m, d;
	if (!date || !ks_date_parse(date, strlen(date), &y, &m, &d))
		return 0;
	long days = ks_date_days(y, m, d) + 1;
	if (days < 1 || days > 65535)
		return 0; /* outside 1970..2149: kept, but as undated in the rowid */
	return (int)days;
}

int ks_year_from_day(int day)
{
	long y = 0;
	ks_date_civil((long)day - 1, &y, NULL, NULL);
	return (int)y;
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
