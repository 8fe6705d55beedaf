/* ops.c - the calls test_oom.c fails allocations in: kensaku index and
 * reindex as library calls (ks_build_*), and what the server's handlers
 * call for a search, a CSV page, a feed, a trend, an issue, an item, the
 * entity lookups and an analysis, each rendered into the bytes kensakud
 * sends. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/xmlerror.h>

#include "kensaku/analyze.h"
#include "kensaku/build.h"
#include "kensaku/csv.h"
#include "kensaku/entities.h"
#include "kensaku/feed.h"
#include "kensaku/search.h"
#include "kensaku/trend.h"
#include "oom.h"

#define BASE_JSONL KS_SOURCE_DIR "/tests/data/integration/base.jsonl"
#define SAMPLE_DIR KS_SOURCE_DIR "/sample"

static char g_log_buf[1 << 16]; /* the log's buffer, so writing it allocates nothing */

/* ---- output */

static int emit(struct ks_buf *out, const char *s)
{
	ks_buf_str(out, s);
	return out->oom ? KS_ERR_NOMEM : KS_OK;
}

static int emit_num(struct ks_buf *out, const char *label, long long v)
{
	char line[96];
	snprintf(line, sizeof line, "%s %lld\n", label, v);
	return emit(out, line);
}

/* Appends the API bytes of j (a new reference, consumed; NULL: no memory),
 * failing as a handler does when the body cannot be made. */
static int emit_json(struct ks_buf *out, json_t *j, struct ks_err *err)
{
	char *body = j ? ks_json_body(j) : NULL;
	int rc = body ? emit(out, body) : KS_ERR_NOMEM;
	json_decref(j);
	free(body);
	if (rc == KS_OK)
		rc = emit(out, "\n");
	return rc == KS_OK ? rc : ks_err_set(err, rc, "[oom] no memory for the body");
}

/* ---- files */

static void unlink_fmt(const char *db, const char *suffix)
{
	char path[192];
	snprintf(path, sizeof path, "%s%s", db, suffix);
	unlink(path);
}

static const char *const g_sidecars[] = {"-wal",
					 "-shm",
					 "-journal",
					 ".verified",
					 ".verified.tmp",
					 ".reindex-tmp",
					 ".reindex-tmp-wal",
					 ".reindex-tmp-shm",
					 ".reindex-tmp-journal",
					 ".lock",
					 NULL};

static void remove_db(const char *db)
{
	unlink(db);
	for (const char *const *s = g_sidecars; *s; s++)
		unlink_fmt(db, *s);
}

/* 1 when any file a reindex makes on its way is still there. */
static int leftovers(const char *db)
{
	for (const char *const *s = g_sidecars + 4; *s; s++) {
		char path[192];
		snprintf(path, sizeof path, "%s%s", db, *s);
		if (strcmp(*s, ".lock") && strcmp(*s, ".verified") && access(path, F_OK) == 0) {
			fprintf(stderr, "oom: %s left behind\n", path);
			return 1;
		}
	}
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n = -1;
	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	if (f)
		fclose(f);
	*len = n > 0 ? (size_t)n : 0;
	return p;
}

static int copy_file(const char *from, const char *to)
{
	size_t n = 0;
	char *p = slurp(from, &n);
	FILE *f = p ? fopen(to, "wb") : NULL;
	int ok = f && fwrite(p, 1, n, f) == n;
	if (f && fclose(f) != 0)
		ok = 0;
	free(p);
	return ok ? 0 : -1;
}

static int same_file(const char *a, const char *b)
{
	size_t na = 0, nb = 0;
	char *pa = slurp(a, &na), *pb = slurp(b, &nb);
	int same = pa && pb && na == nb && memcmp(pa, pb, na) == 0;
	free(pa);
	free(pb);
	return same;
}

/* ---- search helpers */

static void params(struct ks_search_params *p, const char *q)
{
	ks_search_params_init(p);
	p->q = q;
	p->expand = 1;
}

/* Runs p on s and appends the API body (took_ms zeroed: the only field
 * that differs between two runs). */
static int emit_search(struct ks_store *s, const struct ks_search_params *p, struct ks_buf *out,
		       struct ks_err *err)
{
	struct ks_result *r = NULL;
	int rc = ks_search_params_check(p, err);
	if (rc == KS_OK)
		rc = ks_search_run(s, p, &r, err);
	if (rc != KS_OK)
		return rc;
	r->took_ms = 0;
	rc = emit_json(out, ks_result_json(r), err);
	ks_result_free(r);
	return rc;
}

/* What an index holds, read through the public API: its counts, its
 * checks, every item (browsed newest first) and one query. */
static void digest(const char *db, struct ks_buf *out)
{
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	struct ks_store_stats st = {0};
	struct ks_search_params p;
	if (ks_store_open(db, KS_STORE_READONLY, &s, &err) != KS_OK) {
		emit(out, "open failed\n");
		return;
	}
	if (ks_store_stats(s, &st, &err) == KS_OK) {
		emit_num(out, "items", st.items);
		emit_num(out, "issues", st.issues);
		emit_num(out, "sources", st.sources);
	}
	emit_num(out, "version", ks_store_check_version(s, &err));
	emit_num(out, "integrity", ks_store_integrity(s, &err));
	params(&p, "");
	p.sort = KS_SORT_NEWEST;
	p.limit = KS_LIMIT_MAX;
	for (p.offset = 0; p.offset < st.items; p.offset += p.limit)
		if (emit_search(s, &p, out, &err) != KS_OK)
			emit(out, "browse failed\n");
	params(&p, "ランサムウェア");
	if (emit_search(s, &p, out, &err) != KS_OK)
		emit(out, "search failed\n");
	ks_store_close(s);
}

/* ---- the environment */

/* libxml2 reports its failures on stderr and keeps the last one in a
 * global: quiet here, and cleared after each run (oom_settle). */
static void quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx, (void)fmt;
}

void oom_settle(void)
{
	xmlResetLastError();
}

int oom_env_init(struct oom_env *e)
{
	struct ks_build_report rep;
	struct ks_err err = {""};
	char *base[] = {BASE_JSONL}, *sample[] = {SAMPLE_DIR};
	memset(e, 0, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/ks-oom-XXXXXX");
	if (!mkdtemp(e->dir) || !(e->log = fopen("/dev/null", "w")))
		return perror("oom: temp folder"), -1;
	setvbuf(e->log, g_log_buf, _IOFBF, sizeof g_log_buf);
	xmlSetGenericErrorFunc(NULL, quiet);
	snprintf(e->db, sizeof e->db, "%s/index.db", e->dir);
	snprintf(e->pristine, sizeof e->pristine, "%s/pristine.db", e->dir);
	snprintf(e->sample_db, sizeof e->sample_db, "%s/sample.db", e->dir);
	struct ks_build_opts o = {.db = e->pristine, .log = e->log};
	int rc = ks_build_index(&o, base, 1, &rep, &err);
	o.db = e->sample_db;
	if (rc == KS_OK)
		rc = ks_build_index(&o, sample, 1, &rep, &err);
	if (rc != KS_OK)
		fprintf(stderr, "oom: indexing the fixtures: %s\n", err.msg);
	return rc == KS_OK ? 0 : -1;
}

void oom_env_clear(struct oom_env *e)
{
	oom_close_sample(e);
	remove_db(e->db);
	remove_db(e->pristine);
	remove_db(e->sample_db);
	if (e->log)
		fclose(e->log);
	rmdir(e->dir);
}

int oom_open_sample(struct oom_env *e)
{
	struct ks_err err = {""};
	return ks_store_open(e->sample_db, KS_STORE_READONLY, &e->s, &err);
}

void oom_close_sample(struct oom_env *e)
{
	ks_store_close(e->s);
	e->s = NULL;
}

/* ---- indexing */

static int build(struct oom_env *e, int reindex, char *path, struct ks_err *err)
{
	struct ks_build_opts o = {.db = e->db, .log = e->log};
	struct ks_build_report rep;
	char *paths[] = {path};
	return reindex ? ks_build_reindex(&o, paths, 1, &rep, err)
		       : ks_build_index(&o, paths, 1, &rep, err);
}

static void fresh_db(struct oom_env *e)
{
	remove_db(e->db);
}

static void pristine_db(struct oom_env *e)
{
	remove_db(e->db);
	if (copy_file(e->pristine, e->db) != 0)
		fprintf(stderr, "oom: cannot copy %s\n", e->pristine);
}

static void observe_db(struct oom_env *e, struct ks_buf *out)
{
	digest(e->db, out);
}

static int index_base(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	(void)out;
	return build(e, 0, BASE_JSONL, err);
}

static int index_sample(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	(void)out;
	return build(e, 0, SAMPLE_DIR, err);
}

static int reindex_sample(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	(void)out;
	return build(e, 1, SAMPLE_DIR, err);
}

/* After a failed index: running it again completes the index. */
static int rerun_completes(struct oom_env *e, const char *path, const struct ks_buf *ref)
{
	struct ks_err err = {""};
	struct ks_buf now = {0};
	int rc = build(e, 0, (char *)path, &err), ok;
	if (rc != KS_OK)
		fprintf(stderr, "oom: indexing again after the failure: %s\n", err.msg);
	digest(e->db, &now);
	ok = rc == KS_OK && now.len == ref->len && !memcmp(now.p, ref->p, now.len);
	ks_buf_free(&now);
	return ok ? 0 : -1;
}

static int after_index_base(struct oom_env *e, const struct ks_buf *ref)
{
	return rerun_completes(e, BASE_JSONL, ref);
}

static int after_index_sample(struct oom_env *e, const struct ks_buf *ref)
{
	return rerun_completes(e, SAMPLE_DIR, ref);
}

/* After a failed reindex: the index is untouched, no temp file is left. */
static int after_reindex(struct oom_env *e, const struct ks_buf *ref)
{
	(void)ref;
	if (!same_file(e->db, e->pristine)) {
		fprintf(stderr, "oom: the failed reindex changed %s\n", e->db);
		return -1;
	}
	return leftovers(e->db) ? -1 : 0;
}

/* ---- reading (the store is open: e->s) */

static int op_open(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_store *s = NULL;
	struct ks_store_stats st;
	int rc = ks_store_open(e->sample_db, KS_STORE_READONLY, &s, err);
	if (rc == KS_OK)
		rc = ks_store_check_version(s, err);
	if (rc == KS_OK)
		rc = ks_store_stats(s, &st, err);
	if (rc == KS_OK)
		rc = emit_num(out, "items", st.items);
	ks_store_close(s);
	return rc;
}

static int op_search_relevance(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_search_params p;
	params(&p, "ランサムウェア");
	return emit_search(e->s, &p, out, err);
}

static int op_search_filters(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_search_params p;
	params(&p, "\"zero day\" OR LAPSUS$ OR ＱＮＡＰ -conti");
	p.sort = KS_SORT_NEWEST;
	p.from = "2022-01-01";
	p.to = "2022-12-31";
	p.explain = 1;
	return emit_search(e->s, &p, out, err);
}

static int op_search_prefix(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_search_params p;
	params(&p, "log4* 脆弱性 h*");
	p.section = "脆弱性";
	p.sort = KS_SORT_OLDEST;
	return emit_search(e->s, &p, out, err);
}

static int op_search_entity(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_search_params p;
	params(&p, "");
	p.entity = "Emotet";
	p.limit = 5;
	p.offset = 1;
	return emit_search(e->s, &p, out, err);
}

/* Two pages of an export, the second through the first one's cursor. */
static int op_csv(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_search_params p;
	struct ks_csv_opts o = {.limit = 3, .bom = 1};
	struct ks_csv_page pg = {0};
	params(&p, "ランサムウェア");
	p.sort = KS_SORT_NEWEST;
	int rc = ks_csv_page(e->s, &p, &o, &pg, err);
	for (int page = 0; rc == KS_OK && page < 2; page++) {
		ks_buf_add(out, pg.data, pg.len);
		rc = emit(out, pg.next);
		char cursor[KS_CSV_CURSOR_MAX + 1];
		memcpy(cursor, pg.next, sizeof cursor);
		ks_csv_page_clear(&pg);
		o.cursor = cursor;
		if (rc == KS_OK && page == 0)
			rc = ks_csv_page(e->s, &p, &o, &pg, err);
	}
	ks_csv_page_clear(&pg);
	return rc;
}

static int op_feed(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_search_params p;
	struct ks_feed_opts o = {.base = "http://127.0.0.1:8080", .limit = 5};
	char *xml = NULL;
	size_t len = 0;
	params(&p, "脆弱性");
	int rc = ks_feed_atom(e->s, &p, &o, &xml, &len, err);
	if (rc == KS_OK) {
		ks_buf_add(out, xml, len);
		rc = out->oom ? KS_ERR_NOMEM : KS_OK;
	}
	free(xml);
	return rc;
}

static int op_trend(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_search_params p;
	struct ks_trend *t = NULL;
	params(&p, "ランサムウェア OR ransomware");
	int rc = ks_trend_run(e->s, &p, KS_INTERVAL_MONTH, &t, err);
	if (rc == KS_OK)
		rc = emit_json(out, ks_trend_json(t), err);
	ks_trend_free(t);
	return rc;
}

static int op_issue(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_issue_result *is = NULL;
	int rc = ks_issue_get(e->s, 101, &is, err);
	if (rc == KS_OK)
		rc = emit_json(out, ks_issue_json(is), err);
	ks_issue_result_free(is);
	return rc;
}

static int op_item(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_hit *h = NULL;
	int rc = ks_item_get(e->s, "101-2", &h, err);
	if (rc == KS_OK)
		rc = emit_json(out, ks_hit_json(h, 0), err);
	ks_hit_free(h);
	return rc;
}

static int op_entities(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_entity_hits hits;
	struct ks_entity_hit hit;
	int rc = ks_entities_find(e->s, "e", NULL, 10, 0, &hits, err);
	if (rc == KS_OK) {
		rc = emit_json(out, ks_entity_hits_json("e", &hits), err);
		ks_entity_hits_clear(&hits);
	}
	if (rc == KS_OK)
		rc = ks_entity_lookup(e->s, "cve-2021-44228", 0, &hit, err);
	if (rc == KS_OK) {
		rc = emit_json(out, ks_entity_hit_json(&hit), err);
		ks_entity_hit_clear(&hit);
	}
	return rc;
}

static int op_analyze(struct oom_env *e, struct ks_buf *out, struct ks_err *err)
{
	struct ks_tok *tok = ks_tok_new();
	json_t *j = NULL;
	int rc = tok ? KS_OK : ks_err_set(err, KS_ERR_NOMEM, "no tokenizer");
	(void)e;
	if (rc == KS_OK)
		rc = ks_analyze_json(tok, "ＬＡＰＳＵＳ$ ﾗﾝｻﾑｳｪｱ ran* \"zero day\"", KS_TOK_QUERY,
				     1, &j, err);
	if (rc == KS_OK)
		rc = emit_json(out, j, err);
	ks_tok_free(tok);
	return rc;
}

const struct oom_op oom_ops[] = {
    {"index.base", 0, index_base, fresh_db, observe_db, after_index_base, 1u << OOM_JANSSON},
    {"index.sample", 0, index_sample, fresh_db, observe_db, after_index_sample, 1u << OOM_JANSSON},
    {"reindex.sample", 0, reindex_sample, pristine_db, observe_db, after_reindex,
     1u << OOM_JANSSON},
    {"open", 0, op_open, NULL, NULL, NULL, 0},
    {"search.relevance", 1, op_search_relevance, NULL, NULL, NULL, 0},
    {"search.filters", 1, op_search_filters, NULL, NULL, NULL, 0},
    {"search.prefix", 1, op_search_prefix, NULL, NULL, NULL, 0},
    {"search.entity", 1, op_search_entity, NULL, NULL, NULL, 0},
    {"csv", 1, op_csv, NULL, NULL, NULL, 0},
    {"feed", 1, op_feed, NULL, NULL, NULL, 1u << OOM_XML},
    {"trend", 1, op_trend, NULL, NULL, NULL, 0},
    {"issue", 1, op_issue, NULL, NULL, NULL, 0},
    {"item", 1, op_item, NULL, NULL, NULL, 0},
    {"entities", 1, op_entities, NULL, NULL, NULL, 0},
    {"analyze", 0, op_analyze, NULL, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, NULL, NULL, 0}};
