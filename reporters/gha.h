/*
 * GitHub Actions output: workflow commands on stdout (annotations, masks,
 * protected blocks of untrusted text) and the environment files
 * $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT. Facts: the reference's §3.
 *
 * Everything is built into a caller's mg_buf; the caller prints it with
 * mg_write_output() (secrets masked) — except mg_gha_add_masks(), whose
 * whole point is to print the secrets, see there.
 */
#ifndef MG_GHA_H
#define MG_GHA_H

#include "setup.h"
#include "buf.h"
#include "err.h"
#include "result.h"
#include "secrets.h"

/* The runner keeps this many annotations per level and step. */
#define MG_GHA_MAX_PER_LEVEL 10

/* GitHub's limit for one step summary. */
#define MG_GHA_SUMMARY_MAX ((size_t)1 << 20)

/* Message text: % CR LF escaped. */
void mg_gha_escape_data(struct mg_buf *out, const char *s);

/* Property values: as data, plus ':' and ','. */
void mg_gha_escape_prop(struct mg_buf *out, const char *s);

/*
 * "::add-mask::VALUE" for every registered secret. Print this buffer
 * before anything else and WITHOUT masking (mg_write_output with NULL
 * secrets): a masked mask registers nothing.
 */
void mg_gha_add_masks(struct mg_buf *out, const struct mg_secrets *secrets);

enum mg_gha_level {
	MG_GHA_ERROR = 0,
	MG_GHA_WARNING,
	MG_GHA_NOTICE,
};

/* One annotation line; `file`, `title` may be NULL, `line` 0 for none. */
void mg_gha_annotation(struct mg_buf *out, enum mg_gha_level level, const char *file, long line,
                       const char *title, const char *message, const struct mg_secrets *secrets);

/*
 * Annotations for the failed and errored checks of `r`: at most
 * MG_GHA_MAX_PER_LEVEL, then one notice counting the rest.
 */
void mg_gha_annotate(struct mg_buf *out, const struct mg_result *r,
                     const struct mg_secrets *secrets);

/*
 * Echo untrusted text to the log so it cannot run workflow commands:
 * "::stop-commands::TOKEN", the text (cleaned, "##[" neutralised), then
 * "::TOKEN::". TOKEN is random. MG_EXIT_INFRA when no randomness.
 */
int mg_gha_untrusted(struct mg_buf *out, const char *text, size_t len,
                     const struct mg_secrets *secrets, struct mg_err *err);

/*
 * One $GITHUB_OUTPUT entry: "name=value\n", or for values with a line
 * break "name<<ghadelimiter_RANDOM\nvalue\nghadelimiter_RANDOM\n".
 */
int mg_gha_output(struct mg_buf *out, const char *name, const char *value, struct mg_err *err);

/*
 * Append `content` to the file `path` ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY
 * are shared by every command of a step: appended, never replaced), with
 * secrets masked first. Failures: MG_EXIT_INFRA.
 */
int mg_gha_append(const char *path, struct mg_buf *content, const struct mg_secrets *secrets,
                  struct mg_err *err);

/* Bytes left in the step summary budget given the file's current size. */
size_t mg_gha_summary_budget(const char *path);

#endif
