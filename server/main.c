/* main.c - kensakud: flags, signals, start and stop. */
#include <getopt.h>
#include <pthread.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <kensaku/err.h>
#include <kensaku/num.h>
#include <kensaku/store.h>

#include "cache.h"
#include "http.h"
#include "ksd.h"
#include "log.h"
#include "peer.h"
#include "pool.h"

#ifndef KS_VERSION
#define KS_VERSION "0"
#endif

#define DRAIN_MAX_MS 10000

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kensakud [--db FILE] [--listen HOST:PORT] [--web DIR] [--threads N]\n"
		"                [--cache-mb N] [--queue N] [--per-client N]\n"
		"                [--trusted-proxy ADDR[,ADDR...]] [--quiet] [--help] [--version]\n"
		"  --db FILE          index to serve read-only (default $KENSAKU_DB, else "
		"./kensaku.db)\n"
		"  --listen HOST:PORT address to listen on (default 127.0.0.1:8080; port 0 picks "
		"a free one)\n"
		"  --web DIR          static web UI (default: the web/ folder of the project the\n"
		"                     binary was built in, else ../share/kensaku/web beside it,\n"
		"                     else ./web)\n"
		"  --threads N        worker threads (default: number of cores)\n"
		"  --cache-mb N       search response cache size in MB (default %d, 0 = off);\n"
		"                     emptied by every index change\n"
		"  --queue N          searches and other index-reading API requests that may\n"
		"                     wait for a worker (default %u per thread); more get 503\n"
		"                     with Retry-After\n"
		"  --per-client N     connections per client address, or requests in flight per\n"
		"                     client behind a trusted proxy (429 past it) (default %u)\n"
		"  --trusted-proxy ADDR  a reverse proxy (IPv4/IPv6 address; repeatable or a\n"
		"                     comma list) whose X-Forwarded-For names the client: its\n"
		"                     rightmost entry that is not a trusted proxy. The proxy\n"
		"                     itself has no connection limit; X-Forwarded-For from\n"
		"                     anyone else is ignored. Log lines then name the client.\n"
		"  --quiet            no per-request log lines\n"
		"SIGHUP reopens the index; SIGTERM/SIGINT drain and stop.\n"
		"$KENSAKUD_DEADLINE_MS sets the per-request deadline, counted from the request's\n"
		"arrival, queue wait included (default %d ms, 0 = none).\n",
		KSD_CACHE_MB_DEFAULT, KSD_QUEUE_PER_WORKER, KSD_PER_CLIENT_DEFAULT,
		KSD_DEADLINE_MS);
}

/* What the command line and the environment ask for. */
struct flags {
	const char *db, *listen, *web;
	int threads, cache_mb;
	struct ksd_http_config cfg;
};

/* Reads the number of flag (arg) in [lo, hi] into *out; -1 to go on, or
 * the exit code 2 after saying why. */
static int number_flag(const char *flag, const char *arg, int lo, int hi, int *out)
{
	if (ks_parse_int(arg, lo, hi, out) == 0)
		return -1;
	fprintf(stderr, "kensakud: %s wants a number from %d to %d\n", flag, lo, hi);
	return 2;
}

/* The same for the unsigned counts --queue and --per-client (1..1000000). */
static int count_flag(const char *flag, const char *arg, unsigned *out)
{
	int v = 0, rc = number_flag(flag, arg, 1, 1000000, &v);

	if (rc < 0)
		*out = (unsigned)v;
	return rc;
}

/* 1 when path is a directory. */
static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Finds the default web folder into out (PATH_MAX): <exe>/../../web (the
 * build tree), <exe>/../share/kensaku/web (installed), ./web. 0 if none. */
static int default_web(char *out)
{
	char exe[PATH_MAX], cand[PATH_MAX + 32];
	const char *rel[] = {"../../web", "../share/kensaku/web"};
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t i;

	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			int w = snprintf(cand, sizeof(cand), "%s/%s", exe, rel[i]);

			if (w > 0 && (size_t)w < sizeof(cand) && is_dir(cand) &&
			    realpath(cand, out))
				return 1;
		}
	}
	return is_dir("web") && realpath("web", out);
}

static const struct option g_opts[] = {{"db", required_argument, NULL, 'd'},
				       {"listen", required_argument, NULL, 'l'},
				       {"web", required_argument, NULL, 'w'},
				       {"threads", required_argument, NULL, 't'},
				       {"quiet", no_argument, NULL, 'q'},
				       {"help", no_argument, NULL, 'h'},
				       {"version", no_argument, NULL, 'V'},
				       {"cache-mb", required_argument, NULL, 'c'},
				       {"queue", required_argument, NULL, 'Q'},
				       {"per-client", required_argument, NULL, 'P'},
				       {"trusted-proxy", required_argument, NULL, 'T'},
				       {NULL, 0, NULL, 0}};

/* Takes flag c (with optarg) into f; -1 to go on, else the exit code. */
static int take_flag(struct flags *f, int c)
{
	switch (c) {
	case 'd':
		f->db = optarg;
		return -1;
	case 'l':
		f->listen = optarg;
		return -1;
	case 'w':
		f->web = optarg;
		return -1;
	case 't':
		return number_flag("--threads", optarg, 1, 1024, &f->threads);
	case 'c':
		return number_flag("--cache-mb", optarg, 0, 65536, &f->cache_mb);
	case 'Q':
		return count_flag("--queue", optarg, &f->cfg.queue_max);
	case 'P':
		return count_flag("--per-client", optarg, &f->cfg.per_client);
	case 'T':
		if (ksd_peer_trust(optarg) == 0)
			return -1;
		fprintf(
		    stderr,
		    "kensakud: --trusted-proxy %s: want IPv4 or IPv6 addresses, comma-separated\n",
		    optarg);
		return 2;
	case 'q':
		ksd_log_set_quiet(1);
		return -1;
	case 'h':
		usage(stdout);
		return 0;
	case 'V':
		printf("kensakud %s\n", KS_VERSION);
		return 0;
	default:
		usage(stderr);
		return 2;
	}
}

/* Reads the flags and $KENSAKU_DB, $KENSAKUD_DEADLINE_MS into f; -1 to go
 * on, else the exit code. */
static int parse_flags(int argc, char **argv, struct flags *f)
{
	const char *deadline = getenv("KENSAKUD_DEADLINE_MS");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int c, rc;

	f->db = getenv("KENSAKU_DB");
	if (!f->db || !f->db[0])
		f->db = "kensaku.db";
	f->listen = "127.0.0.1:8080";
	f->threads = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
	f->cache_mb = KSD_CACHE_MB_DEFAULT;
	while ((c = getopt_long(argc, argv, "", g_opts, NULL)) != -1)
		if ((rc = take_flag(f, c)) >= 0)
			return rc;
	if (optind < argc) {
		fprintf(stderr, "kensakud: unexpected argument %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	f->cfg.threads = (unsigned)(f->threads > 64 ? 64 : f->threads);
	if (deadline && deadline[0] &&
	    ks_parse_int(deadline, 0, 600000, &f->cfg.deadline_ms) != 0) {
		fprintf(stderr, "kensakud: KENSAKUD_DEADLINE_MS wants 0..600000\n");
		return 2;
	}
	return -1;
}

/* Sets f->cfg.web_root from --web, else the default folder (web_real,
 * PATH_MAX bytes); 0, or -1 after saying why. */
static int find_web(struct flags *f, char *web_real)
{
	if (f->web) {
		if (!is_dir(f->web) || !realpath(f->web, web_real)) {
			fprintf(stderr, "kensakud: --web %s is not a folder\n", f->web);
			return -1;
		}
		f->cfg.web_root = web_real;
	} else if (default_web(web_real)) {
		f->cfg.web_root = web_real;
	} else {
		ksd_log_info("kensakud", "no web/ folder found: serving the API only");
	}
	return 0;
}

/* Opens the index pool on db and reads its item count into *items (-1
 * when unknown), warning when it needs a reindex; 0, or -1 after saying
 * why. */
static int open_index(const char *db, long long *items)
{
	struct ks_err err = {{0}};
	struct ksd_lease lease;
	struct ks_store_stats st = {0};

	if (ksd_pool_init(db, &err) != KS_OK || ksd_pool_acquire(&lease, &err) != KS_OK) {
		fprintf(stderr, "kensakud: %s\n", err.msg);
		return -1;
	}
	*items = ks_store_stats(lease.store, &st, &err) == KS_OK ? st.items : -1;
	if (ks_store_check_version(lease.store, &err) != KS_OK)
		ksd_log_info("kensakud", "warning: %s", err.msg);
	ksd_pool_release(&lease);
	return 0;
}

/* Listens on f->listen and starts serving; the exit code on failure (the
 * pool shut down), else -1 with the bound address in url (n bytes). */
static int start(struct flags *f, char *url, size_t n)
{
	struct ks_err err = {{0}};
	int rc = ksd_http_listen(f->listen, &f->cfg.listen_fd, url, n, &err);

	if (rc == KS_OK && ksd_http_start(&f->cfg, &err) == KS_OK)
		return -1;
	fprintf(stderr, "kensakud: %s\n", err.msg);
	if (rc == KS_OK)
		close(f->cfg.listen_fd);
	ksd_pool_shutdown();
	return rc == KS_ERR_ARG ? 2 : 1;
}

/* Answers SIGHUP (reopen the index) until SIGINT or SIGTERM, which it
 * returns. */
static int wait_for_stop(const sigset_t *sigs)
{
	int sig;

	for (;;) {
		if (sigwait(sigs, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			return sig;
		ksd_log_info("kensakud", "SIGHUP: reopening the index");
		ksd_pool_reload();
	}
}

/* Stops accepting, lets the requests in flight finish (DRAIN_MAX_MS at
 * most) and stops everything. */
static void drain_and_stop(int sig)
{
	ksd_http_quiesce();
	ksd_log_info("kensakud", "%s: stopped accepting, draining %ld request(s)",
		     sig == SIGINT ? "SIGINT" : "SIGTERM", ksd_http_active());
	for (int waited = 0; ksd_http_active() > 0 && waited < DRAIN_MAX_MS; waited += 5) {
		struct timespec ts = {0, 5 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	ksd_http_stop();
	ksd_pool_shutdown();
	ksd_cache_shutdown();
	ksd_log_info("kensakud", "stopped");
}

int main(int argc, char **argv)
{
	struct flags f = {.cfg = {-1, 0, NULL, KSD_DEADLINE_MS, 0, 0}};
	char web_real[PATH_MAX], url[300];
	long long items = -1;
	sigset_t sigs;
	int rc = parse_flags(argc, argv, &f);

	if (rc >= 0)
		return rc;
	if (find_web(&f, web_real) != 0)
		return 1;
	/* Every thread started from here on inherits these blocked signals;
	 * the main thread takes them with sigwait. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	if (ksd_cache_init((size_t)f.cache_mb << 20) != 0)
		ksd_log_info("kensakud", "warning: no memory for a %d MB cache: running without",
			     f.cache_mb);
	if (open_index(f.db, &items) != 0)
		return 1;
	if ((rc = start(&f, url, sizeof(url))) >= 0)
		return rc;
	printf("listening on %s\n", url);
	fflush(stdout);
	ksd_log_info("kensakud",
		     "kensakud %s: %lld items in %s, %u threads, cache %d MB, web %s, %s",
		     KS_VERSION, items, f.db, f.cfg.threads, f.cache_mb,
		     f.cfg.web_root ? f.cfg.web_root : "(none)", url);
	drain_and_stop(wait_for_stop(&sigs));
	return 0;
}
