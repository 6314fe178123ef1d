/*
 * The registry moves of mlgate-promote (promote_target.h): a stage, an
 * alias, or a Databricks transition request.
 */
#include "setup.h"
#include "promote_target.h"
#include "alloc.h"
#include "clock.h"

int mg_promote_record(struct promote *p, bool loud, int rc, struct mg_err *err, const char *fmt,
                      ...)
{
	struct mg_buf line = MG_BUF_INIT(MG_BUF_SMALL);
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vaddf(&line, fmt, ap);
	va_end(ap);
	mg_writes_record(&p->writes, rc, err, "%s", line.buf);
	if (loud && !rc)
		mg_info(&p->ctx->log, "%s", line.buf);
	mg_buf_release(&line);
	return rc;
}

const char *mg_promote_identity(void)
{
	const char *vars[] = {"GITHUB_ACTOR", "BUILD_REQUESTEDFOR", "USER"};

	for (size_t i = 0; i < MG_ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return v;
	}
	return "unknown";
}

/* --- stage target ---------------------------------------------------------------- */

static int holder_cb(void *arg, const struct mg_model_version *mv, struct mg_err *err)
{
	struct promote *p = arg;

	(void)err;
	if (!strcmp(mv->version, p->mv.version)) {
		p->in_target = true;
		return 0;
	}
	mg_buf_addf(&p->holders, "%s%s", p->nholders++ ? ", " : "", mv->version);
	return 0;
}

static int stage_read(struct promote *p, struct mg_err *err)
{
	mg_buf_reset(&p->holders);
	p->nholders = 0;
	p->in_target = false;
	return mg_registry_versions_in_stage(p->reg, p->mv.name, p->name, holder_cb, p, err);
}

static int stage_approve(struct promote *p, const char *expected, struct mg_err *err)
{
	const bool dry = p->o->gate.dry_run;
	int rc = 0;

	if (dry)
		rc = 0;
	else if (p->nholders > 1) /* several versions in the stage: no single version to expect */
		rc = mg_registry_transition_stage(p->reg, p->mv.name, p->mv.version, p->name, true,
		                                  err);
	else
		rc = mg_registry_transition_stage_if(p->reg, p->mv.name, p->mv.version, p->name,
		                                     true, expected, err);
	return mg_promote_record(p, p->nholders > 0, rc, err,
	                         "%s model '%s' version %s to %s%s%s%s",
	                         dry ? "would move" : "moved", p->mv.name, p->mv.version, p->name,
	                         p->nholders ? " (archiving version " : "",
	                         p->nholders ? p->holders.buf : "", p->nholders ? ")" : "");
}

/*
 * A rejection archives a candidate (stage None or Staging), never the
 * version that serves Production: saying no to a transition must not take
 * the production model down. That one is left where it is, and the check
 * says so.
 */
static int stage_reject(struct promote *p, struct mg_err *err)
{
	if (!strcmp(p->mv.current_stage, "Archived"))
		return 0;
	if (!strcmp(p->mv.current_stage, "Production")) {
		ADD_CHECK(p, "promote.reject", MG_STATUS_SKIPPED,
		          "model '%s' version %s is in Production: left there (a rejection never "
		          "archives the production version)",
		          p->mv.name, p->mv.version);
		return 0;
	}
	const bool dry = p->o->gate.dry_run;

	return mg_promote_record(
	        p, true,
	        dry ? 0
	            : mg_registry_transition_stage(p->reg, p->mv.name, p->mv.version, "Archived",
	                                           false, err),
	        err, "%s model '%s' version %s from %s to Archived", dry ? "would move" : "moved",
	        p->mv.name, p->mv.version, p->mv.current_stage);
}

static bool stage_unfinished(const struct promote *p)
{
	return p->nholders > 0;
}

/* Archive every other holder of the stage, as the move (archive_existing_versions) would have. */
static int stage_finish(struct promote *p, struct mg_err *err)
{
	const bool dry = p->o->gate.dry_run;
	const char *v = p->holders.buf;

	while (*v) {
		size_t len = strcspn(v, ",");
		char version[32];

		snprintf(version, sizeof(version), "%.*s", (int)(len < 31 ? len : 31), v);
		if (mg_promote_record(
		            p, true,
		            dry ? 0
		                : mg_registry_transition_stage(p->reg, p->mv.name, version,
		                                               "Archived", false, err),
		            err,
		            "%s model '%s' version %s from %s to Archived (version %s holds %s)",
		            dry ? "would move" : "moved", p->mv.name, version, p->name,
		            p->mv.version, p->name))
			return -1;
		v += len;
		v += strspn(v, ", ");
	}
	return 0;
}

const struct target mg_promote_stage = {"stage",      stage_read,       stage_approve,
                                        stage_reject, stage_unfinished, stage_finish};

/* --- alias target ----------------------------------------------------------------- */

static int alias_read(struct promote *p, struct mg_err *err)
{
	struct mg_model_version cur = {0};

	mg_buf_reset(&p->holders);
	p->nholders = 0;
	p->in_target = false;
	if (mg_registry_get_version_by_alias(p->reg, p->mv.name, p->name, &cur, err)) {
		if (err->reason != MG_REASON_NOT_FOUND)
			return -1;
		mg_err_clear(err);
		return 0;
	}
	if (!strcmp(cur.version, p->mv.version)) {
		p->in_target = true;
	} else {
		mg_buf_adds(&p->holders, cur.version);
		p->nholders = 1;
	}
	mg_model_version_release(&cur);
	return 0;
}

/* The candidate alias to remove: --from-alias, when it points at the candidate. */
static const char *drop_alias(const struct promote *p)
{
	const char *a = p->o->from_alias;

	return a && mg_kvlist_get(&p->mv.aliases, a) ? a : NULL;
}

static int alias_approve(struct promote *p, const char *expected, struct mg_err *err)
{
	const bool dry = p->o->gate.dry_run;
	const char *drop = drop_alias(p);

	int rc = dry ? 0
	             : mg_registry_set_alias_if(p->reg, p->mv.name, p->name, p->mv.version,
	                                        expected, drop, err);

	/* taking the alias from another version is said on stderr, as an archive is */
	if (mg_promote_record(p, p->nholders > 0, rc, err,
	                      "%s alias %s of model '%s' to version %s (%s%s)%s%s",
	                      dry ? "would set" : "set", p->name, p->mv.name, p->mv.version,
	                      p->nholders ? "was version " : "was unset",
	                      p->nholders ? p->holders.buf : "",
	                      rc && drop ? ", then delete alias " : "", rc && drop ? drop : ""))
		return -1;
	if (drop)
		mg_promote_record(p, true, 0, err, "%s alias %s of model '%s' (version %s)",
		                  dry ? "would delete" : "deleted", drop, p->mv.name,
		                  p->mv.version);
	return 0;
}

static int alias_reject(struct promote *p, struct mg_err *err)
{
	const char *drop = drop_alias(p);

	if (!drop)
		return 0;
	return mg_promote_record(
	        p, true,
	        p->o->gate.dry_run ? 0 : mg_registry_delete_alias(p->reg, p->mv.name, drop, err),
	        err, "%s alias %s of model '%s' (version %s)",
	        p->o->gate.dry_run ? "would delete" : "deleted", drop, p->mv.name, p->mv.version);
}

static bool alias_unfinished(const struct promote *p)
{
	return drop_alias(p) != NULL;
}

/* Remove the candidate alias the move would have removed with it. */
static int alias_finish(struct promote *p, struct mg_err *err)
{
	const char *drop = drop_alias(p);

	return mg_promote_record(
	        p, true,
	        p->o->gate.dry_run ? 0 : mg_registry_delete_alias(p->reg, p->mv.name, drop, err),
	        err, "%s alias %s of model '%s' (version %s, which already holds alias %s)",
	        p->o->gate.dry_run ? "would delete" : "deleted", drop, p->mv.name, p->mv.version,
	        p->name);
}

const struct target mg_promote_alias = {"alias",      alias_read,       alias_approve,
                                        alias_reject, alias_unfinished, alias_finish};

/* --- Databricks transition request -------------------------------------------------- */

/*
 * The comment that goes with an approval or a rejection: the decision, the
 * checks of this run (each gate's evidence), the compare evidence's metric
 * checks, the commit and the CI run. Reviewers read it in the version's
 * activity feed.
 */
static void request_comment(const struct promote *p, const char *decision, struct mg_buf *out)
{
	struct mg_buf url = MG_BUF_INIT(MG_BUF_SMALL);

	if (p->nrequests)
		mg_buf_addf(out,
		            "mlgate promote: %s the request to move model '%s' version %s to %s "
		            "(requested by %s)",
		            decision, p->mv.name, p->mv.version, p->name, p->requests.buf);
	else
		mg_buf_addf(out,
		            "mlgate promote: moved model '%s' version %s to %s (no request was "
		            "open; the policy allows it)",
		            p->mv.name, p->mv.version, p->name);
	mg_buf_adds(out, "\n");
	for (size_t i = 0; i < p->suite->nchecks; i++)
		mg_buf_addf(out, "- %s: %s%s%s\n", p->suite->checks[i].id,
		            mg_status_name(p->suite->checks[i].status),
		            p->suite->checks[i].message ? ": " : "",
		            p->suite->checks[i].message ? p->suite->checks[i].message : "");
	if (p->metrics.len)
		mg_buf_addf(out, "Comparison:\n%s", p->metrics.buf);
	if (p->commit || p->o->commit)
		mg_buf_addf(out, "Commit: %s\n", p->o->commit ? p->o->commit : p->commit);
	mg_gate_run_url(&url);
	if (url.len)
		mg_buf_addf(out, "CI run: %s\n", url.buf);
	mg_gate_report_line(p->o->gate.log_artifact, out);
	mg_buf_release(&url);
}

static int request_cb(void *arg, const struct mg_transition_request *r, struct mg_err *err)
{
	struct promote *p = arg;
	char at[MG_TIME_LEN];

	(void)err;
	if (strcmp(r->to_stage, p->name))
		return 0;
	mg_buf_addf(&p->requests, "%s%s (%s)", p->nrequests++ ? ", " : "",
	            *r->user_id ? r->user_id : "someone",
	            mg_time_format((time_t)(r->creation_timestamp / 1000), MG_TIME_ZULU, at));
	return 0;
}

/* The stage's holders, and the candidate's open requests to move there. */
static int request_read(struct promote *p, struct mg_err *err)
{
	mg_buf_reset(&p->requests);
	p->nrequests = 0;
	if (mg_promote_stage.read(p, err))
		return -1;
	return mg_registry_transition_requests(p->reg, p->mv.name, p->mv.version, request_cb, p,
	                                       err);
}

/*
 * Approve the open request (archiving the stage's other versions), with
 * the evidence as its comment. With none open the policy decides: by
 * default a conflict (nothing written, exit 1: someone must ask first);
 * with promote.require_transition_request false, Databricks' own
 * transition with the same comment.
 */
static int request_approve(struct promote *p, const char *expected, struct mg_err *err)
{
	const bool dry = p->o->gate.dry_run;
	struct mg_buf comment = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_registry_move m = {.name = p->mv.name,
	                             .version = p->mv.version,
	                             .stage = p->name,
	                             .archive_existing = true,
	                             .expected = expected,
	                             .approve_request = p->nrequests > 0};
	int rc = 0;

	if (!p->nrequests && p->require_request) {
		mg_buf_release(&comment);
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_CONFLICT,
		                   "version %s of model '%s' has no open request to move to %s: "
		                   "request the transition in Databricks (or let this gate move it "
		                   "with \"promote\": {\"require_transition_request\": false} in "
		                   "the policy)",
		                   p->mv.version, p->mv.name, p->name);
	}
	request_comment(p, "approved", &comment);
	m.comment = comment.buf;
	/* several versions in the stage: no single version to expect, as for a plain stage */
	m.any_holders = p->nholders > 1;
	if (!dry)
		rc = mg_registry_move_if(p->reg, &m, err);
	rc = mg_promote_record(p, p->nholders > 0, rc, err,
	                       "%s %s of model '%s' version %s to %s%s%s%s, with a comment",
	                       dry ? "would approve" : "approved",
	                       p->nrequests ? "the transition request" : "the transition",
	                       p->mv.name, p->mv.version, p->name,
	                       p->nholders ? " (archiving version " : "",
	                       p->nholders ? p->holders.buf : "", p->nholders ? ")" : "");
	mg_buf_release(&comment);
	return rc;
}

/* Reject the open request with the evidence as its comment, then as a stage rejection. */
static int request_reject(struct promote *p, struct mg_err *err)
{
	struct mg_buf comment = MG_BUF_INIT(MG_BUF_LARGE);
	int rc = 0;

	if (p->nrequests) {
		request_comment(p, "rejected", &comment);
		rc = mg_promote_record(
		        p, true,
		        p->o->gate.dry_run
		                ? 0
		                : mg_registry_reject_request(p->reg, p->mv.name, p->mv.version,
		                                             p->name, comment.buf, err),
		        err,
		        "%s the transition request of model '%s' version %s to %s, with a comment",
		        p->o->gate.dry_run ? "would reject" : "rejected", p->mv.name, p->mv.version,
		        p->name);
	}
	mg_buf_release(&comment);
	return rc ? rc : mg_promote_stage.reject(p, err);
}

static bool request_unfinished(const struct promote *p)
{
	return mg_promote_stage.unfinished(p);
}

static int request_finish(struct promote *p, struct mg_err *err)
{
	return mg_promote_stage.finish(p, err);
}

const struct target mg_promote_request = {"stage",        request_read,       request_approve,
                                          request_reject, request_unfinished, request_finish};
