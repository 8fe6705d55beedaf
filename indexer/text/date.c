/* date.c - the date validator, the date reader and the civil-date
 * converter of date.h. */
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

static int is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int ks_date_month_name(const char *s, size_t n, size_t *i)
{
	static const char *const names[] = {"january",	 "february", "march",	 "april",
					    "may",	 "june",     "july",	 "august",
					    "september", "october",  "november", "december"};
	size_t j = *i;
	while (j < n && is_letter(s[j]))
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

/* The value of a full-width digit (U+FF10..U+FF19, EF BC 90..99) at s[j],
 * or -1. */
static int wide_digit(const char *s, size_t n, size_t j)
{
	const unsigned char *u = (const unsigned char *)s + j;
	return j + 3 <= n && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99
		   ? u[2] - 0x90
		   : -1;
}

long long ks_date_digits(const char *s, size_t n, size_t *i, int mind, int maxd)
{
	long long v = 0;
	int k = 0;
	size_t j = *i;
	while (j < n) {
		int d = wide_digit(s, n, j);
		if (s[j] >= '0' && s[j] <= '9')
			d = s[j++] - '0';
		else if (d >= 0)
			j += 3;
		else
			break;
		if (++k > maxd)
			return -1;
		v = v * 10 + d;
	}
	if (k < mind)
		return -1;
	*i = j;
	return v;
}

static void skip_space(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n'))
		(*i)++;
}

/* The word w at s[*i] after spaces; 1 with *i past it, else 0. */
static int take_word(const char *s, size_t n, size_t *i, const char *w)
{
	size_t j = *i, k = strlen(w);
	skip_space(s, n, &j);
	if (n - j < k || memcmp(s + j, w, k) != 0)
		return 0;
	*i = j + k;
	return 1;
}

/* Y-M-D, Y/M/D, Y.M.D or Y年M月D日 at s[*i] (the parts of ks_date_read). */
static int year_first(const char *s, size_t n, size_t *i, long long v[3])
{
	if ((v[0] = ks_date_digits(s, n, i, 4, 4)) < 0 || *i >= n)
		return 0;
	if (s[*i] == '-' || s[*i] == '/' || s[*i] == '.') {
		char sep = s[(*i)++];
		return (v[1] = ks_date_digits(s, n, i, 1, 2)) >= 0 && *i < n && s[(*i)++] == sep &&
		       (v[2] = ks_date_digits(s, n, i, 1, 2)) >= 0;
	}
	if (!take_word(s, n, i, "年"))
		return 0;
	skip_space(s, n, i);
	if ((v[1] = ks_date_digits(s, n, i, 1, 2)) < 0 || !take_word(s, n, i, "月"))
		return 0;
	skip_space(s, n, i);
	return (v[2] = ks_date_digits(s, n, i, 1, 2)) >= 0 && take_word(s, n, i, "日");
}

/* "March 27, 2022", "Mar 27th 2022" or "27 Mar 2022" at s[*i]. */
static int english(const char *s, size_t n, size_t *i, long long v[3])
{
	if ((v[1] = ks_date_month_name(s, n, i)) > 0) {
		skip_space(s, n, i);
		if ((v[2] = ks_date_digits(s, n, i, 1, 2)) < 0)
			return 0;
		size_t j = *i;
		if (j + 2 <= n && (j + 2 == n || !is_letter(s[j + 2])) &&
		    (!strncasecmp(s + j, "st", 2) || !strncasecmp(s + j, "nd", 2) ||
		     !strncasecmp(s + j, "rd", 2) || !strncasecmp(s + j, "th", 2)))
			*i += 2;
	} else {
		if ((v[2] = ks_date_digits(s, n, i, 1, 2)) < 0)
			return 0;
		skip_space(s, n, i);
		if ((v[1] = ks_date_month_name(s, n, i)) == 0)
			return 0;
	}
	if (*i < n && s[*i] == ',')
		(*i)++;
	skip_space(s, n, i);
	return (v[0] = ks_date_digits(s, n, i, 4, 4)) >= 0;
}

int ks_date_read(const char *s, size_t n, size_t i, int *y, int *m, int *d, size_t *end)
{
	long long v[3];
	size_t j = i;
	if (!s || i >= n)
		return 0;
	if (!year_first(s, n, &j, v)) {
		j = i;
		if (!english(s, n, &j, v))
			return 0;
	}
	*y = (int)v[0];
	*m = (int)v[1];
	*d = (int)v[2];
	*end = j;
	return 1;
}
