#include "setup.h"
#include "strlist.h"
#include "alloc.h"

void mg_strlist_push(struct mg_strlist *l, const char *s)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->items = mg_xrealloc(l->items, mg_st_mult(l->alloc, sizeof(*l->items)));
	}
	l->items[l->n++] = s;
}

void mg_strlist_release(struct mg_strlist *l)
{
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
}
