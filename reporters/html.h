/*
 * The HTML promotion report: one self-contained page (inline CSS and SVG,
 * no script, no network) that answers "should this version replace
 * production?" for a reviewer: a verdict banner per gate and overall,
 * compare charts (chart.h), the metric history from the registry, smoke
 * cases and latency, compliance checks grouped with waivers and warnings,
 * the registry changes made or planned, and what a human must do when the
 * verdict is manual (exit 4).
 *
 * Input: the suites of a result (read from JUnit, converted from JSON
 * decisions, or a gate's own in memory) and the JSON decisions of the same
 * runs when there are any (they carry what JUnit does not: the compare
 * metrics as numbers, the registry changes). A suite and a decision of the
 * same run (gate, model, version, finished) are shown once.
 *
 * Every string from the evidence or the registry is untrusted: it is
 * cleaned (mg_result_clean: secrets masked, controls and bidirectional
 * controls made visible) and HTML-escaped. The page is deterministic: the
 * same input and `generated` give the same bytes.
 */
#ifndef MG_HTML_H
#define MG_HTML_H

#include "setup.h"
#include "buf.h"
#include "ctx.h"
#include "err.h"
#include "result.h"
#include "secrets.h"

#include <time.h>

/* --- history: a model's last versions and their runs' metrics ------------ */

struct mg_html_hversion {
	char *version;   /* "7" */
	char *stage;     /* "Production", "Archived", ...; "" for none */
	bool production; /* reached production (stage, champion alias or promote tag) */
	double *values;  /* by metric index; NaN (or past nvalues): none */
	size_t nvalues;
};

struct mg_html_history {
	char *model;
	struct mg_html_hversion *versions; /* oldest first */
	size_t nversions, versions_alloc;
	char **metrics; /* metric names, in first-seen order */
	size_t nmetrics, metrics_alloc;
};

void mg_html_history_init(struct mg_html_history *h, const char *model);
void mg_html_history_release(struct mg_html_history *h);
/* Append a version (strings copied); returns its index. */
size_t mg_html_history_add_version(struct mg_html_history *h, const char *version,
                                   const char *stage, bool production);
/* The index of metric `name`, added when new. */
size_t mg_html_history_metric(struct mg_html_history *h, const char *name);
void mg_html_history_set(struct mg_html_history *h, size_t version, size_t metric, double v);
double mg_html_history_get(const struct mg_html_history *h, size_t version, size_t metric);

/*
 * Load the last `last_n` versions of `model` (by version number) from the
 * registry at `uri` into `h` (initialised), oldest first, with their runs'
 * metrics. Registry errors as registry.h says.
 */
int mg_html_history_load(struct mg_ctx *ctx, const char *uri, const char *model, size_t last_n,
                         struct mg_html_history *h, struct mg_err *err);

/* --- the page -------------------------------------------------------------- */

struct mg_html_in {
	const struct mg_result *result;        /* every gate's suite, borrowed */
	const char *const *json;               /* JSON decisions, NUL-terminated; may be NULL */
	size_t njson;                          /* */
	const struct mg_html_history *history; /* NULL: no history section */
	const struct mg_secrets *secrets;      /* masked in every string; may be NULL */
	time_t generated;                      /* the generation time shown */
	const char *run_url;                   /* the CI run's link (mg_gate_run_url), or NULL */
};

/* Largest page mlgate-report html writes. */
#define MG_HTML_MAX ((size_t)64 << 20)

/*
 * Append the page to `out`. Fails only when `out` overflows (MG_EXIT_INFRA)
 * or a JSON decision does not parse (MG_EXIT_USAGE).
 */
int mg_html_render(const struct mg_html_in *in, struct mg_buf *out, struct mg_err *err);

/* --- evidence files (html_read.c) ----------------------------------------- */

/* What the evidence files of one promotion hold. */
struct mg_html_evidence {
	struct mg_result result; /* the suites, JUnit and converted JSON */
	char **json;             /* the JSON decisions' text, owned */
	size_t njson, json_alloc;
};

void mg_html_evidence_init(struct mg_html_evidence *ev);
void mg_html_evidence_release(struct mg_html_evidence *ev);

/*
 * Read one evidence file: a JSON decision of any gate (--json; starts with
 * '{') or JUnit (one gate's or merged). A JSON decision becomes a suite too.
 * At most `max_bytes` (0: MG_JUNIT_READ_MAX). Errors: MG_EXIT_USAGE naming
 * the file.
 */
int mg_html_read(const char *path, size_t max_bytes, struct mg_html_evidence *ev,
                 struct mg_err *err);
/* As mg_html_read, from memory; `name` is used in messages. */
int mg_html_read_mem(const char *name, const char *data, size_t len, struct mg_html_evidence *ev,
                     struct mg_err *err);

/* The generation time: SOURCE_DATE_EPOCH when set (MG_EXIT_USAGE when malformed), else now. */
int mg_html_generated(time_t *out, struct mg_err *err);

#endif
