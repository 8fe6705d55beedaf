/* store.c - open/create/migrate the index file, pragmas, cached statements
 * and the writes the indexer makes. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "kensaku/segment.h"
#include "kensaku/store.h"
#include "kensaku/tokenizer.h"
#include "links.h"
#include "tags.h"
#include "rowid.h"
#include "memo.h"
#include "store_internal.h"
#include "words.h"

#define STMT_CACHE 64

struct ks_store {
	sqlite3 *db;
	int flags;
	char *path;
	struct ks_tok *tok;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	int n_cache;
	struct timespec deadline;
	int deadline_on, deadline_hit;
	long long seq;		/* next item sequence number (rowid.h); -1 until loaded */
	int schema;		/* user_version of the file */
	long long data_version; /* last PRAGMA data_version seen (ks_store_data_changed) */
	struct ks_memo *memo;	/* lengths and tags of every item, loaded on demand (memo.h) */
	int data_version_seen;	/* data_version holds a value */
	struct ks_seg *seg;	/* word starts for item_words; made by the first insert */
	struct ks_buf wmap;	/* the word map being written (reused) */
};

/* Keeps the FTS index in step with items; dropped during a bulk load. */
#define TRIGGER_AI                                                                                 \
	"CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN"                                      \
	" INSERT INTO items_fts(rowid, title, quote) VALUES (new.rowid, new.title, new.quote); "   \
	"END"

/* Take a deleted or updated item out of the FTS index; also dropped during
 * a bulk load, where the FTS index is built only at its end (an issue read
 * twice in one reindex replaces items the FTS index has not seen). */
#define TRIGGER_AD                                                                                 \
	"CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN"                                      \
	" INSERT INTO items_fts(items_fts, rowid, title, quote)"                                   \
	" VALUES ('delete', old.rowid, old.title, old.quote); END"
#define TRIGGER_AU                                                                                 \
	"CREATE TRIGGER items_au AFTER UPDATE ON items BEGIN"                                      \
	" INSERT INTO items_fts(items_fts, rowid, title, quote)"                                   \
	" VALUES ('delete', old.rowid, old.title, old.quote);"                                     \
	" INSERT INTO items_fts(rowid, title, quote) VALUES (new.rowid, new.title, new.quote); END"

static const char *const SCHEMA_V1[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE sources(path TEXT PRIMARY KEY, hash TEXT NOT NULL, indexed_at TEXT NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE issues(number INTEGER PRIMARY KEY, date TEXT, title TEXT,"
    " source TEXT NOT NULL)",
    "CREATE INDEX issues_source ON issues(source)",
    "CREATE TABLE items(rowid INTEGER PRIMARY KEY, issue INTEGER NOT NULL,"
    " position INTEGER NOT NULL, date TEXT, section TEXT, title TEXT NOT NULL, quote TEXT,"
    " url TEXT, UNIQUE(issue, position))",
    "CREATE TABLE sections(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE items_fts USING fts5(title, quote, content='items',"
    " content_rowid='rowid', tokenize='" KS_TOKENIZER_NAME "')",
    TRIGGER_AI,
    TRIGGER_AD,
    TRIGGER_AU,
    /* title weighs ten times a quote in BM25 */
    "INSERT INTO items_fts(items_fts, rank) VALUES ('rank', 'bm25(" KS_RANK_WEIGHTS ")')",
    NULL,
};

/* Version 2: item tags (CVE ids and gazetteer entities, entities.c). */
#define INDEX_ENTITIES_NAME "CREATE INDEX item_entities_name ON item_entities(name)"
static const char *const SCHEMA_V2[] = {
    "CREATE TABLE " KS_ENTITIES_TABLE,
    INDEX_ENTITIES_NAME,
    "CREATE TRIGGER items_ad_entities AFTER DELETE ON items BEGIN"
    " DELETE FROM item_entities WHERE item = old.rowid; END",
    NULL,
};

/* Version 3: word maps (words.h), a row for every item. */
static const char *const SCHEMA_V3[] = {
    "CREATE TABLE " KS_WORDS_TABLE,
    "CREATE TRIGGER items_ad_words AFTER DELETE ON items BEGIN"
    " DELETE FROM item_words WHERE item = old.rowid; END",
    NULL,
};

/* Version 4: the validators of fetched URLs and the pages of feeds
 * (fetched.h). IF NOT EXISTS: a file made current, then stamped older by
 * hand (the tests), is migrated again. */
static const char *const SCHEMA_V4[] = {
    "CREATE TABLE IF NOT EXISTS fetched(url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,"
    " fetched_at TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS feed_pages(feed TEXT NOT NULL, page TEXT NOT NULL,"
    " PRIMARY KEY(feed, page)) WITHOUT ROWID",
    NULL,
};

/* Version 5: every link of an item, by site (links.h); an index migrated
 * in place gets its items' urls as their links. */
static const char *const SCHEMA_V5[] = {
    "CREATE TABLE IF NOT EXISTS " KS_LINKS_TABLE,
    "CREATE INDEX IF NOT EXISTS " KS_LINKS_INDEX,
    "CREATE TRIGGER IF NOT EXISTS " KS_LINKS_TRIGGER,
    KS_LINKS_BACKFILL,
    NULL,
};

int ks_store_rc(struct ks_store *s)
{
	int code = s && s->db ? sqlite3_errcode(s->db) : SQLITE_ERROR;
	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return KS_ERR_BUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return KS_ERR_CORRUPT;
	case SQLITE_NOMEM:
		return KS_ERR_NOMEM;
	case SQLITE_INTERRUPT:
		return s && s->deadline_hit ? KS_ERR_TIMEOUT : KS_ERR_DB;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		return KS_ERR_IO;
	default:
		return KS_ERR_DB;
	}
}

int ks_store_dberr(struct ks_store *s, const char *what, struct ks_err *err)
{
	int saved_errno = errno; /* SQLite does not record every failed write's errno */
	int code = s && s->db ? sqlite3_errcode(s->db) : SQLITE_ERROR;
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : "no connection";
	int rc = ks_store_rc(s);
	if (rc == KS_ERR_TIMEOUT)
		return ks_err_set(err, rc, "[store] %s: the query took too long", what);
	/* "disk I/O error" alone does not say that the disk is full */
	int sys = s && s->db ? sqlite3_system_errno(s->db) : 0;
	if (!sys && (saved_errno == ENOSPC || saved_errno == EFBIG || saved_errno == EDQUOT ||
		     saved_errno == EIO))
		sys = saved_errno;
	if (sys && ((code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_FULL ||
		    (code & 0xff) == SQLITE_CANTOPEN))
		return ks_err_set(err, rc, "[store] %s: %s: %s (%s)", what, msg, strerror(sys),
				  s->path);
	return ks_err_set(err, rc, "[store] %s: %s", what, msg);
}

int ks_store_rowids(struct ks_store *s, const char *sql, const char *text, sqlite3_int64 **v,
		    size_t *n, size_t *cap, const char *what, struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	int r, rc = KS_OK;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			sqlite3_int64 *nv = realloc(*v, nc * sizeof *nv);
			if (!nv) {
				rc = ks_err_set(err, KS_ERR_NOMEM, "[store] %s: out of memory", what);
				break;
			}
			*v = nv;
			*cap = nc;
		}
		(*v)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	if (rc == KS_OK && r != SQLITE_DONE)
		rc = ks_store_dberr(s, what, err);
	sqlite3_reset(st);
	return rc;
}

sqlite3_stmt *ks_store_stmt(struct ks_store *s, const char *sql, struct ks_err *err)
{
	for (int i = 0; i < s->n_cache; i++) {
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		ks_store_dberr(s, "prepare", err);
		return NULL;
	}
	if (s->n_cache < STMT_CACHE) {
		s->cache[s->n_cache].sql = sql;
		s->cache[s->n_cache].st = st;
		s->n_cache++;
		return st;
	}
	/* cache full: programming error, but keep working by evicting the last */
	sqlite3_finalize(s->cache[STMT_CACHE - 1].st);
	s->cache[STMT_CACHE - 1].sql = sql;
	s->cache[STMT_CACHE - 1].st = st;
	return st;
}

struct ks_tok *ks_store_tok(struct ks_store *s)
{
	return s->tok;
}

static int on_progress(void *ctx)
{
	struct ks_store *s = ctx;
	if (!s->deadline_on)
		return 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > s->deadline.tv_sec ||
	    (now.tv_sec == s->deadline.tv_sec && now.tv_nsec >= s->deadline.tv_nsec)) {
		s->deadline_hit = 1;
		return 1;
	}
	return 0;
}

void ks_store_deadline(struct ks_store *s, int ms)
{
	s->deadline_hit = 0;
	if (ms <= 0) {
		s->deadline_on = 0;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &s->deadline);
	s->deadline.tv_sec += ms / 1000;
	s->deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (s->deadline.tv_nsec >= 1000000000L) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000L;
	}
	s->deadline_on = 1;
}

int ks_store_deadline_hit(struct ks_store *s)
{
	return s->deadline_hit;
}

static int exec(struct ks_store *s, const char *sql, struct ks_err *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return ks_store_dberr(s, sql, err);
	return KS_OK;
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Sets meta KS_META_MAC_KEY to 32 fresh random bytes (hex) from the
 * kernel: the secret of the CSV cursors' MAC, never derived from anything
 * a client can see. */
static int set_mac_key(struct ks_store *s, struct ks_err *err)
{
	unsigned char raw[32];
	char hex[2 * sizeof raw + 1];
	size_t got = 0;
	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n < 0 && errno != EINTR)
			return ks_err_set(err, KS_ERR_IO, "[store] getrandom: %s", strerror(errno));
		got += n > 0 ? (size_t)n : 0;
	}
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	return ks_store_meta_set(s, KS_META_MAC_KEY, hex, err);
}

/* An index written before cursors had a keyed MAC gets its key from the
 * first writer that opens it. */
static int ensure_mac_key(struct ks_store *s, struct ks_err *err)
{
	char *key = NULL;
	int rc = ks_store_meta_get(s, KS_META_MAC_KEY, &key, err);
	if (rc == KS_OK && !key)
		rc = set_mac_key(s, err);
	free(key);
	return rc;
}

/* Ends the transaction that wrote the current schema's tables: when rc is
 * KS_OK, stamps KS_SCHEMA_VERSION (meta "schema" and user_version) and
 * commits; else, or when that fails, rolls back. Returns rc or the first
 * error. */
static int commit_schema(struct ks_store *s, int rc, struct ks_err *err)
{
	char v[16], pragma[48];
	snprintf(v, sizeof v, "%d", KS_SCHEMA_VERSION);
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", KS_SCHEMA_VERSION);
	if (rc == KS_OK)
		rc = ks_store_meta_set(s, "schema", v, err);
	if (rc == KS_OK)
		rc = exec(s, pragma, err);
	if (rc == KS_OK)
		rc = exec(s, "COMMIT", err);
	else
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); /* rc says why */
	return rc;
}

/* Creates the schema and the metadata of a new index. */
static int create_schema(struct ks_store *s, struct ks_err *err)
{
	/* a file built in bulk gives back the pages its FTS merges free
	 * (ks_store_optimize); must be set before the first table */
	int rc =
	    (s->flags & KS_STORE_BULK) ? exec(s, "PRAGMA auto_vacuum=INCREMENTAL", err) : KS_OK;
	if (rc == KS_OK)
		rc = exec(s, "BEGIN", err);
	for (int i = 0; rc == KS_OK && SCHEMA_V1[i]; i++)
		rc = exec(s, SCHEMA_V1[i], err);
	for (int i = 0; rc == KS_OK && SCHEMA_V2[i]; i++)
		rc = exec(s, SCHEMA_V2[i], err);
	for (int i = 0; rc == KS_OK && SCHEMA_V3[i]; i++)
		rc = exec(s, SCHEMA_V3[i], err);
	for (int i = 0; rc == KS_OK && SCHEMA_V4[i]; i++)
		rc = exec(s, SCHEMA_V4[i], err);
	for (int i = 0; rc == KS_OK && SCHEMA_V5[i]; i++)
		rc = exec(s, SCHEMA_V5[i], err);
	char when[32], gen[40];
	now_iso(when, sizeof when);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(gen, sizeof gen, "%lld%06ld", (long long)ts.tv_sec, ts.tv_nsec / 1000);
	if (rc == KS_OK)
		rc = ks_store_meta_set(s, "tokenizer", ks_tok_version(), err);
	if (rc == KS_OK)
		rc = ks_store_meta_set(s, "icu", ks_tok_icu_version(), err);
	if (rc == KS_OK)
		rc = ks_store_meta_set(s, "built_at", when, err);
	if (rc == KS_OK)
		rc = ks_store_meta_set(s, "generation", gen, err);
	if (rc == KS_OK)
		rc = set_mac_key(s, err);
	return commit_schema(s, rc, err);
}

/* Version 2, 3 or 4 -> 5 in place, in one transaction. From 2: an empty
 * item_words table and its trigger (the items already stored have no word
 * maps until `kensaku reindex`, which ks_store_check_version then asks
 * for). Then the empty tables of fetched URLs (fetched.h), and the links
 * table, filled with each item's url (links.h). */
static int migrate_up(struct ks_store *s, int from, struct ks_err *err)
{
	int rc = exec(s, "BEGIN IMMEDIATE", err);
	for (int i = 0; rc == KS_OK && from < 3 && SCHEMA_V3[i]; i++)
		rc = exec(s, SCHEMA_V3[i], err);
	for (int i = 0; rc == KS_OK && SCHEMA_V4[i]; i++)
		rc = exec(s, SCHEMA_V4[i], err);
	for (int i = 0; rc == KS_OK && SCHEMA_V5[i]; i++)
		rc = exec(s, SCHEMA_V5[i], err);
	rc = commit_schema(s, rc, err);
	if (rc == KS_OK)
		s->schema = KS_SCHEMA_VERSION;
	return rc;
}

/* Opens an index of another schema. A newer one is refused. Version 1
 * (before item tags) is not migrated in place: its items would need
 * tagging, which is what `kensaku reindex` does; until then a temporary
 * empty item_entities table (made by ks_store_open) lets searches run
 * without cve/entity facets, and ks_store_check_version says that a
 * reindex is needed. Versions 2 and 3 get the tables they lack when a
 * writer opens them (migrate_up); read-only, they are read as they are
 * (version 2 without word maps: the memo finds no table; before version 5
 * a temporary view gives each item its url as its links: ks_store_open). */
static int migrate(struct ks_store *s, int from, struct ks_err *err)
{
	if (from > KS_SCHEMA_VERSION)
		return ks_err_set(err, KS_ERR_VERSION,
				  "[store] %s has schema %d, newer than this kensaku (%d): upgrade "
				  "kensaku",
				  s->path, from, KS_SCHEMA_VERSION);
	if (from >= 2 && !(s->flags & KS_STORE_READONLY))
		return migrate_up(s, from, err);
	return KS_OK;
}

static int user_version(struct ks_store *s, int *out, struct ks_err *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return ks_store_dberr(s, "open", err);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		return KS_OK;
	}
	sqlite3_finalize(st);
	return ks_store_dberr(s, "open", err);
}

/* "file:PATH?immutable=1" (file://PATH for an absolute path) with %, ? and
 * # escaped; malloc'd, NULL when out of memory. */
static char *snapshot_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF", tail[] = "?immutable=1";
	const char *head = path[0] == '/' ? "file://" : "file:";
	size_t n = strlen(path), o = strlen(head);
	char *u = malloc(o + n * 3 + sizeof(tail));
	if (!u)
		return NULL;
	memcpy(u, head, o);
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#') {
			u[o++] = '%';
			u[o++] = hex[(unsigned char)*p >> 4];
			u[o++] = hex[(unsigned char)*p & 15];
		} else {
			u[o++] = *p;
		}
	}
	memcpy(u + o, tail, sizeof(tail));
	return u;
}

/* A new store for path with its connection open (flags as for
 * ks_store_open), the FTS5 functions registered; *out NULL on failure. */
static int open_conn(const char *path, int flags, struct ks_store **out, struct ks_err *err)
{
	*out = NULL;
	struct ks_store *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path)) || !(s->tok = ks_tok_new())) {
		ks_store_close(s);
		return ks_err_set(err, KS_ERR_NOMEM, "[store][open] out of memory");
	}
	s->flags = flags;
	s->seq = -1;
	int oflags = (flags & KS_STORE_READONLY) ? SQLITE_OPEN_READONLY
						 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	char *uri = NULL;
	if ((flags & KS_STORE_SNAPSHOT) && !(uri = snapshot_uri(path))) {
		ks_store_close(s);
		return ks_err_set(err, KS_ERR_NOMEM, "[store][open] out of memory");
	}
	int orc = sqlite3_open_v2(uri ? uri : path, &s->db,
				  oflags | SQLITE_OPEN_NOMUTEX | (uri ? SQLITE_OPEN_URI : 0), NULL);
	free(uri);
	int rc = KS_OK;
	if (orc != SQLITE_OK) {
		rc = ks_store_dberr(s, "open", err);
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 0);
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_progress_handler(s->db, 2000, on_progress, s);
	if (!(s->memo = ks_memo_new()) || ks_fts_register(s->db, s->memo) != SQLITE_OK ||
	    ks_site_register(s->db) != SQLITE_OK)
		rc = ks_store_dberr(s, "register tokenizer", err);
out:
	if (rc != KS_OK)
		ks_store_close(s);
	else
		*out = s;
	return rc;
}

/* For a file of schema version 0: an empty file becomes an index (when s
 * may create one); any other file is not ours. */
static int check_empty(struct ks_store *s, struct ks_err *err)
{
	sqlite3_stmt *st = NULL;
	int tables = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) ==
		SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (tables > 0 || (s->flags & KS_STORE_READONLY) || !(s->flags & KS_STORE_CREATE))
		return ks_err_set(err, KS_ERR_CORRUPT, "[store][open] %s is not a kensaku index%s",
				  s->path, tables ? "" : " (empty file)");
	return KS_OK;
}

/* The pragmas of s's mode: bulk load, writer, or reader. */
static int set_pragmas(struct ks_store *s, struct ks_err *err)
{
	if (s->flags & KS_STORE_BULK)
		return exec(s,
			    "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
			    "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY",
			    err);
	if (!(s->flags & KS_STORE_READONLY))
		return exec(s,
			    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
			    "PRAGMA cache_size=-65536",
			    err);
	return exec(s,
		    (s->flags & KS_STORE_NO_MMAP)
			? "PRAGMA query_only=1; PRAGMA cache_size=-4096; PRAGMA mmap_size=0"
			: "PRAGMA query_only=1; PRAGMA cache_size=-4096; "
			  "PRAGMA mmap_size=268435456",
		    err);
}

/* Creates or migrates the schema of a file at version v, then proves it
 * is an index we can use by reading its meta. */
static int ready_schema(struct ks_store *s, int v, struct ks_err *err)
{
	int rc = KS_OK;
	s->schema = v ? v : KS_SCHEMA_VERSION;
	if (v == 0)
		rc = create_schema(s, err);
	else if (v != KS_SCHEMA_VERSION)
		rc = migrate(s, v, err);
	if (rc != KS_OK)
		return rc;
	char *schema = NULL;
	rc = ks_store_meta_get(s, "schema", &schema, err);
	if (rc == KS_OK && !schema)
		rc = ks_err_set(err, KS_ERR_CORRUPT, "[store][open] %s is not a kensaku index",
				s->path);
	free(schema);
	return rc;
}

int ks_store_open(const char *path, int flags, struct ks_store **out, struct ks_err *err)
{
	struct stat sb;
	if (flags & KS_STORE_SNAPSHOT)
		flags |= KS_STORE_READONLY;
	int exists = stat(path, &sb) == 0;
	if (!exists && !(flags & KS_STORE_CREATE))
		return ks_err_set(err, KS_ERR_IO,
				  "[store][open] no index at %s (run `kensaku index` first)", path);
	if (exists && S_ISDIR(sb.st_mode))
		return ks_err_set(err, KS_ERR_IO, "[store][open] %s is a directory", path);
	struct ks_store *s = NULL;
	int v = 0, rc = open_conn(path, flags, &s, err);
	if (rc != KS_OK)
		return rc;
	if ((rc = user_version(s, &v, err)) != KS_OK)
		goto out;
	/* before query_only: see migrate() */
	if (v == 1 && (rc = exec(s, "CREATE TEMP TABLE " KS_ENTITIES_TABLE, err)) != KS_OK)
		goto out;
	if (v >= 1 && v < 5 && (v < 2 || (flags & KS_STORE_READONLY)) &&
	    (rc = exec(s, KS_LINKS_VIEW, err)) != KS_OK)
		goto out;
	if ((v == 0 && (rc = check_empty(s, err)) != KS_OK) ||
	    (rc = set_pragmas(s, err)) != KS_OK || (rc = ready_schema(s, v, err)) != KS_OK)
		goto out;
	if (!(flags & KS_STORE_READONLY))
		rc = ensure_mac_key(s, err);
out:
	if (rc != KS_OK) {
		if (rc == KS_ERR_DB && s->db &&
		    (sqlite3_errcode(s->db) == SQLITE_NOTADB ||
		     sqlite3_errcode(s->db) == SQLITE_CORRUPT))
			rc = KS_ERR_CORRUPT;
		ks_store_close(s);
		return rc;
	}
	*out = s;
	return KS_OK;
}

void ks_store_close(struct ks_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n_cache; i++)
		sqlite3_finalize(s->cache[i].st);
	if (s->db)
		sqlite3_close_v2(s->db);
	ks_tok_free(s->tok);
	ks_seg_free(s->seg);
	ks_buf_free(&s->wmap);
	ks_memo_free(s->memo);
	free(s->path);
	free(s);
}

sqlite3 *ks_store_db(struct ks_store *s)
{
	return s->db;
}

struct ks_memo *ks_store_memo(struct ks_store *s)
{
	return s->memo;
}

int ks_store_data_changed(struct ks_store *s, int *changed, struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, "PRAGMA data_version", err);
	if (!st)
		return ks_store_rc(s);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = ks_store_dberr(s, "data_version", err);
		sqlite3_reset(st);
		return rc;
	}
	long long v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	*changed = !s->data_version_seen || v != s->data_version;
	s->data_version = v;
	s->data_version_seen = 1;
	return KS_OK;
}

/* *missing = 1 when the index has items but no word maps: schema 2 and
 * older, or migrated from 2 (migrate_up) and not reindexed since. Two
 * lookups of a first row, cheap enough for every /healthz. */
static int words_missing(struct ks_store *s, int *missing, struct ks_err *err)
{
	static const char v3[] =
	    "SELECT EXISTS(SELECT 1 FROM items) AND NOT EXISTS(SELECT 1 FROM item_words)";
	static const char old[] = "SELECT EXISTS(SELECT 1 FROM items)"; /* no item_words */
	*missing = 1;
	sqlite3_stmt *st = ks_store_stmt(s, s->schema < 3 ? old : v3, err);
	if (!st)
		return ks_store_rc(s);
	int r = sqlite3_step(st), rc = KS_OK;
	if (r == SQLITE_ROW)
		*missing = sqlite3_column_int(st, 0);
	else
		rc = ks_store_dberr(s, "word maps", err);
	sqlite3_reset(st);
	return rc;
}

int ks_store_check_version(struct ks_store *s, struct ks_err *err)
{
	char *tok = NULL, *icu = NULL;
	int missing = 0;
	int rc = ks_store_meta_get(s, "tokenizer", &tok, err);
	if (rc == KS_OK)
		rc = ks_store_meta_get(s, "icu", &icu, err);
	if (rc == KS_OK && s->schema < 2)
		rc =
		    ks_err_set(err, KS_ERR_VERSION,
			       "[store] %s has schema %d, from before entity tags (schema %d): run "
			       "`kensaku reindex` to rebuild it",
			       s->path, s->schema, KS_SCHEMA_VERSION);
	if (rc == KS_OK)
		rc = words_missing(s, &missing, err);
	if (rc == KS_OK && missing)
		rc = ks_err_set(err, KS_ERR_VERSION,
				"[store] %s has items without word maps (built with schema %d, "
				"before schema 3): run `kensaku reindex` to rebuild it",
				s->path, s->schema < 3 ? s->schema : 2);
	if (rc == KS_OK && (!tok || !icu || strcmp(tok, ks_tok_version()) != 0 ||
			    strcmp(icu, ks_tok_icu_version()) != 0))
		rc =
		    ks_err_set(err, KS_ERR_VERSION,
			       "[store] %s was built with tokenizer %s and ICU %s; this binary has "
			       "%s and ICU %s: run `kensaku reindex` to rebuild it",
			       s->path, tok ? tok : "?", icu ? icu : "?", ks_tok_version(),
			       ks_tok_icu_version());
	free(tok);
	free(icu);
	return rc;
}

int ks_store_begin(struct ks_store *s, struct ks_err *err)
{
	return exec(s, "BEGIN IMMEDIATE", err);
}

int ks_store_commit(struct ks_store *s, struct ks_err *err)
{
	return exec(s, "COMMIT", err);
}

void ks_store_rollback(struct ks_store *s)
{
	/* nothing to report: a failed ROLLBACK leaves SQLite's own rollback */
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* the read transaction's statements (cached by address) */
static const char READ_BEGIN[] = "BEGIN";
static const char READ_SNAP[] = "SELECT 1 FROM sqlite_schema LIMIT 1";
static const char READ_END[] = "COMMIT";

int ks_store_read_begin(struct ks_store *s, int *started, struct ks_err *err)
{
	*started = 0;
	if (!sqlite3_get_autocommit(s->db))
		return KS_OK;
	sqlite3_stmt *b = ks_store_stmt(s, READ_BEGIN, err);
	if (!b)
		return ks_store_dberr(s, "begin", err);
	int r = sqlite3_step(b);
	sqlite3_reset(b);
	if (r != SQLITE_DONE)
		return ks_store_dberr(s, "begin", err);
	*started = 1;
	/* BEGIN is deferred: the first read takes the snapshot. Its failure
	 * (a damaged file) is left to the caller's own statements to report */
	sqlite3_stmt *snap = ks_store_stmt(s, READ_SNAP, NULL);
	if (snap)
		(void)sqlite3_step(snap);
	return KS_OK;
}

void ks_store_read_end(struct ks_store *s)
{
	sqlite3_stmt *snap = ks_store_stmt(s, READ_SNAP, NULL); /* resets it */
	(void)snap;
	if (sqlite3_get_autocommit(s->db))
		return;
	sqlite3_stmt *e = ks_store_stmt(s, READ_END, NULL);
	int r = e ? sqlite3_step(e) : SQLITE_ERROR;
	if (e)
		sqlite3_reset(e);
	if (r != SQLITE_DONE)
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int ks_store_meta_set(struct ks_store *s, const char *key, const char *value, struct ks_err *err)
{
	static const char sql[] = "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)";
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? KS_OK : ks_store_dberr(s, "meta", err);
	sqlite3_reset(st);
	return rc;
}

int ks_store_meta_get(struct ks_store *s, const char *key, char **out, struct ks_err *err)
{
	static const char sql[] = "SELECT value FROM meta WHERE key = ?1";
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	if (!st)
		return ks_err_set(err, KS_ERR_CORRUPT, "[store] %s is not a kensaku index (%s)",
				  s->path, err ? err->msg : "");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int r = sqlite3_step(st), rc = KS_OK;
	*out = NULL;
	if (r == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (v && !(*out = strdup(v)))
			rc = ks_err_set(err, KS_ERR_NOMEM, "[store] out of memory");
	} else if (r != SQLITE_DONE) {
		rc = ks_store_dberr(s, "meta", err);
	}
	sqlite3_reset(st);
	return rc;
}

int ks_store_source_hash(struct ks_store *s, const char *source, char hash_out[65], int *found,
			 struct ks_err *err)
{
	static const char sql[] = "SELECT hash FROM sources WHERE path = ?1";
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	int r = sqlite3_step(st), rc = KS_OK;
	*found = 0;
	if (r == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		snprintf(hash_out, 65, "%s", h ? h : "");
		*found = 1;
	} else if (r != SQLITE_DONE) {
		rc = ks_store_dberr(s, "source hash", err);
	}
	sqlite3_reset(st);
	return rc;
}

/* Runs a one-shot statement with one text and optionally one int64 bound. */
static int run1(struct ks_store *s, const char *sql, const char *text, long long num,
		struct ks_err *err)
{
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	if (!st)
		return ks_store_rc(s);
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, num);
	int rc = sqlite3_step(st) == SQLITE_DONE ? KS_OK : ks_store_dberr(s, "write", err);
	sqlite3_reset(st);
	return rc;
}

static const char DEL_ITEMS_OF_SOURCE[] =
    "DELETE FROM items WHERE issue IN (SELECT number FROM issues WHERE source = ?1)";
static const char DEL_ISSUES_OF_SOURCE[] = "DELETE FROM issues WHERE source = ?1";
static const char DEL_SOURCE[] = "DELETE FROM sources WHERE path = ?1";

int ks_store_forget_source(struct ks_store *s, const char *source, struct ks_err *err)
{
	int rc = run1(s, DEL_ITEMS_OF_SOURCE, source, 0, err);
	if (rc == KS_OK)
		rc = run1(s, DEL_ISSUES_OF_SOURCE, source, 0, err);
	if (rc == KS_OK)
		rc = run1(s, DEL_SOURCE, source, 0, err);
	return rc;
}

/* Reserves n sequence numbers (s->seq advances; saved by put_source). */
static int next_seq(struct ks_store *s, long long n, struct ks_err *err)
{
	if (s->seq < 0) {
		char *v = NULL;
		int rc = ks_store_meta_get(s, "seq", &v, err);
		if (rc != KS_OK)
			return rc;
		s->seq = v ? atoll(v) : 0;
		free(v);
	}
	if (s->seq + n > KS_ROWID_SEQ_MAX)
		return ks_err_set(err, KS_ERR_ARG, "[store] item sequence exhausted: reindex");
	s->seq += n;
	return KS_OK;
}

/* The id of section name (created when new, at most KS_SECTIONS_MAX). */
static int section_id(struct ks_store *s, const char *name, int *out, struct ks_err *err)
{
	static const char find[] = "SELECT id FROM sections WHERE name = ?1";
	static const char add[] = "INSERT INTO sections(name) VALUES (?1)";
	sqlite3_stmt *st = ks_store_stmt(s, find, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		sqlite3_reset(st);
		return KS_OK;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return ks_store_dberr(s, "section", err);
	if (!(st = ks_store_stmt(s, add, err)))
		return ks_store_rc(s);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		int rc = ks_store_dberr(s, "section", err);
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	long long id = sqlite3_last_insert_rowid(s->db);
	if (id > KS_SECTIONS_MAX)
		return ks_err_set(err, KS_ERR_ARG, "more than %d distinct sections in the archive",
				  KS_SECTIONS_MAX);
	*out = (int)id;
	return KS_OK;
}

/* Inserts one issue and its items; replaces an issue of the same number. */
/* Deletes issue is->number and its items when it is indexed already (from
 * any source), noting the first such replacement in warn. */
static int drop_issue(struct ks_store *s, const char *source, const struct ks_issue *is,
		      struct ks_err *err, char *warn, size_t warn_len)
{
	static const char find[] = "SELECT source FROM issues WHERE number = ?1";
	static const char del_items[] = "DELETE FROM items WHERE issue = ?1";
	static const char del_issue[] = "DELETE FROM issues WHERE number = ?1";
	sqlite3_stmt *st = ks_store_stmt(s, find, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_int64(st, 1, is->number);
	int r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		sqlite3_reset(st);
		return KS_OK;
	}
	if (r != SQLITE_ROW) {
		int rc = ks_store_dberr(s, "find issue", err);
		sqlite3_reset(st);
		return rc;
	}
	const char *other = (const char *)sqlite3_column_text(st, 0);
	if (warn && !warn[0])
		snprintf(warn, warn_len, "issue %lld was indexed from %s; replaced by %s",
			 is->number, other ? other : "?", source);
	sqlite3_reset(st);
	int rc = run1(s, del_items, NULL, is->number, err);
	if (rc == KS_OK)
		rc = run1(s, del_issue, NULL, is->number, err);
	return rc;
}

/* Tags the item just inserted (tags.h). */
static int tag_item(struct ks_store *s, const struct ks_item *it, struct ks_err *err)
{
	static const char ins[] = KS_TAGS_INSERT;
	sqlite3_stmt *st = ks_store_stmt(s, ins, err);
	if (!st)
		return ks_store_rc(s);
	int rc = ks_tags_put(st, sqlite3_last_insert_rowid(s->db), it->title, it->quote);
	if (rc == KS_ERR_DB)
		return ks_store_dberr(s, "tag item", err);
	if (rc == KS_ERR_NOMEM)
		return ks_err_set(err, rc, "[entities] out of memory");
	return rc;
}

/* The write connection's segmenter, made on the first insert: of the kind
 * the index recorded (meta "segmenter": an index keeps one segmenter until
 * reindexed), else of KENSAKU_SEGMENTER's (default mecab), recorded then. */
static int store_seg(struct ks_store *s, struct ks_err *err)
{
	if (s->seg)
		return KS_OK;
	char *rec = NULL;
	struct ks_seg *g = NULL;
	int rc = ks_store_meta_get(s, "segmenter", &rec, err);
	if (rc != KS_OK)
		return rc;
	const char *env = getenv(KS_SEG_ENV);
	const char *want = rec ? rec : env && *env ? env : "mecab";
	int kind = ks_seg_kind_of(want);
	if (kind < 0) {
		rc = ks_err_set(err, KS_ERR_ARG, "[store][words] unknown segmenter '%s' (%s=%s)",
				want, KS_SEG_ENV, "mecab|icu");
		goto out;
	}
	if (!(g = ks_seg_new((enum ks_seg_kind)kind))) {
		rc = ks_err_set(err, KS_ERR_IO, "[store][words] the %s segmenter could not start%s",
				kind == KS_SEG_MECAB ? "MeCab" : "ICU",
				kind == KS_SEG_MECAB ? " (install mecab-ipadic-utf8, or set "
						       "KENSAKU_SEGMENTER=icu)"
						     : "");
		goto out;
	}
	if (!rec)
		rc = ks_store_meta_set(s, "segmenter", ks_seg_name(g), err);
out:
	if (rc == KS_OK)
		s->seg = g;
	else
		ks_seg_free(g);
	free(rec);
	return rc;
}

/* Writes the word map of item it, stored under rowid (words.h). */
static int put_words(struct ks_store *s, sqlite3_int64 rowid, const struct ks_item *it,
		     struct ks_err *err)
{
	static const char ins[] = "INSERT INTO item_words(item, map) VALUES (?1, ?2)";
	int rc = store_seg(s, err);
	if (rc != KS_OK)
		return rc;
	s->wmap.len = 0;
	if (ks_words_item(s->tok, s->seg, it->title, it->quote, &s->wmap) != 0) {
		ks_buf_free(&s->wmap); /* clears oom for the next item */
		return ks_err_set(err, KS_ERR_NOMEM, "[store][words] out of memory");
	}
	sqlite3_stmt *st = ks_store_stmt(s, ins, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_int64(st, 1, rowid);
	sqlite3_bind_blob(st, 2, s->wmap.p, (int)s->wmap.len, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? KS_OK : ks_store_dberr(s, "insert word map", err);
	sqlite3_reset(st);
	return rc;
}

/* Writes the links of item it, stored under rowid (links.h). */
static int put_links(struct ks_store *s, sqlite3_int64 rowid, const struct ks_item *it,
		     struct ks_err *err)
{
	static const char ins[] = KS_LINKS_INSERT;
	if (!it->n_links)
		return KS_OK;
	sqlite3_stmt *st = ks_store_stmt(s, ins, err);
	if (!st)
		return ks_store_rc(s);
	return ks_links_put(st, rowid, it) == KS_OK ? KS_OK : ks_store_dberr(s, "insert link", err);
}

/* Inserts is's items (rowids from the next is->n_items sequence numbers),
 * their tags, word maps and links. */
static int put_items(struct ks_store *s, const struct ks_issue *is, struct ks_err *err)
{
	static const char ins_item[] =
	    "INSERT INTO items(issue, position, date, section, title, quote, url, rowid)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	int rc = next_seq(s, (long long)is->n_items, err);
	if (rc != KS_OK)
		return rc;
	long long base = s->seq - (long long)is->n_items;
	int day = ks_day_from_date(is->date);
	for (size_t i = 0; i < is->n_items; i++) {
		const struct ks_item *it = &is->items[i];
		int sec = 0;
		if (it->section && (rc = section_id(s, it->section, &sec, err)) != KS_OK)
			return rc;
		sqlite3_stmt *st = ks_store_stmt(s, ins_item, err);
		if (!st)
			return ks_store_rc(s);
		/* later positions get lower seq, so newest-first lists an issue in order */
		long long seq = base + (long long)(is->n_items - 1 - i);
		sqlite3_int64 rowid = ks_rowid_make(day, seq, sec);
		sqlite3_bind_int64(st, 8, rowid);
		sqlite3_bind_int64(st, 1, is->number);
		sqlite3_bind_int(st, 2, it->position);
		sqlite3_bind_text(st, 3, is->date, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, it->section, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, it->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, it->quote, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, it->url, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return ks_store_dberr(s, "insert item", err);
		sqlite3_reset(st);
		if ((rc = tag_item(s, it, err)) != KS_OK ||
		    (rc = put_words(s, rowid, it, err)) != KS_OK ||
		    (rc = put_links(s, rowid, it, err)) != KS_OK)
			return rc;
	}
	return KS_OK;
}

static int put_issue(struct ks_store *s, const char *source, const struct ks_issue *is,
		     struct ks_err *err, char *warn, size_t warn_len)
{
	static const char ins_issue[] =
	    "INSERT INTO issues(number, date, title, source) VALUES (?1, ?2, ?3, ?4)";
	int rc = drop_issue(s, source, is, err, warn, warn_len);
	if (rc != KS_OK)
		return rc;
	sqlite3_stmt *st = ks_store_stmt(s, ins_issue, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_int64(st, 1, is->number);
	sqlite3_bind_text(st, 2, is->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, is->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return ks_store_dberr(s, "insert issue", err);
	sqlite3_reset(st);
	return put_items(s, is, err);
}

int ks_store_put_source(struct ks_store *s, const char *source, const char *hash,
			const struct ks_batch *batch, struct ks_err *err)
{
	static const char ins_source[] =
	    "INSERT OR REPLACE INTO sources(path, hash, indexed_at) VALUES (?1, ?2, ?3)";
	char warn[512] = "";
	int rc = run1(s, DEL_ITEMS_OF_SOURCE, source, 0, err);
	if (rc == KS_OK)
		rc = run1(s, DEL_ISSUES_OF_SOURCE, source, 0, err);
	for (size_t i = 0; rc == KS_OK && i < batch->n_issues; i++)
		rc = put_issue(s, source, &batch->issues[i], err, warn, sizeof warn);
	if (rc == KS_OK && s->seq >= 0) {
		char seq[32];
		snprintf(seq, sizeof seq, "%lld", s->seq);
		rc = ks_store_meta_set(s, "seq", seq, err);
	}
	if (rc != KS_OK)
		return rc;
	sqlite3_stmt *st = ks_store_stmt(s, ins_source, err);
	if (!st)
		return ks_store_rc(s);
	char when[32];
	now_iso(when, sizeof when);
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, when, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? KS_OK : ks_store_dberr(s, "insert source", err);
	sqlite3_reset(st);
	if (rc == KS_OK && err)
		snprintf(err->msg, sizeof err->msg, "%s", warn);
	return rc;
}

int ks_store_each_source(struct ks_store *s, int (*fn)(const char *source, void *ctx), void *ctx,
			 struct ks_err *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT path FROM sources ORDER BY path", -1, &st, NULL) !=
	    SQLITE_OK)
		return ks_store_dberr(s, "sources", err);
	int r, ret = 0;
	/* collect first: fn may write to the table */
	char **paths = NULL;
	size_t n = 0, cap = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **np = realloc(paths, cap * sizeof *np);
			if (!np) {
				r = SQLITE_NOMEM;
				break;
			}
			paths = np;
		}
		/* NULL only when SQLite could not allocate the text */
		const char *src = (const char *)sqlite3_column_text(st, 0);
		if (!src || !(paths[n] = strdup(src))) {
			r = SQLITE_NOMEM;
			break;
		}
		n++;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		ret = ks_err_set(err, KS_ERR_DB, "[store] listing sources failed");
	for (size_t i = 0; i < n; i++) {
		if (!ret)
			ret = fn(paths[i], ctx);
		free(paths[i]);
	}
	free(paths);
	return ret;
}

int ks_store_optimize(struct ks_store *s, struct ks_err *err)
{
	int rc = exec(s, "INSERT INTO items_fts(items_fts) VALUES ('optimize')", err);
	/* the segments the merge replaced are free pages: give them back (a
	 * no-op on a file without auto_vacuum) */
	if (rc == KS_OK)
		rc = exec(s, "PRAGMA incremental_vacuum", err);
	return rc;
}

int ks_store_set_wal(struct ks_store *s, struct ks_err *err)
{
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
		return ks_store_dberr(s, "journal_mode", err);
	return KS_OK;
}

/* The connection must read first: a checkpoint on a connection that has
 * not opened the WAL yet is a silent no-op. */
int ks_store_checkpoint_path(const char *db, struct ks_err *err)
{
	struct stat sb;
	if (stat(db, &sb) != 0)
		return KS_OK;
	sqlite3 *h = NULL;
	int rc = KS_OK;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(h, 10000);
		int nlog = 0, nckpt = 0;
		int r = sqlite3_exec(h, "PRAGMA schema_version", NULL, NULL, NULL);
		if (r == SQLITE_OK)
			r = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_TRUNCATE, &nlog,
						      &nckpt);
		if (r != SQLITE_OK && r != SQLITE_NOTADB && r != SQLITE_CORRUPT)
			rc = ks_err_set(err, KS_ERR_BUSY,
					"[build][swap] could not checkpoint %s before the swap "
					"(%s); nothing was "
					"changed, try again",
					db, sqlite3_errmsg(h));
	}
	sqlite3_close_v2(h);
	return rc;
}

int ks_store_stats(struct ks_store *s, struct ks_store_stats *out, struct ks_err *err)
{
	static const char sql[] =
	    "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM issues),"
	    " (SELECT count(*) FROM sources), (SELECT min(date) FROM items),"
	    " (SELECT max(date) FROM items)";
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = ks_store_stmt(s, sql, err);
	if (!st)
		return ks_store_rc(s);
	if (sqlite3_step(st) != SQLITE_ROW) {
		int rc = ks_store_dberr(s, "stats", err);
		sqlite3_reset(st);
		return rc;
	}
	out->items = sqlite3_column_int64(st, 0);
	out->issues = sqlite3_column_int64(st, 1);
	out->sources = sqlite3_column_int64(st, 2);
	const char *a = (const char *)sqlite3_column_text(st, 3);
	snprintf(out->first_date, sizeof out->first_date, "%s", a ? a : "");
	const char *b = (const char *)sqlite3_column_text(st, 4);
	snprintf(out->last_date, sizeof out->last_date, "%s", b ? b : "");
	sqlite3_reset(st);
	static const struct {
		const char *key;
		size_t off, len;
	} keys[] = {
	    {"built_at", offsetof(struct ks_store_stats, built_at), sizeof out->built_at},
	    {"tokenizer", offsetof(struct ks_store_stats, tokenizer), sizeof out->tokenizer},
	    {"icu", offsetof(struct ks_store_stats, icu), sizeof out->icu},
	    {"generation", offsetof(struct ks_store_stats, generation), sizeof out->generation},
	    {"segmenter", offsetof(struct ks_store_stats, segmenter), sizeof out->segmenter},
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char *v = NULL;
		int rc = ks_store_meta_get(s, keys[i].key, &v, err);
		if (rc != KS_OK)
			return rc;
		snprintf((char *)out + keys[i].off, keys[i].len, "%s", v ? v : "");
		free(v);
	}
	struct stat sb;
	if (stat(s->path, &sb) == 0)
		out->file_bytes = (long long)sb.st_size;
	return KS_OK;
}

int ks_store_bulk_begin(struct ks_store *s, struct ks_err *err)
{
	/* the FTS index and the tag-name index are built once, at the end */
	int rc = exec(s, "DROP TRIGGER IF EXISTS items_ai", err);
	if (rc == KS_OK)
		rc = exec(s, "DROP TRIGGER IF EXISTS items_ad", err);
	if (rc == KS_OK)
		rc = exec(s, "DROP TRIGGER IF EXISTS items_au", err);
	if (rc == KS_OK)
		rc = exec(s, "DROP INDEX IF EXISTS item_entities_name", err);
	return rc;
}

int ks_store_bulk_end(struct ks_store *s, struct ks_err *err)
{
	int rc = exec(s, "INSERT INTO items_fts(items_fts) VALUES ('rebuild')", err);
	if (rc == KS_OK)
		rc = exec(s, TRIGGER_AI, err);
	if (rc == KS_OK)
		rc = exec(s, TRIGGER_AD, err);
	if (rc == KS_OK)
		rc = exec(s, TRIGGER_AU, err);
	if (rc == KS_OK)
		rc = exec(s, INDEX_ENTITIES_NAME, err);
	return rc;
}
