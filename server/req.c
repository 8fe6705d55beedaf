/* req.c - small pure helpers over requests: parameter lookup and UTF-8
 * validation. */
#include "ksd.h"

#include <string.h>

const char *ksd_req_param(const struct ksd_req *rq, const char *name)
{
	size_t i;

	for (i = 0; i < rq->n_params; i++)
		if (strcmp(rq->params[i].key, name) == 0)
			return rq->params[i].value && rq->params[i].value[0] ? rq->params[i].value
									     : NULL;
	return NULL;
}

int ksd_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned char c = *p;
		unsigned long cp;
		int n, i;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0; /* continuation byte, overlong lead or > U+10FFFF */
		}
		if (end - p <= n)
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}
