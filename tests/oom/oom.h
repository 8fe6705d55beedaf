/* oom.h - the calls the out-of-memory test fails allocations in (ops.c),
 * and the index files they work on. */
#ifndef KS_OOM_H
#define KS_OOM_H

#include <stdio.h>

#include "alloc.h"
#include "kensaku/buf.h"
#include "kensaku/err.h"
#include "kensaku/store.h"

struct oom_env {
	char dir[64];	     /* a fresh temp folder, removed by oom_env_clear */
	char db[128];	     /* the index the build ops write */
	char pristine[128];  /* base.jsonl indexed: what reindex starts from */
	char sample_db[128]; /* sample/ indexed: what the search ops read */
	FILE *log;	     /* the build's messages (/dev/null, unallocated buffer) */
	struct ks_store *s;  /* the sample index, open around a search op's run */
};

/* One call under test. run is the call itself, made with one allocation
 * failing: it writes what it produced (a body, a page) into out and
 * returns a ks rc. The rest runs without failures. */
struct oom_op {
	const char *name;
	int uses_store; /* e->s is the sample index, opened read-only for run */
	int (*run)(struct oom_env *e, struct ks_buf *out, struct ks_err *err);
	/* before each run: put the files in place */
	void (*before)(struct oom_env *e);
	/* after a successful run: append to out what the run left on disk */
	void (*observe)(struct oom_env *e, struct ks_buf *out);
	/* after a failed run: 0 when what it left is right (ref is the output
	 * of a run without a failure) */
	int (*after_error)(struct oom_env *e, const struct ks_buf *ref);
	unsigned lib_faults; /* 1 << oom_src of libraries whose own failures change
			      * run's output (test_oom.c: count_wrong) */
};

/* The ops, ending with one whose name is NULL. */
extern const struct oom_op oom_ops[];

/* Makes the temp folder and indexes the fixtures into it (no failures);
 * 0, or -1 with the reason on stderr. */
int oom_env_init(struct oom_env *e);

/* Removes the temp folder and what is in it. */
void oom_env_clear(struct oom_env *e);

/* Clears what the libraries keep of the last failure (libxml2's last
 * error), so that it does not count as a run's block. */
void oom_settle(void);

/* Opens e->sample_db read-only as e->s; a ks rc. */
int oom_open_sample(struct oom_env *e);

/* Closes e->s (if open). */
void oom_close_sample(struct oom_env *e);

#endif
