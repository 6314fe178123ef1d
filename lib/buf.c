#include "setup.h"
#include "buf.h"
#include "alloc.h"

char mg_buf_empty[1];

void mg_buf_init(struct mg_buf *b, size_t max)
{
	b->buf = mg_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
	b->overflow = false;
}

void mg_buf_release(struct mg_buf *b)
{
	if (b->alloc)
		free(b->buf);
	mg_buf_init(b, b->max);
}

void mg_buf_reset(struct mg_buf *b)
{
	b->len = 0;
	b->buf[0] = '\0';
	b->overflow = false;
}

char *mg_buf_take(struct mg_buf *b, size_t *len_out)
{
	char *out;

	if (len_out)
		*len_out = b->len;
	if (!b->alloc)
		out = mg_xstrdup("");
	else
		out = b->buf;
	mg_buf_init(b, b->max);
	return out;
}

int mg_buf_grow(struct mg_buf *b, size_t extra)
{
	size_t want, cap;

	if (extra > b->max || b->len > b->max - extra) {
		b->overflow = true;
		return -1;
	}
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	/* grow geometrically, but never allocate far past max */
	cap = b->alloc < 64 ? 64 : b->alloc;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if (b->alloc) {
		b->buf = mg_xrealloc(b->buf, cap);
	} else {
		b->buf = mg_xmalloc(cap);
		b->buf[0] = '\0';
	}
	b->alloc = cap;
	return 0;
}

int mg_buf_add(struct mg_buf *b, const void *data, size_t n)
{
	if (mg_buf_grow(b, n))
		return -1;
	if (n)
		memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return 0;
}

int mg_buf_adds(struct mg_buf *b, const char *s)
{
	return mg_buf_add(b, s, strlen(s));
}

int mg_buf_addch(struct mg_buf *b, char c)
{
	return mg_buf_add(b, &c, 1);
}

int mg_buf_vaddf(struct mg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc ? b->alloc - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if (b->alloc && (size_t)n < b->alloc - b->len) {
		if ((size_t)n > b->max - b->len) {
			b->buf[b->len] = '\0';
			b->overflow = true;
			return -1;
		}
		b->len += (size_t)n;
		return 0;
	}
	if (mg_buf_grow(b, (size_t)n)) {
		if (b->alloc)
			b->buf[b->len] = '\0'; /* vsnprintf wrote a partial result */
		return -1;
	}
	vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int mg_buf_addf(struct mg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = mg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return ret;
}

int mg_buf_add_mapped(struct mg_buf *b, const char *s, const char *const map[256])
{
	const char *run = s;
	int ret = 0;

	for (; *s; s++) {
		const char *rep = map[(unsigned char)*s];

		if (!rep)
			continue;
		ret |= mg_buf_add(b, run, (size_t)(s - run));
		ret |= mg_buf_adds(b, rep);
		run = s + 1;
	}
	ret |= mg_buf_add(b, run, (size_t)(s - run));
	return ret ? -1 : 0;
}

void mg_buf_truncate(struct mg_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->buf[len] = '\0';
}

/* memmem() is a GNU extension; this is the portable few lines of it */
static const char *find_bytes(const char *hay, size_t hay_len, const char *needle,
                              size_t needle_len)
{
	const char *end = hay + hay_len;

	while ((size_t)(end - hay) >= needle_len) {
		const char *p = memchr(hay, needle[0], (size_t)(end - hay) - needle_len + 1);

		if (!p)
			return NULL;
		if (!memcmp(p, needle, needle_len))
			return p;
		hay = p + 1;
	}
	return NULL;
}

int mg_buf_replace(struct mg_buf *b, const char *needle, size_t needle_len, const char *with)
{
	struct mg_buf out = MG_BUF_INIT(b->max);
	size_t with_len = strlen(with), i = 0;
	int count = 0;

	if (!needle_len || b->len < needle_len)
		return 0;
	while (i < b->len) {
		const char *hit = find_bytes(b->buf + i, b->len - i, needle, needle_len);
		size_t upto = hit ? (size_t)(hit - b->buf) : b->len;

		mg_buf_add(&out, b->buf + i, upto - i);
		if (!hit)
			break;
		mg_buf_add(&out, with, with_len);
		i = upto + needle_len;
		count++;
	}
	if (mg_buf_overflowed(&out)) {
		mg_buf_release(&out);
		return -1;
	}
	if (count) {
		if (b->alloc)
			free(b->buf);
		b->buf = out.buf;
		b->len = out.len;
		b->alloc = out.alloc;
		if (!b->alloc)
			b->buf = mg_buf_empty;
	} else {
		mg_buf_release(&out);
	}
	return count;
}
