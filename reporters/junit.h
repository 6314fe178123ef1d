/*
 * JUnit XML: a streaming writer (libxml2 xmlTextWriter) for the profile of
 * DESIGN §4 and a hardened reader (libxml2 xmlTextReader) for JUnit from
 * mlgate and other tools.
 *
 * Writer profile: <testsuites> > <testsuite>... > <testcase>...; counts on
 * every element computed from the children; `time` on every suite and
 * case as %.3f in the C locale; `timestamp` UTC without a zone; every
 * string cleaned by mg_result_clean() (secrets masked, valid UTF-8, no
 * XML-illegal characters, capped). Files are written to a temporary file
 * beside the target, fsync'ed and renamed (a reader sees the old file or
 * the new one), and streamed: memory does not grow with the number of
 * test cases. Valid against docs/junit.xsd, the profile in docs/reporters.md.
 *
 * Reader: no network, no DTD loading, no entity substitution, the input
 * size bounded (text nodes may pass 10 MB); the bytes pass through
 * xmlguard.h first (DOCTYPE refused before libxml2 sees it, tags bounded,
 * CDATA as text, encodings checked). Accepts <testsuites> or a
 * lone <testsuite> root (pytest, Surefire, Jest, Go tools), flattens nested
 * suites ("outer/inner"), takes the most severe of failure/error/skipped
 * per case. Errors are MG_EXIT_USAGE and name the file and line.
 */
#ifndef MG_JUNIT_H
#define MG_JUNIT_H

#include "setup.h"
#include "buf.h"
#include "err.h"
#include "fileio.h"
#include "result.h"
#include "secrets.h"

/* Largest JUnit file the reader accepts. */
#define MG_JUNIT_READ_MAX ((size_t)256 << 20)

/*
 * The property of a <testcase> that carries a passed check's message (a
 * failure, error or skip has its own message attribute).
 */
#define MG_JUNIT_MESSAGE_PROPERTY "mlgate.message"

/* --- whole results ---------------------------------------------------- */

/* Write `r` to `path` ("-" for stdout) atomically. Failures: MG_EXIT_INFRA. */
int mg_junit_write(const struct mg_result *r, const char *path, const struct mg_secrets *secrets,
                   struct mg_err *err);

/* Write `r` into `out` (bounded: MG_EXIT_INFRA when it passes out->max). */
int mg_junit_write_buf(const struct mg_result *r, struct mg_buf *out,
                       const struct mg_secrets *secrets, struct mg_err *err);

/*
 * Read the JUnit file `path` (at most `max_bytes`; 0 for MG_JUNIT_READ_MAX)
 * and append its suites to `r`.
 */
int mg_junit_read(const char *path, size_t max_bytes, struct mg_result *r, struct mg_err *err);

/* As mg_junit_read(), from memory; `name` is used in messages. */
int mg_junit_read_mem(const char *name, const char *data, size_t len, struct mg_result *r,
                      struct mg_err *err);

/* --- streaming writer --------------------------------------------------- */

/*
 * For output too large to hold as a model: open, begin with the totals
 * (counts go on the opening tags, so they must be known first), then
 * per suite: suite_begin, any number of mg_junit_case, suite_end; finally
 * finish (commits the file) or release alone (abandons it, removing the
 * temporary file). A write error is remembered and reported by finish.
 */
struct mg_junit_writer {
	void *xw;                         /* private: xmlTextWriterPtr */
	const struct mg_secrets *secrets; /* borrowed, may be NULL */
	struct mg_buf *mem;               /* memory sink, or NULL */
	struct mg_atomic_file file;       /* file sink (when to_file) */
	bool to_file, io_failed;
	struct mg_err io_err; /* the first write error, reported by finish */
	const char *path;     /* borrowed target path */
	struct mg_buf text;   /* scratch for cleaned strings */
	char hostname[256];
};

int mg_junit_open(struct mg_junit_writer *w, const char *path, const struct mg_secrets *secrets,
                  struct mg_err *err);
int mg_junit_open_buf(struct mg_junit_writer *w, struct mg_buf *out,
                      const struct mg_secrets *secrets, struct mg_err *err);

/* <testsuites>: `totals` over everything that will follow. */
int mg_junit_begin(struct mg_junit_writer *w, const char *name, const struct mg_counts *totals,
                   const time_t *timestamp, struct mg_err *err);

/*
 * <testsuite> with `s`'s attributes and properties; `counts` are the
 * counts of the cases that will follow (mg_suite_counts() when they are
 * the suite's own checks). s->checks are not written.
 */
int mg_junit_suite_begin(struct mg_junit_writer *w, const struct mg_suite *s,
                         const struct mg_counts *counts, struct mg_err *err);
int mg_junit_case(struct mg_junit_writer *w, const struct mg_suite *s, const struct mg_check *c,
                  struct mg_err *err);
/* Suite-level system-out/err of `s`, then </testsuite>. */
int mg_junit_suite_end(struct mg_junit_writer *w, const struct mg_suite *s, struct mg_err *err);

/* Close the document and commit it (rename into place). */
int mg_junit_finish(struct mg_junit_writer *w, struct mg_err *err);

/* Free everything; an uncommitted file is removed. */
void mg_junit_release(struct mg_junit_writer *w);

#endif
