#include "setup.h"
#include "promote.h"
#include "text.h"
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

/* --- the policy's "promote" section --------------------------------------------------- */

static const struct mg_schema_field promote_fields[] = {
        /* Databricks: approve only a requested transition (default true) */
        {"require_transition_request", &mg_schema_bool, false},
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
 * version and the known sections; a "promote" section against its schema)
 * and its SHA-256 recorded as evidence. The other gates' sections are each
 * checked by their own gate.
 */
static int load_policy(const struct mg_promote_opts *o, struct mg_policy *policy,
                       struct mg_gate_run *run, bool *require_request, const char **pin,
                       struct mg_err *err)
{
	const cJSON *section, *sample;
	char where[4200];

	*require_request = true;
	if (!o->gate.policy)
		return 0;
	if (mg_policy_load(o->gate.policy, mg_policy_sections, policy, err))
		return -1;
	mg_policy_where(policy, where, sizeof(where));
	section = mg_policy_section(policy, "promote");
	if (section && mg_schema_check(&promote_section, section, where, "promote", err))
		return -1;
	if (section &&
	    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(section, "require_transition_request")))
		*require_request = false;
	run->policy_sha256 = policy->sha256;
	/* a pinned evaluation sample: compare evidence on another sample does not count */
	section = mg_policy_section(policy, "compare");
	sample = section ? cJSON_GetObjectItemCaseSensitive(section, "sample") : NULL;
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(sample, "sha256")))
		*pin = mg_json_str(sample, "sha256");
	return 0;
}

/* --- options ------------------------------------------------------------------ */

int mg_promote_parse_duration(const char *what, const char *s, long long *out, struct mg_err *err)
{
	static const long long max_s = 366LL * 86400;
	struct mg_err ignored = MG_ERR_INIT;
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
	for (size_t i = 0; num[i]; i++)
		if (!isdigit((unsigned char)num[i]))
			goto bad;
	/* only digits: the one way left to fail is a number past the range (or past long long) */
	if (mg_parse_ll(what, num, 1, max_s / unit, &n, &ignored))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid value '%s' for %s: must be between 1%c and %lld%c%s", s,
		                  what, s[len - 1], max_s / unit, s[len - 1],
		                  unit == 86400 ? "" : " (366 days)");
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

#include "promote_target.h"

/* --- evidence ----------------------------------------------------------------------- */

/*
 * Does evidence suite `s` (gate `gate`, from `path`) pass for this
 * promotion: signed when a key is set, this model, version and commit,
 * finished in the last max_age seconds, passed, and agreeing with what the
 * gate wrote on the version? Why not is appended to `why`; *t is its time,
 * `note` what the cross-check has to say.
 */
static bool evidence_passes(struct promote *p, const char *gate, const struct mg_suite *s,
                            time_t now, long long max_age, time_t *t, struct mg_buf *why,
                            struct mg_buf *note)
{
	const char *model = mg_suite_prop(s, "mlgate.model");
	const char *version = mg_suite_prop(s, "mlgate.version");
	const char *commit = mg_suite_prop(s, "mlgate.git.commit");
	const char *fin = mg_suite_prop(s, "mlgate.finished");
	const char *verdict = mg_suite_prop(s, "mlgate.verdict");
	const char *want = p->o->commit;
	struct mg_err terr = MG_ERR_INIT;

	if (p->key && mg_evidence_verify(s, p->key, why, &terr) <= 0)
		return mg_buf_adds(why, terr.msg), false; /* empty unless libcrypto failed */
	if (!model || strcmp(model, p->mv.name))
		return mg_buf_addf(why, "for model '%s'", model ? model : "(none)"), false;
	if (!version || strcmp(version, p->mv.version))
		return mg_buf_addf(why, "for version %s", version ? version : "(none)"), false;
	if (want &&
	    (!commit || strlen(commit) < strlen(want) || strncasecmp(commit, want, strlen(want))))
		return mg_buf_addf(why, "for commit '%s', not %s", commit ? commit : "", want),
		       false;
	if (!fin || mg_time_parse("mlgate.finished", fin, t, &terr))
		return mg_buf_addf(why, "no valid mlgate.finished time"), false;
	if (now - *t > max_age)
		return mg_buf_addf(why, "finished %s, older than --max-age %s", fin,
		                   p->o->max_age ? p->o->max_age : DEFAULT_MAX_AGE),
		       false;
	if (*t - now > 300)
		return mg_buf_addf(why, "finished %s, in the future", fin), false;
	if (!mg_suite_passed(s))
		return mg_buf_addf(why, "verdict %s", verdict ? verdict : "failed"), false;
	if (!strcmp(gate, "compare") && !mg_suite_prop(s, "mlgate.champion.version"))
		return mg_buf_addf(why, "no mlgate.champion.version property"), false;
	if (!strcmp(gate, "compare") && p->sample_pin) {
		const char *d = mg_suite_prop(s, "mlgate.compare.sample.sha256");

		if (!d || strcmp(d, p->sample_pin))
			return mg_buf_addf(why,
			                   "compared on sample %.64s, not the pinned "
			                   "compare.sample.sha256 %.64s",
			                   d ? d : "(none recorded)", p->sample_pin),
			       false;
	}
	mg_buf_reset(note);
	if (!mg_evidence_crosscheck(s, &p->mv, why, note))
		return false;
	mg_buf_adds(why, "passed");
	return true;
}

/*
 * Judge the evidence for one required gate: a passing suite for this
 * model, version (and commit), recent enough, signed when a key is set,
 * and matching what the gate recorded on the version (gate/evidence.h).
 * Adds promote.evidence.GATE.
 */
static void judge_gate(struct promote *p, const char *gate, struct mg_evidence *ev, size_t nev,
                       time_t now, long long max_age)
{
	struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL), id = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf note = MG_BUF_INIT(MG_BUF_SMALL), best_note = MG_BUF_INIT(MG_BUF_SMALL);
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
			time_t t = 0;

			if (!g || strcmp(g, gate))
				continue;
			seen++;
			mg_buf_addf(&why, "%s'%s': ", why.len ? "; " : "", ev[f].path);
			if (!evidence_passes(p, gate, s, now, max_age, &t, &why, &note))
				continue;
			if (!best || t > best_at) {
				best = s;
				best_file = ev[f].path;
				best_at = t;
				mg_buf_reset(&best_note);
				mg_buf_add(&best_note, note.buf, note.len);
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
			for (size_t i = 0; i < best->nchecks; i++) {
				const struct mg_check *k = &best->checks[i];

				/* evidence from before JUnit carried a passed check's message has
				 * none */
				mg_buf_addf(&p->metrics, "- %s: %s%s%s\n", k->id,
				            mg_status_name(k->status),
				            k->message && *k->message ? ": " : "",
				            k->message ? k->message : "");
			}
			ADD_CHECK(p, id.buf, MG_STATUS_PASSED,
			          "%s passed at %s ('%s'), compared against %s%s%s%s", gate,
			          mg_time_format(best_at, MG_TIME_ZULU, at), best_file,
			          p->champion ? "version " : "no production version",
			          p->champion ? p->champion : "", best_note.len ? "; " : "",
			          best_note.buf);
		} else {
			ADD_CHECK(p, id.buf, MG_STATUS_PASSED, "%s passed at %s ('%s')%s%s", gate,
			          mg_time_format(best_at, MG_TIME_ZULU, at), best_file,
			          best_note.len ? "; " : "", best_note.buf);
		}
	} else if (!seen) {
		ADD_CHECK(p, id.buf, MG_STATUS_FAILED, "no %s evidence among the %zu --evidence %s",
		          gate, nev, mg_plural(nev, "file", "files"));
	} else {
		ADD_CHECK(p, id.buf, MG_STATUS_FAILED,
		          "no passing %s evidence for model '%s' version %s: %s", gate, p->mv.name,
		          p->mv.version, why.buf);
	}
	mg_buf_release(&why);
	mg_buf_release(&id);
	mg_buf_release(&note);
	mg_buf_release(&best_note);
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
		p->target = &mg_promote_stage;
	} else {
		p->name = o->to_alias;
		p->target = &mg_promote_alias;
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
	const char *vals[] = {why, mg_promote_identity()};

	for (size_t i = 0; i < 2; i++) {
		const char *old = mg_kvlist_get(&p->mv.tags, keys[i]);

		if (old && !strcmp(old, vals[i]))
			continue;
		if (mg_promote_record(p, false,
		                      p->o->gate.dry_run
		                              ? 0
		                              : mg_registry_set_version_tag(p->reg, p->mv.name,
		                                                            p->mv.version, keys[i],
		                                                            vals[i], err),
		                      err, "%s tag %s=%s on model '%s' version %s",
		                      p->o->gate.dry_run ? "would set" : "set", keys[i], vals[i],
		                      p->mv.name, p->mv.version))
			return -1;
	}
	return 0;
}

/*
 * Judge the evidence: a check per required gate; with --approve, failed
 * checks become skipped ("overridden") and the override is a check of its
 * own. Returns whether the evidence rejects the promotion.
 */
static bool judge_evidence(struct promote *p, const char *const *gates, size_t ngates,
                           long long max_age, struct mg_evidence *ev)
{
	const struct mg_promote_opts *o = p->o;
	const time_t now = time(NULL);
	bool rejected = false;

	for (size_t i = 0; i < ngates; i++)
		judge_gate(p, gates[i], ev, o->evidence.n, now, max_age);
	for (size_t i = 0; i < p->suite->nchecks; i++)
		rejected = rejected || p->suite->checks[i].status == MG_STATUS_FAILED;
	if (!o->approve)
		return rejected;
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
	ADD_CHECK(p, "promote.override", MG_STATUS_PASSED, "approved by hand by %s: %s",
	          mg_promote_identity(), o->override_reason);
	return false;
}

/*
 * Approved: take the target, as a compare-and-set against what the compare
 * evidence was made against (or what was read), or finish the approval of
 * a version already there. 0 done (to be recorded), 1 refused with nothing
 * written (production moved since the comparison), -1 failed.
 */
static int take_target(struct promote *p, struct mg_err *err)
{
	const struct mg_promote_opts *o = p->o;
	const char *expected = p->nholders == 1 ? p->holders.buf : NULL;

	if (p->have_champion && !o->approve && !p->in_target) {
		bool same = p->champion ? p->nholders == 1 && !strcmp(p->holders.buf, p->champion)
		                        : p->nholders == 0;

		if (!same) {
			ADD_CHECK(
			        p, "promote.target", MG_STATUS_FAILED,
			        "%s %s of model '%s' is held by %s%s, but the compare evidence was "
			        "made against %s%s: compare again",
			        p->target->kind, p->name, p->mv.name, p->nholders ? "version " : "",
			        p->nholders ? p->holders.buf : "no version",
			        p->champion ? "version " : "no version",
			        p->champion ? p->champion : "");
			return 1;
		}
		expected = p->champion;
	}
	if (p->in_target) {
		/* finish what a run that stopped half-way (or another client) left undone */
		if (p->target->unfinished(p) && p->target->finish(p, err))
			return -1;
		ADD_CHECK(p, "promote.target", MG_STATUS_PASSED,
		          "model '%s' version %s already holds %s %s", p->mv.name, p->mv.version,
		          p->target->kind, p->name);
		return 0;
	}
	if (p->target->approve(p, expected, err)) {
		if (err->reason != MG_REASON_CONFLICT || err->code != MG_EXIT_USAGE)
			return -1;
		/* the registry changed since it was read: nothing was written */
		mg_writes_release(&p->writes);
		ADD_CHECK(p, "promote.target", MG_STATUS_FAILED, "%s: nothing changed", err->msg);
		mg_err_clear(err);
		return 1;
	}
	ADD_CHECK(p, "promote.target", MG_STATUS_PASSED, "model '%s' version %s %s %s %s",
	          p->mv.name, p->mv.version, o->gate.dry_run ? "would take" : "took",
	          p->target->kind, p->name);
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
	const char *at = mg_kvlist_get(&p->mv.tags, "mlgate.promote.at");
	int rc;

	*write = false;
	if (p->target->read(p, err))
		return -1;
	/* a version already promoted, and nothing left undone: nothing to do (idempotent) */
	if (!o->reject && p->in_target && !p->target->unfinished(p) && prev &&
	    !strcmp(prev, "passed") && prev_target && !strcmp(prev_target, target)) {
		ADD_CHECK(p, "promote.target", MG_STATUS_PASSED,
		          "model '%s' version %s already holds %s %s (promoted at %s): nothing to "
		          "change",
		          p->mv.name, p->mv.version, p->target->kind, p->name, at ? at : "?");
		return 0;
	}
	if (o->reject) {
		ADD_CHECK(p, "promote.decision", MG_STATUS_FAILED, "rejected by %s: %s",
		          mg_promote_identity(), o->reason);
		if (p->target->reject(p, err) || audit_tags(p, o->reason, err))
			return -1;
		*write = true;
		return 0;
	}
	if (judge_evidence(p, gates, ngates, max_age, ev)) {
		/* the rejection is applied (archive / drop the candidate alias) and recorded */
		if (!o->keep_on_reject && p->target->reject(p, err))
			return -1;
		*write = true;
		return 0;
	}
	rc = take_target(p, err);
	if (rc)
		return rc < 0 ? -1 : 0;
	if (o->approve && audit_tags(p, o->override_reason, err))
		return -1;
	*write = true;
	return 0;
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
 * Write the decision back: the target first, then mg_gate_writeback told
 * that this is a new decision, since whether it is already recorded was
 * settled above (a promotion to Production after one to Staging is a new
 * decision with the same verdict). It still sees the version's tags: a
 * commit or run URL tag an earlier decision left is deleted, and its own
 * comment is edited, not posted again.
 */
static int promote_writeback(void *arg, struct mg_gate_run *run, const char *summary,
                             struct mg_writes *w, struct mg_err *err)
{
	struct promote *p = arg;
	const char *old = mg_kvlist_get(&p->mv.tags, "mlgate.promote.target");

	if (!p->write)
		return 0;
	if (recorded(&p->mv, run, p->target_id)) {
		run->writeback = "unchanged";
		return 0;
	}
	if ((!old || strcmp(old, p->target_id)) &&
	    mg_promote_record(p, false,
	                      w->dry_run ? 0
	                                 : mg_registry_set_version_tag(
	                                           p->reg, p->mv.name, p->mv.version,
	                                           "mlgate.promote.target", p->target_id, err),
	                      err, "%s tag mlgate.promote.target=%s on model '%s' version %s",
	                      w->dry_run ? "would set" : "set", p->target_id, p->mv.name,
	                      p->mv.version))
		return -1;
	run->new_decision = true;
	return mg_gate_writeback(p->reg, run, &p->mv, summary, w, err);
}

/* The description line: approved, forced or rejected, and by whom when a person decided. */
static void promote_summary(void *arg, const struct mg_gate_run *run, struct mg_buf *out)
{
	const struct promote *p = arg;
	const struct mg_promote_opts *o = p->o;

	if (!p->write)
		return; /* no decision to record */
	if (!strcmp(run->verdict, "passed"))
		mg_buf_addf(out, "%s promotion to %s %s", o->approve ? "forced" : "approved",
		            p->target->kind, p->name);
	else
		mg_buf_addf(out, "rejected promotion to %s %s", p->target->kind, p->name);
	if (o->approve || o->reject)
		mg_buf_addf(out, " by %s: %s", mg_promote_identity(),
		            o->approve ? o->override_reason : o->reason);
}

static void promote_props(void *arg, struct mg_suite *s)
{
	const struct promote *p = arg;

	mg_suite_set_prop(s, "mlgate.promote.target", p->target_id);
}

static const struct mg_gate_hooks promote_hooks = {
        .summary = promote_summary,
        .writeback = promote_writeback,
        .props = promote_props,
};

int mg_promote_run(struct mg_ctx *ctx, const struct mg_promote_opts *o, struct mg_err *err)
{
	struct promote p = {0};
	struct mg_gate_opts g = o->gate;
	struct mg_result result;
	struct mg_buf uri = MG_BUF_INIT(MG_BUF_SMALL), bad = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_gate_run run = {0};
	struct mg_gate_end end = {ctx,  &o->gate,  o->quiet,       &result,   NULL,
	                          &run, NULL,      NULL,           "promote", false,
	                          0,    &p.writes, &promote_hooks, &p};
	struct mg_policy policy = {0};
	struct mg_evidence *ev = NULL;
	const char *gates[MAX_GATES];
	size_t ngates = 0;
	long long max_age = 0;
	int ret = -1;

	p.ctx = ctx;
	p.o = o;
	p.writes = (struct mg_writes)MG_WRITES_INIT(o->gate.dry_run);
	p.holders = (struct mg_buf)MG_BUF_INIT(MG_BUF_SMALL);
	p.requests = (struct mg_buf)MG_BUF_INIT(MG_BUF_SMALL);
	p.metrics = (struct mg_buf)MG_BUF_INIT(MG_BUF_SMALL);
	mg_result_init(&result, "mlgate");
	p.suite = end.suite = mg_result_add_suite(&result, "promote");
	mg_gate_run_init(&run, "promote", &o->gate);
	ev = mg_xcalloc(o->evidence.n ? o->evidence.n : 1, sizeof(*ev));
	for (size_t i = 0; i < o->evidence.n; i++)
		mg_evidence_init(&ev[i], o->evidence.items[i]);

	if (check_opts(&p, &g, gates, &ngates, &max_age, err) || mg_evidence_key(&p.key, err) ||
	    load_policy(o, &policy, &run, &p.require_request, &p.sample_pin, err))
		goto done;
	/* evidence that cannot be read is a mistake in the command, not a rejection */
	if (mg_evidence_read(ev, o->evidence.n, &bad)) {
		mg_err_set(err, MG_EXIT_USAGE, "unusable evidence, nothing changed: %s", bad.buf);
		goto done;
	}
	mg_registry_resolve_uri(g.registry, &uri);
	if (mg_registry_open(ctx, uri.buf, &p.reg, err) || mg_gate_artifact_check(&end, p.reg, err))
		goto done;
	end.reg = p.reg;
	run.registry = mg_registry_uri(p.reg);
	if (mg_registry_require(
	            p.reg, p.target == &mg_promote_stage ? MG_REGISTRY_STAGES : MG_REGISTRY_ALIASES,
	            err))
		goto done;
	/* on Databricks' workspace registry a stage is taken through its transition request */
	if (p.target == &mg_promote_stage && (mg_registry_features(p.reg) & MG_REGISTRY_REQUESTS))
		p.target = &mg_promote_request;
	if (mg_gate_resolve(p.reg, &g, &p.mv, err))
		goto done;
	end.mv = &p.mv;
	run.model = p.mv.name;
	run.version = p.mv.version;
	p.t0 = run.started_ns; /* the first check's time counts the evidence and registry reads */
	snprintf(p.target_id, sizeof(p.target_id), "%s:%s", p.target->kind, p.name);
	if (decide(&p, p.target_id, gates, ngates, max_age, ev, &p.write, err))
		goto done;
	ret = 0;
done:
	run.commit = o->commit ? o->commit : p.commit ? p.commit : "";
	if (p.have_champion)
		run.champion = p.champion ? p.champion : "none";
	ret = mg_gate_finish(&end, ret != 0, err);
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
	mg_buf_release(&bad);
	mg_writes_release(&p.writes);
	mg_buf_release(&p.holders);
	mg_buf_release(&p.requests);
	mg_buf_release(&p.metrics);
	return ret;
}
