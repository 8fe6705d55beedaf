/* fuzz_ingest_text.c - ks_ingest_text (the plain-text issue layout) on
 * arbitrary bytes; the invariants are listed in ingest_check.h. */
#include "ingest_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_ingest(ks_ingest_text, data, size);
	return 0;
}
