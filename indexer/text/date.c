/* date.c - the date validator and the civil-date converter of date.h. */
#include "kensaku/date.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int ks_date_real(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < KS_DATE_YEAR_MIN || y > KS_DATE_YEAR_MAX || m < 1 || m > 12 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* The value of the n ASCII digits at s, or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int ks_date_parse(const char *s, size_t n, int *y, int *m, int *d)
{
	if (!s || n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	int yy = digits(s, 4), mm = digits(s + 5, 2), dd = digits(s + 8, 2);
	if (yy < 0 || mm < 0 || dd < 0 || !ks_date_real(yy, mm, dd))
		return 0;
	if (y)
		*y = yy;
	if (m)
		*m = mm;
	if (d)
		*d = dd;
	return 1;
}

int ks_date_format(int y, int m, int d, char out[11])
{
	char t[16];
	if (!ks_date_real(y, m, d) || snprintf(t, sizeof t, "%04d-%02d-%02d", y, m, d) != 10)
		return -1;
	for (int i = 0; i <= 10; i++)
		out[i] = t[i];
	return 0;
}

long ks_date_days(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

void ks_date_civil(long days, long *y, int *m, int *d)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned mm = mp < 10 ? mp + 3 : mp - 9;
	if (y)
		*y = (long)yoe + era * 400 + (mm <= 2);
	if (m)
		*m = (int)mm;
	if (d)
		*d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

int ks_date_month_name(const char *s, size_t n, size_t *i)
{
	static const char *const names[] = {"january",	 "february", "march",	 "april",
					    "may",	 "june",     "july",	 "august",
					    "september", "october",  "november", "december"};
	size_t j = *i;
	while (j < n && ((s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z')))
		j++;
	size_t k = j - *i;
	for (int m = 0; m < 12 && k >= 3; m++) {
		size_t full = strlen(names[m]);
		if ((k == full || k == 3 || (m == 8 && k == 4)) &&
		    strncasecmp(s + *i, names[m], k) == 0) {
			*i = j + (j < n && s[j] == '.');
			return m + 1;
		}
	}
	return 0;
}
