/* alloc.h - a counting allocator that fails the Nth allocation (after
 * SQLite's test harness, src/test_malloc.c), for the out-of-memory test.
 *
 * alloc.c interposes malloc, calloc, realloc, free and the aligned
 * allocators of the whole process (the test executable defines them, so
 * libc, SQLite, ICU, jansson, libxml2 and OpenSSL all come through them;
 * under ASan they forward to ASan's, which still sees every block), and
 * oom_alloc_install also routes SQLite (SQLITE_CONFIG_MALLOC), jansson
 * (json_set_alloc_funcs), ICU (u_setMemoryFunctions), libxml2
 * (xmlMemSetup) and OpenSSL (CRYPTO_set_mem_functions) through hooks of
 * their own, so each allocation is counted
 * once, under the library that asked for it.
 *
 * Ownership: the counters are process-wide; arm and disarm from the test's
 * thread only (the library under test starts no threads). */
#ifndef KS_OOM_ALLOC_H
#define KS_OOM_ALLOC_H

#include <stddef.h>

/* Who asked for an allocation. */
enum oom_src { OOM_LIBC = 0, OOM_SQLITE, OOM_JANSSON, OOM_ICU, OOM_XML, OOM_SSL, OOM_NSRC };

/* Installs the library hooks. Call first in main, before any library runs
 * (ICU and SQLite refuse new allocators once initialized); 0 on success,
 * -1 naming the hook that failed on stderr. */
int oom_alloc_install(void);

/* Starts counting allocations from 0; the nth one (n >= 1) fails and every
 * other succeeds; n == 0 fails none (a counting run). */
void oom_arm(long n);

/* Stops failing. Returns 1 when the armed allocation was reached (and
 * failed), 0 when the run made fewer than n allocations. */
int oom_disarm(void);

/* Who asked for the allocation that failed (after oom_disarm returned 1). */
enum oom_src oom_failed_src(void);

/* Allocations counted since oom_arm, in total and by source. */
long oom_count(void);
long oom_count_of(enum oom_src src);

/* Blocks allocated and not yet freed (all sources). Comparing it before
 * and after a call that must release everything it took finds leaks
 * without a sanitizer. */
long oom_live(void);

/* The name of src ("libc", "sqlite", ...). */
const char *oom_src_name(enum oom_src src);

#endif
