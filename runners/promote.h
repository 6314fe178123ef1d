/*
 * mlgate-promote: approve or reject a registry transition of one model
 * version from the evidence of the other gates (DESIGN §4), with
 * compare-and-set against the production model, the decision written back
 * (DESIGN §5) and published as JUnit, JSON and Markdown. docs/promote.md.
 *
 * Targets are a small table (struct in promote.c): a stage (MLflow's
 * Staging/Production, archiving what it replaces) or an alias (champion,
 * removing the candidate alias). A Databricks transition request is one
 * more entry: read its state, approve, reject.
 */
#ifndef MG_PROMOTE_H
#define MG_PROMOTE_H

#include "setup.h"
#include "ctx.h"
#include "gate.h"
#include "strlist.h"

struct mg_promote_opts {
	struct mg_gate_opts gate;    /* model, candidate selector, registry, outputs */
	const char *to_stage;        /* --to-stage Staging|Production */
	const char *to_alias;        /* --to-alias ALIAS */
	const char *from_alias;      /* --from-alias ALIAS: the candidate alias */
	struct mg_strlist evidence;  /* --evidence FILE... (JUnit from the other gates) */
	const char *require;         /* --require smoke,comply,compare */
	const char *max_age;         /* --max-age DURATION (default 24h) */
	const char *commit;          /* --commit SHA: evidence must be for it */
	bool reject;                 /* --reject (with --reason) */
	const char *reason;          /* --reason TEXT */
	bool approve;                /* --approve (with --override-reason) */
	const char *override_reason; /* --override-reason TEXT */
	bool keep_on_reject;         /* --keep-on-reject: record a rejection, move nothing */
	bool quiet;                  /* --quiet */
};

/*
 * Run the gate. Returns the exit code: MG_EXIT_PASS (approved),
 * MG_EXIT_FAIL (rejected), or with `err` set MG_EXIT_USAGE / MG_EXIT_INFRA.
 */
int mg_promote_run(struct mg_ctx *ctx, const struct mg_promote_opts *o, struct mg_err *err);

/* The schema of the policy's "promote" section. */
const struct mg_schema *mg_promote_policy_schema(void);

/* "90s", "30m", "24h", "7d" (1 s .. 366 d) into seconds; MG_EXIT_USAGE naming `what`. */
int mg_promote_parse_duration(const char *what, const char *s, long long *out, struct mg_err *err);

#endif
