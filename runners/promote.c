#include "setup.h"
#include "promote.h"
#include "alloc.h"
#include "clock.h"
#include "evidence.h"
#include "markdown.h"
#include "parse.h"
#include "report.h"

#include <ctype.h>
#include <strings.h>

#define DEFAULT_MAX_AGE "24h"
#define MAX_GATES       MG_EVIDENCE_MAX_GATES

/* --- the policy's "promote" section: no keys yet ------------------------------------ */

static const struct mg_schema_field promote_fields[] = {
        {NULL, NULL, false},
};
static const struct mg_schema promote_section = {.type = MG_SCHEMA_OBJECT,
                                                 .fields = promote_fields};

const struct mg_schema *mg_promote_policy_schema(void)
{
	return &promote_section;
}

/*
 * --policy, when given: the document read and checked (mg_policy_load: the
 * version and the known sections; a "promote" section against its schema,
 * which has no keys yet) and its SHA-256 recorded as evidence. The other
 * gates' sections are each checked by their own gate.
 */
static int load_policy(const struct mg_promote_opts *o, struct mg_policy *policy,
                       struct mg_gate_run *run, struct mg_err *err)
{
	const cJSON *section;
	char where[4200];

	if (!o->gate.policy)
		return 0;
	if (mg_policy_load(o->gate.policy, mg_policy_sections, policy, err))
		return -1;
	mg_policy_where(policy, where, sizeof(where));
	section = mg_policy_section(policy, "promote");
	if (section && mg_schema_check(&promote_section, section, where, "promote", err))
		return -1;
	run->policy_sha256 = policy->sha256;
	return 0;
}

/* --- options ------------------------------------------------------------------ */

int mg_promote_parse_duration(const char *what, const char *s, long long *out, struct mg_err *err)
{
	size_t len = strlen(s);
	long long n, unit;
	char num[32];

	if (len < 2 || len >= sizeof(num))
		goto bad;
	switch (s[len - 1]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		goto bad;
	}
	memcpy(num, s, len - 1);
	num[len - 1] = '\0';
	if (!isdigit((unsigned char)num[0]))
		goto bad;
	if (mg_parse_ll(what, num, 1, 366LL * 86400 / unit, &n, err))
		return -1;
	*out = n * unit;
	return 0;
bad:
	return mg_err_set(err, MG_EXIT_USAGE,
	                  "invalid value '%.64s' for %s: expected a duration such as 90s, 30m, "
	                  "24h or 7d",
	                  s, what);
}

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/* --- state of one run ------------------------------------------------------------ */

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
	bool in_target;     /* the candidate already holds it */
	char *champion;     /* compare evidence: the version it was compared against, or NULL */
	bool have_champion; /* a passing compare evidence was used */
	char *commit;       /* the commit the evidence is for */
	uint64_t t0;
};

/* Add a check timed from the previous one (gate/gate.h). */
#define add(p, ...) mg_gate_addf((p)->suite, &(p)->t0, __VA_ARGS__)

/*
 * One registry write made (rc 0; always 0 in a dry run) or failed (rc -1,
 * err says why), recorded in p->writes; `loud`: one that takes something
 * away (an archive, an alias removal) is also said on stderr. Returns rc.
 */
static int record(struct promote *p, bool loud, int rc, struct mg_err *err, const char *fmt, ...)
        MG_PRINTF(5, 6);

static int record(struct promote *p, bool loud, int rc, struct mg_err *err, const char *fmt, ...)
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

static const char *identity(void)
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
	return record(p, p->nholders > 0, rc, err, "%s model '%s' version %s to %s%s%s%s",
	              dry ? "would move" : "moved", p->mv.name, p->mv.version, p->name,
	              p->nholders ? " (archiving version " : "", p->nholders ? p->holders.buf : "",
	              p->nholders ? ")" : "");
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
		add(p, "promote.reject", MG_STATUS_SKIPPED,
		    "model '%s' version %s is in Production: left there (a rejection never "
		    "archives the production version)",
		    p->mv.name, p->mv.version);
		return 0;
	}
	const bool dry = p->o->gate.dry_run;

	return record(p, true,
	              dry ? 0
	                  : mg_registry_transition_stage(p->reg, p->mv.name, p->mv.version,
	                                                 "Archived", false, err),
	              err, "%s model '%s' version %s from %s to Archived",
	              dry ? "would move" : "moved", p->mv.name, p->mv.version, p->mv.current_stage);
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
		if (record(p, true,
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

static const struct target stage_target = {"stage",      stage_read,       stage_approve,
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
	if (record(p, p->nholders > 0, rc, err,
	           "%s alias %s of model '%s' to version %s (%s%s)%s%s", dry ? "would set" : "set",
	           p->name, p->mv.name, p->mv.version, p->nholders ? "was version " : "was unset",
	           p->nholders ? p->holders.buf : "", rc && drop ? ", then delete alias " : "",
	           rc && drop ? drop : ""))
		return -1;
	if (drop)
		record(p, true, 0, err, "%s alias %s of model '%s' (version %s)",
		       dry ? "would delete" : "deleted", drop, p->mv.name, p->mv.version);
	return 0;
}

static int alias_reject(struct promote *p, struct mg_err *err)
{
	const char *drop = drop_alias(p);

	if (!drop)
		return 0;
	return record(
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

	return record(p, true,
	              p->o->gate.dry_run ? 0
	                                 : mg_registry_delete_alias(p->reg, p->mv.name, drop, err),
	              err, "%s alias %s of model '%s' (version %s, which already holds alias %s)",
	              p->o->gate.dry_run ? "would delete" : "deleted", drop, p->mv.name,
	              p->mv.version, p->name);
}

static const struct target alias_target = {"alias",      alias_read,       alias_approve,
                                           alias_reject, alias_unfinished, alias_finish};

/* --- evidence ----------------------------------------------------------------------- */

/*
 * Judge the evidence for one required gate: a passing suite for this
 * model, version (and commit), recent enough. Adds promote.evidence.GATE.
 */
static void judge_gate(struct promote *p, const char *gate, struct mg_evidence *ev, size_t nev,
                       time_t now, long long max_age)
{
	struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL), id = MG_BUF_INIT(MG_BUF_SMALL);
	const struct mg_suite *best = NULL;
	const char *best_file = NULL;
	time_t best_at = 0;
	size_t seen = 0;
	char at[MG_TIME_LEN];

	mg_buf_addf(&id, "promote.evidence.%s", gate);
	for (size_t f = 0; f < nev; f++) {
		if (!ev[f].ok)
			continue;
		for (size_t i = 0; i < ev[f].result.nsuites; i++) {
			const struct mg_suite *s = &ev[f].result.suites[i];
			const char *g = mg_suite_prop(s, "mlgate.gate");
			const char *model = mg_suite_prop(s, "mlgate.model");
			const char *version = mg_suite_prop(s, "mlgate.version");
			const char *commit = mg_suite_prop(s, "mlgate.git.commit");
			const char *fin = mg_suite_prop(s, "mlgate.finished");
			const char *verdict = mg_suite_prop(s, "mlgate.verdict");
			struct mg_err terr = MG_ERR_INIT;
			time_t t = 0;

			if (!g || strcmp(g, gate))
				continue;
			seen++;
			mg_buf_addf(&why, "%s'%s': ", why.len ? "; " : "", ev[f].path);
			if (!model || strcmp(model, p->mv.name)) {
				mg_buf_addf(&why, "for model '%s'", model ? model : "(none)");
				continue;
			}
			if (!version || strcmp(version, p->mv.version)) {
				mg_buf_addf(&why, "for version %s", version ? version : "(none)");
				continue;
			}
			if (p->o->commit &&
			    (!commit || strlen(commit) < strlen(p->o->commit) ||
			     strncasecmp(commit, p->o->commit, strlen(p->o->commit)))) {
				mg_buf_addf(&why, "for commit '%s', not %s", commit ? commit : "",
				            p->o->commit);
				continue;
			}
			if (!fin || mg_time_parse("mlgate.finished", fin, &t, &terr)) {
				mg_buf_addf(&why, "no valid mlgate.finished time");
				continue;
			}
			if (now - t > max_age) {
				mg_buf_addf(&why, "finished %s, older than --max-age %s", fin,
				            p->o->max_age ? p->o->max_age : DEFAULT_MAX_AGE);
				continue;
			}
			if (t - now > 300) {
				mg_buf_addf(&why, "finished %s, in the future", fin);
				continue;
			}
			if (!mg_suite_passed(s)) {
				mg_buf_addf(&why, "verdict %s", verdict ? verdict : "failed");
				continue;
			}
			if (!strcmp(gate, "compare") &&
			    !mg_suite_prop(s, "mlgate.champion.version")) {
				mg_buf_addf(&why, "no mlgate.champion.version property");
				continue;
			}
			mg_buf_adds(&why, "passed");
			if (!best || t > best_at) {
				best = s;
				best_file = ev[f].path;
				best_at = t;
			}
		}
	}
	if (best) {
		const char *commit = mg_suite_prop(best, "mlgate.git.commit");

		if (commit && *commit && !p->commit)
			p->commit = mg_xstrdup(commit);
		if (!strcmp(gate, "compare")) {
			const char *ch = mg_suite_prop(best, "mlgate.champion.version");

			p->have_champion = true;
			p->champion = strcmp(ch, "none") ? mg_xstrdup(ch) : NULL;
			add(p, id.buf, MG_STATUS_PASSED,
			    "%s passed at %s ('%s'), compared against %s%s", gate,
			    mg_time_format(best_at, MG_TIME_ZULU, at), best_file,
			    p->champion ? "version " : "no production version",
			    p->champion ? p->champion : "");
		} else {
			add(p, id.buf, MG_STATUS_PASSED, "%s passed at %s ('%s')", gate,
			    mg_time_format(best_at, MG_TIME_ZULU, at), best_file);
		}
	} else if (!seen) {
		add(p, id.buf, MG_STATUS_FAILED, "no %s evidence among the %zu --evidence file(s)",
		    gate, nev);
	} else {
		add(p, id.buf, MG_STATUS_FAILED,
		    "no passing %s evidence for model '%s' version %s: %s", gate, p->mv.name,
		    p->mv.version, why.buf);
	}
	mg_buf_release(&why);
	mg_buf_release(&id);
}

/* --- options check --------------------------------------------------------------- */

static int check_opts(struct promote *p, struct mg_gate_opts *g, const char *gates[MAX_GATES],
                      size_t *ngates, long long *max_age, struct mg_err *err)
{
	const struct mg_promote_opts *o = p->o;
	const char *req;

	if (!!o->to_stage + !!o->to_alias != 1)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "give exactly one of --to-stage and --to-alias");
	if (o->to_stage) {
		p->name = mg_stage_canonical(o->to_stage);
		if (!p->name || (strcmp(p->name, "Staging") && strcmp(p->name, "Production")))
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "invalid value '%.64s' for --to-stage: expected Staging or "
			        "Production",
			        o->to_stage);
		if (o->from_alias)
			return mg_err_set(err, MG_EXIT_USAGE, "--from-alias goes with --to-alias");
		p->target = &stage_target;
	} else {
		p->name = o->to_alias;
		p->target = &alias_target;
		if (o->from_alias && !strcmp(o->from_alias, o->to_alias))
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "--from-alias and --to-alias are the same alias '%s'",
			                  o->to_alias);
	}
	/* the candidate alias selects the candidate when nothing else does */
	if (o->from_alias && !g->version && !g->alias && !g->stage)
		g->alias = o->from_alias;
	if (mg_gate_check_opts(p->ctx, g, err))
		return -1;
	if (o->reject && o->approve)
		return mg_err_set(err, MG_EXIT_USAGE, "give at most one of --reject and --approve");
	if (o->reject != !!o->reason)
		return mg_err_set(err, MG_EXIT_USAGE, "--reject and --reason TEXT go together");
	if (o->approve != !!o->override_reason)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "--approve and --override-reason TEXT go together");
	if (!o->reject && !o->approve && !o->evidence.n)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "missing --evidence FILE (or --reject/--approve by hand)");
	if (o->commit && (strlen(o->commit) < 7 || strlen(o->commit) > 40 || !is_hex(o->commit)))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid value '%.64s' for --commit: expected 7 to 40 hex digits",
		                  o->commit);
	if (mg_promote_parse_duration("--max-age", o->max_age ? o->max_age : DEFAULT_MAX_AGE,
	                              max_age, err))
		return -1;
	/* production needs a comparison by default; other targets the compliance check */
	req = o->require;
	if (!req)
		req = (o->to_stage && !strcmp(p->name, "Production")) ||
		                      (o->to_alias && !strcmp(o->to_alias, "champion"))
		              ? "comply,compare"
		              : "comply";
	return mg_evidence_parse_gates(req, "--require", gates, ngates, err);
}

/* --- the gate ---------------------------------------------------------------------- */

/* Record the override or the explicit rejection: who and why, as tags. */
static int audit_tags(struct promote *p, const char *why, struct mg_err *err)
{
	const char *keys[] = {"mlgate.promote.reason", "mlgate.promote.by"};
	const char *vals[] = {why, identity()};

	for (size_t i = 0; i < 2; i++) {
		const char *old = mg_kvlist_get(&p->mv.tags, keys[i]);

		if (old && !strcmp(old, vals[i]))
			continue;
		if (record(p, false,
		           p->o->gate.dry_run
		                   ? 0
		                   : mg_registry_set_version_tag(p->reg, p->mv.name, p->mv.version,
		                                                 keys[i], vals[i], err),
		           err, "%s tag %s=%s on model '%s' version %s",
		           p->o->gate.dry_run ? "would set" : "set", keys[i], vals[i], p->mv.name,
		           p->mv.version))
			return -1;
	}
	return 0;
}

/*
 * Decide and act. Returns 0 with the checks added, or -1 with err set.
 * *write is set when the decision is to be written back.
 */
static int decide(struct promote *p, const char *target, const char *const *gates, size_t ngates,
                  long long max_age, struct mg_evidence *ev, bool *write, struct mg_err *err)
{
	const struct mg_promote_opts *o = p->o;
	const char *prev = mg_kvlist_get(&p->mv.tags, "mlgate.promote.verdict");
	const char *prev_target = mg_kvlist_get(&p->mv.tags, "mlgate.promote.target");
	const time_t now = time(NULL);
	const char *expected;
	bool rejected = false;
	int ret = -1;

	*write = false;
	if (p->target->read(p, err))
		goto done;
	/* a version already promoted, and nothing left undone: nothing to do (idempotent) */
	if (!o->reject && p->in_target && !p->target->unfinished(p) && prev &&
	    !strcmp(prev, "passed") && prev_target && !strcmp(prev_target, target)) {
		add(p, "promote.target", MG_STATUS_PASSED,
		    "model '%s' version %s already holds %s %s (promoted at %s): nothing to change",
		    p->mv.name, p->mv.version, p->target->kind, p->name,
		    mg_kvlist_get(&p->mv.tags, "mlgate.promote.at")
		            ? mg_kvlist_get(&p->mv.tags, "mlgate.promote.at")
		            : "?");
		ret = 0;
		goto done;
	}
	if (o->reject) {
		add(p, "promote.decision", MG_STATUS_FAILED, "rejected by %s: %s", identity(),
		    o->reason);
		if (p->target->reject(p, err) || audit_tags(p, o->reason, err))
			goto done;
		*write = true;
		ret = 0;
		goto done;
	}
	/* the evidence (read before the registry was opened) */
	for (size_t i = 0; i < ngates; i++)
		judge_gate(p, gates[i], ev, o->evidence.n, now, max_age);
	for (size_t i = 0; i < p->suite->nchecks; i++)
		rejected = rejected || p->suite->checks[i].status == MG_STATUS_FAILED;
	if (o->approve) {
		for (size_t i = 0; i < p->suite->nchecks; i++) {
			struct mg_check *k = &p->suite->checks[i];
			struct mg_buf m = MG_BUF_INIT(MG_BUF_SMALL);

			if (k->status != MG_STATUS_FAILED)
				continue;
			mg_buf_addf(&m, "overridden by --approve: %s", k->message);
			k->status = MG_STATUS_SKIPPED;
			mg_check_set(&k->message, m.buf);
			mg_buf_release(&m);
		}
		add(p, "promote.override", MG_STATUS_PASSED, "approved by hand by %s: %s",
		    identity(), o->override_reason);
		rejected = false;
	}
	if (rejected) {
		/* the rejection is applied (archive / drop the candidate alias) and recorded */
		if (!o->keep_on_reject && p->target->reject(p, err))
			goto done;
		*write = true;
		ret = 0;
		goto done;
	}
	/* compare-and-set: production must still be what the comparison was made against */
	expected = p->nholders == 1 ? p->holders.buf : NULL;
	if (p->have_champion && !o->approve && !p->in_target) {
		bool same = p->champion ? p->nholders == 1 && !strcmp(p->holders.buf, p->champion)
		                        : p->nholders == 0;

		if (!same) {
			add(p, "promote.target", MG_STATUS_FAILED,
			    "%s %s of model '%s' is held by %s%s, but the compare evidence was "
			    "made "
			    "against %s%s: compare again",
			    p->target->kind, p->name, p->mv.name, p->nholders ? "version " : "",
			    p->nholders ? p->holders.buf : "no version",
			    p->champion ? "version " : "no version",
			    p->champion ? p->champion : "");
			ret = 0;
			goto done;
		}
		expected = p->champion;
	}
	if (p->in_target) {
		/* finish what a run that stopped half-way (or another client) left undone */
		if (p->target->unfinished(p) && p->target->finish(p, err))
			goto done;
		add(p, "promote.target", MG_STATUS_PASSED,
		    "model '%s' version %s already holds %s %s", p->mv.name, p->mv.version,
		    p->target->kind, p->name);
	} else if (p->target->approve(p, expected, err)) {
		if (err->reason != MG_REASON_CONFLICT || err->code != MG_EXIT_USAGE)
			goto done;
		/* the registry changed since it was read: nothing was written */
		mg_writes_release(&p->writes);
		add(p, "promote.target", MG_STATUS_FAILED, "%s: nothing changed", err->msg);
		mg_err_clear(err);
		ret = 0;
		goto done;
	} else {
		add(p, "promote.target", MG_STATUS_PASSED, "model '%s' version %s %s %s %s",
		    p->mv.name, p->mv.version, o->gate.dry_run ? "would take" : "took",
		    p->target->kind, p->name);
	}
	if (o->approve && audit_tags(p, o->override_reason, err))
		goto done;
	*write = true;
	ret = 0;
done:
	return ret;
}

/*
 * The same verdict for the same commit is already on the version. (With no
 * commit, mg_gate_writeback writes no commit tag and so cannot tell.)
 */
static bool recorded(const struct mg_model_version *mv, const struct mg_gate_run *run,
                     const char *target)
{
	const char *v = mg_kvlist_get(&mv->tags, "mlgate.promote.verdict");
	const char *c = mg_kvlist_get(&mv->tags, "mlgate.promote.commit");

	const char *t = mg_kvlist_get(&mv->tags, "mlgate.promote.target");

	return v && !strcmp(v, run->verdict) && !strcmp(c ? c : "", run->commit) && t &&
	       !strcmp(t, target);
}

/*
 * Write the decision back: the target first, then mg_gate_writeback on a
 * view of the version without tags, since whether this decision is already
 * recorded was settled above (a promotion to Production after one to
 * Staging is a new decision with the same verdict).
 */
static int writeback(struct promote *p, const struct mg_gate_run *run, const char *target,
                     const char *summary, struct mg_err *err)
{
	struct mg_model_version view = p->mv;
	const char *old = mg_kvlist_get(&p->mv.tags, "mlgate.promote.target");

	if (!old || strcmp(old, target)) {
		if (record(p, false,
		           p->o->gate.dry_run ? 0
		                              : mg_registry_set_version_tag(
		                                        p->reg, p->mv.name, p->mv.version,
		                                        "mlgate.promote.target", target, err),
		           err, "%s tag mlgate.promote.target=%s on model '%s' version %s",
		           p->o->gate.dry_run ? "would set" : "set", target, p->mv.name,
		           p->mv.version))
			return -1;
	}
	view.tags = (struct mg_kvlist)MG_KVLIST_INIT;
	return mg_gate_writeback(p->reg, run, &view, summary, &p->writes, err);
}

int mg_promote_run(struct mg_ctx *ctx, const struct mg_promote_opts *o, struct mg_err *err)
{
	struct promote p = {0};
	struct mg_gate_opts g = o->gate;
	struct mg_result result;
	struct mg_buf uri = MG_BUF_INIT(MG_BUF_SMALL), json = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_buf summary = MG_BUF_INIT(MG_BUF_SMALL), bad = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_gate_run run = {0};
	struct mg_policy policy = {0};
	struct mg_evidence *ev = NULL;
	const char *gates[MAX_GATES];
	size_t ngates = 0;
	long long max_age = 0;
	bool write = false;
	int ret = -1, code;
	char target[600] = "";

	p.ctx = ctx;
	p.o = o;
	p.writes = (struct mg_writes)MG_WRITES_INIT(o->gate.dry_run);
	p.holders = (struct mg_buf)MG_BUF_INIT(MG_BUF_SMALL);
	mg_result_init(&result, "mlgate");
	p.suite = mg_result_add_suite(&result, "promote");
	mg_gate_run_init(&run, "promote", &o->gate);
	ev = mg_xcalloc(o->evidence.n ? o->evidence.n : 1, sizeof(*ev));
	for (size_t i = 0; i < o->evidence.n; i++)
		mg_evidence_init(&ev[i], o->evidence.items[i]);

	if (check_opts(&p, &g, gates, &ngates, &max_age, err) || load_policy(o, &policy, &run, err))
		goto done;
	/* evidence that cannot be read is a mistake in the command, not a rejection */
	if (mg_evidence_read(ev, o->evidence.n, &bad)) {
		mg_err_set(err, MG_EXIT_USAGE, "unusable evidence, nothing changed: %s", bad.buf);
		goto done;
	}
	mg_registry_resolve_uri(g.registry, &uri);
	if (mg_registry_open(ctx, uri.buf, &p.reg, err))
		goto done;
	run.registry = mg_registry_uri(p.reg);
	if (mg_gate_resolve(p.reg, &g, &p.mv, err))
		goto done;
	run.model = p.mv.name;
	run.version = p.mv.version;
	p.t0 = mg_clock_ns();
	snprintf(target, sizeof(target), "%s:%s", p.target->kind, p.name);
	if (decide(&p, target, gates, ngates, max_age, ev, &write, err))
		goto done;
	ret = 0;
done:
	code = ret ? err->code : 0;
	if (ret && code == MG_EXIT_USAGE && !p.reg)
		goto out;
	if (ret)
		mg_gate_write_failed(p.suite, "promote.evaluation", &p.writes, err);
	run.commit = o->commit ? o->commit : p.commit ? p.commit : "";
	run.verdict = mg_gate_verdict(p.suite);
	run.finished = time(NULL);
	if (!ret && write) {
		if (!strcmp(run.verdict, "passed"))
			mg_buf_addf(&summary, "%s promotion to %s %s",
			            o->approve ? "forced" : "approved", p.target->kind, p.name);
		else
			mg_buf_addf(&summary, "rejected promotion to %s %s", p.target->kind,
			            p.name);
		if (o->approve || o->reject)
			mg_buf_addf(&summary, " by %s: %s", identity(),
			            o->approve ? o->override_reason : o->reason);
		if (!recorded(&p.mv, &run, target) &&
		    writeback(&p, &run, target, summary.buf, err)) {
			mg_gate_write_failed(p.suite, "promote.writeback", &p.writes, err);
			run.verdict = "error";
			ret = -1;
			code = err->code;
		}
	}
	mg_suite_set_prop(p.suite, "mlgate.promote.target", target);
	if (p.have_champion)
		mg_suite_set_prop(p.suite, "mlgate.champion.version",
		                  p.champion ? p.champion : "none");
	mg_gate_evidence(p.suite, &run);
	mg_gate_json(&run, p.suite, &p.writes, &json);
	if (mg_gate_publish(ctx, &result, &run, &o->gate, o->quiet, &json, &p.writes, NULL, NULL,
	                    err)) {
		ret = -1;
		code = err->code;
	}
out:
	ret = mg_gate_exit(ret != 0, code, run.verdict);
	for (size_t i = 0; i < o->evidence.n; i++)
		mg_evidence_release(&ev[i]);
	free(ev);
	free(p.champion);
	free(p.commit);
	mg_model_version_release(&p.mv);
	mg_registry_close(p.reg);
	mg_policy_release(&policy);
	mg_result_release(&result);
	mg_buf_release(&uri);
	mg_buf_release(&json);
	mg_buf_release(&summary);
	mg_buf_release(&bad);
	mg_writes_release(&p.writes);
	mg_buf_release(&p.holders);
	return ret;
}
