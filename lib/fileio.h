/*
 * Files. Inputs are read whole into a bounded buffer; regular output files
 * are written atomically (a temp file in the same directory, fsync, rename,
 * fsync of the directory), so a reader sees the old file or the new one,
 * never half of one, and a failed run leaves no partial output behind;
 * devices, FIFOs and descriptors are written through.
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

/*
 * Where output goes (every output path of every executable):
 *
 *   "-", /dev/stdout          standard output, and
 *   /dev/stderr, /dev/fd/N,   descriptor N: written to the open descriptor
 *   /proc/self/fd/N           itself (its offset shared with the caller)
 *   a character device or     opened for writing and written through: never
 *   a FIFO (after links)      replaced, never created (a FIFO blocks until a
 *                             reader opens it)
 *   anything else             a regular file, written atomically: a temp file
 *                             in its directory, fsync, rename, fsync of the
 *                             directory; a symbolic link is followed and its
 *                             target replaced (or created), the link kept; a
 *                             new file gets mode 0666 & ~umask, a replaced one
 *                             keeps its permission bits
 */

/* Write `len` bytes to `path` as above. */
int mg_file_write_atomic(const char *path, const void *data, size_t len, struct mg_err *err);

/*
 * The same, streamed, for output too large to hold in memory: open, write
 * any number of times, then commit (fsync, rename over the file, fsync the
 * directory; for a descriptor or device: nothing more, or close) or abort
 * (the temporary file is removed; the target untouched). mg_atomic_abort()
 * after a commit, or twice, does nothing, so it belongs on every cleanup
 * path. mg_atomic_init() makes a file that was never opened safe to abort.
 */
struct mg_atomic_file {
	int fd;             /* where the bytes go; -1 once closed */
	const char *path;   /* the target as given, borrowed (for messages) */
	bool own_fd;        /* private: fd was opened here (closed by commit or abort) */
	struct mg_buf dest; /* private: the regular file replaced, "" when written through */
	struct mg_buf tmp;  /* private: the temporary file's name, "" when none */
};

void mg_atomic_init(struct mg_atomic_file *f);
int mg_atomic_open(struct mg_atomic_file *f, const char *path, struct mg_err *err);
int mg_atomic_write(struct mg_atomic_file *f, const void *data, size_t len, struct mg_err *err);
int mg_atomic_commit(struct mg_atomic_file *f, struct mg_err *err);
void mg_atomic_abort(struct mg_atomic_file *f);

/*
 * Is `path` written as a regular file (replaced atomically, as opposed to
 * written through a descriptor, device or FIFO)? A path that cannot be
 * resolved counts as one.
 */
bool mg_output_is_file(const char *path);

/* One output option of a command, for mg_outputs_check(). */
struct mg_output {
	const char *option; /* "--junit" */
	const char *path;   /* its value; NULL when the option was not given */
	bool append;        /* appended to in place (not replaced): "-" is a file name */
};

/*
 * Check outputs before anything is read or written, so a run never does
 * its work (or changes a registry) and then fails to say what it did. Each
 * path must be standard output, an open writable descriptor, a writable
 * character device or FIFO, an existing writable regular file in a
 * writable directory (an appended file: in any directory), or a new name
 * in an existing writable directory; symbolic links are followed. No two
 * outputs may go to the same place (standard output included). Otherwise
 * MG_EXIT_USAGE naming the option and the path. NULL paths are skipped.
 */
int mg_outputs_check(const struct mg_output *outs, size_t n, struct mg_err *err);

/*
 * Would writing output `out` replace input `in`? True when both name one
 * existing regular file (symbolic links followed); "-" and NULL never do.
 */
bool mg_output_replaces_input(const char *out, const char *in);

/*
 * No output may replace one of the command's inputs (`ins`: the input's option
 * and path, NULL paths skipped): MG_EXIT_USAGE "--junit 'ref.csv' would replace
 * the --reference file 'ref.csv': give it another name" otherwise.
 */
int mg_outputs_spare_inputs(const struct mg_output *outs, size_t nout, const struct mg_output *ins,
                            size_t nin, struct mg_err *err);

/*
 * The one way results leave mlgate: mask registered secrets in `content`
 * (in place), then write it to `path` as mg_file_write_atomic() does (to
 * stdout when `path` is "-"). Failures are MG_EXIT_INFRA.
 */
int mg_write_output(const struct mg_secrets *secrets, const char *path, struct mg_buf *content,
                    struct mg_err *err);

#endif
