/*
 * The compare gate's state, shared by its two files (private to checks/):
 * compare.c reads the policy and the registry and judges; compare_out.c
 * writes what the run found (--results, --log-experiment, JSON, Markdown).
 */
#ifndef MLGATE_COMPARE_RUN_H
#define MLGATE_COMPARE_RUN_H

#include "compare.h"
#include "gate.h"
#include "markdown.h"

#include <cjson/cJSON.h>

struct side {
	struct mg_model_version mv;
	struct mg_run run;
	bool have_mv, have_run;
	bool have_metrics;        /* run.metrics holds the side's metrics (run or model metrics) */
	const char *model_id;     /* model_metrics: the version's LoggedModel (borrowed), or NULL */
	struct mg_kvlist from;    /* model_metrics: metric -> the run that logged the value */
	struct mg_kvlist unclear; /* model_metrics: metric -> why no single value was chosen */
	char selector[256];       /* "version 3", "alias champion", "stage Production" */
	char no_run[512];         /* why there are no metrics, "" when there are */
	char absent[300]; /* baseline: "alias champion is not set", "no version is in stage X" */
};

struct metric {
	struct mg_compare_rule r;
	char *id;
	bool have_c, have_b;
	double c, b;
	double d; /* candidate - production as written (mg_compare_delta), when have_delta */
	enum mg_status st;
};

struct compare {
	struct mg_ctx *ctx;
	const struct mg_compare_opts *o;
	const cJSON *pol;
	struct mg_registry *reg;
	const char *source;  /* metric_source: "run" or "model_metrics" */
	const char *dataset; /* model_metrics_dataset, or NULL */
	struct side cand, base;
	bool first;             /* no production model */
	const char *first_mode; /* block, thresholds_only, manual */
	bool evaluated;         /* the metrics were judged (the run did not stop before) */
	uint64_t t0;            /* when the gate started: the first metric's time runs from it */
	struct metric *m;
	size_t nm;
	struct mg_suite *suite;
	char *exp_run_id; /* the run --log-experiment made */
	char commit[128];
	struct mg_compare_sample *smp; /* compare.sample or --sample: the numbers come from it */
};

/* A delta was computed: not a first deployment, both values there and finite. */
bool cmp_have_delta(const struct compare *c, const struct metric *m);
/* The side's run id, "" when it has none. */
const char *cmp_side_run(const struct side *s);
/* --results: one row per metric appended to the file (CSV or JSON Lines). */
int cmp_write_results(struct compare *c, const char *verdict, const char *finished,
                      struct mg_err *err);
/* --log-experiment: a run in the comparison experiment, one of the gate's writes. */
int cmp_log_experiment(struct compare *c, const char *verdict, struct mg_writes *writes,
                       struct mg_err *err);
/* The gate's JSON member and Markdown summary (mg_gate_hooks .json and .md). */
void cmp_json_extra(void *arg, cJSON *doc);
void cmp_md_summary(struct mg_md *md, const void *arg);

#endif
