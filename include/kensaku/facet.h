/* facet.h - one entry of a facet (a key and how many matching items
 * have it), as search results (search.h) and the entity facets
 * (entities.c) hold them. Plain data: the holder frees key. */
#ifndef KENSAKU_FACET_H
#define KENSAKU_FACET_H

#define KS_FACET_TOP 20 /* entries of the cve and entity facets */

struct ks_facet {
	char *key;
	long long count;
};

#endif
