/* peer.c - address parsing, the trusted-proxy list, and the counters of
 * peer.h: chained hash tables whose nodes live while their count is > 0. */
#include "peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TRUSTED 64
#define BUCKETS 1024

static struct ksd_addr g_trusted[MAX_TRUSTED];
static size_t g_n_trusted;

struct node {
	struct node *next;
	struct ksd_addr a;
	unsigned count;
};

static struct table {
	pthread_mutex_t mu;
	struct node *b[BUCKETS];
} g_tables[KSD_PEER_TABLES] = {{PTHREAD_MUTEX_INITIALIZER, {0}}, {PTHREAD_MUTEX_INITIALIZER, {0}}};

static const unsigned char k_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Sets *out from raw bytes: 4 (IPv4) or 16 (IPv6, mapped IPv4 unmapped). */
static void set_addr(struct ksd_addr *out, const unsigned char *b, int v6)
{
	memset(out, 0, sizeof(*out));
	if (v6 && memcmp(b, k_mapped, sizeof(k_mapped)) != 0) {
		out->family = AF_INET6;
		memcpy(out->b, b, 16);
		return;
	}
	out->family = AF_INET;
	memcpy(out->b, v6 ? b + 12 : b, 4);
}

void ksd_addr_from_sockaddr(const struct sockaddr *sa, struct ksd_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa && sa->sa_family == AF_INET)
		set_addr(out,
			 (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)
			     ->sin_addr,
			 0);
	else if (sa && sa->sa_family == AF_INET6)
		set_addr(out, ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr,
			 1);
}

int ksd_addr_parse(const char *s, size_t n, struct ksd_addr *out)
{
	char buf[KSD_ADDR_TEXT];
	unsigned char b[16];
	const char *e = s + n, *colon;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (s < e && *s == '[') { /* [v6] or [v6]:port */
		const char *close_br = memchr(s, ']', (size_t)(e - s));

		if (!close_br || (close_br + 1 != e && close_br[1] != ':'))
			return -1;
		s++;
		e = close_br;
	} else if ((colon = memchr(s, ':', (size_t)(e - s))) != NULL &&
		   !memchr(colon + 1, ':', (size_t)(e - colon - 1))) {
		e = colon; /* a.b.c.d:port (one colon: not IPv6) */
	}
	if (e <= s || (size_t)(e - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	if (inet_pton(AF_INET, buf, b) == 1)
		set_addr(out, b, 0);
	else if (inet_pton(AF_INET6, buf, b) == 1)
		set_addr(out, b, 1);
	else
		return -1;
	return 0;
}

void ksd_addr_format(const struct ksd_addr *a, char *out)
{
	if (a->family == 0 || !inet_ntop(a->family, a->b, out, KSD_ADDR_TEXT))
		memcpy(out, "unknown", 8);
}

static int same(const struct ksd_addr *x, const struct ksd_addr *y)
{
	return x->family == y->family && memcmp(x->b, y->b, sizeof(x->b)) == 0;
}

int ksd_peer_trust(const char *list)
{
	struct ksd_addr add[MAX_TRUSTED];
	size_t n = 0, i;
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (g_n_trusted + n == MAX_TRUSTED || ksd_addr_parse(p, len, &add[n]) != 0)
			return -1;
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	for (i = 0; i < n; i++)
		g_trusted[g_n_trusted++] = add[i];
	return 0;
}

size_t ksd_peer_n_trusted(void)
{
	return g_n_trusted;
}

int ksd_peer_is_trusted(const struct ksd_addr *a)
{
	for (size_t i = 0; i < g_n_trusted; i++)
		if (same(&g_trusted[i], a))
			return 1;
	return 0;
}

/* The client from one X-Forwarded-For value, scanned right to left: 1 when
 * an entry that is not a trusted proxy was found (set in *client). */
static int client_of(const char *v, struct ksd_addr *client)
{
	const char *end = v + strlen(v);

	while (end > v) {
		const char *start = end;
		struct ksd_addr a;

		while (start > v && start[-1] != ',')
			start--;
		if (ksd_addr_parse(start, (size_t)(end - start), &a) != 0) {
			memset(client, 0, sizeof(*client)); /* unknown */
			return 1;
		}
		if (!ksd_peer_is_trusted(&a)) {
			*client = a;
			return 1;
		}
		end = start > v ? start - 1 : v;
	}
	return 0;
}

int ksd_peer_client(const struct ksd_addr *peer, const char *const *xff, size_t n,
		    struct ksd_addr *client)
{
	*client = *peer;
	if (!ksd_peer_is_trusted(peer))
		return 0;
	while (n > 0)
		if (client_of(xff[--n], client))
			return 1;
	return 0;
}

static size_t hash(const struct ksd_addr *a)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(a->b); i++)
		h = (h ^ a->b[i]) * 16777619u;
	return (h ^ (uint32_t)a->family) % BUCKETS;
}

int ksd_peer_take(enum ksd_peer_table t, const struct ksd_addr *a, unsigned limit)
{
	struct table *tb = &g_tables[t];
	struct node **at = &tb->b[hash(a)], *nd;
	int rc = -1;

	pthread_mutex_lock(&tb->mu);
	for (nd = *at; nd && !same(&nd->a, a); nd = nd->next)
		;
	if (!nd && limit > 0 && (nd = calloc(1, sizeof(*nd))) != NULL) {
		nd->a = *a;
		nd->next = *at;
		*at = nd;
	}
	if (nd && nd->count < limit) {
		nd->count++;
		rc = 0;
	}
	pthread_mutex_unlock(&tb->mu);
	return rc;
}

void ksd_peer_give(enum ksd_peer_table t, const struct ksd_addr *a)
{
	struct table *tb = &g_tables[t];
	struct node **at = &tb->b[hash(a)], *nd;

	pthread_mutex_lock(&tb->mu);
	while ((nd = *at) != NULL && !same(&nd->a, a))
		at = &nd->next;
	if (nd && --nd->count == 0) {
		*at = nd->next;
		free(nd);
	}
	pthread_mutex_unlock(&tb->mu);
}

unsigned ksd_peer_count(enum ksd_peer_table t, const struct ksd_addr *a)
{
	struct table *tb = &g_tables[t];
	const struct node *nd;
	unsigned c = 0;

	pthread_mutex_lock(&tb->mu);
	for (nd = tb->b[hash(a)]; nd && !same(&nd->a, a); nd = nd->next)
		;
	if (nd)
		c = nd->count;
	pthread_mutex_unlock(&tb->mu);
	return c;
}
