/* tags.c - writing item tags (the contract is in tags.h). */
#include "tags.h"

#include <string.h>

#include "kensaku/lexicon.h"

struct tag_ctx {
	sqlite3_stmt *ins;
	sqlite3_int64 item;
	int rc;
};

static int on_tag(void *ctx, const char *kind, const char *name)
{
	struct tag_ctx *c = ctx;
	sqlite3_reset(c->ins);
	sqlite3_bind_int64(c->ins, 1, c->item);
	sqlite3_bind_text(c->ins, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->ins, 3, kind, -1, SQLITE_STATIC);
	if (sqlite3_step(c->ins) != SQLITE_DONE)
		c->rc = KS_ERR_DB;
	sqlite3_reset(c->ins);
	return c->rc != KS_OK;
}

int ks_tags_put(sqlite3_stmt *ins, sqlite3_int64 item, const char *title, const char *quote)
{
	struct tag_ctx c = {ins, item, KS_OK};
	const char *parts[2] = {title, quote};
	for (int i = 0; i < 2 && c.rc == KS_OK; i++) {
		if (!parts[i] || !*parts[i])
			continue;
		if (ks_extract(parts[i], strlen(parts[i]), on_tag, &c) < 0 && c.rc == KS_OK)
			c.rc = KS_ERR_NOMEM;
	}
	return c.rc;
}
