/* param.c - integer and flag query parameters for every handler (param.h). */
#include "param.h"

#include <string.h>

#include <kensaku/num.h>
#include <kensaku/search.h>

int ksd_param_int(const struct ksd_req *rq, const char *name, int lo, int hi, int *out)
{
	const char *s = ksd_req_param(rq, name);

	if (!s)
		return 0;
	if (*s == '-' && lo >= 0)
		return -1; /* not "-0" either: no sign where none can be meant */
	return ks_parse_int(s, lo, hi, out);
}

int ksd_search_params_valid(const struct ks_search_params *p, struct ksd_reply *rp)
{
	struct ks_err err = {{0}};

	if (ks_search_params_check(p, &err) == KS_OK)
		return 0;
	ksd_reply_error(rp, 400, "bad_request", "%s",
			err.msg[0] ? err.msg : "bad search parameter");
	return -1;
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
