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

static int reindex(struct ks_build_report *rep, struct ks_err *err)
{
	char sample[] = KS_SOURCE_DIR "/sample/issues";
	char *paths[] = {sample};
	FILE *log = fopen("/dev/null", "w");
	struct ks_build_opts o = {.db = db, .log = log};
	int rc = ks_build_reindex(&o, paths, 1, rep, err);
	if (log)
		fclose(log);
	return rc;
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
					      TEST(test_leftover_temp_file_removed)};
	setup();
	int rc = h_run(tests, sizeof tests / sizeof tests[0]);
	cleanup();
	return rc;
}
