/* links.c - the item_links rows the store writes with each item (links.h). */
#include "links.h"

int ks_links_put(sqlite3_stmt *ins, sqlite3_int64 item, const struct ks_item *it)
{
	char key[KS_SITE_MAX];
	int n = 0;
	for (size_t i = 0; i < it->n_links; i++) {
		if (ks_link_site(it->links[i], key) != 0)
			continue;
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, item);
		sqlite3_bind_int(ins, 2, n++);
		sqlite3_bind_text(ins, 3, it->links[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, key, -1, SQLITE_STATIC);
		int r = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (r != SQLITE_DONE)
			return KS_ERR_DB;
	}
	return KS_OK;
}
