/* lease.c - a handler's lease on the index, or the reply saying why not
 * (the contract is in lease.h). */
#include "lease.h"

int ksd_lease_or_reply(struct ksd_lease *l, struct ksd_reply *rp)
{
	struct ks_err err = {{0}};
	int rc = ksd_pool_acquire(l, &err);

	if (rc == KS_OK)
		return 0;
	ksd_reply_rc(rp, rc, err.msg);
	return -1;
}
