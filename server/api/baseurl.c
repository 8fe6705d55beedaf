/* baseurl.c - the absolute origin ("http://host:port") of the server as the
 * client addressed it, for the Atom feed and the OpenSearch description. */
#include "ksd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define HOST_MAX 255

/* 1 when h is host[:port]: a DNS name or IPv4 address of letters, digits,
 * '-' and '.', or an [IPv6] literal; port 1..5 digits up to 65535. */
static int host_valid(const char *h)
{
	size_t n = strlen(h), i = 0;

	if (n == 0 || n > HOST_MAX)
		return 0;
	if (h[0] == '[') {
		for (i = 1; h[i] && h[i] != ']'; i++)
			if (!strchr("0123456789abcdefABCDEF:.", h[i]))
				return 0;
		if (h[i] != ']' || i < 3)
			return 0;
		i++;
	} else {
		for (; h[i] && h[i] != ':'; i++) {
			char c = h[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '-' || c == '.'))
				return 0;
		}
		if (i == 0)
			return 0;
	}
	if (!h[i])
		return 1;
	if (h[i] != ':' || !h[i + 1] || strlen(h + i + 1) > 5)
		return 0;
	for (const char *p = h + i + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return atoi(h + i + 1) <= 65535;
}

void ksd_base_url(const struct ksd_req *rq, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char ip[INET6_ADDRSTRLEN];

	if (rq->host && host_valid(rq->host)) {
		snprintf(out, n, "%s://%s", rq->https ? "https" : "http", rq->host);
		return;
	}
	snprintf(out, n, "http://localhost");
	if (rq->conn_fd <= 0 || getsockname(rq->conn_fd, (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

		if (inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip)))
			snprintf(out, n, "http://%s:%u", ip, (unsigned)ntohs(a->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

		if (inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip)))
			snprintf(out, n, "http://[%s]:%u", ip, (unsigned)ntohs(a->sin6_port));
	}
}
