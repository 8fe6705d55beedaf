/* alloc.c - the counting, failing allocator of the out-of-memory test
 * (alloc.h). The process's malloc family is defined here and forwards to
 * the next definition (libc's, or ASan's under the sanitizer build, found
 * with dlsym(RTLD_NEXT)); the library hooks forward straight to that one
 * too, so no allocation is counted twice. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/xmlmemory.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <unicode/uclean.h>
#include <unicode/utypes.h>

#include "alloc.h"

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

static atomic_long g_count, g_fail_at, g_fired, g_fired_src, g_live;
static atomic_long g_by[OOM_NSRC];
static int g_show_failing; /* KS_OOM_BACKTRACE: print where the failing allocation was made */

/* ---- counting */

/* Held (> 0) while the word segmenter runs (indexer/text/segment.c calls
 * this through a weak symbol): MeCab throws std::bad_alloc through its C
 * API (the process terminates) and ICU 72's dictionary break engine
 * dereferences a failed allocation, so their allocations are neither
 * counted nor failed. A real out-of-memory there stops `kensaku index`
 * before its transaction commits (README, Limits). */
static _Thread_local int g_hold;

void ks_oom_hold(int on);
void ks_oom_hold(int on)
{
	g_hold += on ? 1 : -1;
}

/* Counts one allocation of src; 1 when it is the one to fail. */
static int take(enum oom_src src)
{
	if (g_hold)
		return 0;
	long n = atomic_fetch_add(&g_count, 1) + 1;
	atomic_fetch_add(&g_by[src], 1);
	if (n == atomic_load(&g_fail_at)) {
		atomic_store(&g_fired, 1);
		atomic_store(&g_fired_src, src);
		if (g_show_failing) {
			void *frames[32];
			int k = backtrace(frames, 32);
			backtrace_symbols_fd(frames, k, 2);
		}
		return 1;
	}
	return 0;
}

static void *born(void *p)
{
	if (p)
		atomic_fetch_add(&g_live, 1);
	return p;
}

static void died(void *p)
{
	if (p)
		atomic_fetch_sub(&g_live, 1);
}

void oom_arm(long n)
{
	atomic_store(&g_fired, 0);
	atomic_store(&g_count, 0);
	for (int i = 0; i < OOM_NSRC; i++)
		atomic_store(&g_by[i], 0);
	atomic_store(&g_fail_at, n);
}

int oom_disarm(void)
{
	atomic_store(&g_fail_at, 0);
	return (int)atomic_load(&g_fired);
}

enum oom_src oom_failed_src(void)
{
	return (enum oom_src)atomic_load(&g_fired_src);
}

long oom_count(void)
{
	return atomic_load(&g_count);
}

long oom_count_of(enum oom_src src)
{
	return atomic_load(&g_by[src]);
}

long oom_live(void)
{
	return atomic_load(&g_live);
}

const char *oom_src_name(enum oom_src src)
{
	static const char *const names[] = {"libc", "sqlite",  "jansson",
					    "icu",  "libxml2", "openssl"};
	return (unsigned)src < OOM_NSRC ? names[src] : "?";
}

/* ---- bootstrap: dlsym may allocate before the real functions are known */

#define BOOT_BYTES (64 * 1024)
static _Alignas(16) char g_boot[BOOT_BYTES];
static size_t g_boot_used;
static int g_resolving;

static int in_boot(const void *p)
{
	return (const char *)p >= g_boot && (const char *)p < g_boot + BOOT_BYTES;
}

/* Zeroed bytes from g_boot, never freed (16 bytes of header hold n). */
static void *boot_alloc(size_t n)
{
	size_t need = 16 + ((n + 15) & ~(size_t)15);
	if (need > BOOT_BYTES - g_boot_used)
		abort();
	char *p = g_boot + g_boot_used;
	g_boot_used += need;
	memcpy(p, &n, sizeof n);
	return p + 16;
}

static size_t boot_size(const void *p)
{
	size_t n;
	memcpy(&n, (const char *)p - 16, sizeof n);
	return n;
}

static void *next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		static const char msg[] = "oom: dlsym failed for an allocator\n";
		fwrite(msg, 1, sizeof msg - 1, stderr);
		abort();
	}
	return f;
}

/* 1 once the real functions are known; 0 while dlsym is running. */
static int resolved(void)
{
	if (real_free)
		return 1;
	if (g_resolving)
		return 0;
	g_resolving = 1;
	real_malloc = (void *(*)(size_t))next("malloc");
	real_calloc = (void *(*)(size_t, size_t))next("calloc");
	real_realloc = (void *(*)(void *, size_t))next("realloc");
	real_posix_memalign = (int (*)(void **, size_t, size_t))next("posix_memalign");
	real_aligned_alloc = (void *(*)(size_t, size_t))next("aligned_alloc");
	real_memalign = (void *(*)(size_t, size_t))next("memalign");
	real_valloc = (void *(*)(size_t))next("valloc");
	real_pvalloc = (void *(*)(size_t))next("pvalloc");
	real_free = (void (*)(void *))next("free");
	g_resolving = 0;
	return 1;
}

/* ---- the process's allocator */

void *malloc(size_t n)
{
	if (!resolved())
		return boot_alloc(n);
	if (take(OOM_LIBC)) {
		errno = ENOMEM;
		return NULL;
	}
	return born(real_malloc(n));
}

void *calloc(size_t n, size_t size)
{
	if (!resolved())
		return boot_alloc(n * size);
	if (take(OOM_LIBC)) {
		errno = ENOMEM;
		return NULL;
	}
	return born(real_calloc(n, size));
}

void *realloc(void *p, size_t n)
{
	if (!resolved() || (p && in_boot(p))) {
		void *q = resolved() ? malloc(n) : boot_alloc(n);
		if (q && p)
			memcpy(q, p, boot_size(p) < n ? boot_size(p) : n);
		return q;
	}
	if (!p)
		return malloc(n);
	if (n == 0) { /* glibc and ASan: frees p, returns NULL */
		died(p);
		return real_realloc(p, 0);
	}
	if (take(OOM_LIBC)) {
		errno = ENOMEM;
		return NULL;
	}
	return real_realloc(p, n);
}

void free(void *p)
{
	if (!p || in_boot(p) || !resolved())
		return;
	died(p);
	real_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	if (!resolved())
		return ENOMEM;
	if (take(OOM_LIBC))
		return ENOMEM;
	int rc = real_posix_memalign(out, align, n);
	if (rc == 0)
		born(*out);
	return rc;
}

void *aligned_alloc(size_t align, size_t n)
{
	if (!resolved() || take(OOM_LIBC))
		return NULL;
	return born(real_aligned_alloc(align, n));
}

void *memalign(size_t align, size_t n)
{
	if (!resolved() || take(OOM_LIBC))
		return NULL;
	return born(real_memalign(align, n));
}

void *valloc(size_t n)
{
	if (!resolved() || take(OOM_LIBC))
		return NULL;
	return born(real_valloc(n));
}

void *pvalloc(size_t n)
{
	if (!resolved() || take(OOM_LIBC))
		return NULL;
	return born(real_pvalloc(n));
}

/* ASan's strdup and strndup allocate past malloc: defined here they are
 * counted (and can fail) in both builds. */
char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

char *strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

/* ---- a hooked library's allocations: counted under src, from the real
 * allocator, as plain blocks (the libraries hand some of them to callers
 * who free() them, as jansson's json_dumps does) */

static void *hook_malloc(enum oom_src src, size_t n)
{
	if (!resolved() || take(src))
		return NULL;
	return born(real_malloc(n));
}

static void hook_free(void *p)
{
	if (!p)
		return;
	died(p);
	real_free(p);
}

static void *hook_realloc(enum oom_src src, void *p, size_t n)
{
	if (!p)
		return hook_malloc(src, n);
	if (n == 0) {
		hook_free(p);
		return NULL;
	}
	if (take(src))
		return NULL;
	return real_realloc(p, n);
}

/* SQLite wants each block's size back: a header before the block keeps it. */
#define HDR 16

static void *sq_malloc(int n)
{
	char *p = n < 0 ? NULL : hook_malloc(OOM_SQLITE, (size_t)n + HDR);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof n);
	return p + HDR;
}

static void sq_free(void *p)
{
	if (p)
		hook_free((char *)p - HDR);
}

static void *sq_realloc(void *p, int n)
{
	if (!p)
		return sq_malloc(n);
	char *h = n <= 0 ? NULL : hook_realloc(OOM_SQLITE, (char *)p - HDR, (size_t)n + HDR);
	if (!h)
		return NULL;
	memcpy(h, &n, sizeof n);
	return h + HDR;
}

static int sq_size(void *p)
{
	int n = 0;
	if (p)
		memcpy(&n, (char *)p - HDR, sizeof n);
	return n;
}

static int sq_roundup(int n)
{
	return (n + 7) & ~7;
}

static int sq_init(void *app)
{
	(void)app;
	return SQLITE_OK;
}

static void sq_shutdown(void *app)
{
	(void)app;
}

/* jansson */
static void *js_malloc(size_t n)
{
	return hook_malloc(OOM_JANSSON, n);
}

/* ICU (UMemAllocFn ...) */
static void *U_CALLCONV icu_malloc(const void *ctx, size_t n)
{
	(void)ctx;
	return hook_malloc(OOM_ICU, n);
}

static void *U_CALLCONV icu_realloc(const void *ctx, void *p, size_t n)
{
	(void)ctx;
	return hook_realloc(OOM_ICU, p, n);
}

static void U_CALLCONV icu_free(const void *ctx, void *p)
{
	(void)ctx;
	hook_free(p);
}

/* libxml2 */
static void *xml_malloc(size_t n)
{
	return hook_malloc(OOM_XML, n);
}

static void *xml_realloc(void *p, size_t n)
{
	return hook_realloc(OOM_XML, p, n);
}

static char *xml_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = hook_malloc(OOM_XML, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* OpenSSL (CRYPTO_set_mem_functions) */
static void *ssl_malloc(size_t n, const char *file, int line)
{
	(void)file, (void)line;
	return hook_malloc(OOM_SSL, n);
}

static void *ssl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file, (void)line;
	return hook_realloc(OOM_SSL, p, n);
}

static void ssl_free(void *p, const char *file, int line)
{
	(void)file, (void)line;
	hook_free(p);
}

int oom_alloc_install(void)
{
	static const sqlite3_mem_methods sq = {sq_malloc,  sq_free, sq_realloc,	 sq_size,
					       sq_roundup, sq_init, sq_shutdown, NULL};
	UErrorCode st = U_ZERO_ERROR;
	if (!resolved())
		return -1;
	if (getenv("KS_OOM_BACKTRACE")) {
		void *frame;
		backtrace(&frame, 1); /* loads libgcc's unwinder now, not while failing */
		g_show_failing = 1;
	}
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &sq) != SQLITE_OK) {
		fprintf(stderr, "oom: sqlite3_config(SQLITE_CONFIG_MALLOC) failed\n");
		return -1;
	}
	json_set_alloc_funcs(js_malloc, hook_free);
	u_setMemoryFunctions(NULL, icu_malloc, icu_realloc, icu_free, &st);
	if (U_FAILURE(st)) {
		fprintf(stderr, "oom: u_setMemoryFunctions: %s\n", u_errorName(st));
		return -1;
	}
	if (xmlMemSetup(hook_free, xml_malloc, xml_realloc, xml_strdup) != 0) {
		fprintf(stderr, "oom: xmlMemSetup failed\n");
		return -1;
	}
	if (!CRYPTO_set_mem_functions(ssl_malloc, ssl_realloc, ssl_free)) {
		fprintf(stderr, "oom: CRYPTO_set_mem_functions failed\n");
		return -1;
	}
	return 0;
}
