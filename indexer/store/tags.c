/* tags.c - writing item tags (the contract is in tags.h). */
#include "tags.h"

#include <string.h>

#include "kensaku/lexicon.h"
#include "store_internal.h"

static const char INS[] =
    "INSERT OR IGNORE INTO item_entities(item, name, kind) VALUES (?1, ?2, ?3)";

struct tag_ctx {
	struct ks_store *s;
	sqlite3_int64 item;
	struct ks_err *err;
	int rc;
};

static int on_tag(void *ctx, const char *kind, const char *name)
{
	struct tag_ctx *c = ctx;
	sqlite3_stmt *st = ks_store_stmt(c->s, INS, c->err);
	if (!st) {
		c->rc = KS_ERR_DB;
		return 1;
	}
	sqlite3_bind_int64(st, 1, c->item);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		c->rc = ks_store_dberr(c->s, "tag item", c->err);
	sqlite3_reset(st);
	return c->rc != KS_OK;
}

int ks_tags_put(struct ks_store *s, sqlite3_int64 item, const char *title, const char *quote,
		struct ks_err *err)
{
	struct tag_ctx c = {s, item, err, KS_OK};
	const char *parts[2] = {title, quote};
	for (int i = 0; i < 2 && c.rc == KS_OK; i++) {
		if (!parts[i] || !*parts[i])
			continue;
		if (ks_extract(parts[i], strlen(parts[i]), on_tag, &c) < 0 && c.rc == KS_OK)
			c.rc = ks_err_set(err, KS_ERR_NOMEM, "[entities] out of memory");
	}
	return c.rc;
}
