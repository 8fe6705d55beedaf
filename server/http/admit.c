/* admit.c - the worker threads and the bounded FIFO of admit.h. One mutex
 * guards the queue and the counters; workers sleep on one condition. */
#include "admit.h"

#include <pthread.h>
#include <stdlib.h>

#define MAX_WORKERS 1024

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static struct ksd_admit_job *g_head, *g_tail;
static long g_reserved; /* places taken: queued + reserved not pushed yet */
static long g_running;
static unsigned long long g_rejected;
static unsigned g_queue_max, g_workers;
static int g_open; /* reserves are accepted */
static int g_stop; /* workers run what is left cancelled, then exit */
static pthread_t g_tid[MAX_WORKERS];

/* Takes the next job, waiting for one; NULL when the pool stops and the
 * queue is empty. Called with g_mu held. */
static struct ksd_admit_job *next_job(void)
{
	struct ksd_admit_job *j;

	while (!g_head && !(g_stop && g_reserved == 0))
		pthread_cond_wait(&g_cv, &g_mu);
	j = g_head;
	if (!j)
		return NULL;
	g_head = j->next;
	if (!g_head)
		g_tail = NULL;
	g_reserved--;
	g_running++;
	j->next = NULL;
	j->cancelled = g_stop;
	if (g_stop && g_reserved == 0)
		pthread_cond_broadcast(&g_cv); /* the other workers can exit */
	return j;
}

static void *worker(void *arg)
{
	struct ksd_admit_job *j;

	(void)arg;
	pthread_mutex_lock(&g_mu);
	while ((j = next_job()) != NULL) {
		pthread_mutex_unlock(&g_mu);
		j->run(j);
		pthread_mutex_lock(&g_mu);
		g_running--;
	}
	pthread_mutex_unlock(&g_mu);
	return NULL;
}

int ksd_admit_start(unsigned workers, unsigned queue_max)
{
	unsigned i;

	if (workers < 1)
		workers = 1;
	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	pthread_mutex_lock(&g_mu);
	g_queue_max = queue_max ? queue_max : 1;
	for (i = 0; i < workers; i++)
		if (pthread_create(&g_tid[i], NULL, worker, NULL) != 0)
			break;
	g_workers = i;
	g_open = i > 0;
	pthread_mutex_unlock(&g_mu);
	return i > 0 ? 0 : -1;
}

int ksd_admit_reserve(void)
{
	int rc = -1;

	pthread_mutex_lock(&g_mu);
	if (g_open && g_reserved < (long)g_queue_max) {
		g_reserved++;
		rc = 0;
	} else {
		g_rejected++;
	}
	pthread_mutex_unlock(&g_mu);
	return rc;
}

void ksd_admit_push(struct ksd_admit_job *j)
{
	pthread_mutex_lock(&g_mu);
	j->next = NULL;
	j->cancelled = 0;
	if (g_tail)
		g_tail->next = j;
	else
		g_head = j;
	g_tail = j;
	pthread_cond_signal(&g_cv);
	pthread_mutex_unlock(&g_mu);
}

void ksd_admit_stop(void)
{
	unsigned i, n;

	pthread_mutex_lock(&g_mu);
	g_open = 0;
	g_stop = 1;
	n = g_workers;
	g_workers = 0;
	pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_mu);
	for (i = 0; i < n; i++)
		pthread_join(g_tid[i], NULL);
}

void ksd_admit_stats(struct ksd_admit_stats *s)
{
	pthread_mutex_lock(&g_mu);
	s->queued = g_reserved;
	s->running = g_running;
	s->rejected = g_rejected;
	s->workers = g_workers;
	s->queue_max = g_queue_max;
	pthread_mutex_unlock(&g_mu);
}
