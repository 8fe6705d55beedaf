/* reply.h - turns a struct ksd_reply into an MHD response: the only place
 * that creates MHD responses and sets headers. */
#ifndef KSD_REPLY_H
#define KSD_REPLY_H

#include <microhttpd.h>

#include "ksd.h"

/* Queues rp on c with its headers: Content-Type, ETag, Cache-Control,
 * Allow, CORS on KSD_R_CORS, CSP/nosniff/frame headers on KSD_R_STATIC,
 * nosniff everywhere, `Connection: close` when closing. Bodies go out for
 * GET only (MHD drops them for HEAD, keeping Content-Length). Takes the
 * reply's fd (rp->fd becomes -1); the caller still clears rp. Returns
 * MHD_YES, or MHD_NO when MHD could not queue (the connection is closed). */
enum MHD_Result ksd_reply_queue(struct MHD_Connection *c, struct ksd_reply *rp, int closing);

/* Queues a JSON error directly (used before a request is parsed: URI too
 * long, bad encoding, body sent). Same return as ksd_reply_queue. */
enum MHD_Result ksd_reply_queue_error(struct MHD_Connection *c, int status, const char *code,
				      const char *message, int closing);

#endif
