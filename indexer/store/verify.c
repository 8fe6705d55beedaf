/* verify.c - the reindex stamp of verify.h: "kensaku-verified 1 SIZE HASH\n"
 * in DB.verified, HASH the XXH3-128 of the file's bytes in hex. */
#include "kensaku/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#define STAMP_MAGIC "kensaku-verified 1"
#define CHUNK (1u << 20)

/* Hashes the whole of fd from offset 0 into hex (33 bytes); its size in
 * *size. 0, or -1 on a read error. */
static int hash_fd(int fd, char hex[33], uint64_t *size)
{
	XXH3_state_t *s = XXH3_createState();
	unsigned char *buf = malloc(CHUNK);
	uint64_t total = 0;
	int rc = -1;
	if (!s || !buf || XXH3_128bits_reset(s) == XXH_ERROR)
		goto out;
	for (;;) {
		ssize_t r = pread(fd, buf, CHUNK, (off_t)total);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		if (XXH3_128bits_update(s, buf, (size_t)r) == XXH_ERROR)
			goto out;
		total += (uint64_t)r;
	}
	XXH128_hash_t h = XXH3_128bits_digest(s);
	snprintf(hex, 33, "%016" PRIx64 "%016" PRIx64, (uint64_t)h.high64, (uint64_t)h.low64);
	*size = total;
	rc = 0;
out:
	XXH3_freeState(s);
	free(buf);
	return rc;
}

/* "DB.verified" (or with suffix) into out; -1 when it does not fit. */
static int stamp_path(const char *db_path, const char *suffix, char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%s.verified%s", db_path, suffix);
	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

int ks_verify_stamp(const char *checked_path, const char *db_path, struct ks_err *err)
{
	char hex[33], path[PATH_MAX], tmp[PATH_MAX], line[128];
	uint64_t size = 0;
	int fd = open(checked_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ks_err_set(err, KS_ERR_IO, "[verify] open %s: %s", checked_path,
				  strerror(errno));
	int r = hash_fd(fd, hex, &size);
	close(fd);
	if (r < 0)
		return ks_err_set(err, KS_ERR_IO, "[verify] read %s: %s", checked_path,
				  strerror(errno));
	if (stamp_path(db_path, "", path) < 0 || stamp_path(db_path, ".tmp", tmp) < 0)
		return ks_err_set(err, KS_ERR_IO, "[verify] path too long");
	int n = snprintf(line, sizeof line, STAMP_MAGIC " %" PRIu64 " %s\n", size, hex);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return ks_err_set(err, KS_ERR_IO, "[verify] create %s: %s", tmp, strerror(errno));
	int ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return ks_err_set(err, KS_ERR_IO, "[verify] write %s: %s", path, strerror(e));
	}
	return KS_OK;
}

int ks_verify_matches(const char *db_path, int fd)
{
	char path[PATH_MAX], line[128], want[33], hex[33];
	uint64_t want_size = 0, size = 0;
	struct stat st;
	if (stamp_path(db_path, "", path) < 0)
		return 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int got = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	if (!got || sscanf(line, STAMP_MAGIC " %" SCNu64 " %32[0-9a-f]", &want_size, want) != 2 ||
	    strlen(want) != 32)
		return 0;
	/* the size first: a different file is told apart without reading it */
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != want_size)
		return 0;
	if (hash_fd(fd, hex, &size) < 0 || size != want_size)
		return 0;
	return strcmp(hex, want) == 0;
}
