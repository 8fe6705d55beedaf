/* harness.h - a minimal unit-test harness: CHECK records a failure with its
 * file and line and goes on; TEST_MAIN runs the listed tests and prints
 * "N passed, N failed" (ctest runs each test_*.c as one test). */
#ifndef KS_TEST_HARNESS_H
#define KS_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int h_checks_failed;
static int h_test_failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
			h_checks_failed++;                                                         \
			h_test_failed = 1;                                                         \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *h_a = (a), *h_b = (b);                                                 \
		if (!h_a || !h_b || strcmp(h_a, h_b) != 0) {                                       \
			fprintf(stderr, "%s:%d: CHECK_STR failed: %s\n  got:  %s\n  want: %s\n",   \
				__FILE__, __LINE__, #a, h_a ? h_a : "(null)",                      \
				h_b ? h_b : "(null)");                                             \
			h_checks_failed++;                                                         \
			h_test_failed = 1;                                                         \
		}                                                                                  \
	} while (0)

struct h_test {
	const char *name;
	void (*fn)(void);
};

static inline int h_run(const struct h_test *tests, size_t n)
{
	int passed = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		h_test_failed = 0;
		tests[i].fn();
		if (h_test_failed) {
			failed++;
			printf("not ok %zu - %s\n", i + 1, tests[i].name);
		} else {
			passed++;
			printf("ok %zu - %s\n", i + 1, tests[i].name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define TEST(fn)                                                                                   \
	{                                                                                          \
#fn, fn                                                                            \
	}
#define TEST_MAIN(...)                                                                             \
	int main(void)                                                                             \
	{                                                                                          \
		static const struct h_test h_tests[] = {__VA_ARGS__};                              \
		return h_run(h_tests, sizeof h_tests / sizeof h_tests[0]);                         \
	}

/* The folder of the shared fixtures, or NULL when it is not beside the
 * project (tests that need it then skip). Set by CMake as KS_SHARED_DIR. */
static inline const char *h_fixtures_dir(void)
{
#ifdef KS_SHARED_DIR
	static char path[4096];
	snprintf(path, sizeof path, "%s/fixtures", KS_SHARED_DIR);
	FILE *f;
	char probe[4200];
	snprintf(probe, sizeof probe, "%s/issue-59.txt", path);
	f = fopen(probe, "rb");
	if (!f)
		return NULL;
	fclose(f);
	return path;
#else
	return NULL;
#endif
}

/* Reads a whole file into a malloc'd NUL-terminated buffer; NULL on error. */
static inline char *h_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf) {
		buf[n] = 0;
		if (len)
			*len = n;
	}
	return buf;
}

#endif
