/* formats.h - a fixture of tests/data/formats/ parsed as kensaku index
 * would: its format detected (and checked), then ks_ingest_parse. Include
 * after harness.h (a failed step is a failed CHECK). */
#ifndef KS_TEST_FORMATS_H
#define KS_TEST_FORMATS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kensaku/ingest.h"

#define H_FORMATS_DIR KS_SOURCE_DIR "/tests/data/formats"

/* Parses tests/data/formats/file into a fresh *b (its error in e), after
 * CHECKing that it is detected as want. The parser's rc (its message on
 * stderr when not KS_OK), or -1 when the file cannot be read. */
static inline int h_parse_format(const char *file, enum ks_format want, struct ks_batch *b,
				 struct ks_err *e)
{
	char path[1024];
	size_t len = 0;
	snprintf(path, sizeof path, "%s/%s", H_FORMATS_DIR, file);
	char *data = h_slurp(path, &len);
	CHECK(data != NULL);
	memset(b, 0, sizeof *b);
	e->msg[0] = 0;
	if (!data)
		return -1;
	CHECK(ks_ingest_detect(data, len) == want);
	int rc = ks_ingest_parse(file, data, len, KS_FMT_AUTO, b, e);
	if (rc != KS_OK)
		fprintf(stderr, "  %s: %s\n", file, e->msg);
	free(data);
	return rc;
}

#endif
