/* num.h - the one parser of integers that people type: CLI flags, the
 * environment and HTTP query parameters. Pure; never allocates. */
#ifndef KENSAKU_NUM_H
#define KENSAKU_NUM_H

/* Parses the whole of s as a decimal integer in [lo, hi]: an optional '-'
 * and then ASCII digits only (no '+', no spaces, no other base; leading
 * zeros are fine). Sets *out and returns 0 when s is one; returns -1 with
 * *out untouched otherwise (NULL, empty, not a number, out of range). Any
 * number of digits is read without overflow. */
int ks_parse_int(const char *s, int lo, int hi, int *out);

#endif
