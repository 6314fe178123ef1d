/*
 * Markdown summaries (GitHub-flavoured; also what Azure's
 * task.uploadsummary renders). A summary is built block by block within
 * a byte budget (GitHub: 1 MiB per step): a block that would pass it is
 * dropped, and mg_md_finish() says how much was left out, so a summary is
 * never cut in the middle of a table row.
 *
 * Gates add their own sections with the same calls:
 *
 *     mg_md_heading(&md, 3, "Candidate vs production");
 *     mg_md_table_head(&md, 3, (const char *[]){"metric", "candidate", "production"});
 *     mg_md_table_row(&md, 3, (const char *[]){"auc", "0.91", "0.89"});
 *
 * Text given to these functions is untrusted: it is cleaned
 * (mg_result_clean), and Markdown/HTML syntax in it is escaped.
 */
#ifndef MG_MARKDOWN_H
#define MG_MARKDOWN_H

#include "setup.h"
#include "buf.h"
#include "result.h"
#include "secrets.h"

struct mg_md {
	struct mg_buf buf;                /* the summary so far */
	size_t budget;                    /* largest size of the finished summary */
	size_t dropped;                   /* blocks left out for the budget */
	const struct mg_secrets *secrets; /* borrowed, may be NULL */
	struct mg_buf block;              /* private: block being built */
};

/* `budget` in bytes (at least 1024 is sensible). */
void mg_md_init(struct mg_md *md, size_t budget, const struct mg_secrets *secrets);
void mg_md_release(struct mg_md *md);

/* Inline text with Markdown and HTML syntax escaped, line breaks as <br>. */
void mg_md_escape(struct mg_buf *out, const char *s, size_t cap, const struct mg_secrets *secrets);

/* "#"*level + escaped text. */
void mg_md_heading(struct mg_md *md, int level, const char *text);

/* A paragraph of escaped text. */
void mg_md_para(struct mg_md *md, const char *text);

/* Trusted Markdown written by mlgate itself (never user text). */
void mg_md_raw(struct mg_md *md, const char *markdown);

void mg_md_table_head(struct mg_md *md, size_t ncols, const char *const *headers);
void mg_md_table_row(struct mg_md *md, size_t ncols, const char *const *cells);

/*
 * The standard summary of `r`: a verdict line, then per suite a heading
 * with its verdict, the evidence (model, version, commit) and a table of
 * checks (failed and errored first) with status and message.
 */
void mg_md_result(struct mg_md *md, const struct mg_result *r);

/* "3 checks: 2 passed, 0 failed, 1 error, 0 skipped", appended to `out`. */
void mg_md_counts(struct mg_buf *out, const struct mg_counts *c);

/* Add the note about dropped blocks, if any. The summary is md->buf. */
void mg_md_finish(struct mg_md *md);

/* "✅ passed", "❌ failed", ... */
const char *mg_md_status(enum mg_status status);

#endif
