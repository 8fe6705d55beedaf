/* fuzz_ingest_html.c - ks_ingest_html (HTML issue pages, html_extract.c)
 * on arbitrary bytes; the invariants are listed in ingest_check.h. */
#include "ingest_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_ingest(ks_ingest_html, data, size);
	return 0;
}
