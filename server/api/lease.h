/* lease.h - a handler's lease on the index: one call that acquires it
 * (index/pool.h) or, when none can be had, answers the request with why
 * (503 while the index is unavailable or the wait ran out, 500 otherwise:
 * reply.c's ksd_reply_rc). */
#ifndef KSD_LEASE_H
#define KSD_LEASE_H

#include "ksd.h"
#include "pool.h"

/* Acquires *l (ksd_pool_acquire). 0 on success: the handler must release
 * it with ksd_pool_release; -1 with rp holding the error reply, and *l
 * empty. */
int ksd_lease_or_reply(struct ksd_lease *l, struct ksd_reply *rp);

#endif
