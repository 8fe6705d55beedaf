/* leak_preload.c - an LD_PRELOAD library that makes kensakud leak, for the
 * leak check of load.rebuild (load.leakcheck): every response body built
 * from a buffer also leaks KS_LEAK_BYTES bytes (default 4096), written so
 * they count in the resident set. The load test must then fail its memory
 * bound, proving that the bound can catch a per-request leak. Test-only:
 * never linked into kensakud. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

typedef struct MHD_Response *(*from_buffer_fn)(size_t, void *, enum MHD_ResponseMemoryMode);

static _Atomic(from_buffer_fn) g_real;
static void *volatile g_sink; /* keeps the compiler from dropping the leak */

/* The number of bytes to leak per response: $KS_LEAK_BYTES, else 4096. */
static size_t leak_bytes(void)
{
	const char *v = getenv("KS_LEAK_BYTES");
	long n = v ? strtol(v, NULL, 10) : 0;

	return n > 0 ? (size_t)n : 4096;
}

/* Wraps libmicrohttpd's MHD_create_response_from_buffer: calls the real one
 * (found with dlsym RTLD_NEXT) and leaks a touched block. Returns what the
 * real function returns, or NULL when it can't be found. */
struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
						     enum MHD_ResponseMemoryMode mode)
{
	from_buffer_fn real = g_real;
	size_t n = leak_bytes();
	void *leak;

	if (!real) {
		void *sym = dlsym(RTLD_NEXT, "MHD_create_response_from_buffer");

		memcpy(&real, &sym, sizeof(real));
		g_real = real;
	}
	if (!real)
		return NULL;
	leak = malloc(n);
	if (leak) {
		memset(leak, 0xab, n); /* never freed: the point of this library */
		g_sink = leak;
	}
	return real(size, buffer, mode);
}
