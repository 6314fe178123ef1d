#include "setup.h"
#include "alloc.h"
#include "err.h"

#include <unistd.h>

void mg_die_oom(size_t n)
{
	char line[96];
	int len = snprintf(line, sizeof(line), "mlgate: out of memory allocating %zu bytes\n", n);

	/* write(2) allocates nothing, unlike stdio */
	if (len > 0 && write(STDERR_FILENO, line, (size_t)len) < 0)
		_exit(MG_EXIT_INFRA);
	_exit(MG_EXIT_INFRA);
}

void *mg_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		mg_die_oom(n);
	return p;
}

void *mg_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		mg_die_oom(mg_st_mult(nmemb, size));
	return p;
}

void *mg_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		mg_die_oom(n);
	return q;
}

char *mg_xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = mg_xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *mg_xstrdup(const char *s)
{
	return mg_xstrndup(s, SIZE_MAX - 1);
}

size_t mg_st_mult(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		mg_die_oom(SIZE_MAX);
	return n * size;
}
