/* site.c - links and their site keys (site.h). */
#include "site.h"

#include <string.h>
#include <strings.h>

#include "kensaku/utf8.h"

/* The length of the scheme prefix of s[0..n) ("http://" 7, "https://" 8),
 * 0 when it has neither. */
static size_t scheme_len(const char *s, size_t n)
{
	if (n >= 7 && strncasecmp(s, "http://", 7) == 0)
		return 7;
	if (n >= 8 && strncasecmp(s, "https://", 8) == 0)
		return 8;
	return 0;
}

int ks_link_usable(const char *s, size_t n)
{
	size_t k = s ? scheme_len(s, n) : 0;
	if (!k || n == k || n > KS_LINK_MAX_BYTES || !ks_utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7F)
			return 0;
	return 1;
}

static int host_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c >= 0x80;
}

/* The site key of the host h[0..n) (an authority: user@ and :port are
 * dropped, a trailing dot too): its labels lower-cased in reverse order. */
static int site_key(const char *h, size_t n, char out[KS_SITE_MAX])
{
	for (size_t i = n; i > 0; i--)
		if (h[i - 1] == '@') {
			h += i;
			n -= i;
			break;
		}
	const char *colon = memchr(h, ':', n);
	if (colon)
		n = (size_t)(colon - h);
	if (n && h[n - 1] == '.')
		n--;
	if (n == 0 || n >= KS_SITE_MAX || h[0] == '.')
		return -1;
	size_t w = 0, end = n;
	while (end > 0) { /* copy the labels from the last */
		size_t start = end;
		while (start > 0 && h[start - 1] != '.')
			start--;
		if (start == end)
			return -1; /* an empty label */
		if (w)
			out[w++] = '.';
		for (size_t i = start; i < end; i++) {
			unsigned char c = (unsigned char)h[i];
			c = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
			if (!host_byte(c))
				return -1;
			out[w++] = (char)c;
		}
		end = start ? start - 1 : 0;
	}
	out[w] = 0;
	return 0;
}

/* The end of the authority of s[0..n): the first '/', '?' or '#'. */
static size_t authority_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
		i++;
	return i;
}

int ks_link_site(const char *url, char out[KS_SITE_MAX])
{
	size_t n = url ? strlen(url) : 0;
	if (!ks_link_usable(url, n))
		return -1;
	size_t k = scheme_len(url, n);
	return site_key(url + k, authority_len(url + k, n - k), out);
}

int ks_link_site_of_host(const char *host, size_t n, char out[KS_SITE_MAX])
{
	size_t k = scheme_len(host, n);
	if (!ks_utf8_valid(host, n))
		return -1;
	return site_key(host + k, authority_len(host + k, n - k), out);
}

static void site_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char key[KS_SITE_MAX];
	const char *url = argc == 1 ? (const char *)sqlite3_value_text(argv[0]) : NULL;
	if (url && ks_link_site(url, key) == 0)
		sqlite3_result_text(ctx, key, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(ctx);
}

int ks_site_register(sqlite3 *db)
{
	return sqlite3_create_function(db, "ks_link_site", 1,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				       site_fn, NULL, NULL);
}
