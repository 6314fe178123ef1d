/*
 * Azure Pipelines logging commands (##vso[...]) on stdout. Facts: the
 * reference's §4. The agent finds "##vso[" anywhere in a line, so every
 * piece of untrusted text is cleaned and has "##vso[" / "##[" defused
 * (mg_result_clean_log) as well as escaped.
 *
 * Everything is built into a caller's mg_buf, printed with
 * mg_write_output() — except mg_azure_set_secrets(), see there.
 */
#ifndef MG_AZURE_H
#define MG_AZURE_H

#include "setup.h"
#include "buf.h"
#include "result.h"
#include "secrets.h"

/* The agent keeps this many issues per type and step. */
#define MG_AZURE_MAX_PER_TYPE 10

/* Properties and data: '%' -> %AZP25 first, then ; CR LF ] as %3B %0D %0A %5D. */
void mg_azure_escape(struct mg_buf *out, const char *s);

/*
 * "##vso[task.setsecret]VALUE" for every registered secret. Print before
 * anything else and WITHOUT masking (mg_write_output with NULL secrets).
 */
void mg_azure_set_secrets(struct mg_buf *out, const struct mg_secrets *secrets);

/* ##vso[task.logissue type=error|warning;sourcepath=;linenumber=;code=]message */
void mg_azure_logissue(struct mg_buf *out, bool error, const char *file, long line,
                       const char *code, const char *message, const struct mg_secrets *secrets);

/* Issues for failed and errored checks: at most 10, then one warning counting the rest. */
void mg_azure_annotate(struct mg_buf *out, const struct mg_result *r,
                       const struct mg_secrets *secrets);

enum mg_azure_outcome {
	MG_AZURE_SUCCEEDED,
	MG_AZURE_WITH_ISSUES,
	MG_AZURE_FAILED,
};

/* ##vso[task.complete result=Succeeded|SucceededWithIssues|Failed;]message */
void mg_azure_complete(struct mg_buf *out, enum mg_azure_outcome outcome, const char *message);

/* ##vso[task.setvariable variable=NAME;isoutput=true]VALUE */
void mg_azure_set_output(struct mg_buf *out, const char *name, const char *value);

/* ##vso[task.uploadsummary]ABSOLUTE_PATH (`abs_path` must start with '/'). */
void mg_azure_upload_summary(struct mg_buf *out, const char *abs_path);

/* Untrusted text for the log: cleaned, "##vso[" and "##[" defused. */
void mg_azure_untrusted(struct mg_buf *out, const char *text, size_t len,
                        const struct mg_secrets *secrets);

#endif
