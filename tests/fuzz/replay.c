/* replay.c - runs a fuzz target without libFuzzer: calls
 * LLVMFuzzerTestOneInput once on every file of the folders (or files) given,
 * in name order, so the seed corpus and saved crash inputs run in every
 * build as ordinary ctest tests.
 *
 * A folder that does not exist is skipped (regressions/<target>/ may be
 * empty and so absent from git); files whose name starts with '.' are
 * skipped. Exits 0 after replaying at least one input, 1 when none was
 * found or a file could not be read. A failing input aborts inside the
 * target, so its name is printed before each call. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Reads the whole file at path into a malloc'd buffer of exactly its size
 * (so reading past the end is caught by AddressSanitizer). */
static int slurp(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		uint8_t *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (!buf || bad) {
		free(buf);
		return -1;
	}
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	*out = exact;
	*len = n;
	return 0;
}

static int run_file(const char *path, long *count)
{
	uint8_t *data;
	size_t len;
	if (slurp(path, &data, &len) < 0) {
		fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	++*count;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every regular file of dir in name order. */
static int run_dir(const char *dir, long *count)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: skipping %s: %s\n", dir, strerror(errno));
		return 0;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **v = realloc(names, cap * sizeof *v);
			if (!v) {
				rc = -1;
				break;
			}
			names = v;
		}
		if (!(names[n] = strdup(e->d_name))) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		int w = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (w < 0 || (size_t)w >= sizeof path) {
			fprintf(stderr, "replay: path too long: %s/%s\n", dir, names[i]);
			rc = -1;
		} else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
			   run_file(path, count) < 0) {
			rc = -1;
		}
		free(names[i]);
	}
	free(names);
	if (rc < 0)
		fprintf(stderr, "replay: failed in %s\n", dir);
	return rc;
}

int main(int argc, char **argv)
{
	long count = 0;
	int failed = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
			failed |= run_file(argv[i], &count) < 0;
		else
			failed |= run_dir(argv[i], &count) < 0;
	}
	printf("replay: %ld inputs replayed%s\n", count, failed ? ", some unreadable" : "");
	return failed || count == 0 ? 1 : 0;
}
