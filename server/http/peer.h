/* peer.h - who the client is: peer addresses, the --trusted-proxy list,
 * the client address a trusted proxy reports in X-Forwarded-For, and
 * per-address counters (connections of direct peers, requests in flight of
 * clients behind a proxy).
 *
 * An address is IPv4 or IPv6; an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * is the IPv4 address, so a proxy on 127.0.0.1 matches whichever socket
 * family it came in on. */
#ifndef KSD_PEER_H
#define KSD_PEER_H

#include <stddef.h>
#include <sys/socket.h>

#define KSD_ADDR_TEXT 48 /* INET6_ADDRSTRLEN and a NUL */

struct ksd_addr {
	int family; /* AF_INET, AF_INET6, or 0: unknown */
	unsigned char b[16];
};

/* Reads a socket address into *out (family 0 when it is neither IPv4 nor
 * IPv6). Can't fail. */
void ksd_addr_from_sockaddr(const struct sockaddr *sa, struct ksd_addr *out);

/* Parses n bytes of s as an address: `1.2.3.4`, `1.2.3.4:port`, `::1`,
 * `[::1]` or `[::1]:port`, spaces around ignored. 0, or -1 when it is none
 * of those (*out untouched). */
int ksd_addr_parse(const char *s, size_t n, struct ksd_addr *out);

/* Writes a's text form (`1.2.3.4`, `2001:db8::1`, `unknown`) to out
 * (KSD_ADDR_TEXT bytes). Can't fail. */
void ksd_addr_format(const struct ksd_addr *a, char *out);

/* Adds the addresses of list (comma-separated) to the trusted proxies.
 * 0, or -1 when an entry is not an address (none of list is added then).
 * Call before the daemon starts. */
int ksd_peer_trust(const char *list);

/* Trusted proxies configured. */
size_t ksd_peer_n_trusted(void);

/* 1 when a is a trusted proxy. */
int ksd_peer_is_trusted(const struct ksd_addr *a);

/* The client of a request that came from peer: when peer is a trusted
 * proxy, the rightmost entry of the X-Forwarded-For values xff[0..n) (in
 * the order the headers came) that is not itself a trusted proxy; an
 * entry that is no address makes the client unknown (family 0). When peer
 * is not trusted, or every entry is trusted, or there is none: peer.
 * Returns 1 when the client came from X-Forwarded-For, else 0. */
int ksd_peer_client(const struct ksd_addr *peer, const char *const *xff, size_t n,
		    struct ksd_addr *client);

/* A table of counters keyed by address (thread-safe). */
enum ksd_peer_table { KSD_PEER_CONNS = 0, KSD_PEER_INFLIGHT, KSD_PEER_TABLES };

/* Adds one to a's counter in table t unless it already holds limit (or
 * memory ran out): 0 when counted, -1 when refused. */
int ksd_peer_take(enum ksd_peer_table t, const struct ksd_addr *a, unsigned limit);

/* Subtracts one counted by ksd_peer_take. Can't fail. */
void ksd_peer_give(enum ksd_peer_table t, const struct ksd_addr *a);

/* a's counter in table t. */
unsigned ksd_peer_count(enum ksd_peer_table t, const struct ksd_addr *a);

#endif
