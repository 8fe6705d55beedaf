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

/* Reads a flag's count (1..1000000) into *out; 0, or -1 after saying why. */
static int count_flag(const char *flag, const char *arg, unsigned *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || end == arg || v < 1 || v > 1000000) {
		fprintf(stderr, "kensakud: %s wants a number from 1 to 1000000\n", flag);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
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
	const char *db = getenv("KENSAKU_DB"), *listen_spec = "127.0.0.1:8080", *web = NULL;
	char web_real[PATH_MAX], url[300];
	struct ksd_http_config cfg = {-1, 0, NULL, KSD_DEADLINE_MS, 0, 0};
	const char *deadline = getenv("KENSAKUD_DEADLINE_MS");
	struct ks_err err = {{0}};
	struct ksd_lease lease;
	struct ks_store_stats st = {0};
	long threads = sysconf(_SC_NPROCESSORS_ONLN), cache_mb = KSD_CACHE_MB_DEFAULT;
	sigset_t sigs;
	int c, sig, rc, waited;

	if (!db || !db[0])
		db = "kensaku.db";
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'l':
			listen_spec = optarg;
			break;
		case 'w':
			web = optarg;
			break;
		case 't':
			threads = strtol(optarg, &end, 10);
			if (*end || end == optarg || threads < 1 || threads > 1024) {
				fprintf(stderr,
					"kensakud: --threads wants a number from 1 to 1024\n");
				return 2;
			}
			break;
		case 'c':
			cache_mb = strtol(optarg, &end, 10);
			if (*end || end == optarg || cache_mb < 0 || cache_mb > 65536) {
				fprintf(stderr,
					"kensakud: --cache-mb wants a number from 0 to 65536\n");
				return 2;
			}
			break;
		case 'Q':
		case 'P':
			if (count_flag(c == 'Q' ? "--queue" : "--per-client", optarg,
				       c == 'Q' ? &cfg.queue_max : &cfg.per_client) != 0)
				return 2;
			break;
		case 'T':
			if (ksd_peer_trust(optarg) != 0) {
				fprintf(stderr,
					"kensakud: --trusted-proxy %s: want IPv4 or IPv6 "
					"addresses, comma-separated\n",
					optarg);
				return 2;
			}
			break;
		case 'q':
			ksd_log_set_quiet(1);
			break;
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
	if (optind < argc) {
		fprintf(stderr, "kensakud: unexpected argument %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (threads < 1)
		threads = 1;
	if (threads > 64)
		threads = 64;
	cfg.threads = (unsigned)threads;
	if (deadline && deadline[0]) {
		char *end;
		long ms = strtol(deadline, &end, 10);

		if (*end || ms < 0 || ms > 600000) {
			fprintf(stderr, "kensakud: KENSAKUD_DEADLINE_MS wants 0..600000\n");
			return 2;
		}
		cfg.deadline_ms = (int)ms;
	}
	if (web) {
		if (!is_dir(web) || !realpath(web, web_real)) {
			fprintf(stderr, "kensakud: --web %s is not a folder\n", web);
			return 1;
		}
		cfg.web_root = web_real;
	} else if (default_web(web_real)) {
		cfg.web_root = web_real;
	} else {
		ksd_log_info("kensakud", "no web/ folder found: serving the API only");
	}

	/* Every thread started from here on inherits these blocked signals;
	 * the main thread takes them with sigwait. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	if (ksd_cache_init((size_t)cache_mb << 20) != 0)
		ksd_log_info("kensakud", "warning: no memory for a %ld MB cache: running without",
			     cache_mb);
	rc = ksd_pool_init(db, &err);
	if (rc != KS_OK) {
		fprintf(stderr, "kensakud: %s\n", err.msg);
		return 1;
	}
	if (ksd_pool_acquire(&lease, &err) != KS_OK) {
		fprintf(stderr, "kensakud: %s\n", err.msg);
		return 1;
	}
	if (ks_store_stats(lease.store, &st, &err) != KS_OK)
		st.items = -1;
	if (ks_store_check_version(lease.store, &err) != KS_OK)
		ksd_log_info("kensakud", "warning: %s", err.msg);
	ksd_pool_release(&lease);

	rc = ksd_http_listen(listen_spec, &cfg.listen_fd, url, sizeof(url), &err);
	if (rc != KS_OK) {
		fprintf(stderr, "kensakud: %s\n", err.msg);
		ksd_pool_shutdown();
		return rc == KS_ERR_ARG ? 2 : 1;
	}
	if (ksd_http_start(&cfg, &err) != KS_OK) {
		fprintf(stderr, "kensakud: %s\n", err.msg);
		close(cfg.listen_fd);
		ksd_pool_shutdown();
		return 1;
	}
	printf("listening on %s\n", url);
	fflush(stdout);
	ksd_log_info("kensakud",
		     "kensakud %s: %lld items in %s, %u threads, cache %ld MB, web %s, %s",
		     KS_VERSION, st.items, db, cfg.threads, cache_mb,
		     cfg.web_root ? cfg.web_root : "(none)", url);

	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			ksd_log_info("kensakud", "SIGHUP: reopening the index");
			ksd_pool_reload();
			continue;
		}
		break;
	}
	ksd_http_quiesce();
	ksd_log_info("kensakud", "%s: stopped accepting, draining %ld request(s)",
		     sig == SIGINT ? "SIGINT" : "SIGTERM", ksd_http_active());
	for (waited = 0; ksd_http_active() > 0 && waited < DRAIN_MAX_MS; waited += 5) {
		struct timespec ts = {0, 5 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	ksd_http_stop();
	ksd_pool_shutdown();
	ksd_cache_shutdown();
	ksd_log_info("kensakud", "stopped");
	return 0;
}
