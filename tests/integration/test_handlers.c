/* test_handlers.c - kensakud's router, handlers, pool and metrics without
 * sockets: requests are plain structs, replies are checked field by field.
 * Builds its own index from tests/data/integration/base.jsonl with the
 * library, so it runs without the kensaku CLI. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kensaku/ingest.h>
#include <kensaku/search.h>
#include <kensaku/store.h>
#include <kensaku/utf8.h>

#include "../unit/harness.h"
#include "ksd.h"
#include "metrics.h"
#include "pool.h"

static char g_dir[256], g_db[300], g_web[300];

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Builds an index at path from base.jsonl; 0 on success. */
static int build(const char *path)
{
	struct ks_batch b = {0};
	struct ks_store *s = NULL;
	struct ks_err err = {{0}};
	size_t len = 0;
	char *data = slurp(KS_SOURCE_DIR "/tests/data/integration/base.jsonl", &len);
	int rc = data ? KS_OK : KS_ERR_IO;

	if (rc == KS_OK)
		rc = ks_ingest_parse("base.jsonl", data, len, KS_FMT_AUTO, &b, &err);
	if (rc == KS_OK)
		rc = ks_store_open(path, KS_STORE_CREATE, &s, &err);
	if (rc == KS_OK)
		rc = ks_store_begin(s, &err);
	if (rc == KS_OK)
		rc = ks_store_put_source(s, "base.jsonl", "0", &b, &err);
	if (rc == KS_OK)
		rc = ks_store_commit(s, &err);
	if (rc != KS_OK)
		fprintf(stderr, "build %s: %s\n", path, err.msg);
	ks_store_close(s);
	ks_batch_clear(&b);
	free(data);
	return rc;
}

static void req_init(struct ksd_req *rq, const char *path)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = KSD_GET;
	rq->method_name = "GET";
	rq->path = path;
	rq->web_root = g_web;
	rq->deadline_ms = KSD_DEADLINE_MS;
}

static void param(struct ksd_req *rq, const char *k, const char *v)
{
	rq->params[rq->n_params].key = k;
	rq->params[rq->n_params].value = v;
	rq->n_params++;
}

static const char *err_code(const struct ksd_reply *rp)
{
	return json_string_value(json_object_get(json_object_get(rp->json, "error"), "code"));
}

static void test_search(void)
{
	struct ksd_req rq;
	struct ksd_reply rp;

	req_init(&rq, "/api/search");
	param(&rq, "q", "LAPSUS$");
	ksd_reply_init(&rp);
	ksd_router_dispatch(&rq, &rp);
	CHECK(rp.status == 200);
	CHECK_STR(rp.route, "search");
	CHECK(rp.flags & KSD_R_CORS);
	CHECK(rp.hits == 1);
	CHECK(json_integer_value(json_object_get(rp.json, "total")) == 1);
	ksd_reply_clear(&rp);

	/* browse, filters */
	req_init(&rq, "/api/search");
	param(&rq, "section", "脆弱性");
	param(&rq, "sort", "oldest");
	ksd_reply_init(&rp);
	ksd_router_dispatch(&rq, &rp);
	CHECK(rp.status == 200);
	CHECK(json_integer_value(json_object_get(rp.json, "total")) == 4);
	ksd_reply_clear(&rp);
}

static void test_search_errors(void)
{
	static const char *const bad[][2] = {
	    {"limit", "0"},   {"limit", "101"}, {"limit", "x"},		{"limit", "1234567890"},
	    {"offset", "-1"}, {"sort", "up"},	{"from", "2021-02-29"}, {"to", "2021/01/01"},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ksd_req rq;
		struct ksd_reply rp;

		req_init(&rq, "/api/search");
		param(&rq, bad[i][0], bad[i][1]);
		ksd_reply_init(&rp);
		ksd_router_dispatch(&rq, &rp);
		CHECK(rp.status == 400);
		CHECK_STR(err_code(&rp), "bad_request");
		ksd_reply_clear(&rp);
	}
}

static void test_items_issues(void)
{
	static const struct {
		const char *path;
		int status;
	} cases[] = {
	    {"/api/items/12-1", 200}, {"/api/items/99-1", 404}, {"/api/items/", 404},
	    {"/api/items/a/b", 404},  {"/api/issues/11", 200},	{"/api/issues/x1", 400},
	    {"/api/issues/77", 404},  {"/api/issues/", 404},	{"/api/nope", 404},
	    {"/healthz", 200},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ksd_req rq;
		struct ksd_reply rp;

		req_init(&rq, cases[i].path);
		ksd_reply_init(&rp);
		ksd_router_dispatch(&rq, &rp);
		if (rp.status != cases[i].status)
			fprintf(stderr, "%s: %d, want %d\n", cases[i].path, rp.status,
				cases[i].status);
		CHECK(rp.status == cases[i].status);
		CHECK(rp.json != NULL);
		if (rp.status >= 400)
			CHECK(err_code(&rp) != NULL);
		ksd_reply_clear(&rp);
	}
}

static void test_methods(void)
{
	struct ksd_req rq;
	struct ksd_reply rp;

	req_init(&rq, "/api/search");
	rq.method = KSD_OTHER;
	rq.method_name = "DELETE";
	ksd_reply_init(&rp);
	ksd_router_dispatch(&rq, &rp);
	CHECK(rp.status == 405);
	CHECK(rp.allow && strstr(rp.allow, "GET"));
	CHECK_STR(err_code(&rp), "method_not_allowed");
	ksd_reply_clear(&rp);

	req_init(&rq, "/index.html");
	rq.method = KSD_OPTIONS;
	ksd_reply_init(&rp);
	ksd_router_dispatch(&rq, &rp);
	CHECK(rp.status == 204);
	CHECK(rp.flags & KSD_R_STATIC);
	ksd_reply_clear(&rp);
}

static void test_static(void)
{
	static const char *const refused[] = {"/../db.db", "/..",	   "/.git/config",
					      "/a\\b",	   "/sub/../../x", "/.hidden"};
	struct ksd_req rq;
	struct ksd_reply rp;
	char etag[96];
	size_t i;

	req_init(&rq, "/");
	ksd_reply_init(&rp);
	ksd_router_dispatch(&rq, &rp);
	CHECK(rp.status == 200);
	CHECK(rp.fd >= 0);
	CHECK(rp.content_type && strncmp(rp.content_type, "text/html", 9) == 0);
	CHECK(rp.etag[0] == '"');
	snprintf(etag, sizeof(etag), "%s", rp.etag);
	ksd_reply_clear(&rp);

	req_init(&rq, "/index.html");
	rq.if_none_match = etag;
	ksd_reply_init(&rp);
	ksd_router_dispatch(&rq, &rp);
	CHECK(rp.status == 304);
	CHECK(rp.fd < 0);
	ksd_reply_clear(&rp);

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		req_init(&rq, refused[i]);
		ksd_reply_init(&rp);
		ksd_router_dispatch(&rq, &rp);
		CHECK(rp.status == 404);
		CHECK(rp.fd < 0);
		ksd_reply_clear(&rp);
	}
}

static void test_utf8_params(void)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
	    {"", 1},	     {"abc", 1},      {"ア", 1},	   {"\xf0\xa0\xae\xb7", 1},
	    {"\xff", 0},     {"\xc0\xaf", 0}, {"\xed\xa0\x80", 0}, {"\xf4\x90\x80\x80", 0},
	    {"\xe3\x81", 0}, {"\x80", 0},     {"\xe0\x80\xaf", 0}, {"\xf0\x80\x80\xaf", 0},
	};
	struct ksd_req rq;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(ks_utf8_valid(cases[i].s, strlen(cases[i].s)) == cases[i].ok);
	req_init(&rq, "/api/search");
	param(&rq, "section", "");
	param(&rq, "q", "x");
	CHECK(ksd_req_param(&rq, "section") == NULL);
	CHECK_STR(ksd_req_param(&rq, "q"), "x");
	CHECK(ksd_req_param(&rq, "nope") == NULL);
}

static void test_metrics(void)
{
	struct ksd_gauges g = {11, 3, 0, 0, 0, 0, 0, 0};
	size_t len = 0;
	char *text;

	ksd_metrics_start();
	CHECK(ksd_metrics_in_flight() == 1);
	ksd_metrics_observe("search", 200, 0.003);
	ksd_metrics_start();
	ksd_metrics_observe("weird-route", 999, -1);
	CHECK(ksd_metrics_in_flight() == 0);
	text = ksd_metrics_render(&g, &len);
	CHECK(text != NULL);
	if (text) {
		CHECK(strlen(text) == len);
		CHECK(strstr(text, "kensaku_requests_total{route=\"search\",status=\"200\"} 1\n") !=
		      NULL);
		CHECK(strstr(text, "kensaku_requests_total{route=\"other\",status=\"500\"} 1\n") !=
		      NULL);
		CHECK(strstr(text, "kensaku_request_duration_seconds_bucket{route=\"search\",le="
				   "\"0.005\"} 1\n") != NULL);
		CHECK(strstr(text, "kensaku_request_duration_seconds_bucket{route=\"search\",le="
				   "\"0.0025\"} 0\n") != NULL);
		CHECK(strstr(text, "kensaku_items 11\n") != NULL);
		CHECK(strstr(text, "kensaku_index_generation 3\n") != NULL);
	}
	free(text);
}

static void test_pool_switch(void)
{
	struct ksd_lease l;
	struct ks_err err = {{0}};
	char other[320];
	unsigned long g0 = ksd_pool_generation();

	CHECK(ksd_pool_acquire(&l, &err) == KS_OK);
	ksd_pool_release(&l);
	/* a new file renamed over the path: the next acquire after the check
	 * interval, or at once after a reload, opens the new generation */
	snprintf(other, sizeof(other), "%s/other.db", g_dir);
	CHECK(build(other) == KS_OK);
	CHECK(rename(other, g_db) == 0);
	ksd_pool_reload();
	CHECK(ksd_pool_acquire(&l, &err) == KS_OK);
	CHECK(l.generation == g0 + 1);
	CHECK(ksd_pool_generation() == g0 + 1);
	ksd_pool_release(&l);
}

int main(void)
{
	static const struct h_test tests[] = {
	    TEST(test_search),	TEST(test_search_errors), TEST(test_items_issues),
	    TEST(test_methods), TEST(test_static),	  TEST(test_utf8_params),
	    TEST(test_metrics), TEST(test_pool_switch),
	};
	struct ks_err err = {{0}};
	char path[340];
	int fd, rc;

	snprintf(g_dir, sizeof(g_dir), "/tmp/ks-handlers-XXXXXX");
	if (!mkdtemp(g_dir))
		return 1;
	snprintf(g_db, sizeof(g_db), "%s/k.db", g_dir);
	snprintf(g_web, sizeof(g_web), "%s/web", g_dir);
	mkdir(g_web, 0755);
	snprintf(path, sizeof(path), "%s/index.html", g_web);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "<p>hi</p>", 9) != 9)
		return 1;
	close(fd);
	if (build(g_db) != KS_OK || ksd_pool_init(g_db, &err) != KS_OK) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return 1;
	}
	rc = h_run(tests, sizeof(tests) / sizeof(tests[0]));
	ksd_pool_shutdown();
	snprintf(path, sizeof(path), "rm -rf '%s'", g_dir);
	if (system(path) != 0)
		rc = 1;
	return rc;
}
