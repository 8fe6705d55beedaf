/* num.c - the integer parser of num.h. */
#include "kensaku/num.h"

int ks_parse_int(const char *s, int lo, int hi, int *out)
{
	if (!s)
		return -1;
	int neg = *s == '-';
	s += neg;
	if (!*s)
		return -1;
	/* past this the value is out of range on its side: stop growing */
	long long stop = (neg ? -(long long)lo : (long long)hi) + 1, v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > stop)
			v = stop;
	}
	v = neg ? -v : v;
	if (v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}
