/* fuzz_ingest_email.c - ks_ingest_email (one message or an mbox through
 * GMime, each message's HTML through html_extract.c or its text through
 * the plain-text parser, charsets through ICU) on arbitrary bytes; the
 * invariants are listed in ingest_check.h. */
#include "ingest_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_ingest(ks_ingest_email, data, size);
	return 0;
}
