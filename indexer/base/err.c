/* err.c - error messages and return-code names. */
#include <stdio.h>

#include "kensaku/err.h"

int ks_err_set(struct ks_err *e, int rc, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		if (n < 0)
			e->msg[0] = 0;
		/* n >= sizeof msg: truncated on purpose, the message stays readable */
	}
	return rc;
}

const char *ks_rc_name(int rc)
{
	switch (rc) {
	case KS_OK:
		return "ok";
	case KS_ERR_NOMEM:
		return "out_of_memory";
	case KS_ERR_IO:
		return "io";
	case KS_ERR_DB:
		return "db";
	case KS_ERR_PARSE:
		return "parse";
	case KS_ERR_BUSY:
		return "busy";
	case KS_ERR_VERSION:
		return "version";
	case KS_ERR_NOTFOUND:
		return "not_found";
	case KS_ERR_ARG:
		return "bad_request";
	case KS_ERR_TIMEOUT:
		return "timeout";
	case KS_ERR_CORRUPT:
		return "corrupt";
	default:
		return "unknown";
	}
}
