/* param.h - the query parameters handlers read as numbers and flags: one
 * parser for every handler, so a limit means the same everywhere.
 *
 * An absent (or empty, ksd_req_param) parameter leaves *out as the caller
 * set it: callers put the default there first. */
#ifndef KSD_PARAM_H
#define KSD_PARAM_H

#include "ksd.h"

/* Parameter name of rq as a decimal integer in [lo, hi] (ks_parse_int,
 * kensaku/num.h: digits only, a leading '-' only when lo < 0, leading
 * zeros fine). 0 on success or when absent, -1 when present and malformed
 * or out of range (*out unchanged). Replies nothing: the caller words the
 * 400. */
int ksd_param_int(const struct ksd_req *rq, const char *name, int lo, int hi, int *out);

/* Parameter name of rq as a flag: absent, "0" or "false" -> 0; "1" or
 * "true" -> 1. 0 on success; -1 with a 400 naming it in rp otherwise. */
int ksd_param_flag(const struct ksd_req *rq, const char *name, int *out, struct ksd_reply *rp);

struct ks_search_params;

/* 0 when p passes ks_search_params_check; -1 with a 400 carrying its
 * message in rp otherwise. */
int ksd_search_params_valid(const struct ks_search_params *p, struct ksd_reply *rp);

#endif
