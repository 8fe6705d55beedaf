/* reply.h - turns a struct ksd_reply into an MHD response: the only place
 * that creates MHD responses and sets headers. */
#ifndef KSD_REPLY_H
#define KSD_REPLY_H

#include "ksd.h"

struct MHD_Connection; /* libmicrohttpd's, seen only by http.c and reply.c */

/* Queues rp on c with its headers: Content-Type, ETag, Cache-Control,
 * Allow, CORS on KSD_R_CORS, CSP/nosniff/frame headers on KSD_R_STATIC,
 * nosniff everywhere, `Connection: close` when closing. Bodies go out for
 * GET only (MHD drops them for HEAD, keeping Content-Length). Takes the
 * reply's fd (rp->fd becomes -1); the caller still clears rp. Returns 1
 * when queued (MHD_YES), 0 when MHD could not queue (the connection is
 * then closed). */
int ksd_reply_queue(struct MHD_Connection *c, struct ksd_reply *rp, int closing);

#endif
