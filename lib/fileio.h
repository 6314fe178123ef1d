/*
 * Files. Inputs are read whole into a bounded buffer; outputs are written
 * atomically (a temp file in the same directory, fsync, rename, fsync of
 * the directory), so a reader sees the old file or the new one, never half
 * of one, and a failed run leaves no partial output behind.
 */
#ifndef MG_FILEIO_H
#define MG_FILEIO_H

#include "setup.h"
#include "buf.h"
#include "err.h"
#include "secrets.h"

/*
 * Append the content of `path` to `out`. A missing or unreadable file is
 * MG_EXIT_USAGE (it is the user's input); a file larger than out->max is
 * MG_EXIT_USAGE with reason MG_REASON_TOO_LARGE; a read error is
 * MG_EXIT_INFRA.
 */
int mg_file_read(const char *path, struct mg_buf *out, struct mg_err *err);

/* Write `len` bytes to `path` atomically (mode 0666 & ~umask). */
int mg_file_write_atomic(const char *path, const void *data, size_t len, struct mg_err *err);

/*
 * The same, streamed, for output too large to hold in memory: open, write
 * any number of times, then commit (fsync, rename over `path`, fsync the
 * directory) or abort (the temporary file is removed; `path` untouched).
 * mg_atomic_abort() after a commit, or twice, does nothing, so it belongs
 * on every cleanup path. `path` "-" streams to stdout instead.
 */
struct mg_atomic_file {
	int fd;            /* where the bytes go; -1 once closed */
	const char *path;  /* the target, borrowed */
	struct mg_buf tmp; /* private: the temporary file's name, "" when none */
};

int mg_atomic_open(struct mg_atomic_file *f, const char *path, struct mg_err *err);
int mg_atomic_write(struct mg_atomic_file *f, const void *data, size_t len, struct mg_err *err);
int mg_atomic_commit(struct mg_atomic_file *f, struct mg_err *err);
void mg_atomic_abort(struct mg_atomic_file *f);

/*
 * The one way results leave mlgate: mask registered secrets in `content`
 * (in place), then write it atomically to `path`, or to stdout when `path`
 * is "-". Failures are MG_EXIT_INFRA.
 */
int mg_write_output(const struct mg_secrets *secrets, const char *path, struct mg_buf *content,
                    struct mg_err *err);

#endif
