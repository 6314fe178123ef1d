/*
 * Streaming CSV (RFC 4180: comma, double quotes, CRLF or LF, header row,
 * UTF-8), hand-written (see the README for why not libcsv). One pass over
 * the input, memory bounded by the largest field and row allowed, whatever
 * the size of the file: every record is handed to a callback and forgotten.
 * The input is read into one reused buffer (MG_CSV_READ_SIZE) and fields are
 * split in place, without a copy or an allocation per field or record.
 *
 * As in libcsv, which this reader replaced: a record ends at an unquoted CR,
 * LF or CRLF, and empty lines are skipped (they are not records).
 *
 * Hostile input is an error naming the row and column (rows count from 1,
 * the header is row 1; columns from 1): unterminated or stray quotes, NUL
 * bytes, invalid UTF-8, a field or row over its bound, a record whose
 * field count differs from the header's. A UTF-8 byte order mark at the
 * start is skipped. All of these are MG_EXIT_USAGE (the user's input);
 * a read error is MG_EXIT_INFRA.
 */
#ifndef MG_CSVSTREAM_H
#define MG_CSVSTREAM_H
#include "setup.h"
#include "err.h"

#define MG_CSV_FIELD_MAX   ((size_t)64 * 1024)   /* default bound of one field, bytes */
#define MG_CSV_ROW_MAX     ((size_t)1024 * 1024) /* default bound of one record, bytes */
#define MG_CSV_COLUMNS_MAX 4096                  /* most fields in a record */
#define MG_CSV_READ_SIZE   ((size_t)1024 * 1024) /* default bytes read at a time */

struct mg_csv_field {
	const char *s; /* NUL-terminated, valid UTF-8, no NUL inside; borrowed */
	size_t len;
};

/*
 * Called once per record (the header too, with row == 1). The fields are
 * valid during the call only. Return 0 to go on, -1 (with `err` set) to
 * stop the pass.
 */
typedef int (*mg_csv_row_fn)(void *arg, uint64_t row, const struct mg_csv_field *fields, size_t n,
                             struct mg_err *err);

struct mg_csv_limits {
	size_t field_max; /* 0: MG_CSV_FIELD_MAX */
	size_t row_max;   /* 0: MG_CSV_ROW_MAX */
	size_t read_size; /* 0: MG_CSV_READ_SIZE; tests use a few bytes to split input anywhere */
};

/*
 * Read `path` ("-" for stdin) and call `fn` for every record. `limits` may
 * be NULL. `what` prefixes messages (usually the path). *rows_out, when not
 * NULL, receives the number of records after the header.
 */
int mg_csv_read_file(const char *path, const struct mg_csv_limits *limits, mg_csv_row_fn fn,
                     void *arg, uint64_t *rows_out, struct mg_err *err);

/* The same over `len` bytes in memory; `name` is used in messages. */
int mg_csv_read_mem(const char *name, const char *data, size_t len,
                    const struct mg_csv_limits *limits, mg_csv_row_fn fn, void *arg,
                    uint64_t *rows_out, struct mg_err *err);

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
bool mg_csv_utf8_valid(const char *s, size_t len);
#endif
