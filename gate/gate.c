#include "setup.h"
#include "gate.h"
#include "text.h"
#include "alloc.h"
#include "clock.h"
#include "evidence.h"
#include "json.h"
#include "markdown.h"
#include "report.h"
#include "version.h"

#include <assert.h>
#include <ctype.h>
#include <curl/curl.h>
#include <math.h>

/* MLflow keeps at most this many characters of a version description. */
#define DESCRIPTION_MAX 5000
#define LINE_PREFIX     "[mlgate] "

int mg_gate_check_opts(struct mg_ctx *ctx, const struct mg_gate_opts *o, struct mg_err *err)
{
	int n = (o->version != NULL) + (o->alias != NULL) + (o->stage != NULL);

	if (!o->model)
		return mg_err_set(err, MG_EXIT_USAGE, "missing --model NAME");
	if (n != 1)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "give exactly one of --version, --alias and --stage (got %d)", n);
	if (o->version && mg_version_check(o->version, err))
		return -1;
	if (o->stage && !mg_stage_canonical(o->stage))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid value '%.64s' for --stage: expected None, Staging, "
		                  "Production or Archived",
		                  o->stage);
	if (mg_gate_check_outputs(o->junit, o->json, o->summary, NULL, err))
		return -1;
	return mg_ci_resolve(o->ci, &ctx->ci, err);
}

int mg_gate_check_outputs(const char *junit, const char *json, const char *summary,
                          const struct mg_output *extra, struct mg_err *err)
{
	struct mg_output outs[4] = {
	        {"--junit", junit, false},
	        {"--json", json, false},
	        {"--summary", summary, false},
	        {NULL, NULL, false},
	};

	if (extra)
		outs[3] = *extra;
	return mg_outputs_check(outs, MG_ARRAY_SIZE(outs), err);
}

struct stage_pick {
	struct mg_model_version *out;
	struct mg_buf versions; /* every version found, for the message */
	size_t n;
};

static int pick_cb(void *arg, const struct mg_model_version *mv, struct mg_err *err)
{
	struct stage_pick *p = arg;

	(void)err;
	mg_buf_addf(&p->versions, "%s%s", p->n ? ", " : "", mv->version);
	if (!p->n++) {
		/* keep a copy of the first; a second one makes this an error anyway */
		p->out->name = mg_xstrdup(mv->name);
		p->out->version = mg_xstrdup(mv->version);
	}
	return 0;
}

int mg_gate_resolve(struct mg_registry *reg, const struct mg_gate_opts *o,
                    struct mg_model_version *out, struct mg_err *err)
{
	struct stage_pick p = {out, MG_BUF_INIT(MG_BUF_SMALL), 0};
	struct mg_model_version found = {0};
	const char *stage;
	int ret = -1;

	if (o->version)
		return mg_registry_get_version(reg, o->model, o->version, out, err);
	if (o->alias)
		return mg_registry_get_version_by_alias(reg, o->model, o->alias, out, err);
	stage = mg_stage_canonical(o->stage);
	if (mg_registry_versions_in_stage(reg, o->model, stage, pick_cb, &p, err))
		goto done;
	if (!p.n) {
		mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
		            "model '%s' has no version in stage %s", o->model, stage);
		goto done;
	}
	if (p.n > 1) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "model '%s' has %zu versions in stage %s (%s): name one with --version",
		           o->model, p.n, stage, p.versions.buf);
		goto done;
	}
	/* read it whole, with its tags */
	if (mg_registry_get_version(reg, o->model, out->version, &found, err))
		goto done;
	mg_model_version_release(out);
	*out = found;
	memset(&found, 0, sizeof(found));
	ret = 0;
done:
	if (ret)
		mg_model_version_release(out);
	mg_buf_release(&p.versions);
	return ret;
}

void mg_check_slug(struct mg_buf *out, const char *text)
{
	bool sep = false;
	size_t start = out->len;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (isalnum(*p) || *p >= 0x80) {
			if (sep && out->len > start)
				mg_buf_addch(out, '_');
			sep = false;
			mg_buf_addch(out, (char)(*p < 0x80 ? tolower(*p) : *p));
		} else {
			sep = true;
		}
	}
}

void mg_gate_run_init(struct mg_gate_run *run, const char *gate, const struct mg_gate_opts *o)
{
	memset(run, 0, sizeof(*run));
	run->gate = gate;
	run->verdict = "error";
	run->started = time(NULL);
	run->started_ns = mg_clock_ns();
	run->model = o->model ? o->model : "";
	run->version = o->version ? o->version : "";
	run->registry = "";
	run->commit = "";
	run->policy_sha256 = "";
	run->writeback = "none";
}

const char *mg_gate_training_commit(const struct mg_run *run, const char *given)
{
	const char *tag = run ? mg_kvlist_get(&run->tags, "mlflow.source.git.commit") : NULL;

	return tag && *tag ? tag : given ? given : "";
}

int mg_gate_load_policy(const struct mg_gate_opts *o, const char *section,
                        const struct mg_schema *schema, struct mg_policy *policy, const cJSON **out,
                        struct mg_gate_run *run, struct mg_err *err)
{
	char where[4200];

	if (!o->policy)
		return mg_err_set(err, MG_EXIT_USAGE, "missing --policy FILE");
	if (mg_policy_load(o->policy, mg_policy_sections, policy, err))
		return -1;
	run->policy_sha256 = policy->sha256;
	run->policy_path = o->policy;
	mg_policy_where(policy, where, sizeof(where));
	*out = mg_policy_section(policy, section);
	if (!*out)
		return mg_err_set(err, MG_EXIT_USAGE, "%s has no \"%s\" section", where, section);
	return mg_schema_check(schema, *out, where, section, err);
}

/*
 * Sign the evidence when $MLGATE_EVIDENCE_KEY is set (checked by
 * mg_gate_main). Should libcrypto fail, the evidence stays unsigned, and
 * every verifier refuses it: fail closed.
 */
static void sign(struct mg_suite *s)
{
	struct mg_err err = MG_ERR_INIT;
	char hex[MG_EVIDENCE_HMAC_HEX];
	const char *key;

	if (mg_evidence_key(&key, &err) || !key || mg_evidence_hmac(s, key, hex, &err))
		return;
	mg_suite_set_prop(s, MG_EVIDENCE_HMAC_PROP, hex);
}

void mg_gate_evidence(struct mg_suite *s, const struct mg_gate_run *run)
{
	char at[MG_TIME_LEN];

	mg_suite_set_prop(s, "mlgate.gate", run->gate);
	mg_suite_set_prop(s, "mlgate.verdict", run->verdict);
	mg_suite_set_prop(s, "mlgate.model", run->model);
	mg_suite_set_prop(s, "mlgate.version", run->version);
	mg_suite_set_prop(s, "mlgate.registry", run->registry);
	mg_suite_set_prop(s, "mlgate.git.commit", run->commit ? run->commit : "");
	mg_suite_set_prop(s, "mlgate.policy.sha256", run->policy_sha256 ? run->policy_sha256 : "");
	mg_suite_set_prop(s, "mlgate.tool.version", mg_version);
	mg_suite_set_prop(s, "mlgate.finished", mg_time_format(run->finished, MG_TIME_ZULU, at));
	if (run->champion)
		mg_suite_set_prop(s, "mlgate.champion.version", run->champion);
	mg_suite_set_prop(s, MG_EVIDENCE_WRITEBACK_PROP, run->writeback ? run->writeback : "none");
	s->timestamp = run->started;
	s->has_timestamp = true;
	if (run->model && *run->model) {
		struct mg_buf name = MG_BUF_INIT(MG_BUF_SMALL);

		mg_buf_addf(&name, "%s: %s", run->gate, run->model);
		if (run->version && *run->version)
			mg_buf_addf(&name, " v%s", run->version);
		free(s->name);
		s->name = mg_buf_take(&name, NULL);
	}
	if (run->policy_path) {
		free(s->file);
		s->file = mg_xstrdup(run->policy_path);
	}
	sign(s);
}

const char *mg_gate_verdict(const struct mg_suite *s)
{
	bool failed = false;

	for (size_t i = 0; i < s->nchecks; i++) {
		if (s->checks[i].status == MG_STATUS_ERROR)
			return "error";
		if (s->checks[i].status == MG_STATUS_FAILED)
			failed = true;
	}
	return failed ? "failed" : "passed";
}

void mg_gate_run_url(struct mg_buf *out)
{
	const char *server = getenv("GITHUB_SERVER_URL"), *repo = getenv("GITHUB_REPOSITORY");
	const char *run = getenv("GITHUB_RUN_ID"), *coll = getenv("SYSTEM_COLLECTIONURI");
	const char *project = getenv("SYSTEM_TEAMPROJECT"), *build = getenv("BUILD_BUILDID");

	if (server && *server && repo && *repo && run && *run) {
		mg_buf_addf(out, "%s/%s/actions/runs/%s", server, repo, run);
	} else if (coll && *coll && project && *project && build && *build) {
		size_t len = strlen(coll);

		mg_buf_addf(out, "%s%s", coll, coll[len - 1] == '/' ? "" : "/");
		mg_buf_adds(out, project); /* spaces in project names stay as Azure shows them */
		mg_buf_addf(out, "/_build/results?buildId=%s", build);
	}
}

void mg_writes_release(struct mg_writes *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->done[i]);
	free(w->done);
	free(w->failed);
	free(w->error);
	*w = (struct mg_writes)MG_WRITES_INIT(w->dry_run);
}

int mg_writes_record(struct mg_writes *w, int rc, const struct mg_err *err, const char *fmt, ...)
{
	struct mg_buf line = MG_BUF_INIT(MG_BUF_SMALL);
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vaddf(&line, fmt, ap);
	va_end(ap);
	if (rc) {
		assert(!w->failed); /* nothing is written after a failed write */
		w->failed = mg_buf_take(&line, NULL);
		w->error = mg_xstrdup(err && err->msg[0] ? err->msg : "failed");
		return rc;
	}
	if (w->n == w->alloc) {
		w->alloc = w->alloc ? 2 * w->alloc : 8;
		w->done = mg_xrealloc(w->done, mg_st_mult(w->alloc, sizeof(*w->done)));
	}
	w->done[w->n++] = mg_buf_take(&line, NULL);
	return 0;
}

void mg_writes_explain(const struct mg_writes *w, struct mg_buf *out)
{
	if (!w->failed)
		return;
	mg_buf_addf(out, "stopped half-way: %zu registry %s applied", w->n,
	            mg_plural(w->n, "change", "changes"));
	for (size_t i = 0; i < w->n; i++)
		mg_buf_addf(out, "%s%s", i ? "; " : ": ", w->done[i]);
	mg_buf_addf(out,
	            ". Failed: %s (%s); nothing after it was attempted. Once the cause is "
	            "fixed, re-run the same command to finish: what is applied is not done again",
	            w->failed, w->error);
}

void mg_gate_write_failed(struct mg_suite *s, const char *id, const struct mg_writes *w,
                          const struct mg_err *err)
{
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);

	mg_buf_adds(&msg, err->msg);
	if (w->failed) {
		mg_buf_adds(&msg, msg.len && msg.buf[msg.len - 1] == '.' ? " " : ". ");
		mg_writes_explain(w, &msg);
	}
	mg_suite_add(s, id, MG_STATUS_ERROR, msg.buf);
	mg_buf_release(&msg);
}

/* The JSON decision as a document (mg_gate_json). */
static cJSON *json_doc(const struct mg_gate_run *run, const struct mg_suite *s,
                       const struct mg_writes *writes)
{
	cJSON *o = cJSON_CreateObject(), *checks, *ch, *counts;
	struct mg_counts c;
	char at[MG_TIME_LEN];

	cJSON_AddStringToObject(o, "gate", run->gate);
	cJSON_AddStringToObject(o, "verdict", run->verdict);
	cJSON_AddStringToObject(o, "model", run->model);
	cJSON_AddStringToObject(o, "version", run->version ? run->version : "");
	cJSON_AddStringToObject(o, "registry", run->registry);
	cJSON_AddStringToObject(o, "commit", run->commit ? run->commit : "");
	cJSON_AddStringToObject(o, "policy_sha256", run->policy_sha256 ? run->policy_sha256 : "");
	cJSON_AddStringToObject(o, "tool_version", mg_version);
	cJSON_AddStringToObject(o, "started", mg_time_format(run->started, MG_TIME_ZULU, at));
	cJSON_AddStringToObject(o, "finished", mg_time_format(run->finished, MG_TIME_ZULU, at));
	cJSON_AddStringToObject(o, "writeback", run->writeback ? run->writeback : "none");
	if (mg_suite_prop(s, MG_EVIDENCE_HMAC_PROP))
		cJSON_AddStringToObject(o, "evidence_hmac",
		                        mg_suite_prop(s, MG_EVIDENCE_HMAC_PROP));
	mg_suite_counts(s, &c);
	counts = cJSON_AddObjectToObject(o, "counts");
	cJSON_AddNumberToObject(counts, "tests", (double)c.tests);
	cJSON_AddNumberToObject(counts, "passed", (double)c.passed);
	cJSON_AddNumberToObject(counts, "failed", (double)c.failures);
	cJSON_AddNumberToObject(counts, "errors", (double)c.errors);
	cJSON_AddNumberToObject(counts, "skipped", (double)c.skipped);
	checks = cJSON_AddArrayToObject(o, "checks");
	for (size_t i = 0; i < s->nchecks; i++) {
		const struct mg_check *k = &s->checks[i];

		ch = cJSON_CreateObject();
		cJSON_AddStringToObject(ch, "id", k->id);
		cJSON_AddStringToObject(ch, "status", mg_status_name(k->status));
		cJSON_AddStringToObject(ch, "message", k->message ? k->message : "");
		if (k->details)
			cJSON_AddStringToObject(ch, "details", k->details);
		if (k->file)
			cJSON_AddStringToObject(ch, "file", k->file);
		cJSON_AddItemToArray(checks, ch);
	}
	cJSON_AddBoolToObject(o, "dry_run", writes->dry_run);
	ch = cJSON_AddArrayToObject(o, "registry_changes");
	for (size_t i = 0; i < writes->n; i++)
		cJSON_AddItemToArray(ch, cJSON_CreateString(writes->done[i]));
	if (writes->failed) {
		ch = cJSON_AddObjectToObject(o, "registry_change_failed");
		cJSON_AddStringToObject(ch, "change", writes->failed);
		cJSON_AddStringToObject(ch, "error", writes->error);
	} else {
		cJSON_AddNullToObject(o, "registry_change_failed");
	}
	return o;
}

void mg_gate_json(const struct mg_gate_run *run, const struct mg_suite *s,
                  const struct mg_writes *writes, struct mg_buf *out)
{
	mg_json_emit(json_doc(run, s, writes), out);
}

/* The description with our previous lines dropped when it would grow past MLflow's limit. */
static void new_description(const char *old, const char *line, struct mg_buf *out)
{
	size_t want = strlen(old) + strlen(line) + 2;

	if (want <= DESCRIPTION_MAX) {
		mg_buf_adds(out, old);
	} else {
		/* keep the user's text, drop earlier [mlgate] lines */
		for (const char *p = old; *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);

			if (strncmp(p, LINE_PREFIX, strlen(LINE_PREFIX)))
				mg_buf_add(out, p, len);
			p += len;
		}
		while (out->len && (out->buf[out->len - 1] == '\n'))
			mg_buf_truncate(out, out->len - 1);
	}
	if (out->len)
		mg_buf_adds(out, "\n");
	mg_buf_adds(out, line);
	if (out->len > DESCRIPTION_MAX)
		mg_buf_truncate(out, DESCRIPTION_MAX);
}

/*
 * Does the description already end with `line`, but for its time? Then a
 * run that stopped half-way wrote it, and the re-run must not add it again.
 * Both start "[mlgate] <gate> <verdict> at <time>" (MG_TIME_LEN - 1 bytes).
 */
static bool ends_with_line(const char *description, const char *line)
{
	const char *last = strrchr(description, '\n');
	const char *at = strstr(line, " at ");
	size_t head, tlen = MG_TIME_LEN - 1;

	last = last ? last + 1 : description;
	if (!at)
		return false;
	head = (size_t)(at - line) + 4;
	return strlen(last) == strlen(line) && strlen(line) >= head + tlen &&
	       !strncmp(last, line, head) && !strcmp(last + head + tlen, line + head + tlen);
}

/*
 * Registries with comments (Databricks) get the result line as a comment
 * instead of a description line: the gate's own earlier comment (its id in
 * tag mlgate.<gate>.comment) is edited, so re-runs do not pile up comments;
 * one that was deleted meanwhile is posted anew.
 */
static int comment_result(struct mg_registry *reg, const struct mg_gate_run *run,
                          const struct mg_model_version *mv, const char *line,
                          struct mg_writes *writes, struct mg_err *err)
{
	struct mg_buf key = MG_BUF_INIT(MG_BUF_SMALL), text = MG_BUF_INIT(MG_BUF_LARGE);
	const char *gate = run->gate;
	const char *old;
	char *id = NULL;
	bool edit;
	int rc = 0;

	mg_buf_adds(&text, line);
	for (size_t i = 0; run->suite && i < run->suite->nchecks; i++)
		mg_buf_addf(&text, "\n- %s: %s%s%s", run->suite->checks[i].id,
		            mg_status_name(run->suite->checks[i].status),
		            run->suite->checks[i].message ? ": " : "",
		            run->suite->checks[i].message ? run->suite->checks[i].message : "");
	if (run->report_link) {
		mg_buf_addch(&text, '\n');
		mg_gate_report_line(true, &text);
		mg_buf_truncate(&text, text.len - 1); /* its newline */
	}
	mg_buf_addf(&key, "mlgate.%s.comment", gate);
	old = mg_kvlist_get(&mv->tags, key.buf);
	edit = old && *old;
	if (!writes->dry_run) {
		rc = mg_registry_comment(reg, mv->name, mv->version, edit ? old : NULL, text.buf,
		                         &id, err);
		if (rc && edit && err->reason == MG_REASON_NOT_FOUND) {
			mg_err_clear(err);
			edit = false;
			rc = mg_registry_comment(reg, mv->name, mv->version, NULL, text.buf, &id,
			                         err);
		}
	}
	if (edit)
		rc = mg_writes_record(writes, rc, err,
		                      "%s comment %s on model '%s' version %s: \"%s\"",
		                      writes->dry_run ? "would edit" : "edited", old, mv->name,
		                      mv->version, line);
	else
		rc = mg_writes_record(
		        writes, rc, err, "%s a comment on model '%s' version %s: \"%s\"",
		        writes->dry_run ? "would post" : "posted", mv->name, mv->version, line);
	if (!rc && !writes->dry_run && (!old || strcmp(old, id)))
		rc = mg_writes_record(
		        writes,
		        mg_registry_set_version_tag(reg, mv->name, mv->version, key.buf, id, err),
		        err, "set tag %s=%s on model '%s' version %s", key.buf, id, mv->name,
		        mv->version);
	free(id);
	mg_buf_release(&key);
	mg_buf_release(&text);
	return rc;
}

int mg_gate_writeback(struct mg_registry *reg, struct mg_gate_run *run,
                      const struct mg_model_version *mv, const char *summary_line,
                      struct mg_writes *writes, struct mg_err *err)
{
	bool dry_run = writes->dry_run;
	struct mg_buf key = MG_BUF_INIT(MG_BUF_SMALL), url = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf line = MG_BUF_INIT(MG_BUF_SMALL), desc = MG_BUF_INIT(MG_BUF_LARGE);
	const char *old_verdict, *old_commit;
	char at[MG_TIME_LEN];
	struct {
		const char *suffix, *value;
	} tags[4];
	int ret = -1;

	mg_buf_addf(&key, "mlgate.%s.verdict", run->gate);
	old_verdict = mg_kvlist_get(&mv->tags, key.buf);
	mg_buf_reset(&key);
	mg_buf_addf(&key, "mlgate.%s.commit", run->gate);
	old_commit = mg_kvlist_get(&mv->tags, key.buf);
	/* an empty commit is never written as a tag: a missing tag matches it */
	if (!run->new_decision && old_verdict && !strcmp(old_verdict, run->verdict) &&
	    !strcmp(old_commit ? old_commit : "", run->commit ? run->commit : "")) {
		run->writeback = "unchanged";
		ret = 0; /* already recorded: a re-run changes nothing */
		goto done;
	}
	mg_time_format(run->finished, MG_TIME_ZULU, at);
	mg_gate_run_url(&url);
	mg_buf_addf(&line, LINE_PREFIX "%s %s at %s", run->gate, run->verdict, at);
	if (summary_line && *summary_line)
		mg_buf_addf(&line, ": %s", summary_line);
	if (url.len)
		mg_buf_addf(&line, " (%s)", url.buf);
	new_description(mv->description, line.buf, &desc);

	/* the verdict goes last: when it is there, the rest is too */
	tags[0].suffix = "at", tags[0].value = at;
	tags[1].suffix = "commit", tags[1].value = run->commit ? run->commit : "";
	tags[2].suffix = "run_url", tags[2].value = url.buf;
	tags[3].suffix = "verdict", tags[3].value = run->verdict;

	if (mg_registry_features(reg) & MG_REGISTRY_COMMENTS) {
		if (comment_result(reg, run, mv, line.buf, writes, err))
			goto done;
	} else if (!ends_with_line(mv->description, line.buf) &&
	           mg_writes_record(writes,
	                            dry_run ? 0
	                                    : mg_registry_update_version_description(
	                                              reg, mv->name, mv->version, desc.buf, err),
	                            err, "%s description of model '%s' version %s: append \"%s\"",
	                            dry_run ? "would update" : "updated", mv->name, mv->version,
	                            line.buf)) {
		goto done;
	}
	for (size_t i = 0; i < MG_ARRAY_SIZE(tags); i++) {
		mg_buf_reset(&key);
		mg_buf_addf(&key, "mlgate.%s.%s", run->gate, tags[i].suffix);
		if (!*tags[i].value) {
			/*
			 * No commit, or outside CI no run URL: no empty tag, and none
			 * left from an earlier run either (it would claim this verdict
			 * was for that commit).
			 */
			const char *stale = mg_kvlist_get(&mv->tags, key.buf);

			if (stale &&
			    mg_writes_record(writes,
			                     dry_run ? 0
			                             : mg_registry_delete_version_tag(reg, mv->name,
			                                                              mv->version,
			                                                              key.buf, err),
			                     err, "%s tag %s (was %s) on model '%s' version %s",
			                     dry_run ? "would delete" : "deleted", key.buf, stale,
			                     mv->name, mv->version))
				goto done;
			continue;
		}
		if (mg_writes_record(writes,
		                     dry_run ? 0
		                             : mg_registry_set_version_tag(reg, mv->name,
		                                                           mv->version, key.buf,
		                                                           tags[i].value, err),
		                     err, "%s tag %s=%s on model '%s' version %s",
		                     dry_run ? "would set" : "set", key.buf, tags[i].value,
		                     mv->name, mv->version))
			goto done;
	}
	run->writeback = dry_run ? "dry-run" : "written";
	ret = 0;
done:
	mg_buf_release(&key);
	mg_buf_release(&url);
	mg_buf_release(&line);
	mg_buf_release(&desc);
	return ret;
}

struct mg_check *mg_gate_addf(struct mg_suite *s, uint64_t *t0, const char *id,
                              enum mg_status status, const char *fmt, ...)
{
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_check *k;
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	k = mg_suite_add(s, id, status, msg.buf);
	k->duration = mg_clock_since(*t0);
	*t0 = mg_clock_ns();
	mg_buf_release(&msg);
	return k;
}

/* The summary of a gate: its own sections, then the registry changes. */
struct gate_md {
	void (*extra)(struct mg_md *md, const void *arg);
	const void *arg;
	const struct mg_writes *writes;
};

static void gate_md(struct mg_md *md, const void *arg)
{
	const struct gate_md *g = arg;
	const struct mg_writes *w = g->writes;
	const char *head[] = {w->dry_run ? "Registry change (dry run: not made)"
	                                 : "Registry change"};
	struct mg_buf failed = MG_BUF_INIT(MG_BUF_SMALL);
	const char *row;

	if (g->extra)
		g->extra(md, g->arg);
	if (!w->n && !w->failed)
		return;
	mg_md_table_head(md, 1, head);
	for (size_t i = 0; i < w->n; i++)
		mg_md_table_row(md, 1, (const char *const *)&w->done[i]);
	if (w->failed) {
		mg_buf_addf(&failed,
		            "FAILED: %s (%s); nothing after it was attempted: re-run to "
		            "finish",
		            w->failed, w->error);
		row = failed.buf;
		mg_md_table_row(md, 1, &row);
	}
	mg_buf_release(&failed);
}

/*
 * Publish `result` (the JSON decision `json`, JUnit, summary with the gate's
 * `extra_md` sections and a table of the registry `writes`, CI output) as
 * the options ask; with --dry-run print the planned writes; after a failed
 * write say on stderr what was and was not applied (mg_writes_explain). A
 * publishing failure is recorded in `err` and returns -1.
 */
static int gate_publish(struct mg_ctx *ctx, const struct mg_result *result,
                        const struct mg_gate_run *run, const struct mg_gate_opts *o, bool quiet,
                        const struct mg_buf *json, const struct mg_writes *writes,
                        void (*extra_md)(struct mg_md *md, const void *arg), const void *extra_arg,
                        struct mg_err *err)
{
	struct gate_md md = {extra_md, extra_arg, writes};
	struct mg_buf half = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_publish pub = {0};
	struct mg_err perr = MG_ERR_INIT;
	int ret = 0;

	pub.verdict = run->verdict;
	pub.junit = o->junit;
	pub.json = o->json;
	pub.json_doc = json;
	pub.summary = o->summary;
	pub.quiet = quiet;
	pub.extra_md = gate_md;
	pub.extra_arg = &md;
	if (mg_report_publish(ctx, result, &pub, &perr)) {
		/* an earlier failure keeps its message; the exit code is this one's */
		mg_err_set(err, perr.code, "%s", perr.msg);
		err->code = perr.code;
		ret = -1;
	}
	for (size_t i = 0; o->dry_run && !quiet && i < writes->n; i++)
		printf("%s\n", writes->done[i]);
	mg_writes_explain(writes, &half);
	if (half.len)
		mg_warn(&ctx->log, "%s", half.buf);
	mg_buf_release(&half);
	return ret;
}

int mg_gate_no_record(void *arg, struct mg_gate_run *run, const char *summary, struct mg_writes *w,
                      struct mg_err *err)
{
	(void)arg, (void)run, (void)summary, (void)w, (void)err;
	return 0;
}

/* A step of the ending failed: an error check, the verdict error, and its exit code kept. */
static void end_failed(struct mg_gate_end *e, const char *id, int *code, struct mg_err *err)
{
	mg_gate_write_failed(e->suite, id, e->writes, err);
	e->run->verdict = "error";
	*code = err->code;
}

int mg_gate_finish(struct mg_gate_end *e, bool failed, struct mg_err *err)
{
	const struct mg_gate_hooks *h = e->hooks;
	struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL), summary = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf json = MG_BUF_INIT(MG_BUF_LARGE);
	cJSON *doc;
	int code = failed ? err->code : 0;

	if (failed && code == MG_EXIT_USAGE && !e->reg && !e->started)
		goto out; /* a usage or configuration error before anything ran: no evidence */
	if (failed) {
		mg_buf_addf(&id, "%s.evaluation", e->checks);
		mg_gate_write_failed(e->suite, id.buf, e->writes, err);
	}
	e->run->verdict = mg_gate_verdict(e->suite);
	if (!failed && h->verdict)
		e->run->verdict = h->verdict(e->arg, e->run->verdict);
	e->run->finished = time(NULL);
	if (h->summary)
		h->summary(e->arg, e->run, &summary);
	e->run->suite = e->suite;
	if (!code && h->before) {
		const char *step = NULL;

		if (h->before(e->arg, e->run, e->writes, &step, err))
			end_failed(e, step, &code, err);
	}
	if (!code && e->o->log_artifact && mg_gate_artifact_upload(e, err)) {
		mg_buf_reset(&id);
		mg_buf_addf(&id, "%s.report_artifact", e->checks);
		end_failed(e, id.buf, &code, err);
	}
	if (!code && (h->writeback ? h->writeback(e->arg, e->run, summary.buf, e->writes, err)
	                           : mg_gate_writeback(e->reg, e->run, e->mv, summary.buf,
	                                               e->writes, err))) {
		/* the verdict could not be recorded: that is an infrastructure error */
		mg_buf_reset(&id);
		mg_buf_addf(&id, "%s.writeback", e->checks);
		end_failed(e, id.buf, &code, err);
	}
	/* the suite's time is the whole run, reads and write-back included (smoke sets its own) */
	if (!e->suite->has_duration && e->run->started_ns) {
		e->suite->duration = mg_clock_since(e->run->started_ns);
		e->suite->has_duration = true;
	}
	mg_gate_evidence(e->suite, e->run);
	if (h->props)
		h->props(e->arg, e->suite);
	doc = json_doc(e->run, e->suite, e->writes);
	if (h->json)
		h->json(e->arg, doc);
	mg_json_emit(doc, &json);
	if (gate_publish(e->ctx, e->result, e->run, e->o, e->quiet, &json, e->writes, h->md, e->arg,
	                 err))
		code = err->code;
	for (size_t i = 0; !code && !strcmp(e->run->verdict, "error") && i < e->suite->nchecks; i++)
		if (e->suite->checks[i].status == MG_STATUS_ERROR) {
			/* a check that could not be made: say why on stderr too */
			code = e->error_code ? e->error_code : MG_EXIT_INFRA;
			mg_err_set(err, code, "%s: %s", e->suite->checks[i].id,
			           e->suite->checks[i].message);
		}
out:
	mg_buf_release(&id);
	mg_buf_release(&summary);
	mg_buf_release(&json);
	return mg_gate_exit(code != 0, code, e->run->verdict);
}

int mg_gate_exit(bool failed, int code, const char *verdict)
{
	if (failed)
		return code ? code : MG_EXIT_INFRA;
	if (!strcmp(verdict, "passed"))
		return MG_EXIT_PASS;
	if (!strcmp(verdict, "manual"))
		return MG_EXIT_MANUAL;
	/* a check that could not be made is not a rejection: "nothing else returns 1" */
	if (!strcmp(verdict, "error"))
		return MG_EXIT_INFRA;
	return MG_EXIT_FAIL;
}

int mg_gate_main(const struct mg_cmd_spec *spec, int argc, char **argv, mg_gate_main_fn *run,
                 const void *opts)
{
	struct mg_ctx ctx;
	struct mg_err err = MG_ERR_INIT;
	const char *key;
	int rc;

	mg_ctx_init(&ctx, spec->prog);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = mg_opts_main(spec, argc, argv, NULL, stdout, &ctx.log);
	if (rc != MG_OPTS_GO_ON)
		goto done;
	if (mg_ctx_from_env(&ctx, &err) || mg_evidence_key(&key, &err)) {
		rc = mg_log_err(&ctx.log, &err);
		goto done;
	}
	rc = run(&ctx, opts, &err);
	if (rc >= MG_EXIT_USAGE && mg_err_failed(&err))
		mg_log_err(&ctx.log, &err);
done:
	curl_global_cleanup();
	rc = mg_ctx_finish(&ctx, rc);
	mg_ctx_release(&ctx);
	return rc;
}
