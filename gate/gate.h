/*
 * What every gate has in common (DESIGN §3-§5): the model it judges, the
 * common options, the evidence properties of its JUnit suite, the JSON
 * decision, and the write-back of its verdict onto the model version.
 */
#ifndef MG_GATE_H
#define MG_GATE_H

#include "setup.h"
#include "ctx.h"
#include "fileio.h"
#include "opts.h"
#include "policy.h"
#include "registry.h"
#include "result.h"

/* The options every gate takes; each gate's table includes MG_GATE_OPTIONS. */
struct mg_gate_opts {
	const char *registry; /* --registry URI */
	const char *model;    /* --model NAME */
	const char *version;  /* --version N */
	const char *alias;    /* --alias A */
	const char *stage;    /* --stage S */
	const char *policy;   /* --policy FILE */
	const char *junit;    /* --junit FILE */
	const char *json;     /* --json FILE */
	const char *summary;  /* --summary FILE */
	const char *ci;       /* --ci none|github|azure */
	bool dry_run;         /* --dry-run */
	bool log_artifact;    /* --log-artifact (compare, promote: MG_GATE_ARTIFACT_OPTION) */
};

#define MG_GATE_OPTIONS(o)                                                                    \
	MG_OPT_GROUP_("Model"),                                                               \
	        MG_OPT_NAME_STR('m', "model", "NAME", &(o)->model, "registered model name"),  \
	        MG_OPT_STR_OR_VERSION('v', "version", "N", &(o)->version,                     \
	                              "model version number (alone: show mlgate's version)"), \
	        MG_OPT_NAME_STR('a', "alias", "ALIAS", &(o)->alias,                           \
	                        "the version an alias points at"),                            \
	        MG_OPT_NAME_STR('s', "stage", "STAGE", &(o)->stage,                           \
	                        "the version in a stage (exactly one)"),                      \
	        MG_OPT_STR('r', "registry", "URI", &(o)->registry,                            \
	                   "registry (default: $MLFLOW_REGISTRY_URI, $MLFLOW_TRACKING_URI, "  \
	                   "sqlite:///mlflow.db)"),                                           \
	        MG_OPT_STR('p', "policy", "FILE", &(o)->policy, "policy document (JSON)"),    \
	        MG_GATE_OUTPUT_OPTIONS(o),                                                    \
	        MG_OPT_BOOL('n', "dry-run", &(o)->dry_run,                                    \
	                    "evaluate, print the registry changes it would make, change nothing")

/* --log-artifact, for the gates whose page reviewers read (compare, promote): gate/artifact.c. */
#define MG_GATE_ARTIFACT_OPTION(o)                                             \
	MG_OPT_BOOL(0, "log-artifact", &(o)->log_artifact,                     \
	            "attach the HTML report to the candidate's MLflow run as " \
	            "mlgate/<gate>-report.html\n(Databricks: link it from the comment)")

/* How the model options combine, for a gate's rules table (opts.h). */
#define MG_GATE_RULES MG_RULE(MG_RULE_ONE, "version", "alias", "stage")

/* The output options of every gate (also of those that judge no model, like mlgate-release). */
#define MG_GATE_OUTPUT_OPTIONS(o)                                             \
	MG_OPT_GROUP_("Output"),                                              \
	        MG_OPT_STR(0, "junit", "FILE", &(o)->junit,                   \
	                   "write JUnit XML evidence to FILE ('-': stdout)"), \
	        MG_OPT_STR(0, "json", "FILE", &(o)->json,                     \
	                   "write the JSON decision to FILE ('-': stdout)"),  \
	        MG_OPT_STR(0, "summary", "FILE", &(o)->summary,               \
	                   "write a Markdown summary to FILE ('-': stdout)"), \
	        MG_OPT_ONE_OF(0, "ci", mg_ci_names, &(o)->ci,                 \
	                      "CI output to write (default: detected from the environment)")

/*
 * Check the common options: a model, exactly one of --version, --alias,
 * --stage, the output paths (mg_gate_check_outputs), and --ci applied to
 * ctx. MG_EXIT_USAGE otherwise.
 */
int mg_gate_check_opts(struct mg_ctx *ctx, const struct mg_gate_opts *o, struct mg_err *err);

/*
 * Check a gate's outputs --junit, --json and --summary (each may be NULL)
 * and `extra` (a gate's own output option, may be NULL) with
 * mg_outputs_check(): each writable, no two to the same place. Every gate
 * calls it before it reads or writes anything, so a run never changes a
 * registry and then fails to publish what it did. MG_EXIT_USAGE otherwise.
 */
int mg_gate_check_outputs(const char *junit, const char *json, const char *summary,
                          const struct mg_output *extra, struct mg_err *err);

/*
 * The model version the options name. A stage must hold exactly one version
 * (none or several is an error naming them: pick one with --version).
 */
int mg_gate_resolve(struct mg_registry *reg, const struct mg_gate_opts *o,
                    struct mg_model_version *out, struct mg_err *err);

/*
 * Append `text` as a check-ID part: lower-case ASCII letters and digits
 * (other bytes >= 0x80 kept), runs of anything else as one '_':
 * "Intended use" -> "intended_use", "ROC AUC@1%" -> "roc_auc_1".
 */
void mg_check_slug(struct mg_buf *out, const char *text);

/* The facts every gate run records as evidence (DESIGN §4). */
struct mg_gate_run {
	const char *gate;    /* "comply" */
	const char *verdict; /* passed, failed, error, manual */
	const char *model;
	const char *version;
	const char *registry;      /* without credentials */
	const char *commit;        /* git commit judged, "" when none */
	const char *policy_sha256; /* "" when no policy */
	const char *policy_path;   /* the policy (smoke: the suite) file, NULL when none */
	const char *champion;      /* compare: the version compared against or "none"; else NULL */
	const char *writeback; /* what mg_gate_writeback did: written, unchanged, dry-run, none */
	/*
	 * Set by a write-back hook that has settled that this is a new decision
	 * (promote: another target, same verdict): mg_gate_writeback then writes
	 * even when the same verdict and commit are recorded, still reading the
	 * version's tags for the stale ones it must delete.
	 */
	bool new_decision;
	const struct mg_suite *suite; /* the checks, listed in a registry comment; or NULL */
	time_t started;
	time_t finished;
	/*
	 * mg_clock_ns() at mg_gate_run_init: the first check's time runs from it
	 * (so the reads it needed count), and the suite's time is from it to the
	 * outputs (mg_gate_finish), write-back included.
	 */
	uint64_t started_ns;
	bool report_link; /* --log-artifact on a registry with comments: they link the report */
};

/* Start `run` for gate `gate`: now, the model and version the options name, no commit, no policy.
 */
void mg_gate_run_init(struct mg_gate_run *run, const char *gate, const struct mg_gate_opts *o);

/*
 * The commit a model version was trained at, as every gate records it: the
 * mlflow.source.git.commit tag of its run when set, else `given` (the
 * gate's --commit), else "". `run` is NULL when the version has no run that
 * could be read. Borrowed from `run` or `given`.
 */
const char *mg_gate_training_commit(const struct mg_run *run, const char *given);

/*
 * Load --policy (required) into `policy` and check its `section` against
 * `schema`; *out is the section. Every mistake is MG_EXIT_USAGE naming the
 * key path; run->policy_sha256 is set on success.
 */
int mg_gate_load_policy(const struct mg_gate_opts *o, const char *section,
                        const struct mg_schema *schema, struct mg_policy *policy, const cJSON **out,
                        struct mg_gate_run *run, struct mg_err *err);

/*
 * Set the mlgate.* evidence properties and the timestamp on `s`, name it
 * "<gate>: <model> v<version>" (so merged reports of many models tell
 * their suites apart; mlgate.gate names the gate), and make the policy
 * file the file of every check that names none, in JUnit (consumers such
 * as action-junit-report annotate that file instead of guessing one).
 * The mlgate.* properties are those of `run` (mlgate.champion.version when
 * run->champion is set), mlgate.writeback, and with $MLGATE_EVIDENCE_KEY
 * set mlgate.evidence.hmac over the canonical form (gate/evidence.h), so
 * call it after every property it covers is set.
 */
void mg_gate_evidence(struct mg_suite *s, const struct mg_gate_run *run);

/* The verdict of a suite: error if any check errored, else failed if any failed, else passed. */
const char *mg_gate_verdict(const struct mg_suite *s);

/* The CI run's URL (GitHub or Azure variables), appended to `out`; nothing outside CI. */
void mg_gate_run_url(struct mg_buf *out);

/*
 * The registry writes of one run, in order: each one made (with --dry-run,
 * planned), and the one that failed, if any. A gate writes nothing after a
 * failed write, so this says exactly what the registry holds of the run.
 */
struct mg_writes {
	char **done; /* "set tag k=v on model 'm' version 3", owned */
	size_t n, alloc;
	char *failed; /* the write that failed, or NULL */
	char *error;  /* why it failed */
	bool dry_run;
};

#define MG_WRITES_INIT(dry_run_)                   \
	{                                          \
		NULL, 0, 0, NULL, NULL, (dry_run_) \
	}

void mg_writes_release(struct mg_writes *w);
/*
 * Record one write described by `fmt`: made (or planned) when rc is 0, else
 * the one that failed, `err` saying why. Returns rc.
 */
int mg_writes_record(struct mg_writes *w, int rc, const struct mg_err *err, const char *fmt, ...)
        MG_PRINTF(4, 5);
/*
 * After a failed write: what was applied, what was not and how to recover,
 * in one paragraph appended to `out` (nothing when no write failed).
 */
void mg_writes_explain(const struct mg_writes *w, struct mg_buf *out);

/*
 * A write that failed ends the run: add error check `id` to `s` with the
 * error and what was and was not applied (mg_writes_explain).
 */
void mg_gate_write_failed(struct mg_suite *s, const char *id, const struct mg_writes *w,
                          const struct mg_err *err);

/*
 * The JSON decision: gate, verdict, model, version, registry, commit,
 * policy_sha256, tool_version, started/finished, counts, checks[], the
 * registry changes made (or planned, with --dry-run) and the one that failed
 * (registry_change_failed: {change, error}, or null). Appended to `out`.
 */
void mg_gate_json(const struct mg_gate_run *run, const struct mg_suite *s,
                  const struct mg_writes *writes, struct mg_buf *out);

/*
 * Record the verdict on the model version (DESIGN §5): tags
 * mlgate.<gate>.verdict/.at/.commit/.run_url and a "[mlgate] ..." line
 * appended to the description. Nothing is written when the version already
 * carries the same verdict for the same commit (re-runs are idempotent).
 * Each write made, or with --dry-run each one that would be made, is
 * recorded in `writes`, and a write that fails ends it (recorded too).
 * run->writeback says what was done: written, unchanged (already
 * recorded), dry-run.
 */
int mg_gate_writeback(struct mg_registry *reg, struct mg_gate_run *run,
                      const struct mg_model_version *mv, const char *summary_line,
                      struct mg_writes *writes, struct mg_err *err);

/*
 * Add a check whose duration runs from *t0 (then reset to now), with a
 * formatted message. Returns it (valid until the next add to `s`).
 */
struct mg_check *mg_gate_addf(struct mg_suite *s, uint64_t *t0, const char *id,
                              enum mg_status status, const char *fmt, ...) MG_PRINTF(5, 6);

struct mg_md;

/*
 * What differs between the endings of the gates, for mg_gate_finish. Every
 * hook may be NULL; each gets the gate's `arg`.
 */
struct mg_gate_hooks {
	/* the verdict, from the suite's (compare: "manual" for a first deployment) */
	const char *(*verdict)(void *arg, const char *verdict);
	/* the summary of the decision for the description line, appended to `out` */
	void (*summary)(void *arg, const struct mg_gate_run *run, struct mg_buf *out);
	/* writes before the record (compare: --log-experiment, --results); on failure *id names the
	 * error check */
	int (*before)(void *arg, const struct mg_gate_run *run, struct mg_writes *w,
	              const char **id, struct mg_err *err);
	/* the record; NULL: mg_gate_writeback on the version (promote records its own way) */
	int (*writeback)(void *arg, struct mg_gate_run *run, const char *summary,
	                 struct mg_writes *w, struct mg_err *err);
	/* evidence properties of the gate's own, after mg_gate_evidence's */
	void (*props)(void *arg, struct mg_suite *s);
	/* JSON members of the gate's own, added to the decision's document */
	void (*json)(void *arg, cJSON *doc);
	/* Markdown sections of the gate's own, before the registry changes */
	void (*md)(struct mg_md *md, const void *arg);
};

/* The record hook of a gate that records nothing in a registry (release, smoke). */
int mg_gate_no_record(void *arg, struct mg_gate_run *run, const char *summary, struct mg_writes *w,
                      struct mg_err *err);

/*
 * --log-artifact (gate/artifact.c), checked right after the registry `reg`
 * is opened, before anything is read and before e->reg is set (a refusal is
 * a usage error without evidence): Unity Catalog is refused (MG_EXIT_USAGE,
 * saying why), a registry with comments (Databricks) needs a URL to link
 * (MLGATE_REPORT_URL or the CI run) and gets run->report_link set.
 */
struct mg_gate_end;
int mg_gate_artifact_check(struct mg_gate_end *e, struct mg_registry *reg, struct mg_err *err);
/*
 * Upload the gate's HTML report to the run of e->mv (mlgate/<gate>-report.html),
 * recorded in e->writes like any registry write (with --dry-run, planned);
 * nothing on a registry that links it instead. mg_gate_finish calls it after
 * the writes before the record and before the record, so a failed upload
 * leaves the verdict unrecorded.
 */
int mg_gate_artifact_upload(struct mg_gate_end *e, struct mg_err *err);
/* "HTML report: URL\n" ($MLGATE_REPORT_URL, else the CI run) for comments, when `on`. */
void mg_gate_report_line(bool on, struct mg_buf *out);

/* One gate run's ending: what mg_gate_finish needs. */
struct mg_gate_end {
	struct mg_ctx *ctx;
	const struct mg_gate_opts *o;
	bool quiet;
	struct mg_result *result;
	struct mg_suite *suite;
	struct mg_gate_run *run;
	struct mg_registry *reg;           /* NULL until opened */
	const struct mg_model_version *mv; /* the version the decision is recorded on */
	const char *checks;                /* the prefix of its error checks: "compliance" */
	bool started;   /* the configuration was sane (a registry opened): evidence is written */
	int error_code; /* the exit code of an error verdict; 0: MG_EXIT_INFRA */
	struct mg_writes *writes;
	const struct mg_gate_hooks *hooks;
	void *arg;
};

/*
 * The one ending of every gate run, after its checks (`failed`: the run
 * stopped with `err` set): a usage error before the run started ends here
 * with no evidence; otherwise an error becomes the check <checks>.evaluation,
 * the verdict is set, the writes before the record and the record itself
 * are made (only when nothing failed; a failed write ends them, as
 * <checks>.writeback or the hook's id), the evidence properties, the JSON
 * decision and every output are published. An error verdict with nothing
 * else failed names its first error check in `err`, for stderr. Returns
 * the exit code.
 */
int mg_gate_finish(struct mg_gate_end *e, bool failed, struct mg_err *err);

/*
 * The exit code of a gate run: `code` (MG_EXIT_INFRA when 0) after a
 * failure (`failed`), else 0 passed, 4 manual, 3 error (a check that could
 * not be made), 1 failed.
 */
int mg_gate_exit(bool failed, int code, const char *verdict);

/*
 * A gate's run function, called by mg_gate_main with the options its table
 * filled: an exit code, with `err` set when there is a message to print.
 */
typedef int mg_gate_main_fn(struct mg_ctx *ctx, const void *opts, struct mg_err *err);

/*
 * The whole of a gate's main(): the context for spec->prog, libcurl set up
 * (libgit2 is set up by mg_git_open), the options parsed (--help and --version answered),
 * MLGATE_DEBUG read, `run` called with `opts`, its message (if any) logged,
 * stdout checked and everything released. Returns the exit code.
 */
int mg_gate_main(const struct mg_cmd_spec *spec, int argc, char **argv, mg_gate_main_fn *run,
                 const void *opts);

/*
 * The environment gates read, for man pages (gatedoc.c): the registry and
 * its credentials; evidence signing, debugging and the CI.
 */
extern const struct mg_doc_item mg_gate_env_registry[];
extern const struct mg_doc_item mg_gate_env_common[];

#endif
