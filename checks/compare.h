/*
 * mlgate-compare: the candidate version (Staging / challenger) against the
 * production version it would replace (Production / champion), metric by
 * metric, as the policy's "compare" section says (docs/policy.md, "compare").
 *
 * threshold, min_absolute_change and min_relative_change mean exactly what
 * they mean in MLflow's MetricThreshold (mlflow/models/evaluation/
 * validation.py, _validate); max_regression and max_relative_regression are
 * tolerated-regression (non-inferiority) margins MLflow cannot express.
 * Missing or non-finite values fail. Without a production model the
 * policy's first_deployment decides: thresholds_only, block or manual.
 */
#ifndef MG_COMPARE_H
#define MG_COMPARE_H

#include "setup.h"
#include "buf.h"
#include "ctx.h"
#include "gate.h"
#include "json.h"
#include "policy.h"
#include "result.h"

struct mg_compare_opts {
	struct mg_gate_opts gate;     /* the candidate, registry, policy, outputs */
	const char *baseline_version; /* --baseline-version N */
	const char *baseline_alias;   /* --baseline-alias A */
	const char *baseline_stage;   /* --baseline-stage S */
	const char *results;          /* --results FILE: .csv, else JSON Lines; appended */
	const char *log_experiment;   /* --log-experiment NAME */
	const char *commit;           /* --commit SHA: when the run has no git commit tag */
	bool quiet;                   /* --quiet: no check lines on stdout */
	const char *sample;           /* --sample FILE: overrides compare.sample.path */
	long long jobs;               /* -j N: bootstrap threads (0: one) */
};

/*
 * Run the gate. Returns the exit code: MG_EXIT_PASS, MG_EXIT_FAIL,
 * MG_EXIT_MANUAL (first deployment under "manual"), or (with `err` set and
 * outputs written where possible) MG_EXIT_USAGE / MG_EXIT_INFRA.
 */
int mg_compare_run(struct mg_ctx *ctx, const struct mg_compare_opts *o, struct mg_err *err);

/* The schema of the policy's "compare" section. */
const struct mg_schema *mg_compare_policy_schema(void);

/* One compare.metrics[] entry. */
struct mg_compare_rule {
	const char *name;
	bool greater_is_better;
	bool has_threshold, has_min_abs, has_min_rel, has_max_reg, has_max_rel_reg;
	double threshold, min_abs, min_rel, max_reg, max_rel_reg;
};

/*
 * Judge one metric: `cand` / `base` point at the values, NULL when the
 * metric is missing on that side. `have_baseline` false is a first
 * deployment: only the threshold is checked, and a rule without one is
 * MG_STATUS_SKIPPED. Returns PASSED, FAILED or SKIPPED and appends to
 * `why` what decided it.
 */
enum mg_status mg_compare_judge(const struct mg_compare_rule *r, const double *cand,
                                const double *base, bool have_baseline, struct mg_buf *why);

/* The rule in words ("higher is better; threshold 0.8; max_regression 0.01"), appended. */
void mg_compare_rule_text(const struct mg_compare_rule *r, struct mg_buf *out);

/* A value as text (the shortest that reads back the same), non-finite ones as MLflow spells them.
 */
const char *mg_compare_num_str(double v, char s[MG_DOUBLE_LEN]);
void mg_compare_num(struct mg_buf *out, double v);

/*
 * candidate - production as the difference of the two values as they are
 * written (0.902 - 0.934 = -0.032, not the binary -0.03200000000000003):
 * the computed difference rounded to the decimals of the more precise of
 * the two shortest texts, when the binary errors are too small to reach
 * that digit (always with up to ~15 significant digits); otherwise the
 * computed difference. One number for every output (console, summary,
 * JSON, --results, the logged delta metric); no rule judges it.
 */
double mg_compare_delta(double cand, double base);

/* Does the rule compare with production (a change or regression bound), not only a threshold? */
bool mg_compare_rule_comparative(const struct mg_compare_rule *r);

/* A CSV field, quoted when it must be (RFC 4180), appended. */
void mg_csv_field(struct mg_buf *out, const char *s);

#endif
