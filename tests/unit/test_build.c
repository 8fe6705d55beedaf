/* test_build.c - `kensaku reindex` as a library call (build.h): the temp
 * file of a writer that holds the lock is never touched by a second one,
 * and a temp file left by a killed run is removed before a rebuild. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "kensaku/build.h"

static char dir[64], db[128], tmp[160], lock[160], wal[192];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

static int reindex_paths(char **paths, int n, struct ks_build_report *rep, struct ks_err *err)
{
	FILE *log = fopen("/dev/null", "w");
	struct ks_build_opts o = {.db = db, .log = log};
	int rc = ks_build_reindex(&o, paths, n, rep, err);
	if (log)
		fclose(log);
	return rc;
}

static int reindex(struct ks_build_report *rep, struct ks_err *err)
{
	char sample[] = KS_SOURCE_DIR "/sample/issues";
	char *paths[] = {sample};
	return reindex_paths(paths, 1, rep, err);
}

/* A second reindex while another writer holds DB.lock fails with
 * KS_ERR_BUSY and leaves that writer's DB.reindex-tmp alone (it once
 * removed it, so the running rebuild's rename then failed). */
static void test_busy_leaves_the_writers_temp_file(void)
{
	struct ks_build_report rep;
	struct ks_err err = {""};
	write_file(tmp, "the other writer's rebuild");
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
	CHECK(reindex(&rep, &err) == KS_ERR_BUSY);
	CHECK(strstr(err.msg, "another kensaku index/reindex") != NULL);
	CHECK(exists(tmp));
	CHECK(!exists(db) && !rep.swapped);
	if (fd >= 0)
		close(fd); /* the other writer is done */
}

/* With the lock free, a leftover temp file and its side files are removed
 * and the rebuild swapped in. */
static void test_leftover_temp_file_removed(void)
{
	struct ks_build_report rep;
	struct ks_err err = {""};
	write_file(tmp, "left by a killed run");
	write_file(wal, "stale frames");
	CHECK(reindex(&rep, &err) == KS_OK);
	CHECK(rep.swapped && rep.items > 0);
	CHECK(exists(db) && !exists(tmp) && !exists(wal));
}

/* One issue read twice in one rebuild (as text, then as JSON Lines): the
 * second replaces the first's items before the FTS index is built. The
 * delete trigger once ran on rows the FTS index had not seen and the
 * rebuild failed with "database disk image is malformed". */
static void test_issue_read_twice_in_one_rebuild(void)
{
	char a[192], b[192];
	struct ks_build_report rep;
	struct ks_err err = {""};
	snprintf(a, sizeof a, "%s/a.txt", dir);
	snprintf(b, sizeof b, "%s/b.jsonl", dir);
	write_file(a, "Issue #7 2024-01-02\n\nold headline one\n> old quote\n\n"
		      "old headline two\n> another\n");
	write_file(b, "{\"issue\": 7, \"date\": \"2024-01-02\", \"items\": [{\"title\": "
		      "\"new headline\", \"quote\": \"new quote\"}]}\n");
	char *paths[] = {a, b};
	int rc = reindex_paths(paths, 2, &rep, &err);
	CHECK(rc == KS_OK);
	if (rc != KS_OK)
		fprintf(stderr, "  reindex: %s\n", err.msg);
	CHECK(rep.swapped && rep.items >= 2);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/ks-build-%d", (int)getpid());
	CHECK(mkdir(dir, 0700) == 0);
	snprintf(db, sizeof db, "%s/k.db", dir);
	snprintf(tmp, sizeof tmp, "%s.reindex-tmp", db);
	snprintf(lock, sizeof lock, "%s.lock", db);
	snprintf(wal, sizeof wal, "%s-wal", tmp);
}

static void cleanup(void)
{
	char path[512];
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	static const struct h_test tests[] = {TEST(test_busy_leaves_the_writers_temp_file),
					      TEST(test_leftover_temp_file_removed),
					      TEST(test_issue_read_twice_in_one_rebuild)};
	setup();
	int rc = h_run(tests, sizeof tests / sizeof tests[0]);
	cleanup();
	return rc;
}
