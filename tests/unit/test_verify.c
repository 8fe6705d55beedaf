/* test_verify.c - the reindex verification stamp (verify.h): a stamp
 * matches exactly the bytes it was made from; any other file, a changed
 * byte, a shorter file, a missing or garbled stamp do not match. */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kensaku/verify.h"

static char dir[64], tmp_path[128], db_path[128], stamp_path[160];

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		CHECK(fwrite(data, 1, n, f) == n);
		fclose(f);
	}
}

static int matches(const char *path)
{
	int fd = open(path, O_RDONLY);
	int r = fd >= 0 && ks_verify_matches(db_path, fd);
	if (fd >= 0)
		close(fd);
	return r;
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/ks-verify-%d", (int)getpid());
	mkdir(dir, 0700);
	snprintf(tmp_path, sizeof tmp_path, "%s/k.db.reindex-tmp", dir);
	snprintf(db_path, sizeof db_path, "%s/k.db", dir);
	snprintf(stamp_path, sizeof stamp_path, "%s/k.db.verified", dir);
}

static void test_stamp(void)
{
	setup();
	/* a file bigger than one read chunk, with a byte near the end */
	size_t n = (3u << 20) + 17;
	char *data = malloc(n);
	CHECK(data != NULL);
	if (!data)
		return;
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 31 + 7);
	write_file(tmp_path, data, n);
	struct ks_err err = {""};
	CHECK(!matches(tmp_path)); /* no stamp yet */
	CHECK(ks_verify_stamp(tmp_path, db_path, &err) == KS_OK);
	CHECK(access(stamp_path, R_OK) == 0);
	CHECK(rename(tmp_path, db_path) == 0);
	CHECK(matches(db_path));
	/* one byte changed near the end: same size, another hash */
	data[n - 3] ^= 1;
	write_file(db_path, data, n);
	CHECK(!matches(db_path));
	data[n - 3] ^= 1;
	write_file(db_path, data, n);
	CHECK(matches(db_path));
	/* shorter */
	write_file(db_path, data, n - 1);
	CHECK(!matches(db_path));
	/* garbled and foreign stamps */
	write_file(db_path, data, n);
	write_file(stamp_path, "kensaku-verified 1 12 zz\n", 25);
	CHECK(!matches(db_path));
	write_file(stamp_path, "", 0);
	CHECK(!matches(db_path));
	unlink(stamp_path);
	CHECK(!matches(db_path));
	/* a stamp that can't be written is an error, not a crash */
	CHECK(ks_verify_stamp("/nonexistent/k.db", db_path, &err) == KS_ERR_IO);
	free(data);
	unlink(db_path);
	rmdir(dir);
}

TEST_MAIN(TEST(test_stamp))
