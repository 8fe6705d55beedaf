/* bench_query.c - in-process query latency and full hit lists for the benchmark.
 *
 *   bench_query latency DB QUERIES.tsv [--limit N] [--passes N]
 *       Runs every query once as a warm-up, then --passes times (default 1)
 *       timed, through ks_search_run (limit 20 by default, relevance) and
 *       ks_result_json + json_dumps (what kensakud does per request). Prints
 *       one line per timed run:
 *         qid <TAB> class <TAB> search_ms <TAB> search_json_ms <TAB> total <TAB> body_bytes
 *             <TAB> search_json_cpu_ms
 *       (wall times, and the thread's CPU time, which other load disturbs less)
 *       and the process CPU time of the timed passes on stderr.
 *
 *   bench_query all DB QUERIES.tsv
 *       For every query prints "qid <TAB> n <TAB> id,id,...": every item the
 *       query matches. ks_search_run gives the total and the FTS5 expression
 *       that ran; the ids come from that expression joined to items exactly
 *       as search.c's MATCH does, and their count is checked against total.
 *
 * QUERIES.tsv lines are "qid <TAB> class <TAB> query" (make_queries.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "kensaku/search.h"
#include "kensaku/store.h"

struct q {
	char *qid, *cls, *text;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double thread_cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static struct q *read_queries(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	struct q *qs = NULL;
	size_t cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	*n = 0;
	while ((len = getline(&line, &lcap, f)) > 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2)
			continue;
		*t1 = *t2 = 0;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			qs = realloc(qs, cap * sizeof *qs);
			if (!qs)
				exit(1);
		}
		qs[*n].qid = strdup(line);
		qs[*n].cls = strdup(t1 + 1);
		qs[*n].text = strdup(t2 + 1);
		(*n)++;
	}
	free(line);
	fclose(f);
	return qs;
}

static int run_one(struct ks_store *s, const char *text, int limit, struct ks_result **r)
{
	struct ks_search_params p;
	struct ks_err err = {{0}};
	ks_search_params_init(&p);
	p.q = text;
	p.limit = limit;
	if (ks_search_params_check(&p, &err) != KS_OK) {
		fprintf(stderr, "bench_query: bad query %s: %s\n", text, err.msg);
		return -1;
	}
	if (ks_search_run(s, &p, r, &err) != KS_OK) {
		fprintf(stderr, "bench_query: search %s: %s\n", text, err.msg);
		return -1;
	}
	return 0;
}

static int latency(struct ks_store *s, struct q *qs, size_t n, int limit, int passes)
{
	for (int pass = 0; pass <= passes; pass++) {
		double c0 = cpu_s(), w0 = now_ms();
		for (size_t i = 0; i < n; i++) {
			struct ks_result *r = NULL;
			double c0q = thread_cpu_ms();
			double t0 = now_ms();
			if (run_one(s, qs[i].text, limit, &r) < 0)
				return 1;
			double t1 = now_ms();
			json_t *j = ks_result_json(r);
			char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
			double t2 = now_ms();
			double c2q = thread_cpu_ms();
			if (pass > 0)
				printf("%s\t%s\t%.4f\t%.4f\t%lld\t%zu\t%.4f\n", qs[i].qid, qs[i].cls,
				       t1 - t0, t2 - t0, r->total, body ? strlen(body) : 0, c2q - c0q);
			free(body);
			json_decref(j);
			ks_result_free(r);
		}
		if (pass > 0)
			fprintf(stderr, "bench_query: pass %d: %zu queries, wall %.3f s, cpu %.3f s\n",
				pass, n, (now_ms() - w0) / 1e3, cpu_s() - c0);
	}
	return 0;
}

static int all_hits(struct ks_store *s, struct q *qs, size_t n)
{
	sqlite3 *db = ks_store_db(s);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT i.issue, i.position FROM items_fts JOIN items i"
			       " ON i.rowid = items_fts.rowid WHERE items_fts MATCH ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_query: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	int status = 0;
	for (size_t i = 0; i < n; i++) {
		struct ks_result *r = NULL;
		if (run_one(s, qs[i].text, 1, &r) < 0)
			return 1;
		long long got = 0;
		printf("%s\t%lld\t", qs[i].qid, r->total);
		if (r->fts && r->total > 0) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, r->fts, -1, SQLITE_TRANSIENT);
			while (sqlite3_step(st) == SQLITE_ROW) {
				printf("%s%lld-%d", got ? "," : "", sqlite3_column_int64(st, 0),
				       sqlite3_column_int(st, 1));
				got++;
			}
		}
		printf("\n");
		if (got != r->total) {
			fprintf(stderr, "bench_query: %s: total %lld but %lld ids (fts %s)\n",
				qs[i].text, r->total, got, r->fts ? r->fts : "(none)");
			status = 1;
		}
		ks_result_free(r);
	}
	sqlite3_finalize(st);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench_query latency|all DB QUERIES.tsv [--limit N] "
				"[--passes N]\n");
		return 2;
	}
	int limit = 20, passes = 1;
	for (int i = 4; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--limit"))
			limit = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--passes"))
			passes = atoi(argv[i + 1]);
	}
	size_t n;
	struct q *qs = read_queries(argv[3], &n);
	struct ks_store *s = NULL;
	struct ks_err err = {{0}};
	if (ks_store_open(argv[2], KS_STORE_READONLY, &s, &err) != KS_OK) {
		fprintf(stderr, "bench_query: %s\n", err.msg);
		return 1;
	}
	int rc;
	if (!strcmp(argv[1], "latency"))
		rc = latency(s, qs, n, limit, passes);
	else if (!strcmp(argv[1], "all"))
		rc = all_hits(s, qs, n);
	else
		rc = 2;
	ks_store_close(s);
	for (size_t i = 0; i < n; i++) {
		free(qs[i].qid);
		free(qs[i].cls);
		free(qs[i].text);
	}
	free(qs);
	return rc;
}
