/*
 * Streaming CSV reader, hand-written. libcsv, which this replaced, runs a
 * state machine per byte that copies every byte into its own field buffer
 * (which the wrapper then copied again into a row); splitting the fields in
 * place in one large reused buffer is about four times faster (numbers in the
 * README). Its behaviour is kept: the same records, bounds and messages.
 *
 * The input goes into one buffer, read_size bytes at a time (with a
 * sentinel NUL after the data, so the scanning loops need no bounds
 * check). A record is parsed in place: an unquoted field's delimiter is
 * overwritten by its terminating NUL; a quoted field is unescaped towards
 * its start ("" becomes ", so it only shrinks) and NUL-terminated where its
 * closing quote was. The fields then point into the buffer.
 *
 * A record cut by the end of the buffer is resumed after the next read:
 * the parse state (where the record, the current field and the scan are)
 * is kept as offsets, the unfinished record is moved to the start of the
 * buffer, and the buffer grows only when that record fills it. That is
 * bounded: every finished field is checked against field_max and the
 * record against row_max, and the unfinished field against field_max
 * after every read, so the raw bytes of a record (at most two per content
 * byte with "" escapes, plus quotes and delimiters) stay under raw_max().
 */
#include "setup.h"
#include "csvstream.h"
#include "text.h"
#include "alloc.h"

#include <inttypes.h>
#include <fcntl.h>
#include <unistd.h>

/* The per-field step must be inlined in the scanning loops; the error paths must not. */
#if defined(__GNUC__) || defined(__clang__)
#define HOT_INLINE inline __attribute__((always_inline))
#define COLD       __attribute__((noinline, cold))
#else
#define HOT_INLINE inline
#define COLD
#endif

/* Byte classes of the scanning loops; 0 is a plain data byte. */
enum {
	C_DATA = 0,
	C_COMMA,
	C_QUOTE,
	C_EOL,  /* CR or LF */
	C_NUL,  /* a NUL in the data, or the sentinel after it */
	C_HIGH, /* >= 0x80: part of a multibyte sequence, to validate as UTF-8 */
};

#define H2   C_HIGH, C_HIGH
#define H8   H2, H2, H2, H2
#define H32  H8, H8, H8, H8
#define H128 H32, H32, H32, H32 /* 0x80..0xff */

/* Outside quotes: every class matters. */
static const unsigned char cls_plain[256] = {
        [0] = C_NUL,     ['\n'] = C_EOL,  ['\r'] = C_EOL,
        ['"'] = C_QUOTE, [','] = C_COMMA, [0x80] = H128,
};

/* Inside quotes: commas and line breaks are data. */
static const unsigned char cls_quoted[256] = {
        [0] = C_NUL,
        ['"'] = C_QUOTE,
        [0x80] = H128,
};

/*
 * The first byte at or after p whose class is not C_DATA: a table lookup a
 * byte (the sentinel stops it). Sample-data fields are short (6 bytes on
 * average in bench/smoke_gen.py); measured, 8-bytes-at-a-time tests for the
 * five special bytes were no faster on them.
 */
static HOT_INLINE unsigned char *skip_plain(unsigned char *p)
{
	while (!cls_plain[*p])
		p++;
	return p;
}

/* Flags of the field being scanned. */
#define F_NUL  1u /* holds a NUL byte */
#define F_HIGH 2u /* holds a byte >= 0x80 */

/* Where a parse stopped for want of input. */
enum state {
	S_ROW,    /* between records (blank lines are skipped here) */
	S_FIELD,  /* at the start of a field after a comma */
	S_PLAIN,  /* inside an unquoted field */
	S_QUOTED, /* inside a quoted field (the scan may stop on its closing quote) */
};

struct reader {
	const char *name;
	size_t field_max, row_max, read_size;
	mg_csv_row_fn fn;
	void *arg;
	struct mg_err *err;
	/* input */
	int fd;
	const char *mem;
	size_t memlen, mempos;
	bool eof;
	char *buf;       /* cap + 1 bytes: data in [0, len), then a NUL sentinel */
	size_t cap, len; /* allocated (without the sentinel), used */
	/* the record being parsed; offsets into buf */
	size_t pos;      /* where the scan goes on */
	size_t rec;      /* first byte of the record */
	enum state st;   /* at pos */
	size_t fs, w;    /* current field: content start, write offset (quoted) */
	unsigned flags;  /* current field: F_* */
	size_t *offs;    /* finished fields of the record: start offsets */
	size_t nf;       /* finished fields */
	size_t rowbytes; /* sum of their lengths + 1 */
	struct mg_csv_field *fields;
	size_t header_n; /* 0 until the header is read */
	uint64_t rowno;  /* records completed */
};

/* True when none of s[0..len) has the high bit set: plain ASCII, the common case. */
static bool ascii_only(const unsigned char *s, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			return false;
	}
	for (; i < len; i++)
		if (s[i] >= 0x80)
			return false;
	return true;
}

bool mg_csv_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			/* ASCII runs 8 bytes at a time */
			size_t run = i + 1;

			while (run + 8 <= len && ascii_only(s + run, 8))
				run += 8;
			i = run;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static COLD int fail(struct reader *r, size_t col, const char *what, size_t bound)
{
	if (bound)
		return mg_err_set(r->err, MG_EXIT_USAGE,
		                  "'%s': row %" PRIu64 ", column %zu: %s%zu bytes", r->name,
		                  r->rowno + 1, col, what, bound);
	return mg_err_set(r->err, MG_EXIT_USAGE, "'%s': row %" PRIu64 ", column %zu: %s", r->name,
	                  r->rowno + 1, col, what);
}

static COLD int field_check(struct reader *r, size_t off, size_t len, unsigned flags);

/* The field at offset `off`, `len` bytes, is finished (its NUL is written). */
static HOT_INLINE int field_done(struct reader *r, size_t off, size_t len, unsigned flags)
{
	/* the common case inline; anything to report in field_check */
	if (flags || r->nf >= MG_CSV_COLUMNS_MAX || len > r->field_max ||
	    r->rowbytes + len + 1 > r->row_max) {
		if (field_check(r, off, len, flags))
			return -1;
	}
	r->offs[r->nf] = off;
	r->fields[r->nf].len = len;
	r->rowbytes += len + 1;
	r->nf++;
	return 0;
}

/* The bounds, NUL and UTF-8 checks of a field, in the order they are reported. */
static COLD int field_check(struct reader *r, size_t off, size_t len, unsigned flags)
{
	if (r->nf >= MG_CSV_COLUMNS_MAX)
		return fail(r, r->nf + 1, "more than 4096 fields", 0);
	if (len > r->field_max)
		return fail(r, r->nf + 1, "field longer than ", r->field_max);
	if (flags) {
		if (flags & F_NUL)
			return fail(r, r->nf + 1, "NUL byte in field", 0);
		if (!mg_csv_utf8_valid(r->buf + off, len))
			return fail(r, r->nf + 1, "field is not valid UTF-8", 0);
	}
	if (r->rowbytes + len + 1 > r->row_max)
		return fail(r, r->nf + 1, "record longer than ", r->row_max);
	return 0;
}

static int record_done(struct reader *r)
{
	size_t n = r->nf;

	if (r->header_n == 0) {
		r->header_n = n;
	} else if (n != r->header_n) {
		char msg[96];

		snprintf(msg, sizeof(msg), "record has %zu %s, the header has %zu", n,
		         mg_plural(n, "field", "fields"), r->header_n);
		return fail(r, n < r->header_n ? n + 1 : r->header_n + 1, msg, 0);
	}
	for (size_t i = 0; i < n; i++)
		r->fields[i].s = r->buf + r->offs[i];
	if (r->fn(r->arg, r->rowno + 1, r->fields, n, r->err))
		return -1;
	r->rowno++;
	r->nf = 0;
	r->rowbytes = 0;
	return 0;
}

/*
 * Parse the records in buf[pos, len). Returns 0 when it ran out of input
 * (the state to resume from is saved), -1 on an error.
 */
static int parse(struct reader *r)
{
	unsigned char *const b = (unsigned char *)r->buf;
	const unsigned char *const end = b + r->len;
	unsigned char *p = b + r->pos;
	unsigned char *fs, *w, *q;
	unsigned flags = r->flags;
	unsigned char c;

	switch (r->st) {
	case S_ROW:
		goto row;
	case S_FIELD:
		goto field;
	case S_PLAIN:
		fs = b + r->fs;
		goto plain;
	case S_QUOTED:
		fs = b + r->fs;
		w = b + r->w;
		goto quoted;
	}
	return -1;

row:
	/* blank lines are not records */
	while (*p == '\r' || *p == '\n')
		p++;
	r->rec = (size_t)(p - b);
	if (p == end) {
		r->st = S_ROW;
		goto more;
	}
field:
	flags = 0;
	if (*p == '"') {
		fs = w = ++p;
		goto quoted;
	}
	fs = p;
plain:
	for (;;) {
		p = skip_plain(p);
		switch (cls_plain[*p]) {
		case C_COMMA:
			*p = '\0';
			if (field_done(r, (size_t)(fs - b), (size_t)(p - fs), flags))
				return -1;
			p++;
			goto field;
		case C_EOL:
			*p = '\0';
			if (field_done(r, (size_t)(fs - b), (size_t)(p - fs), flags) ||
			    record_done(r))
				return -1;
			p++;
			goto row;
		case C_QUOTE:
			return fail(r, r->nf + 1, "malformed quoting (a stray '\"')", 0);
		case C_NUL:
			if (p == end) {
				/* at a field's first byte a quote may still come */
				r->st = p == fs ? S_FIELD : S_PLAIN;
				r->fs = (size_t)(fs - b);
				goto more;
			}
			flags |= F_NUL;
			p++;
			break;
		default: /* C_HIGH */
			flags |= F_HIGH;
			p++;
			break;
		}
	}
quoted:
	q = p; /* bytes from q on are still to be moved down to w */
	for (;;) {
		while (!(c = cls_quoted[*p]))
			p++;
		if (c == C_HIGH) {
			flags |= F_HIGH;
			p++;
			continue;
		}
		if (c == C_NUL && p != end) {
			flags |= F_NUL;
			p++;
			continue;
		}
		/* a quote, or the end of the input: move what was scanned down */
		if (w != q)
			memmove(w, q, (size_t)(p - q));
		w += p - q;
		if (c == C_NUL || p + 1 == end) {
			/* resume here: at the end, or on a quote whose next byte is not read yet */
			r->st = S_QUOTED;
			r->fs = (size_t)(fs - b);
			r->w = (size_t)(w - b);
			goto more;
		}
		if (p[1] == '"') { /* "" is one quote */
			*w++ = '"';
			p += 2;
			q = p;
			continue;
		}
		/* the closing quote: a delimiter or a line break must follow */
		c = cls_plain[p[1]];
		if (c != C_COMMA && c != C_EOL)
			return fail(r, r->nf + 1, "malformed quoting (a stray '\"')", 0);
		*w = '\0';
		if (field_done(r, (size_t)(fs - b), (size_t)(w - fs), flags))
			return -1;
		p += 2;
		if (c == C_COMMA)
			goto field;
		if (record_done(r))
			return -1;
		goto row;
	}
more:
	r->pos = (size_t)(p - b);
	r->flags = flags;
	return 0;
}

/* Largest buffer a record may need (see the top of the file). */
static size_t raw_max(const struct reader *r)
{
	return 2 * r->row_max + 2 * r->field_max + 4 * MG_CSV_COLUMNS_MAX + r->read_size + 64;
}

/* Add up to read_size bytes of input after buf[len); sets r->eof at the end. */
static int refill(struct reader *r)
{
	size_t want, got = 0;

	/* the finished records are done with: move the unfinished one down */
	if (r->rec > 0) {
		size_t d = r->rec;

		memmove(r->buf, r->buf + d, r->len - d);
		r->len -= d;
		r->pos -= d;
		r->fs = r->fs >= d ? r->fs - d : 0;
		r->w = r->w >= d ? r->w - d : 0;
		for (size_t i = 0; i < r->nf; i++)
			r->offs[i] -= d;
		r->rec = 0;
	}
	if (r->len == r->cap) {
		size_t ncap = r->cap * 2;

		if (ncap > raw_max(r))
			ncap = raw_max(r);
		if (ncap <= r->cap)
			return fail(r, r->nf + 1, "record longer than ", r->row_max);
		r->buf = mg_xrealloc(r->buf, ncap + 1);
		r->cap = ncap;
	}
	want = r->cap - r->len;
	if (want > r->read_size)
		want = r->read_size;
	while (got < want) {
		if (r->fd >= 0) {
			ssize_t n = read(r->fd, r->buf + r->len + got, want - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return mg_err_set(r->err, MG_EXIT_INFRA, "cannot read '%s': %s",
				                  r->name, strerror(errno));
			if (n == 0) {
				r->eof = true;
				break;
			}
			got += (size_t)n;
		} else {
			size_t n = r->memlen - r->mempos;

			if (n == 0) {
				r->eof = true;
				break;
			}
			if (n > want - got)
				n = want - got;
			memcpy(r->buf + r->len + got, r->mem + r->mempos, n);
			r->mempos += n;
			got += n;
		}
	}
	r->len += got;
	r->buf[r->len] = '\0';
	return 0;
}

/* The input ended where parse() stopped: finish the last record. */
static int finish(struct reader *r)
{
	size_t len;

	switch (r->st) {
	case S_ROW:
		return 0;
	case S_FIELD: /* "a," at the end: an empty last field */
		r->fs = r->pos;
		/* fall through */
	case S_PLAIN:
		len = r->pos - r->fs;
		if (field_done(r, r->fs, len, r->flags))
			return -1;
		return record_done(r);
	case S_QUOTED:
		if (r->pos < r->len && r->buf[r->pos] == '"') {
			/* the closing quote was the last byte */
			r->buf[r->w] = '\0';
			if (field_done(r, r->fs, r->w - r->fs, r->flags))
				return -1;
			return record_done(r);
		}
		return fail(r, r->nf + 1, "unterminated quoted field at end of file", 0);
	}
	return -1;
}

static int run(struct reader *r, uint64_t *rows_out)
{
	int ret = -1;

	r->cap = r->read_size;
	r->buf = mg_xmalloc(r->cap + 1);
	r->buf[0] = '\0';
	r->offs = mg_xcalloc(MG_CSV_COLUMNS_MAX, sizeof(*r->offs));
	r->fields = mg_xcalloc(MG_CSV_COLUMNS_MAX, sizeof(*r->fields));
	/* a byte order mark may come in pieces: read until it can be seen */
	while (r->len < 3 && !r->eof)
		if (refill(r))
			goto done;
	if (r->len >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0)
		r->pos = r->rec = 3;
	for (;;) {
		if (parse(r))
			goto done;
		/* the unfinished field must stay within its bound while more is read */
		if (r->st == S_PLAIN || r->st == S_QUOTED) {
			size_t flen = (r->st == S_PLAIN ? r->pos : r->w) - r->fs;

			if (flen > r->field_max) {
				fail(r, r->nf + 1, "field longer than ", r->field_max);
				goto done;
			}
		}
		if (r->eof)
			break;
		if (refill(r))
			goto done;
	}
	if (finish(r))
		goto done;
	if (r->header_n == 0) {
		mg_err_set(r->err, MG_EXIT_USAGE, "'%s': no header row", r->name);
		goto done;
	}
	if (rows_out)
		*rows_out = r->rowno - 1;
	ret = 0;
done:
	free(r->buf);
	free(r->offs);
	free(r->fields);
	return ret;
}

static void reader_init(struct reader *r, const char *name, const struct mg_csv_limits *lim,
                        mg_csv_row_fn fn, void *arg, struct mg_err *err)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->field_max = lim && lim->field_max ? lim->field_max : MG_CSV_FIELD_MAX;
	r->row_max = lim && lim->row_max ? lim->row_max : MG_CSV_ROW_MAX;
	r->read_size = lim && lim->read_size ? lim->read_size : MG_CSV_READ_SIZE;
	if (r->row_max < r->field_max + 1)
		r->row_max = r->field_max + 1;
	r->fn = fn;
	r->arg = arg;
	r->err = err;
	r->fd = -1;
	r->st = S_ROW;
}

int mg_csv_read_file(const char *path, const struct mg_csv_limits *limits, mg_csv_row_fn fn,
                     void *arg, uint64_t *rows_out, struct mg_err *err)
{
	struct reader r;
	int ret;

	reader_init(&r, path, limits, fn, arg, err);
	if (strcmp(path, "-") == 0) {
		r.fd = 0;
	} else {
		r.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r.fd < 0)
			return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
			                   "cannot open '%s': %s", path, strerror(errno));
	}
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(r.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	ret = run(&r, rows_out);
	if (r.fd > 0)
		close(r.fd);
	return ret;
}

int mg_csv_read_mem(const char *name, const char *data, size_t len,
                    const struct mg_csv_limits *limits, mg_csv_row_fn fn, void *arg,
                    uint64_t *rows_out, struct mg_err *err)
{
	struct reader r;

	reader_init(&r, name, limits, fn, arg, err);
	r.mem = data;
	r.memlen = len;
	return run(&r, rows_out);
}
