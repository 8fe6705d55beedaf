/* hit.c - reading item rows (hit.h). */
#include "hit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static const char ROW[] = "SELECT " KS_HIT_COLS ", 0.0 FROM items i WHERE i.rowid = ?1";

static char *dup_col(sqlite3_stmt *st, int col, int *oom)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	if (!v)
		return NULL;
	char *p = strdup(v);
	if (!p)
		*oom = 1;
	return p;
}

/* Splits column col ('\n'-joined links, or NULL) into h->links. */
static int read_links(sqlite3_stmt *st, int col, struct ks_hit *h)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	size_t n = 1;
	if (!v || !*v)
		return 0;
	for (const char *p = v; *p; p++)
		n += *p == '\n';
	if (!(h->links = calloc(n, sizeof *h->links)))
		return -1;
	while (h->n_links < n) {
		size_t k = strcspn(v, "\n");
		if (!(h->links[h->n_links] = strndup(v, k)))
			return -1;
		h->n_links++;
		v += k + (v[k] == '\n');
	}
	return 0;
}

int ks_hit_read(sqlite3_stmt *st, struct ks_hit *h)
{
	int oom = 0;
	memset(h, 0, sizeof *h);
	h->issue = sqlite3_column_int64(st, 1);
	h->position = sqlite3_column_int(st, 2);
	snprintf(h->id, sizeof h->id, "%lld-%d", h->issue, h->position);
	h->date = dup_col(st, 3, &oom);
	h->section = dup_col(st, 4, &oom);
	h->title = dup_col(st, 5, &oom);
	h->quote = dup_col(st, 6, &oom);
	h->url = dup_col(st, 7, &oom);
	if (!oom && read_links(st, 8, h) < 0)
		oom = 1;
	h->score = sqlite3_column_double(st, 9);
	return oom ? -1 : 0;
}

int ks_hit_by_rowid(struct ks_store *s, sqlite3_int64 rowid, struct ks_hit *h, struct ks_err *err)
{
	memset(h, 0, sizeof *h);
	sqlite3_stmt *st = ks_store_stmt(s, ROW, err);
	if (!st)
		return ks_store_rc(s);
	sqlite3_bind_int64(st, 1, rowid);
	int r = sqlite3_step(st), rc = KS_OK;
	if (r == SQLITE_ROW) {
		if (ks_hit_read(st, h) < 0) {
			ks_hit_clear(h);
			rc = ks_err_set(err, KS_ERR_NOMEM, "[item] out of memory");
		}
	} else if (r == SQLITE_DONE) {
		rc = ks_err_set(err, KS_ERR_NOTFOUND, "[item] item gone");
	} else {
		rc = ks_store_dberr(s, "item", err);
	}
	sqlite3_reset(st);
	return rc;
}

void ks_hit_clear(struct ks_hit *h)
{
	free(h->date);
	free(h->section);
	free(h->title);
	free(h->quote);
	free(h->url);
	for (size_t i = 0; i < h->n_links; i++)
		free(h->links[i]);
	free(h->links);
	free(h->title_marks.at);
	free(h->quote_marks.at);
	free(h->why);
	memset(h, 0, sizeof *h);
}
