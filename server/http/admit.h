/* admit.h - admission control: a fixed set of worker threads and a bounded
 * queue for the requests that can be expensive (searches and the other
 * index-reading API routes), so the threads that do the HTTP I/O and the
 * cheap routes (/healthz, /metrics, static files) never wait behind them.
 *
 * A caller first takes a place (ksd_admit_reserve: fails when the queue is
 * full, so the request can be refused with 503 at once), then hands over
 * its job (ksd_admit_push: can't fail). Each job runs exactly once, on a
 * worker, with j->cancelled set when the pool is stopping. The job is owned
 * by the caller: the pool only links it while it waits. */
#ifndef KSD_ADMIT_H
#define KSD_ADMIT_H

struct ksd_admit_job {
	struct ksd_admit_job *next; /* the pool's link while queued */
	void (*run)(struct ksd_admit_job *j);
	int cancelled; /* set before run when the pool is stopping */
};

struct ksd_admit_stats {
	long queued;		     /* waiting for a worker */
	long running;		     /* on a worker now */
	unsigned long long rejected; /* refused: the queue was full */
	unsigned workers, queue_max;
};

/* Starts workers threads (>= 1) and allows queue_max (>= 1) jobs to wait.
 * Returns 0, or -1 when no thread could be started (the pool then stays
 * stopped and every reserve fails). Call once. */
int ksd_admit_start(unsigned workers, unsigned queue_max);

/* Takes one place in the queue: 0, or -1 when queue_max jobs already wait
 * or the pool is stopped (counted as rejected). A place taken must be
 * used by exactly one ksd_admit_push. */
int ksd_admit_reserve(void);

/* Queues j (its run set) into the place reserved before. Can't fail. */
void ksd_admit_push(struct ksd_admit_job *j);

/* Stops the pool: jobs still waiting run with cancelled = 1, running ones
 * finish, then the threads are joined. Later reserves fail. Safe to call
 * twice or when never started. */
void ksd_admit_stop(void);

/* A snapshot of the counters. Can't fail. */
void ksd_admit_stats(struct ksd_admit_stats *s);

#endif
