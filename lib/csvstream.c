/*
 * Streaming CSV reader on libcsv. libcsv's push parser does the quoting
 * state machine; this module adds the bounds, the row/column bookkeeping
 * and the checks RFC 4180 plus UTF-8 need.
 */
#include "setup.h"
#include "csvstream.h"
#include "alloc.h"

#include <csv.h>
#include <inttypes.h>
#include <fcntl.h>
#include <unistd.h>

#define CHUNK ((size_t)256 * 1024)

struct reader {
	const char *name;
	size_t field_max, row_max;
	mg_csv_row_fn fn;
	void *arg;
	struct mg_err *err;
	char *row;     /* the current record's fields, each NUL-terminated */
	size_t rowlen; /* bytes used in `row` */
	size_t *offs, *lens;
	struct mg_csv_field *fields;
	size_t nfields;
	size_t header_n; /* 0 until the header is read */
	uint64_t rowno;  /* records completed */
	bool failed;
};

/* True when none of s[0..len) has the high bit set or is NUL: plain ASCII, the common case. */
static bool ascii_no_nul(const char *s, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		/* high bits, or a zero byte (the classic haszero trick) */
		if ((w & 0x8080808080808080ULL) ||
		    ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL))
			return false;
	}
	for (; i < len; i++)
		if ((unsigned char)s[i] >= 0x80 || !s[i])
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
			i++;
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

static int fail(struct reader *r, size_t col, const char *fmt, const char *detail)
{
	r->failed = true;
	return mg_err_set(r->err, MG_EXIT_USAGE, "'%s': row %" PRIu64 ", column %zu: %s%s", r->name,
	                  r->rowno + 1, col, fmt, detail ? detail : "");
}

static void on_field(void *data, size_t len, void *arg)
{
	struct reader *r = arg;
	const char *s = data ? data : "";
	char lim[64];

	if (r->failed)
		return;
	if (r->nfields >= MG_CSV_COLUMNS_MAX) {
		fail(r, r->nfields + 1, "more than 4096 fields", NULL);
		return;
	}
	if (len > r->field_max) {
		snprintf(lim, sizeof(lim), "%zu bytes", r->field_max);
		fail(r, r->nfields + 1, "field longer than ", lim);
		return;
	}
	if (ascii_no_nul(s, len)) {
		/* nothing to check */
	} else if (memchr(s, '\0', len)) {
		fail(r, r->nfields + 1, "NUL byte in field", NULL);
		return;
	} else if (!mg_csv_utf8_valid(s, len)) {
		fail(r, r->nfields + 1, "field is not valid UTF-8", NULL);
		return;
	}
	if (r->rowlen + len + 1 > r->row_max) {
		snprintf(lim, sizeof(lim), "%zu bytes", r->row_max);
		fail(r, r->nfields + 1, "record longer than ", lim);
		return;
	}
	memcpy(r->row + r->rowlen, s, len);
	r->row[r->rowlen + len] = '\0';
	r->offs[r->nfields] = r->rowlen;
	r->lens[r->nfields] = len;
	r->rowlen += len + 1;
	r->nfields++;
}

static void on_row(int c, void *arg)
{
	struct reader *r = arg;
	struct mg_csv_field *fields = r->fields;
	char msg[96];

	(void)c;
	if (r->failed)
		return;
	if (r->header_n == 0) {
		r->header_n = r->nfields;
	} else if (r->nfields != r->header_n) {
		snprintf(msg, sizeof(msg), "record has %zu fields, the header has %zu", r->nfields,
		         r->header_n);
		fail(r, r->nfields < r->header_n ? r->nfields + 1 : r->header_n + 1, msg, NULL);
		return;
	}
	for (size_t i = 0; i < r->nfields; i++) {
		fields[i].s = r->row + r->offs[i];
		fields[i].len = r->lens[i];
	}
	if (r->fn(r->arg, r->rowno + 1, fields, r->nfields, r->err))
		r->failed = true;
	r->rowno++;
	r->nfields = 0;
	r->rowlen = 0;
}

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

struct source {
	int fd;
	const char *mem;
	size_t memlen, mempos;
};

static int run(struct reader *r, struct source *src, uint64_t *rows_out)
{
	struct csv_parser p;
	char *chunk = NULL;
	bool first = true;
	int ret = -1;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI))
		return mg_err_set(r->err, MG_EXIT_INFRA, "cannot set up the CSV parser");
	csv_set_space_func(&p, no_space);
	r->row = mg_xmalloc(r->row_max + 1);
	r->offs = mg_xcalloc(MG_CSV_COLUMNS_MAX, sizeof(size_t));
	r->lens = mg_xcalloc(MG_CSV_COLUMNS_MAX, sizeof(size_t));
	r->fields = mg_xcalloc(MG_CSV_COLUMNS_MAX, sizeof(*r->fields));
	if (src->fd >= 0)
		chunk = mg_xmalloc(CHUNK);
	for (;;) {
		const char *data;
		size_t n, done;

		if (src->fd >= 0) {
			ssize_t got = read(src->fd, chunk, CHUNK);

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				mg_err_set(r->err, MG_EXIT_INFRA, "cannot read '%s': %s", r->name,
				           strerror(errno));
				goto done;
			}
			data = chunk;
			n = (size_t)got;
		} else {
			data = src->mem + src->mempos;
			n = src->memlen - src->mempos;
			if (n > CHUNK)
				n = CHUNK;
			src->mempos += n;
		}
		if (n == 0)
			break;
		if (first) {
			first = false;
			if (n >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
				data += 3;
				n -= 3;
			}
		}
		done = csv_parse(&p, data, n, on_field, on_row, r);
		if (r->failed)
			goto done;
		if (done != n) {
			fail(r, r->nfields + 1,
			     csv_error(&p) == CSV_EPARSE ? "malformed quoting (a stray '\"')"
			                                 : csv_strerror(csv_error(&p)),
			     NULL);
			goto done;
		}
		if (p.entry_pos > r->field_max) {
			char lim[64];

			snprintf(lim, sizeof(lim), "%zu bytes", r->field_max);
			fail(r, r->nfields + 1, "field longer than ", lim);
			goto done;
		}
	}
	if (csv_fini(&p, on_field, on_row, r)) {
		fail(r, r->nfields + 1, "unterminated quoted field at end of file", NULL);
		goto done;
	}
	if (r->failed)
		goto done;
	if (r->header_n == 0) {
		mg_err_set(r->err, MG_EXIT_USAGE, "'%s': no header row", r->name);
		goto done;
	}
	if (rows_out)
		*rows_out = r->rowno - 1;
	ret = 0;
done:
	csv_free(&p);
	free(chunk);
	free(r->row);
	free(r->offs);
	free(r->lens);
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
	if (r->row_max < r->field_max + 1)
		r->row_max = r->field_max + 1;
	r->fn = fn;
	r->arg = arg;
	r->err = err;
}

int mg_csv_read_file(const char *path, const struct mg_csv_limits *limits, mg_csv_row_fn fn,
                     void *arg, uint64_t *rows_out, struct mg_err *err)
{
	struct reader r;
	struct source src = {.fd = -1};
	int ret;

	reader_init(&r, path, limits, fn, arg, err);
	if (strcmp(path, "-") == 0) {
		src.fd = 0;
	} else {
		src.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (src.fd < 0)
			return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
			                   "cannot open '%s': %s", path, strerror(errno));
	}
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(src.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	ret = run(&r, &src, rows_out);
	if (src.fd > 0)
		close(src.fd);
	return ret;
}

int mg_csv_read_mem(const char *name, const char *data, size_t len,
                    const struct mg_csv_limits *limits, mg_csv_row_fn fn, void *arg,
                    uint64_t *rows_out, struct mg_err *err)
{
	struct reader r;
	struct source src = {.fd = -1, .mem = data, .memlen = len};

	reader_init(&r, name, limits, fn, arg, err);
	return run(&r, &src, rows_out);
}
