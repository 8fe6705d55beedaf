/* fts.c - the store's FTS5 registrations on one connection: the kensaku
 * tokenizer (tokenizer.h) and the ks_rank() auxiliary function (rank.c), as
 * one explicit call of the store rather than a side effect of registering
 * the tokenizer. */
#include <sqlite3.h>

#include "kensaku/tokenizer.h"
#include "store_internal.h"

fts5_api *ks_fts5_api(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	(void)sqlite3_step(st); /* api stays NULL when it fails */
	sqlite3_finalize(st);
	return api;
}

int ks_fts_register(sqlite3 *db, struct ks_memo *memo)
{
	fts5_api *api = ks_fts5_api(db);
	if (!api)
		return SQLITE_ERROR;
	int rc = ks_tok_register(api);
	if (rc == SQLITE_OK)
		rc = ks_rank_register(api, db, memo);
	return rc;
}
