/* fts5_load.c - the "plain FTS5" indexing baseline of the benchmark.
 *
 *   fts5_load DB ITEMS.jsonl [TOKENIZER]
 *
 * Loads the items of ITEMS.jsonl (gen_corpus.py's JSON Lines) into a fresh
 * SQLite file with kensaku's schema shape (an items table and an
 * external-content FTS5 table over title and quote) but FTS5's built-in
 * tokenizer (default "unicode61"), the way `kensaku reindex` bulk-loads: no
 * journal, no fsync, a 256 MB FTS hash, no automerge, the items inserted
 * first in one transaction, then the whole index built by one 'rebuild'
 * and an 'optimize'. (Filling FTS5 row by row from a trigger is ~3x slower:
 * FTS5 flushes its pending terms at every statement's savepoint.) It shows
 * what SQLite costs on its own, without the kensaku tokenizer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "fts5_load: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: fts5_load DB ITEMS.jsonl [TOKENIZER]\n");
		return 2;
	}
	const char *tok = argc > 3 ? argv[3] : "unicode61";
	unlink(argv[1]);
	sqlite3 *db;
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		die(db, "open");
	char schema[2048];
	snprintf(schema, sizeof schema,
		 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
		 "PRAGMA temp_store=MEMORY;"
		 "CREATE TABLE items(rowid INTEGER PRIMARY KEY, issue INTEGER NOT NULL,"
		 " position INTEGER NOT NULL, date TEXT, section TEXT, title TEXT NOT NULL,"
		 " quote TEXT, url TEXT, UNIQUE(issue, position));"
		 "CREATE INDEX items_date ON items(date, issue, position);"
		 "CREATE VIRTUAL TABLE items_fts USING fts5(title, quote, content='items',"
		 " content_rowid='rowid', tokenize='%s');"
		 "INSERT INTO items_fts(items_fts, rank) VALUES ('hashsize', 268435456);"
		 "INSERT INTO items_fts(items_fts, rank) VALUES ('automerge', 0);"
		 "BEGIN",
		 tok);
	if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK)
		die(db, "schema");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO items(issue, position, date, section, title, quote)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &st, NULL) != SQLITE_OK)
		die(db, "prepare");
	FILE *f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	long n = 0;
	while (getline(&line, &cap, f) > 0) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		if (!o)
			continue;
		sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(o, "issue")));
		sqlite3_bind_int(st, 2, (int)json_integer_value(json_object_get(o, "position")));
		const char *keys[] = {"date", "section", "title", "quote"};
		for (int k = 0; k < 4; k++) {
			const char *v = json_string_value(json_object_get(o, keys[k]));
			if (v)
				sqlite3_bind_text(st, 3 + k, v, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, 3 + k);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			die(db, "insert");
		sqlite3_reset(st);
		json_decref(o);
		n++;
	}
	free(line);
	fclose(f);
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "INSERT INTO items_fts(items_fts) VALUES ('rebuild'); COMMIT;"
			 "INSERT INTO items_fts(items_fts) VALUES ('optimize')", NULL,
			 NULL, NULL) != SQLITE_OK)
		die(db, "optimize");
	sqlite3_close(db);
	fprintf(stderr, "fts5_load: %ld items\n", n);
	return 0;
}
