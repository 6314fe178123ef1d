/*
 * mlgate-promote's targets (private to runners/promote*.c): the registry
 * moves a decision makes. promote.c judges the evidence and decides;
 * promote_targets.c moves a stage, an alias, or on Databricks approves or
 * rejects the open transition request.
 */
#ifndef MG_PROMOTE_TARGET_H
#define MG_PROMOTE_TARGET_H

#include "setup.h"
#include "promote.h"
#include "gate.h"

struct promote;

/*
 * A promotion target. read: what holds the target now and whether the
 * candidate is already there. approve/reject: make (or with dry_run plan)
 * the registry change, each write recorded in p->writes. A Databricks
 * transition request is one more of these.
 */
struct target {
	const char *kind; /* "stage", "alias" */
	int (*read)(struct promote *p, struct mg_err *err);
	int (*approve)(struct promote *p, const char *expected, struct mg_err *err);
	int (*reject)(struct promote *p, struct mg_err *err);
	/*
	 * The candidate already holds the target: what the move would also have
	 * done and is not yet done (another version in the stage, the candidate
	 * alias still set). unfinished says whether there is any; finish does it.
	 */
	bool (*unfinished)(const struct promote *p);
	int (*finish)(struct promote *p, struct mg_err *err);
};

struct promote {
	struct mg_ctx *ctx;
	const struct mg_promote_opts *o;
	const struct target *target;
	const char *name; /* target stage (canonical) or alias */
	struct mg_registry *reg;
	struct mg_model_version mv;
	struct mg_suite *suite;
	struct mg_writes writes;
	struct mg_buf holders; /* versions holding the target now, other than the candidate */
	size_t nholders;
	bool in_target;      /* the candidate already holds it */
	char *champion;      /* compare evidence: the version it was compared against, or NULL */
	bool have_champion;  /* a passing compare evidence was used */
	char *commit;        /* the commit the evidence is for */
	const char *key;     /* $MLGATE_EVIDENCE_KEY: evidence must be signed with it; or NULL */
	char target_id[600]; /* "stage:Production", "alias:champion" */
	bool write;          /* the decision is to be recorded */
	/* Databricks transition requests (the request target) */
	bool require_request;   /* policy promote.require_transition_request (default true) */
	const char *sample_pin; /* policy compare.sample.sha256: compare evidence must carry it */
	size_t nrequests;       /* open requests of the candidate to the target stage */
	struct mg_buf requests; /* who asked, "alice (2026-12-01), bob (...)" */
	struct mg_buf metrics;  /* the compare evidence's checks, one line each, for comments */
	uint64_t t0;
};

/* Add a check timed from the previous one (gate/gate.h). */
#define ADD_CHECK(p, ...) mg_gate_addf((p)->suite, &(p)->t0, __VA_ARGS__)

/*
 * One registry write made (rc 0; always 0 in a dry run) or failed (rc -1,
 * err says why), recorded in p->writes; `loud`: one that takes something
 * away (an archive, an alias removal) is also said on stderr. Returns rc.
 */
int mg_promote_record(struct promote *p, bool loud, int rc, struct mg_err *err, const char *fmt,
                      ...) MG_PRINTF(5, 6);

/* Who decides: $GITHUB_ACTOR, $BUILD_REQUESTEDFOR, $USER, or "unknown". */
const char *mg_promote_identity(void);

extern const struct target mg_promote_stage, mg_promote_alias, mg_promote_request;

#endif
