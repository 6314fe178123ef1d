/*
 * Allocation. mlgate's out-of-memory policy: a short-lived gate cannot do
 * anything useful without memory, so these print one line and exit with
 * MG_EXIT_INFRA (fail closed: nothing approved, no file half-written since
 * every output is written atomically). They never return NULL.
 */
#ifndef MG_ALLOC_H
#define MG_ALLOC_H

#include "setup.h"

void *mg_xmalloc(size_t n);
void *mg_xcalloc(size_t nmemb, size_t size);
void *mg_xrealloc(void *p, size_t n);
char *mg_xstrdup(const char *s);
char *mg_xstrndup(const char *s, size_t n);

/* Overflow-checked n * size for array growth; dies on overflow. */
size_t mg_st_mult(size_t n, size_t size);

/* Free *pp and set it to NULL. */
#define MG_FREE_AND_NULL(p) \
	do {                \
		free(p);    \
		(p) = NULL; \
	} while (0)

MG_NORETURN void mg_die_oom(size_t n);

#endif
