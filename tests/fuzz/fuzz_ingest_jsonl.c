/* fuzz_ingest_jsonl.c - ks_ingest_jsonl (JSON Lines: one item or one issue
 * per line) on arbitrary bytes; the invariants are listed in
 * ingest_check.h. */
#include "ingest_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_ingest(ks_ingest_jsonl, data, size);
	return 0;
}
