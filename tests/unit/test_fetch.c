/* test_fetch.c - fetching over http (fetch.h) against a server on
 * 127.0.0.1 (tests/integration/fetch_server.py, run by python3 serving
 * tests/data/fetch/): conditional GET with an ETag or a Last-Modified,
 * gzip, redirects within and past the limit, 4xx/5xx, a body past the
 * size cap (announced or not), a server that never answers, a refused
 * connection, schemes other than http(s); then the URL helpers, the split
 * of a feed into its summary entries' pages and the rest (feed_split.h)
 * and the index's record of fetched URLs (fetched.h, schema 4). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "feed_split.h"
#include "fetched.h"
#include "fixture.h"
#include "harness.h"
#include "kensaku/fetch.h"
#include "kensaku/ingest.h"

#define DATA KS_SOURCE_DIR "/tests/data/fetch"

static pid_t server_pid = -1;
static int server_stdin = -1;
static int port;

/* Starts the test server; port is 0 when it could not start. */
static void server_start(void)
{
	int in[2], out[2];
	char line[32] = "";
	if (pipe(in) != 0 || pipe(out) != 0)
		return;
	server_pid = fork();
	if (server_pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp("python3", "python3", KS_SOURCE_DIR "/tests/integration/fetch_server.py",
		       DATA, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	server_stdin = in[1];
	FILE *f = fdopen(out[0], "r");
	if (f && fgets(line, sizeof line, f))
		port = atoi(line);
	if (f)
		fclose(f);
}

/* Stops the server this test started (its stdin closed, then SIGTERM). */
static void server_stop(void)
{
	if (server_stdin >= 0)
		close(server_stdin);
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
}

static char *url_of(const char *path)
{
	static char u[256];
	snprintf(u, sizeof u, "http://127.0.0.1:%d%s", port, path);
	return u;
}

/* GETs path with limits o (NULL: defaults) and validators v. */
static int get(const char *path, const struct ks_fetch_opts *o, const struct ks_fetch_validators *v,
	       struct ks_fetch_result *r, struct ks_err *err)
{
	struct ks_fetch *f = NULL;
	int rc = ks_fetch_new(o, &f, err);
	if (rc == KS_OK)
		rc = ks_fetch_get(f, url_of(path), v, r, err);
	ks_fetch_free(f);
	return rc;
}

static void test_conditional_get(void)
{
	struct ks_fetch_result r = {0}, again = {0};
	struct ks_err err = {""};
	size_t len = 0;
	char *want = h_slurp(DATA "/issues/72.html", &len);
	CHECK(get("/issues/72.html", NULL, NULL, &r, &err) == KS_OK);
	CHECK(r.status == 200 && !r.not_modified && r.requests == 1);
	CHECK(want && r.body && r.len == len && !memcmp(r.body, want, len));
	CHECK(r.etag && r.etag[0] == '"' && r.last_modified && strstr(r.last_modified, "GMT"));
	CHECK(r.content_type && !strncmp(r.content_type, "text/html", 9));
	CHECK(r.final_url && !strcmp(r.final_url, url_of("/issues/72.html")));
	/* the ETag sent back: 304, no body */
	struct ks_fetch_validators v = {r.etag, NULL};
	CHECK(get("/issues/72.html", NULL, &v, &again, &err) == KS_OK);
	CHECK(again.not_modified && again.status == 304 && !again.body && again.wire_bytes == 0);
	ks_fetch_result_clear(&again);
	/* an ETag that no longer matches: the body again */
	v.etag = "\"stale\"";
	CHECK(get("/issues/72.html", NULL, &v, &again, &err) == KS_OK);
	CHECK(!again.not_modified && again.len == len);
	ks_fetch_result_clear(&again);
	/* a server with Last-Modified only */
	v = (struct ks_fetch_validators){NULL, r.last_modified};
	CHECK(get("/lm/issues/72.html", NULL, &v, &again, &err) == KS_OK);
	CHECK(again.not_modified && !again.etag);
	ks_fetch_result_clear(&again);
	ks_fetch_result_clear(&r);
	free(want);
}

/* gzip is asked for and decoded: the body is the file, fewer bytes came. */
static void test_gzip(void)
{
	struct ks_fetch_result r = {0};
	struct ks_err err = {""};
	size_t len = 0;
	char *want = h_slurp(DATA "/feed.xml", &len);
	CHECK(get("/gzip/feed.xml", NULL, NULL, &r, &err) == KS_OK);
	CHECK(want && r.body && r.len == len && !memcmp(r.body, want, len));
	CHECK(r.wire_bytes > 0 && (size_t)r.wire_bytes < len);
	ks_fetch_result_clear(&r);
	free(want);
}

static void test_redirects(void)
{
	struct ks_fetch_result r = {0};
	struct ks_err err = {""};
	struct ks_fetch_opts none = {.max_redirects = -1};
	CHECK(get("/redirect/5/issues/73.html", NULL, NULL, &r, &err) == KS_OK);
	CHECK(r.requests == 6 && r.final_url && !strcmp(r.final_url, url_of("/issues/73.html")));
	ks_fetch_result_clear(&r);
	CHECK(get("/redirect/6/issues/73.html", NULL, NULL, &r, &err) == KS_ERR_IO);
	CHECK(strstr(err.msg, "more than 5 redirects") && strstr(err.msg, "/redirect/6/"));
	CHECK(!r.body && r.requests == 6);
	CHECK(get("/redirect/1/issues/73.html", &none, NULL, &r, &err) == KS_ERR_IO);
	CHECK(strstr(err.msg, "HTTP 302"));
	CHECK(get("/scheme", NULL, NULL, &r, &err) == KS_ERR_IO);
	CHECK(strstr(err.msg, "not http or https"));
}

static void test_http_errors(void)
{
	struct ks_fetch_result r = {0};
	struct ks_err err = {""};
	CHECK(get("/status/404", NULL, NULL, &r, &err) == KS_ERR_IO);
	CHECK(strstr(err.msg, "/status/404: HTTP 404") && !r.body);
	CHECK(get("/status/500", NULL, NULL, &r, &err) == KS_ERR_IO);
	CHECK(strstr(err.msg, "HTTP 500"));
	CHECK(get("/nowhere.html", NULL, NULL, &r, &err) == KS_ERR_IO);
	CHECK(strstr(err.msg, "HTTP 404"));
}

/* The cap: a body of exactly max_bytes is taken, one byte more is not
 * (stopped in flight when unannounced, refused from Content-Length). */
static void test_size_cap(void)
{
	struct ks_fetch_result r = {0};
	struct ks_err err = {""};
	struct ks_fetch_opts o = {.max_bytes = 300000};
	CHECK(get("/big?n=300000", &o, NULL, &r, &err) == KS_OK);
	CHECK(r.len == 300000 && r.body && r.body[0] == 'a');
	ks_fetch_result_clear(&r);
	CHECK(get("/big?n=300001", &o, NULL, &r, &err) == KS_ERR_PARSE);
	CHECK(strstr(err.msg, "over 300000 bytes") && !r.body);
	CHECK(get("/declared?n=300001", &o, NULL, &r, &err) == KS_ERR_PARSE);
	CHECK(strstr(err.msg, "over 300000 bytes") && strstr(err.msg, "Content-Length"));
}

/* A server that accepts and never answers: the transfer's own timeout. */
static void test_timeout(void)
{
	struct ks_fetch_result r = {0};
	struct ks_err err = {""};
	struct ks_fetch_opts o = {.timeout_ms = 300};
	CHECK(get("/hang", &o, NULL, &r, &err) == KS_ERR_TIMEOUT);
	CHECK(strstr(err.msg, "/hang: timed out") && !r.body);
}

/* public_only: the test server (127.0.0.1) is refused before anything
 * is sent; off again, it answers (r.ip says from where). */
static void test_public_only(void)
{
	struct ks_fetch *f = NULL;
	struct ks_fetch_result r = {0};
	struct ks_err err = {""};
	CHECK(ks_fetch_new(NULL, &f, &err) == KS_OK);
	if (!f)
		return;
	ks_fetch_public_only(f, 1);
	CHECK(ks_fetch_get(f, url_of("/issues/72.html"), NULL, &r, &err) == KS_ERR_IO);
	CHECK(strstr(err.msg, "refused: 127.0.0.1 is not a public address") && !r.body);
	ks_fetch_public_only(f, 0);
	CHECK(ks_fetch_get(f, url_of("/redirect/1/issues/72.html"), NULL, &r, &err) == KS_OK);
	CHECK_STR(r.ip, "127.0.0.1");
	ks_fetch_result_clear(&r);
	ks_fetch_public_only(f, 1);
	CHECK(ks_fetch_get(f, url_of("/redirect/1/issues/72.html"), NULL, &r, &err) == KS_ERR_IO);
	ks_fetch_free(f);
}

static void test_ip_public(void)
{
	static const char *const private[] = {"127.0.0.1",
					      "10.1.2.3",
					      "172.16.0.1",
					      "172.31.255.255",
					      "192.168.1.1",
					      "169.254.169.254",
					      "100.64.0.1",
					      "0.0.0.0",
					      "224.0.0.1",
					      "255.255.255.255",
					      "::1",
					      "::",
					      "fc00::1",
					      "fd12::3",
					      "fe80::1",
					      "ff02::1",
					      "::ffff:127.0.0.1",
					      "::ffff:10.0.0.1",
					      "localhost",
					      "",
					      "1.2.3"};
	static const char *const public[] = {"93.184.216.34", "8.8.8.8",     "172.32.0.1",
					     "100.128.0.1",   "2001:db8::1", "2606:4700::1111",
					     "::ffff:8.8.8.8"};
	for (size_t i = 0; i < sizeof private / sizeof private[0]; i++)
		CHECK(!ks_fetch_ip_public(private[i]));
	for (size_t i = 0; i < sizeof public / sizeof public[0]; i++)
		CHECK(ks_fetch_ip_public(public[i]));
	CHECK(!ks_fetch_ip_public(NULL));
}

/* A port nobody listens on (bound, then closed): refused, at once. */
static void test_refused(void)
{
	struct ks_fetch *f = NULL;
	struct ks_fetch_result r = {0};
	struct ks_err err = {""};
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t n = sizeof a;
	char u[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	      getsockname(fd, (struct sockaddr *)&a, &n) == 0);
	close(fd);
	snprintf(u, sizeof u, "http://127.0.0.1:%d/feed.xml", ntohs(a.sin_port));
	CHECK(ks_fetch_new(NULL, &f, &err) == KS_OK);
	CHECK(f && ks_fetch_get(f, u, NULL, &r, &err) == KS_ERR_IO);
	CHECK(strstr(err.msg, u) && !r.body);
	ks_fetch_free(f);
}

static void test_schemes(void)
{
	static const char *const bad[] = {"file:///etc/hostname", "ftp://127.0.0.1/feed.xml",
					  "gopher://127.0.0.1/", "data:text/html,<h1>x</h1>"};
	struct ks_fetch *f = NULL;
	struct ks_fetch_result r = {0};
	struct ks_err err = {""};
	CHECK(ks_fetch_new(NULL, &f, &err) == KS_OK);
	for (size_t i = 0; f && i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(ks_fetch_get(f, bad[i], NULL, &r, &err) == KS_ERR_ARG);
		CHECK(strstr(err.msg, bad[i]) && r.requests == 0);
	}
	CHECK(strstr(err.msg, "not a URL") || strstr(err.msg, "only http and https"));
	CHECK(f && ks_fetch_get(f, "file:///etc/hostname", NULL, &r, &err) == KS_ERR_ARG &&
	      strstr(err.msg, "only http and https URLs are fetched (not file)"));
	ks_fetch_free(f);
}

static void test_url_helpers(void)
{
	char *u;
	CHECK(ks_fetch_is_url("https://example.com/feed") && ks_fetch_is_url("file:///x"));
	CHECK(ks_fetch_is_url("svn+ssh://h/r") && !ks_fetch_is_url("./feed.xml"));
	CHECK(!ks_fetch_is_url("/tmp/a://b") && !ks_fetch_is_url("C:\\feed") &&
	      !ks_fetch_is_url(""));
	CHECK_STR(u = ks_fetch_resolve("https://h.example/feeds/x.xml", " issues/7.html\n"),
		  "https://h.example/feeds/issues/7.html");
	free(u);
	CHECK_STR(u = ks_fetch_resolve("https://h.example/feeds/x.xml", "/i/8.html#top"),
		  "https://h.example/i/8.html");
	free(u);
	CHECK_STR(u = ks_fetch_resolve("https://h.example/a", "http://o.example/b?q=1"),
		  "http://o.example/b?q=1");
	free(u);
	CHECK(!ks_fetch_resolve("https://h.example/a", "  ") && !ks_fetch_resolve(NULL, "x"));
	CHECK(ks_fetch_format("text/html", "plain words", 11, KS_FMT_TEXT) == KS_FMT_HTML);
	CHECK(ks_fetch_format("application/atom+xml; charset=utf-8", "x", 1, KS_FMT_TEXT) ==
	      KS_FMT_FEED);
	CHECK(ks_fetch_format("text/html", "{\"issue\": 1}", 12, KS_FMT_TEXT) == KS_FMT_JSONL);
	CHECK(ks_fetch_format("text/plain", "Issue #1", 8, KS_FMT_HTML) == KS_FMT_TEXT);
	CHECK(ks_fetch_format(NULL, "Issue #1", 8, KS_FMT_HTML) == KS_FMT_HTML);
}

/* The line of each item of issue number in b (0 when absent). */
static int line_of(const struct ks_batch *b, long long number, size_t item)
{
	for (size_t i = 0; i < b->n_issues; i++)
		if (b->issues[i].number == number && item < b->issues[i].n_items)
			return b->issues[i].items[item].line;
	return 0;
}

/* The summary entries' pages come out (resolved, fragment-less); what is
 * left parses to the full entry alone, on the lines of the whole feed. */
static void test_feed_split(void)
{
	struct ks_feed_split sp = {0};
	struct ks_batch whole = {0}, rest = {0};
	struct ks_err err = {""};
	size_t len = 0;
	char *feed = h_slurp(DATA "/feed.xml", &len);
	CHECK(feed && ks_feed_split(feed, len, "http://h.example/d/feed.xml", &sp, &err) == KS_OK);
	CHECK(sp.n_pages == 3 && sp.n_rest == 1 && sp.rest);
	if (sp.n_pages == 3) {
		CHECK_STR(sp.pages[0], "http://h.example/d/issues/72.html");
		CHECK_STR(sp.pages[1], "http://h.example/issues/73.html");
		CHECK_STR(sp.pages[2], "http://h.example/d/news/break.html");
	}
	CHECK(ks_ingest_parse("f", feed, len, KS_FMT_FEED, &whole, &err) == KS_OK);
	CHECK(sp.rest &&
	      ks_ingest_parse("f", sp.rest, sp.rest_len, KS_FMT_FEED, &rest, &err) == KS_OK);
	CHECK(rest.n_issues == 1 && rest.n_skipped == 0 && whole.n_skipped > 0);
	CHECK(line_of(&rest, 71, 0) > 1 && line_of(&rest, 71, 0) == line_of(&whole, 71, 0));
	ks_batch_clear(&whole);
	ks_batch_clear(&rest);
	ks_feed_split_clear(&sp);
	/* a feed whose entries are all in full, and one not well-formed: whole */
	static const char full[] = "<rss><channel><item><title>Issue #1</title><link>a</link>"
				   "<content:encoded xmlns:content=\"c\">x</content:encoded>"
				   "</item></channel></rss>";
	CHECK(ks_feed_split(full, strlen(full), "http://h/", &sp, &err) == KS_OK && !sp.rest &&
	      !sp.n_pages);
	CHECK(ks_feed_split("<rss><channel>", 14, "http://h/", &sp, &err) == KS_OK && !sp.rest);
	free(feed);
}

/* Opens the index at path with flags, checks that it needs no reindex
 * and returns its schema version (user_version); -1 when it won't open. */
static int opened_version(const char *path, int flags)
{
	struct ks_store *s = NULL;
	struct ks_err err = {""};
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (ks_store_open(path, flags, &s, &err) != KS_OK)
		return -1;
	CHECK(ks_store_check_version(s, &err) == KS_OK);
	if (sqlite3_prepare_v2(ks_store_db(s), "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	ks_store_close(s);
	return v;
}

/* Validators and pages survive in the index; a schema 3 index opens
 * read-only as it is and is migrated to 4 by a writer. */
static void test_fetched_store(void)
{
	char path[64];
	struct ks_store *s = fx_open(path, "fetch");
	struct ks_fetched v = {0};
	struct ks_err err = {""};
	struct ks_batch b = {0};
	char *pages[] = {"http://h/p1", "http://h/p2"};
	int found = 1;
	CHECK(s && ks_fetched_get(s, "http://h/feed", &v, &found, &err) == KS_OK && !found);
	CHECK(s && ks_store_begin(s, &err) == KS_OK);
	CHECK(s && ks_fetched_put(s, "http://h/feed", "\"e1\"", NULL, &err) == KS_OK);
	CHECK(s && ks_fetched_set_pages(s, "http://h/feed", pages, 2, &err) == KS_OK);
	CHECK(s && ks_store_commit(s, &err) == KS_OK);
	fx_item(fx_issue(&b, 9, NULL), NULL, "headline", NULL);
	if (s)
		fx_put(s, "http://h/p2", &b);
	CHECK(s && ks_fetched_get(s, "http://h/feed", &v, &found, &err) == KS_OK && found);
	CHECK_STR(v.etag, "\"e1\"");
	CHECK(!v.last_modified);
	ks_fetched_clear(&v);
	CHECK(s && ks_fetched_page_holds(s, "http://h/feed", 9, &err) == 1);
	CHECK(s && ks_fetched_page_holds(s, "http://h/feed", 8, &err) == 0);
	CHECK(s && ks_fetched_page_holds(s, "http://h/other", 9, &err) == 0);
	ks_store_close(s);
	/* back to schema 3: no fetched tables */
	sqlite3 *db = NULL;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK &&
	      sqlite3_exec(db,
			   "DROP TABLE fetched; DROP TABLE feed_pages; UPDATE meta SET value = '3'"
			   " WHERE key = 'schema'; PRAGMA user_version = 3",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(opened_version(path, KS_STORE_READONLY) == 3);
	CHECK(opened_version(path, KS_STORE_CREATE) == KS_SCHEMA_VERSION && KS_SCHEMA_VERSION >= 4);
	s = NULL;
	CHECK(ks_store_open(path, KS_STORE_READONLY, &s, &err) == KS_OK);
	CHECK(s && ks_fetched_get(s, "http://h/feed", &v, &found, &err) == KS_OK && !found);
	fx_close(s, path);
}

static void test_network(void)
{
	server_start();
	CHECK(port > 0);
	if (port > 0) {
		test_conditional_get();
		test_gzip();
		test_redirects();
		test_http_errors();
		test_size_cap();
		test_timeout();
		test_public_only();
	}
	server_stop();
}

TEST_MAIN(TEST(test_network), TEST(test_refused), TEST(test_schemes), TEST(test_ip_public),
	  TEST(test_url_helpers), TEST(test_feed_split), TEST(test_fetched_store))
