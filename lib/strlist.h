/*
 * mg_strlist: a growable array of borrowed strings (argv entries, table
 * constants). The list owns its array, never the strings.
 */
#ifndef MG_STRLIST_H
#define MG_STRLIST_H

#include "setup.h"

struct mg_strlist {
	const char **items; /* borrowed strings; NULL while empty */
	size_t n;           /* number of items */
	size_t alloc;       /* private */
};

#define MG_STRLIST_INIT    \
	{                  \
		NULL, 0, 0 \
	}

void mg_strlist_push(struct mg_strlist *l, const char *s);
void mg_strlist_release(struct mg_strlist *l);

#endif
