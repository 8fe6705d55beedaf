/* param.c - integer and flag query parameters for every handler (param.h). */
#include "param.h"

#include <string.h>

#define DIGITS_MAX 9 /* no int overflow */

int ksd_param_int(const struct ksd_req *rq, const char *name, int lo, int hi, int *out)
{
	const char *s = ksd_req_param(rq, name);
	int neg = 0, n = 0, digits = 0;

	if (!s)
		return 0;
	if (*s == '-' && lo < 0) {
		neg = 1;
		s++;
	}
	for (; *s; s++, digits++) {
		if (*s < '0' || *s > '9' || digits >= DIGITS_MAX)
			return -1;
		n = n * 10 + (*s - '0');
	}
	if (!digits)
		return -1;
	n = neg ? -n : n;
	if (n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

int ksd_param_flag(const struct ksd_req *rq, const char *name, int *out, struct ksd_reply *rp)
{
	const char *v = ksd_req_param(rq, name);

	*out = 0;
	if (!v || !strcmp(v, "0") || !strcmp(v, "false"))
		return 0;
	if (!strcmp(v, "1") || !strcmp(v, "true")) {
		*out = 1;
		return 0;
	}
	ksd_reply_error(rp, 400, "bad_request", "%s must be 0 or 1", name);
	return -1;
}
