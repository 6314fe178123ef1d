/*
 * mlgate-drift: data and prediction drift of a current window against the
 * training reference (a CSV file, or the profile saved from it), per
 * column: PSI, KS, Wasserstein-1 (numeric), PSI, chi-square, Jensen-Shannon
 * (categorical), missing-rate change; thresholds from the policy's "drift"
 * section (docs/drift.md). Published as JUnit, JSON and Markdown like
 * every gate, with a `retrain` CI output; the verdict written back to the
 * model version (tags mlgate.drift.*) when --model is given.
 */
#ifndef MG_DRIFT_GATE_H
#define MG_DRIFT_GATE_H

#include "setup.h"
#include "ctx.h"
#include "gate.h"
#include "policy.h"

struct mg_drift_opts {
	struct mg_gate_opts gate; /* model (optional), registry, policy, outputs */
	const char *reference;    /* --reference FILE: the training data (CSV) */
	const char *profile;      /* --profile FILE: its saved profile instead */
	const char *current;      /* --current FILE: the window to judge (CSV) */
	const char *save_profile; /* --save-profile FILE */
	const char *window;       /* --window LABEL (default: the current file's name) */
	const char *prediction;   /* --prediction COLUMN */
	const char *label;        /* --label COLUMN */
	long long reservoir;      /* --reservoir N (0: the policy's, else 20000) */
	long long bins;           /* --bins N (0: the policy's, else 10) */
	long long seed;           /* --seed N (0: the policy's, else 1) */
	bool fail_on_warn;        /* --fail-on-warn */
	bool quiet;               /* -q */
};

/*
 * Run the gate. Returns the exit code: MG_EXIT_PASS, MG_EXIT_FAIL (drift),
 * or with `err` set MG_EXIT_USAGE / MG_EXIT_INFRA.
 */
int mg_drift_run(struct mg_ctx *ctx, const struct mg_drift_opts *o, struct mg_err *err);

/* The schema of the policy's "drift" section. */
const struct mg_schema *mg_drift_policy_schema(void);

#endif
