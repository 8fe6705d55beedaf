/* fuzz_ingest_feed.c - ks_ingest_feed (RSS and Atom feeds, each entry's
 * HTML through html_extract.c) on arbitrary bytes; the invariants are
 * listed in ingest_check.h. */
#include "ingest_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_ingest(ks_ingest_feed, data, size);
	return 0;
}
