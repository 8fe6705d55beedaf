/* h_static.c - the web UI from --web: GET / -> index.html, a directory ->
 * its index.html, files by extension with ETag and If-None-Match -> 304.
 *
 * Nothing outside the web root is served: the decoded path may not hold
 * '\\', and no segment may start with '.' (no `..`, no hidden files such
 * as .git); the candidate is realpath()ed (symlinks resolved) and must lie
 * strictly inside the web root's realpath, again without hidden segments.
 * Every refusal is a plain 404, so probes learn nothing. */
#include "ksd.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct ctype {
	const char *ext;
	const char *type;
};

static const struct ctype k_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".webmanifest", "application/manifest+json; charset=utf-8"},
    {".osdx", "application/opensearchdescription+xml; charset=utf-8"},
    {".xml", "application/xml; charset=utf-8"},
    {".svg", "image/svg+xml; charset=utf-8"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".md", "text/plain; charset=utf-8"},
};

/* The Content-Type for a file name; never NULL. */
static const char *content_type(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t i, n, e;

	base = base ? base + 1 : name;
	if (strcasecmp(base, "opensearch.xml") == 0)
		return "application/opensearchdescription+xml; charset=utf-8";
	n = strlen(base);
	for (i = 0; i < sizeof(k_types) / sizeof(k_types[0]); i++) {
		e = strlen(k_types[i].ext);
		if (n > e && strcasecmp(base + n - e, k_types[i].ext) == 0)
			return k_types[i].type;
	}
	return "application/octet-stream";
}

/* 1 when some '/'-separated segment of path (a relative path) is empty of
 * meaning for us: starts with '.' ("..", ".", ".git", ".env"). */
static int has_hidden_segment(const char *path)
{
	const char *p = path;

	while (*p) {
		while (*p == '/')
			p++;
		if (*p == '.')
			return 1;
		while (*p && *p != '/')
			p++;
	}
	return 0;
}

/* Resolves rel (relative to root) to an open regular file inside root.
 * Returns the fd and fills *st and real (PATH_MAX bytes: the file's
 * resolved path), or -1 (not found / refused). */
static int open_inside(const char *root, const char *rel, struct stat *st, char *real)
{
	char cand[PATH_MAX];
	size_t rn = strlen(root);
	int fd, n, tries;

	n = snprintf(cand, sizeof(cand), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(cand))
		return -1;
	for (tries = 0; tries < 2; tries++) {
		if (!realpath(cand, real))
			return -1;
		if (strncmp(real, root, rn) != 0 || real[rn] != '/' ||
		    has_hidden_segment(real + rn + 1))
			return -1;
		fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (fd < 0)
			return -1;
		if (fstat(fd, st) != 0) {
			close(fd);
			return -1;
		}
		if (S_ISREG(st->st_mode))
			return fd;
		close(fd);
		if (!S_ISDIR(st->st_mode))
			return -1;
		n = snprintf(cand, sizeof(cand), "%s/index.html", real);
		if (n < 0 || (size_t)n >= sizeof(cand))
			return -1;
	}
	return -1;
}

/* The OpenSearch description names absolute URLs: the file says
 * OPENSEARCH_ORIGIN and each reply says the origin the client used. */
#define OPENSEARCH_ORIGIN "http://127.0.0.1:8080"
#define OPENSEARCH_MAX (64 * 1024)

static int is_opensearch(const char *real)
{
	const char *base = strrchr(real, '/');

	return strcasecmp(base ? base + 1 : real, "opensearch.xml") == 0;
}

/* Reads the size bytes of fd (closing it) into rp's body with every
 * OPENSEARCH_ORIGIN replaced by ksd_base_url; no ETag (the body depends on
 * the Host header). A 500 on a read or memory failure. */
static void opensearch(const struct ksd_req *rq, int fd, size_t size, struct ksd_reply *rp)
{
	char origin[300], *text = malloc(size + 1), *out = NULL;
	const size_t on = strlen(OPENSEARCH_ORIGIN);
	size_t got = 0, o = 0, cap;
	ssize_t r = 0;

	ksd_base_url(rq, origin, sizeof(origin));
	while (text && got < size && (r = read(fd, text + got, size - got)) > 0)
		got += (size_t)r;
	close(fd);
	rp->etag[0] = '\0';
	cap = (got / on + 1) * (strlen(origin) + 1) + got + 1;
	if (!text || got != size || !(out = malloc(cap))) {
		free(text);
		ksd_reply_error(rp, 500, "internal", "cannot read the OpenSearch description");
		return;
	}
	for (size_t i = 0; i < got;) {
		if (got - i >= on && memcmp(text + i, OPENSEARCH_ORIGIN, on) == 0) {
			o += (size_t)snprintf(out + o, cap - o, "%s", origin);
			i += on;
		} else {
			out[o++] = text[i++];
		}
	}
	out[o] = '\0';
	free(text);
	ksd_reply_body_new(rp, 200, rp->content_type, out, o);
}

void ksd_h_static(const struct ksd_req *rq, struct ksd_reply *rp)
{
	char rel[PATH_MAX], real[PATH_MAX];
	const char *path = rq->path;
	struct stat st;
	size_t n;
	int fd, len;

	if (!rq->web_root) {
		ksd_reply_error(rp, 404, "not_found", "no web UI is configured");
		return;
	}
	if (path[0] != '/' || strchr(path, '\\') || has_hidden_segment(path)) {
		ksd_reply_error(rp, 404, "not_found", "no such file");
		return;
	}
	while (*path == '/')
		path++;
	n = strlen(path);
	if (n == 0 || path[n - 1] == '/')
		len = snprintf(rel, sizeof(rel), "%sindex.html", path);
	else
		len = snprintf(rel, sizeof(rel), "%s", path);
	if (len < 0 || (size_t)len >= sizeof(rel)) {
		ksd_reply_error(rp, 404, "not_found", "no such file");
		return;
	}
	fd = open_inside(rq->web_root, rel, &st, real);
	if (fd < 0) {
		ksd_reply_error(rp, 404, "not_found", "no such file");
		return;
	}
	len = snprintf(rp->etag, sizeof(rp->etag), "\"%llx-%llx-%llx\"",
		       (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
		       (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
			   (unsigned long long)st.st_mtim.tv_nsec);
	if (len < 0 || (size_t)len >= sizeof(rp->etag))
		rp->etag[0] = '\0';
	rp->cache_control = "no-cache";
	if (rp->etag[0] && rq->if_none_match && ksd_etag_matches(rq->if_none_match, rp->etag)) {
		close(fd);
		rp->status = 304;
		return;
	}
	rp->status = 200;
	rp->content_type = content_type(real);
	if (is_opensearch(real) && st.st_size < OPENSEARCH_MAX) {
		opensearch(rq, fd, (size_t)st.st_size, rp);
		return;
	}
	rp->fd = fd;
	rp->fd_size = (uint64_t)st.st_size;
}
