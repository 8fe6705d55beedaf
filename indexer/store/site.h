/* site.h - which URLs an item keeps as links, and the site key each is
 * filed under (private to the indexer library; pure, but for the SQL
 * function). The key of a host is its labels lower-cased in reverse
 * order ("www.Example.com" -> "com.example.www"), so a site and its
 * subdomains sort together: "com.example", then "com.example." up to
 * "com.example/" (links.h stores and looks them up). */
#ifndef KS_SITE_H
#define KS_SITE_H

#include <sqlite3.h>
#include <stddef.h>

/* The longest link kept: KS_MAX_URL_BYTES of item.h (item.c checks). */
#define KS_LINK_MAX_BYTES 2048

/* The longest site key (a DNS name is at most 253 bytes). */
#define KS_SITE_MAX 256

/* 1 when s[0..n) is a link an item keeps: http:// or https:// (any case)
 * with a host, at most KS_LINK_MAX_BYTES, valid UTF-8, no spaces or
 * control characters. Pure. */
int ks_link_usable(const char *s, size_t n);

/* Writes the site key of url (see above) to out[KS_SITE_MAX]: 0, or -1
 * when url is not a usable link or its host is not a name (empty labels,
 * characters outside letters, digits, '-', '_' and non-ASCII). Pure. */
int ks_link_site(const char *url, char out[KS_SITE_MAX]);

/* Writes the site key of host (as typed after `site:`: a host name,
 * optionally with a scheme, a trailing dot, a port or a path, which are
 * dropped) to out[KS_SITE_MAX]: 0, or -1 when host names no host. Pure. */
int ks_link_site_of_host(const char *host, size_t n, char out[KS_SITE_MAX]);

/* Registers the SQL function ks_link_site(url) (NULL when url has no site
 * key) on db; an SQLite code. */
int ks_site_register(sqlite3 *db);

#endif
