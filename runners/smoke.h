/*
 * mlgate-smoke's logic: a suite of smoke cases (command, data,
 * predict-batch, predict-http; see docs/smoke.md) read from the policy's
 * "smoke" section or from --suite FILE, run up to -j at a time under
 * per-case and whole-suite deadlines, and published as one JUnit suite
 * (a command's own JUnit file adds its test cases as children).
 */
#ifndef MG_SMOKE_H
#define MG_SMOKE_H
#include "setup.h"
#include "ctx.h"
#include "err.h"
#include "policy.h"

struct mg_smoke_opts {
	const char *suite;     /* --suite FILE */
	const char *policy;    /* --policy FILE (its "smoke" section) */
	const char *filter;    /* --filter GLOB on case names */
	const char *sample;    /* --sample FILE: {sample} when the suite names none */
	const char *model_uri; /* --model-uri URI: {model_uri} */
	const char *model;     /* --model NAME (evidence; {model_uri} models:/NAME/VERSION) */
	const char *version;   /* --version N */
	const char *out_dir;   /* --out-dir DIR: keep each case's {out} as DIR/NAME */
	const char *commit;    /* --commit SHA (evidence) */
	const char *junit, *json, *summary, *ci;
	long long jobs;      /* -j N; 0: 1 */
	long long timeout_s; /* --timeout: the whole suite; 0: the suite's own or none */
	bool list;           /* --list: print the selected case names, run nothing */
	bool quiet;
};

/* The schema of the "smoke" section (for the policy schema and docs). */
const struct mg_schema *mg_smoke_policy_schema(void);

/*
 * Run the suite. Returns MG_EXIT_PASS (every case passed), MG_EXIT_FAIL (a
 * case failed), MG_EXIT_INFRA (a case could not be run: an error, which
 * wins over failures), or MG_EXIT_USAGE with `err` set for a bad suite
 * or bad options (nothing ran).
 */
int mg_smoke_run(struct mg_ctx *ctx, const struct mg_smoke_opts *o, struct mg_err *err);

/*
 * Replace {sample}, {out}, {model_uri} and {suite_dir} in `in`, appending
 * to `out`. Other braces are kept as they are. A variable that has no
 * value (NULL) is MG_EXIT_USAGE naming `what`.
 */
struct mg_smoke_vars {
	const char *sample, *out, *model_uri, *suite_dir;
};
int mg_smoke_expand(const char *in, const struct mg_smoke_vars *v, const char *what,
                    struct mg_buf *out, struct mg_err *err);

/* Latency percentile (nearest rank, p in (0, 100]) of n samples; sorts `ms`. */
double mg_smoke_percentile(double *ms, size_t n, double p);
#endif
