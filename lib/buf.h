/*
 * mg_buf: the one growable string buffer of mlgate.
 *
 * Rules (after git's strbuf and curl's dynbuf):
 * - `buf` is never NULL once initialised; it points at a shared empty
 *   string until the first append allocates.
 * - The content is always NUL-terminated at `len`; embedded NULs are
 *   allowed (HTTP bodies), so use `len`, not strlen().
 * - Every buffer has a maximum content size set at init. An append that
 *   would pass it appends nothing, and the buffer remembers the overflow
 *   until mg_buf_reset()/mg_buf_release(): append many times, check
 *   mg_buf_overflowed() once. Untrusted input can never grow a buffer
 *   without bound.
 * - Out of memory is fatal (see alloc.h), so appends only fail on the
 *   bound.
 * - `alloc` and `overflow` are private to this module.
 */
#ifndef MG_BUF_H
#define MG_BUF_H

#include "setup.h"

extern char mg_buf_empty[];

struct mg_buf {
	char *buf;     /* never NULL; NUL-terminated at len */
	size_t len;    /* content length, without the NUL */
	size_t alloc;  /* private: bytes allocated, 0 while buf == mg_buf_empty */
	size_t max;    /* largest content allowed, in bytes */
	bool overflow; /* private: an append was refused for passing max */
};

/* Common bounds. */
#define MG_BUF_SMALL ((size_t)64 * 1024)        /* messages, names, one line of output */
#define MG_BUF_LARGE ((size_t)64 * 1024 * 1024) /* documents: JSON bodies, reports */

#define MG_BUF_INIT(maxlen)                         \
	{                                           \
		mg_buf_empty, 0, 0, (maxlen), false \
	}

void mg_buf_init(struct mg_buf *b, size_t max);

/* Free the storage; the buffer is empty and usable again, same max. */
void mg_buf_release(struct mg_buf *b);

/* Empty the content and forget an overflow; keeps the storage. */
void mg_buf_reset(struct mg_buf *b);

/*
 * Hand the content to the caller, who frees it with free(). Never NULL
 * (an empty buffer gives an allocated ""). The buffer is left empty.
 * *len_out, when not NULL, receives the length.
 */
char *mg_buf_take(struct mg_buf *b, size_t *len_out);

/* Appends: 0 on success, -1 (nothing appended) when max would be passed. */
int mg_buf_add(struct mg_buf *b, const void *data, size_t n);
int mg_buf_adds(struct mg_buf *b, const char *s);
int mg_buf_addch(struct mg_buf *b, char c);
int mg_buf_addf(struct mg_buf *b, const char *fmt, ...) MG_PRINTF(2, 3);
int mg_buf_vaddf(struct mg_buf *b, const char *fmt, va_list ap) MG_PRINTF(2, 0);

/*
 * Append `s` with every byte that has an entry in `map` replaced by that
 * entry (a table of 256, indexed by byte; NULL: the byte as it is). The
 * escapers of the CI emitters are tables of this kind.
 */
int mg_buf_add_mapped(struct mg_buf *b, const char *s, const char *const map[256]);

/* Make room for `extra` more bytes without changing the content. */
int mg_buf_grow(struct mg_buf *b, size_t extra);

/* Shorten to `len` bytes (len <= b->len). */
void mg_buf_truncate(struct mg_buf *b, size_t len);

/*
 * Replace every occurrence of `needle` (non-empty) by `with`. Returns the
 * number of replacements, or -1 when the result would pass max (the
 * content is then unchanged).
 */
int mg_buf_replace(struct mg_buf *b, const char *needle, size_t needle_len, const char *with);

/* True once an append was refused; cleared by reset/release. */
static inline bool mg_buf_overflowed(const struct mg_buf *b)
{
	return b->overflow;
}

#endif
