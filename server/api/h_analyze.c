/* h_analyze.c - GET /api/analyze?text=&mode=document|query&exact=: the
 * tokens the index sees for a text and the FTS5 expression a search for it
 * runs (ks_analyze_json). Needs no index: the tokenizer is made per request
 * (an ICU break iterator clone, microseconds). */
#include "ksd.h"

#include <string.h>

#include <kensaku/analyze.h>
#include <kensaku/tokenizer.h>

void ksd_h_analyze(const struct ksd_req *rq, struct ksd_reply *rp)
{
	const char *text = ksd_req_param(rq, "text");
	const char *exact = ksd_req_param(rq, "exact");
	struct ks_err err = {{0}};
	enum ks_tok_mode mode;
	struct ks_tok *tok;
	json_t *body = NULL;
	int rc;

	if (ks_tok_mode_parse(ksd_req_param(rq, "mode"), &mode) != KS_OK) {
		ksd_reply_error(rp, 400, "bad_request", "mode must be document or query");
		return;
	}
	if (exact && strcmp(exact, "0") && strcmp(exact, "1") && strcmp(exact, "false") &&
	    strcmp(exact, "true")) {
		ksd_reply_error(rp, 400, "bad_request", "exact must be 0 or 1");
		return;
	}
	if (ks_analyze_check(text, &err) != KS_OK) {
		ksd_reply_error(rp, 400, "bad_request", "%s", err.msg);
		return;
	}
	if (!(tok = ks_tok_new())) {
		ksd_reply_error(rp, 500, "internal", "the tokenizer could not be created");
		return;
	}
	rc = ks_analyze_json(tok, text, mode,
			     !(exact && (!strcmp(exact, "1") || !strcmp(exact, "true"))), &body,
			     &err);
	ks_tok_free(tok);
	if (rc != KS_OK) {
		ksd_reply_rc(rp, rc, err.msg);
		return;
	}
	ksd_reply_json_new(rp, 200, body);
}
