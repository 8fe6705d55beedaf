/* build.c - `kensaku index` and `kensaku reindex`: walk the inputs, parse,
 * write in batches, and for reindex build a new file and swap it in. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "build_internal.h"
#include "kensaku/build.h"
#include "kensaku/fetch.h"
#include "kensaku/verify.h"
#include "kensaku/store.h"
#include "store_internal.h"

#define BATCH_FILES 500

struct files {
	char **v;
	size_t n, cap;
};

/* A set of files by identity (st_dev, st_ino): open addressing, each
 * entry naming the path it was first reached by (borrowed). */
struct seen_ent {
	dev_t dev;
	ino_t ino;
	const char *path; /* NULL: empty slot */
};

struct seen {
	struct seen_ent *v;
	size_t n, cap; /* cap a power of two */
};

/* What the folder walk carries: the files to read, the folders walked
 * (their paths, owned), the identities of both, and where to report. */
struct walker {
	struct files *f;
	struct files dirs;
	struct seen ids;
	FILE *log;
	long skipped; /* not regular files, loops and second links */
};

void ks_hash_hex(const void *data, size_t len, char out[33])
{
	XXH128_hash_t h = XXH3_128bits(data, len);
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
		 (unsigned long long)h.low64);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int files_add(struct files *f, const char *path)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		char **v = realloc(f->v, cap * sizeof *v);
		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	if (!(f->v[f->n] = strdup(path)))
		return -1;
	f->n++;
	return 0;
}

static void files_free(struct files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
}

static size_t seen_slot(const struct seen *s, dev_t dev, ino_t ino)
{
	size_t h = ((size_t)ino * 0x9E3779B97F4A7C15ull) ^ (size_t)dev;
	for (h &= s->cap - 1; s->v[h].path && !(s->v[h].dev == dev && s->v[h].ino == ino);
	     h = (h + 1) & (s->cap - 1))
		;
	return h;
}

/* The path the file (dev, ino) was first reached by, or NULL. */
static const char *seen_find(const struct seen *s, dev_t dev, ino_t ino)
{
	return s->cap ? s->v[seen_slot(s, dev, ino)].path : NULL;
}

/* Records (dev, ino) as reached by path (borrowed); -1 on out of memory. */
static int seen_add(struct seen *s, dev_t dev, ino_t ino, const char *path)
{
	if (2 * (s->n + 1) > s->cap) {
		struct seen old = *s;
		s->cap = old.cap ? old.cap * 2 : 64;
		if (!(s->v = calloc(s->cap, sizeof *s->v))) {
			*s = old;
			return -1;
		}
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].path)
				s->v[seen_slot(s, old.v[i].dev, old.v[i].ino)] = old.v[i];
		free(old.v);
	}
	s->v[seen_slot(s, dev, ino)] = (struct seen_ent){dev, ino, path};
	s->n++;
	return 0;
}

/* Whether folder is a Maildir's cur/ or new/ (its messages have no
 * extension; tmp/ holds messages still being delivered and is not read). */
static int maildir_part(const char *folder)
{
	const char *slash = strrchr(folder, '/');
	const char *base = slash ? slash + 1 : folder;
	return !strcmp(base, "cur") || !strcmp(base, "new");
}

/* Whether the walk reads the file name found in folder. */
static int wanted_name(const char *folder, const char *name)
{
	static const char *const ext[] = {".txt",  ".jsonl", ".ndjson", ".html", ".htm",
					  ".xml",  ".rss",   ".atom",   ".json", ".eml",
					  ".mbox", ".mbx"};
	const char *dot = strrchr(name, '.');
	if (name[0] == '.')
		return 0;
	if (maildir_part(folder))
		return 1;
	for (size_t i = 0; dot && i < sizeof ext / sizeof ext[0]; i++)
		if (!strcmp(dot, ext[i]))
			return 1;
	return 0;
}

/* What a file that is neither a folder nor a regular file is. */
static const char *kind_name(mode_t m)
{
	return S_ISFIFO(m)   ? "fifo"
	       : S_ISSOCK(m) ? "socket"
	       : S_ISCHR(m)  ? "character device"
	       : S_ISBLK(m)  ? "block device"
			     : "special file";
}

static int walk_dir(struct walker *w, const char *path, int depth, struct ks_err *err);

/* Takes one path the walk reached, whose stat is sb (symlinks followed):
 * a folder is walked once, a regular file listed once, whatever else is
 * reported and skipped. */
static int walk_one(struct walker *w, const char *path, const struct stat *sb, int depth,
		    struct ks_err *err)
{
	const char *first = seen_find(&w->ids, sb->st_dev, sb->st_ino);
	if (!S_ISDIR(sb->st_mode) && !S_ISREG(sb->st_mode)) {
		fprintf(w->log, "%s: skipped: not a regular file (%s)\n", path,
			kind_name(sb->st_mode));
		w->skipped++;
		return KS_OK;
	}
	if (first) {
		fprintf(w->log, "%s: skipped: %s %s\n", path,
			S_ISDIR(sb->st_mode) ? "a folder loop or second link, already walked as"
					     : "already indexed as",
			first);
		w->skipped++;
		return KS_OK;
	}
	struct files *list = S_ISDIR(sb->st_mode) ? &w->dirs : w->f;
	if (files_add(list, path) ||
	    seen_add(&w->ids, sb->st_dev, sb->st_ino, list->v[list->n - 1]))
		return ks_err_set(err, KS_ERR_NOMEM, "[build] out of memory");
	return S_ISDIR(sb->st_mode) ? walk_dir(w, path, depth, err) : KS_OK;
}

/* Walks the folder path: its wanted files and subfolders, sorted. */
static int walk_dir(struct walker *w, const char *path, int depth, struct ks_err *err)
{
	if (depth > 32) {
		fprintf(w->log, "%s: skipped: folders nested deeper than 32\n", path);
		return KS_OK;
	}
	struct dirent **ents = NULL;
	int n = scandir(path, &ents, NULL, alphasort);
	if (n < 0)
		return ks_err_set(err, KS_ERR_IO, "%s: %s", path, strerror(errno));
	int rc = KS_OK;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char child[PATH_MAX];
		struct stat cs;
		if (rc == KS_OK && name[0] != '.') {
			int k = snprintf(child, sizeof child, "%s/%s", path, name);
			if (k < 0 || (size_t)k >= sizeof child)
				fprintf(w->log, "%s/%s: path too long, skipped\n", path, name);
			else if (stat(child, &cs) == 0 &&
				 (S_ISDIR(cs.st_mode) || wanted_name(path, name)))
				rc = walk_one(w, child, &cs, depth + 1, err);
			else if (wanted_name(path, name) && files_add(w->f, child))
				rc = ks_err_set(err, KS_ERR_NOMEM, "[build] out of memory");
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* Reads a whole regular file; *out malloc'd (NUL-terminated), caller frees.
 * Opened without blocking (a fifo put at the path since the walk must not
 * hang the run) and checked with fstat before a byte is read:
 * KS_ERR_NOTFOUND for a file that is not regular, KS_ERR_PARSE for one
 * over KS_MAX_FILE_BYTES. */
static int slurp(const char *path, char **out, size_t *len, struct ks_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return ks_err_set(err, KS_ERR_IO, "%s: %s", path, strerror(errno));
	struct stat sb;
	int rc = KS_OK;
	char *buf = NULL;
	size_t n = 0;
	if (fstat(fd, &sb) != 0)
		rc = ks_err_set(err, KS_ERR_IO, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		rc = ks_err_set(err, KS_ERR_NOTFOUND, "%s: skipped: not a regular file (%s)", path,
				kind_name(sb.st_mode));
	else if (sb.st_size > KS_MAX_FILE_BYTES)
		rc = ks_err_set(err, KS_ERR_PARSE, "%s:1: skipped: %lld bytes (at most %ld)", path,
				(long long)sb.st_size, KS_MAX_FILE_BYTES);
	else if (!(buf = malloc((size_t)sb.st_size + 1)))
		rc = ks_err_set(err, KS_ERR_NOMEM, "[build] out of memory");
	/* read at most the size fstat saw (+1 to notice growth) */
	while (rc == KS_OK && n <= (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)sb.st_size + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = ks_err_set(err, KS_ERR_IO, "%s: %s", path, strerror(errno));
		else if (r == 0)
			break;
		else
			n += (size_t)r;
	}
	if (rc == KS_OK && n > (size_t)sb.st_size)
		rc = ks_err_set(err, KS_ERR_IO, "%s: changed while it was read", path);
	close(fd);
	if (rc != KS_OK) {
		free(buf);
		return rc;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return KS_OK;
}

/* Takes the writer lock DB.lock; *fd_out >= 0 holds it. */
static int lock_writer(const char *db, int *fd_out, struct ks_err *err)
{
	char path[PATH_MAX];
	int k = snprintf(path, sizeof path, "%s.lock", db);
	if (k < 0 || (size_t)k >= sizeof path)
		return ks_err_set(err, KS_ERR_ARG, "index path too long");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return ks_err_set(err, KS_ERR_IO, "[build][lock] cannot create lock file %s: %s",
				  path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return ks_err_set(err, KS_ERR_BUSY,
				  "another kensaku index/reindex is writing %s (lock %s held); try "
				  "again when it has finished",
				  db, path);
	}
	*fd_out = fd;
	return KS_OK;
}

static void unlock_writer(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

static void progress(struct run *r, int final)
{
	if (!r->o->progress)
		return;
	double t = now_s();
	if (!final && t - r->last_progress < 0.2)
		return;
	r->last_progress = t;
	double el = t - r->t0;
	double rate = el > 0 ? (double)r->rep->items / el : 0;
	double eta = r->done_files
			 ? el / (double)r->done_files * (double)(r->total_files - r->done_files)
			 : 0;
	fprintf(r->log, "\r%zu/%zu files  %lld items  %.0f items/s  ETA %.0fs   %s", r->done_files,
		r->total_files, r->rep->items, rate, eta, final ? "\n" : "");
	fflush(r->log);
}

/* Prints what the parsers left out of b (items past a limit, feed entries
 * or mbox messages that could not be read), and counts it. */
static void report_skips(struct run *r, const struct ks_batch *b)
{
	if (!b->n_skipped)
		return;
	if (r->o->progress)
		fputc('\n', r->log);
	for (size_t i = 0; i < b->n_notes; i++)
		fprintf(r->log, "%s\n", b->notes[i]);
	if (b->n_skipped > b->n_notes)
		fprintf(r->log, "... and %zu more skipped\n",
			b->n_skipped - b->n_notes);
	r->rep->items_skipped += (long)b->n_skipped;
}

int ks_build_put(struct run *r, struct ks_store *s, const char *name, const char *source,
		 const char *hash, const struct ks_batch *batch, struct ks_err *err)
{
	report_skips(r, batch);
	err->msg[0] = 0;
	int rc = ks_store_put_source(s, source, hash, batch, err);
	if (rc != KS_OK)
		return rc;
	if (err->msg[0])
		fprintf(r->log, "%s: warning: %s\n", name, err->msg);
	r->rep->items += (long long)ks_batch_count_items(batch);
	return KS_OK;
}

/* Parses and writes one file into s (inside a transaction). Returns KS_OK,
 * KS_ERR_PARSE (reported, skipped) or a runtime error. */
static int one_file(struct run *r, struct ks_store *s, const char *path, int check_hash,
		    struct ks_err *err)
{
	char real[PATH_MAX], hash[33], old[65];
	char *data = NULL;
	size_t len = 0;
	struct ks_batch batch = {0};
	if (!realpath(path, real))
		snprintf(real, sizeof real, "%s", path);
	int rc = slurp(path, &data, &len, err);
	if (rc != KS_OK)
		goto bad_file;
	r->rep->bytes += (long long)len;
	ks_hash_hex(data, len, hash);
	if (check_hash) {
		int found = 0;
		if ((rc = ks_store_source_hash(s, real, old, &found, err)) != KS_OK)
			goto out;
		if (found && !strcmp(old, hash)) {
			r->rep->files_unchanged++;
			goto out;
		}
	}
	if ((rc = ks_ingest_parse(path, data, len, r->o->fmt, &batch, err)) != KS_OK)
		goto bad_file;
	if ((rc = ks_build_put(r, s, path, real, hash, &batch, err)) == KS_OK)
		r->rep->files_indexed++;
	goto out;
bad_file:
	if (rc == KS_ERR_NOTFOUND) { /* not a regular file: not input */
		fprintf(r->log, "%s%s\n", r->o->progress ? "\n" : "", err->msg);
		r->rep->files_skipped++;
		rc = KS_OK;
	} else if (rc == KS_ERR_PARSE || rc == KS_ERR_IO) {
		if (r->o->progress)
			fputc('\n', r->log);
		fprintf(r->log, "%s\n", err->msg);
		r->rep->files_failed++;
		rc = KS_ERR_PARSE;
	}
out:
	ks_batch_clear(&batch);
	free(data);
	return rc;
}

/* Writes every file of fl into s in batches of BATCH_FILES per transaction. */
static int load_files(struct run *r, struct ks_store *s, struct files *fl, int check_hash,
		      struct ks_err *err)
{
	int rc = KS_OK, any_bad = 0;
	r->total_files = fl->n;
	for (size_t i = 0; i < fl->n && rc == KS_OK;) {
		if ((rc = ks_store_begin(s, err)) != KS_OK)
			break;
		size_t end = i + BATCH_FILES < fl->n ? i + BATCH_FILES : fl->n;
		for (; i < end && rc == KS_OK; i++) {
			rc = one_file(r, s, fl->v[i], check_hash, err);
			r->rep->files_seen++;
			r->done_files++;
			if (rc == KS_ERR_PARSE) {
				any_bad = 1;
				rc = KS_OK;
			}
			progress(r, 0);
		}
		if (rc == KS_OK)
			rc = ks_store_commit(s, err);
		else
			ks_store_rollback(s);
	}
	progress(r, 1);
	if (rc == KS_OK && any_bad)
		return KS_ERR_PARSE;
	return rc;
}

/* Lists the files to read under paths into fl: each file once, whatever
 * the links to it (see walk_one); counts what was skipped in rep. The
 * paths that are URLs go to urls as they are. */
static int collect(char *const *paths, int n, struct files *fl, struct files *urls,
		   struct ks_build_report *rep, FILE *log, struct ks_err *err)
{
	struct walker w = {.f = fl, .log = log};
	int rc = KS_OK;
	for (int i = 0; i < n && rc == KS_OK; i++) {
		struct stat sb;
		if (ks_fetch_is_url(paths[i])) {
			if (files_add(urls, paths[i]))
				rc = ks_err_set(err, KS_ERR_NOMEM, "[build] out of memory");
		} else if (stat(paths[i], &sb) != 0)
			rc = ks_err_set(err, KS_ERR_IO, "%s: %s", paths[i], strerror(errno));
		else
			rc = walk_one(&w, paths[i], &sb, 0, err);
	}
	rep->files_skipped += w.skipped;
	files_free(&w.dirs);
	free(w.ids.v);
	return rc;
}

/* The run's verdict on skipped input: malformed files and items past the
 * limits, left out of the index. Returns KS_ERR_PARSE. */
static int skipped_input(const struct ks_build_report *rep, struct ks_err *err)
{
	return ks_err_set(err, KS_ERR_PARSE,
			  "%ld malformed file(s), %ld failed URL(s) and %ld item(s) past the "
			  "limits left out of the index",
			  rep->files_failed, rep->urls_failed, rep->items_skipped);
}

/* Reads the files of fl, then the URLs of urls, into s. KS_OK,
 * KS_ERR_PARSE when some input was left out (reported), or a runtime
 * error. */
static int load_all(struct run *r, struct ks_store *s, struct files *fl, struct files *urls,
		    int check_hash, struct ks_err *err)
{
	int rc = load_files(r, s, fl, check_hash, err);
	if ((rc == KS_OK || rc == KS_ERR_PARSE) && urls->n) {
		int urc = ks_build_urls(r, s, urls->v, urls->n, err);
		if (urc != KS_OK)
			rc = urc;
	}
	return rc;
}

struct prune_ctx {
	struct ks_store *s;
	struct ks_build_report *rep;
	struct ks_err *err;
	FILE *log;
};

static int prune_one(const char *source, void *ctx)
{
	struct prune_ctx *p = ctx;
	struct stat sb;
	if (ks_fetch_is_url(source) || stat(source, &sb) == 0 || errno != ENOENT)
		return 0;
	int rc = ks_store_forget_source(p->s, source, p->err);
	if (rc == KS_OK) {
		p->rep->sources_pruned++;
		fprintf(p->log, "%s: gone, its items were removed\n", source);
	}
	return rc;
}

int ks_build_index(const struct ks_build_opts *o, char *const *paths, int n_paths,
		   struct ks_build_report *rep, struct ks_err *err)
{
	struct run r = {o, rep, o->log ? o->log : stderr, now_s(), 0, 0, 0};
	struct files fl = {0}, urls = {0};
	struct ks_store *s = NULL;
	int lock = -1;
	memset(rep, 0, sizeof *rep);
	int rc = collect(paths, n_paths, &fl, &urls, rep, r.log, err);
	if (rc == KS_OK)
		rc = lock_writer(o->db, &lock, err);
	if (rc == KS_OK)
		rc = ks_store_open(o->db, KS_STORE_CREATE, &s, err);
	if (rc == KS_OK)
		rc = ks_store_check_version(s, err);
	if (rc == KS_OK)
		rc = load_all(&r, s, &fl, &urls, 1, err);
	if ((rc == KS_OK || rc == KS_ERR_PARSE) && o->prune) {
		struct prune_ctx pc = {s, rep, err, r.log};
		int prc = ks_store_begin(s, err);
		if (prc == KS_OK)
			prc = ks_store_each_source(s, prune_one, &pc, err);
		if (prc == KS_OK)
			prc = ks_store_commit(s, err);
		else
			ks_store_rollback(s);
		if (prc != KS_OK)
			rc = prc;
	}
	ks_store_close(s);
	unlock_writer(lock);
	files_free(&fl);
	files_free(&urls);
	rep->seconds = now_s() - r.t0;
	if (rc == KS_OK && rep->items_skipped)
		rc = KS_ERR_PARSE;
	if (rc == KS_ERR_PARSE)
		skipped_input(rep, err);
	return rc;
}

static int fsync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

/* Removes the file path and the side files SQLite may have left beside it
 * (a run killed earlier may have left its temp file). */
static void remove_db_files(const char *path)
{
	static const char *const sides[] = {"-journal", "-wal", "-shm"};
	char side[PATH_MAX + 16];
	unlink(path);
	for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
		snprintf(side, sizeof side, "%s%s", path, sides[i]);
		unlink(side);
	}
}

/* Builds the index of fl into the new file tmp: items first, then the FTS
 * index in one pass, optimized and checked, left in WAL mode; then the
 * URLs of urls. KS_OK, or an error (a malformed file or a failed URL
 * aborts unless skip_malformed). */
static int build_new(struct run *r, const char *tmp, struct files *fl, struct files *urls,
		     struct ks_err *err)
{
	struct ks_store *s = NULL;
	int rc = ks_store_open(tmp, KS_STORE_CREATE | KS_STORE_BULK, &s, err);
	if (rc == KS_OK)
		rc = ks_store_bulk_begin(s, err);
	if (rc == KS_OK)
		rc = load_all(r, s, fl, urls, 0, err);
	if (rc == KS_ERR_PARSE && r->o->skip_malformed)
		rc = KS_OK;
	if (rc == KS_ERR_PARSE)
		ks_err_set(err, rc,
			   "reindex aborted: %ld malformed file(s), %ld failed URL(s); %s is "
			   "unchanged (fix them, or pass --skip-malformed to rebuild without them)",
			   r->rep->files_failed, r->rep->urls_failed, r->o->db);
	if (rc == KS_OK)
		rc = ks_store_bulk_end(s, err);
	if (rc == KS_OK)
		rc = ks_store_optimize(s, err);
	if (rc == KS_OK)
		rc = ks_store_integrity(s, err);
	if (rc == KS_OK)
		rc = ks_store_set_wal(s, err);
	ks_store_close(s);
	return rc;
}

/* Puts the built and checked file tmp in the place of the index: fsync,
 * the verification stamp, the old WAL emptied, the atomic rename and the
 * folder's fsync. Sets rep->swapped once renamed. */
static int swap_in(struct run *r, const char *tmp, struct ks_err *err)
{
	const char *db = r->o->db;
	int rc;
	if (fsync_path(tmp, 0) != 0)
		return ks_err_set(err, KS_ERR_IO, "[build][swap] fsync %s: %s", tmp,
				  strerror(errno));
	/* the stamp that lets a server trust the checked file (verify.h);
	 * without one it checks the file again, so a failure is no error */
	if (ks_verify_stamp(tmp, db, NULL) != KS_OK)
		fprintf(r->log,
			"reindex: no verification stamp beside %s (servers will check it "
			"again)\n",
			db);
	/* the old index's WAL emptied, so the renamed file cannot be read
	 * through it (SQLite opens FILE-wal whatever file is at FILE, and does
	 * not know which file the frames belong to) */
	if ((rc = ks_store_checkpoint_path(db, err)) != KS_OK)
		return rc;
	if (rename(tmp, db) != 0)
		return ks_err_set(err, KS_ERR_IO, "[build][swap] rename %s -> %s: %s", tmp, db,
				  strerror(errno));
	r->rep->swapped = 1;
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", db);
	fsync_path(dirname(dir), 1);
	return KS_OK;
}

int ks_build_reindex(const struct ks_build_opts *o, char *const *paths, int n_paths,
		     struct ks_build_report *rep, struct ks_err *err)
{
	struct run r = {o, rep, o->log ? o->log : stderr, now_s(), 0, 0, 0};
	struct files fl = {0}, urls = {0};
	int lock = -1;
	char tmp[PATH_MAX];
	memset(rep, 0, sizeof *rep);
	int k = snprintf(tmp, sizeof tmp, "%s.reindex-tmp", o->db);
	if (k < 0 || (size_t)k >= sizeof tmp)
		return ks_err_set(err, KS_ERR_ARG, "index path too long");
	int rc = collect(paths, n_paths, &fl, &urls, rep, r.log, err);
	if (rc == KS_OK)
		rc = lock_writer(o->db, &lock, err);
	if (rc == KS_OK) {
		remove_db_files(tmp);
		rc = build_new(&r, tmp, &fl, &urls, err);
	}
	if (rc == KS_OK)
		rc = swap_in(&r, tmp, err);
	if (rc == KS_OK && (rep->files_failed || rep->urls_failed || rep->items_skipped))
		rc = skipped_input(rep, err);
	if (!rep->swapped && lock >= 0)
		remove_db_files(tmp);
	unlock_writer(lock);
	files_free(&fl);
	files_free(&urls);
	rep->seconds = now_s() - r.t0;
	return rc;
}
