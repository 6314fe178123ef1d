#include "setup.h"
#include "release.h"
#include "text.h"
#include "alloc.h"
#include "changes.h"
#include "clock.h"
#include "evidence.h"
#include "git.h"

#include <strings.h>
#include <sys/stat.h>

#define DEFAULT_MAIN    "main"
#define DEFAULT_PATTERN "release/*"
#define SHALLOW_FIX                                                                            \
	"the clone is shallow; fetch with fetch-depth: 0 (actions/checkout) or fetchDepth: 0 " \
	"(Azure checkout)"
#define PROFILE                                                                                \
	"evidence is JUnit written by an mlgate gate, with the suite properties mlgate.gate, " \
	"mlgate.verdict and mlgate.git.commit"

struct release {
	struct mg_ctx *ctx;
	const struct mg_release_opts *o;
	struct mg_git *git;
	struct mg_changes_config cfg;
	bool have_cfg;
	const char *main, *pattern, *branch;
	struct mg_buf branch_buf;
	char commit[MG_GIT_OID_HEX];
	const char *gates[MG_EVIDENCE_MAX_GATES];
	size_t ngates;
	bool gates_given; /* by --require or the config */
	struct mg_evidence *ev;
	size_t nev, nbad;
	struct mg_suite *suite;
	const char *key;         /* $MLGATE_EVIDENCE_KEY, or NULL */
	struct mg_registry *reg; /* opened for the first cross-check */
	struct mg_buf registry;  /* its URI */
	uint64_t t0;
	int code; /* the worst exit code of an errored check, 0 when none */
};

#define ADD_CHECK(r, ...) mg_gate_addf((r)->suite, &(r)->t0, __VA_ARGS__)

static void errored(struct release *r, int code)
{
	if (code > r->code)
		r->code = code;
}

const char *mg_release_ci_branch(void)
{
	const char *v;

	if ((v = getenv("GITHUB_ACTIONS")) && !strcmp(v, "true")) {
		v = getenv("GITHUB_REF_NAME");
		return v && *v ? v : NULL;
	}
	if ((v = getenv("TF_BUILD")) && !strcmp(v, "True")) {
		v = getenv("BUILD_SOURCEBRANCH");
		if (v && !strncmp(v, "refs/heads/", 11))
			v += 11;
		return v && *v ? v : NULL;
	}
	return NULL;
}

/* --- configuration ------------------------------------------------------------------- */

static const char *cfg_str(const struct release *r, const char *key)
{
	const cJSON *v = r->have_cfg && r->cfg.release
	                         ? cJSON_GetObjectItemCaseSensitive(r->cfg.release, key)
	                         : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int configure(struct release *r, struct mg_err *err)
{
	const struct mg_release_opts *o = r->o;
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL);
	const char *why;
	int ret = -1;

	if (mg_gate_check_outputs(o->gate.junit, o->gate.json, o->gate.summary, NULL, err) ||
	    mg_ci_resolve(o->gate.ci, &r->ctx->ci, err) || mg_evidence_key(&r->key, err))
		goto done;
	if (!o->evidence.n) {
		mg_err_set(err, MG_EXIT_USAGE, "missing --evidence FILE (the gates' JUnit files)");
		goto done;
	}
	if (o->require) {
		if (mg_evidence_parse_gates(o->require, "--require", r->gates, &r->ngates, err))
			goto done;
		r->gates_given = true;
	}
	if (mg_git_open(o->repo ? o->repo : ".", &r->git, err))
		goto done;
	if (o->config) {
		mg_buf_adds(&path, o->config);
	} else {
		const char *w = mg_git_workdir(r->git);
		struct stat st;

		mg_buf_addf(&path, "%s%s" MG_CHANGES_CONFIG_NAME, w,
		            *w && w[strlen(w) - 1] != '/' ? "/" : "");
		if (stat(path.buf, &st) && errno == ENOENT)
			mg_buf_reset(&path); /* no repository file: the defaults */
	}
	if (path.len) {
		if (mg_changes_config_load(path.buf, &r->cfg, err))
			goto done;
		r->have_cfg = true;
	}
	r->main = o->main ? o->main : cfg_str(r, "main") ? cfg_str(r, "main") : DEFAULT_MAIN;
	r->pattern = o->pattern                     ? o->pattern
	             : cfg_str(r, "branch_pattern") ? cfg_str(r, "branch_pattern")
	                                            : DEFAULT_PATTERN;
	why = mg_changes_glob_invalid(r->pattern);
	if (why) {
		mg_err_set(err, MG_EXIT_USAGE, "invalid branch pattern '%.100s': %s", r->pattern,
		           why);
		goto done;
	}
	if (!r->gates_given && r->have_cfg && r->cfg.release) {
		const cJSON *g;

		cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(r->cfg.release, "require"))
		{
			/* the schema allowed only these, each once */
			r->gates[r->ngates++] = mg_evidence_gate(g->valuestring);
			r->gates_given = true;
		}
	}
	if (mg_git_commit_id(r->git, o->commit ? o->commit : "HEAD", r->commit, err))
		goto done;
	r->branch = o->branch ? o->branch : mg_release_ci_branch();
	if (!r->branch) {
		if (mg_git_current_branch(r->git, &r->branch_buf, err)) {
			mg_err_clear(err);
			mg_err_set(err, MG_EXIT_USAGE,
			           "no branch name: not in CI and HEAD is not on a branch; pass "
			           "--branch NAME");
			goto done;
		}
		r->branch = r->branch_buf.buf;
	}
	ret = 0;
done:
	mg_buf_release(&path);
	return ret;
}

/* --- the checks ------------------------------------------------------------------------ */

static void check_branch(struct release *r)
{
	if (mg_changes_glob_match(r->pattern, r->branch))
		ADD_CHECK(r, "release.branch.pattern", MG_STATUS_PASSED, "branch '%s' matches '%s'",
		          r->branch, r->pattern);
	else
		ADD_CHECK(r, "release.branch.pattern", MG_STATUS_FAILED,
		          "branch '%s' does not match the release branch pattern '%s'", r->branch,
		          r->pattern);
}

static void check_on_main(struct release *r)
{
	struct mg_err e = MG_ERR_INIT;
	char tip[MG_GIT_OID_HEX];
	bool reach = false;
	bool shallow = mg_git_is_shallow(r->git);

	if (mg_git_branch_tip(r->git, r->main, tip, &e)) {
		ADD_CHECK(r, "release.commit.on_main", MG_STATUS_ERROR, "%s%s%s", e.msg,
		          shallow ? ": " : "", shallow ? SHALLOW_FIX : "");
		errored(r, e.code);
		return;
	}
	if (mg_git_is_reachable(r->git, r->commit, tip, &reach, &e) || (!reach && shallow)) {
		/* a shallow history ends early: "not found" proves nothing there */
		ADD_CHECK(r, "release.commit.on_main", MG_STATUS_ERROR,
		          "cannot tell whether commit %.12s is on %s (%.12s): %s", r->commit,
		          r->main, tip, shallow ? SHALLOW_FIX : e.msg);
		errored(r, shallow ? MG_EXIT_USAGE : e.code);
		return;
	}
	if (reach)
		ADD_CHECK(r, "release.commit.on_main", MG_STATUS_PASSED,
		          "commit %.12s is on %s (%.12s)", r->commit, r->main, tip);
	else
		ADD_CHECK(
		        r, "release.commit.on_main", MG_STATUS_FAILED,
		        "commit %.12s is not reachable from %s (%.12s): cut releases from the main "
		        "line",
		        r->commit, r->main, tip);
}

/* The gates the readable evidence is for, in the order first seen. */
static void gates_of_evidence(struct release *r)
{
	for (size_t f = 0; f < r->nev; f++) {
		for (size_t i = 0; r->ev[f].ok && i < r->ev[f].result.nsuites; i++) {
			const char *g = mg_suite_prop(&r->ev[f].result.suites[i], "mlgate.gate");
			const char *known = g ? mg_evidence_gate(g) : NULL;
			bool seen = false;

			for (size_t j = 0; j < r->ngates; j++)
				seen = seen || r->gates[j] == known;
			if (known && !seen && r->ngates < MG_EVIDENCE_MAX_GATES)
				r->gates[r->ngates++] = known;
		}
	}
}

/* Readable files none of whose suites carries mlgate.gate, for the message. */
static void foreign_files(const struct release *r, struct mg_buf *out)
{
	for (size_t f = 0; f < r->nev; f++) {
		bool mine = false;

		for (size_t i = 0; r->ev[f].ok && i < r->ev[f].result.nsuites; i++)
			mine = mine || mg_suite_prop(&r->ev[f].result.suites[i], "mlgate.gate");
		if (r->ev[f].ok && !mine)
			mg_buf_addf(out, "%s'%s'", out->len ? ", " : "", r->ev[f].path);
	}
}

/*
 * Cross-check passing evidence `s` of a gate that writes back (comply,
 * compare) with what the gate recorded on its model version. Returns 1
 * consistent (a remark in `note` when nothing was recorded), 0 a mismatch
 * (in `why`), -1 when the registry could not tell (in `why`, r->code set).
 */
static int crosscheck(struct release *r, const struct mg_suite *s, struct mg_buf *why,
                      struct mg_buf *note)
{
	const char *model = mg_suite_prop(s, "mlgate.model");
	const char *version = mg_suite_prop(s, "mlgate.version");
	struct mg_model_version mv = {0};
	struct mg_err e = MG_ERR_INIT;
	int ret;

	if (!model || !*model || !version || !*version) {
		mg_buf_adds(why, "no mlgate.model and mlgate.version properties: cannot be "
		                 "cross-checked with the version");
		return 0;
	}
	if (!r->reg) {
		if (!r->registry.len)
			mg_registry_resolve_uri(r->o->gate.registry, &r->registry);
		if (mg_registry_open(r->ctx, r->registry.buf, &r->reg, &e)) {
			mg_buf_addf(why, "cannot cross-check with the registry (--registry): %s",
			            e.msg);
			errored(r, e.code ? e.code : MG_EXIT_INFRA);
			return -1;
		}
	}
	if (mg_registry_get_version(r->reg, model, version, &mv, &e)) {
		if (e.reason == MG_REASON_NOT_FOUND) {
			mg_buf_addf(why, "for model '%s' version %s, which %s does not have: %s",
			            model, version, mg_registry_uri(r->reg), e.msg);
			return 0;
		}
		mg_buf_addf(why, "cannot cross-check with %s: %s", mg_registry_uri(r->reg), e.msg);
		errored(r, e.code ? e.code : MG_EXIT_INFRA);
		return -1;
	}
	ret = mg_evidence_crosscheck(s, &mv, why, note);
	mg_model_version_release(&mv);
	return ret;
}

static void judge_gate(struct release *r, const char *gate)
{
	struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL), passed = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf failed = MG_BUF_INIT(MG_BUF_SMALL), other = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf foreign = MG_BUF_INIT(MG_BUF_SMALL), errors = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL), note = MG_BUF_INIT(MG_BUF_SMALL);
	size_t seen = 0, npassed = 0;

	mg_buf_addf(&id, "release.evidence.%s", gate);
	for (size_t f = 0; f < r->nev; f++) {
		for (size_t i = 0; r->ev[f].ok && i < r->ev[f].result.nsuites; i++) {
			const struct mg_suite *s = &r->ev[f].result.suites[i];
			const char *g = mg_suite_prop(s, "mlgate.gate");
			const char *verdict = mg_suite_prop(s, "mlgate.verdict");
			const char *commit = mg_suite_prop(s, "mlgate.git.commit");
			struct mg_err e = MG_ERR_INIT;
			int v;

			if (!g || strcmp(g, gate))
				continue;
			seen++;
			mg_buf_reset(&why);
			mg_buf_reset(&note);
			if (r->key && (v = mg_evidence_verify(s, r->key, &why, &e)) <= 0) {
				/* unsigned or forged: it proves nothing, whatever it says */
				mg_buf_addf(&failed, "%s'%s': %s%s", failed.len ? "; " : "",
				            r->ev[f].path, why.buf, e.msg);
				if (v < 0)
					errored(r, e.code);
			} else if (!commit || !*commit) {
				mg_buf_addf(&other, "%s'%s': no mlgate.git.commit property",
				            other.len ? "; " : "", r->ev[f].path);
			} else if (strcasecmp(commit, r->commit)) {
				mg_buf_addf(&other, "%s'%s': for commit %.40s",
				            other.len ? "; " : "", r->ev[f].path, commit);
			} else if (!verdict) {
				mg_buf_addf(&failed,
				            "%s'%s': no mlgate.verdict property (" PROFILE ")",
				            failed.len ? "; " : "", r->ev[f].path);
			} else if (strcmp(verdict, "passed") || !mg_suite_passed(s)) {
				mg_buf_addf(&failed, "%s'%s': verdict %s", failed.len ? "; " : "",
				            r->ev[f].path, verdict);
			} else if (strcmp(gate, "smoke") &&
			           (v = crosscheck(r, s, &why, &note)) <= 0) {
				/* smoke writes nothing back: only comply and compare have a record
				 */
				mg_buf_addf(v < 0 ? &errors : &failed, "%s'%s': %s",
				            (v < 0 ? errors.len : failed.len) ? "; " : "",
				            r->ev[f].path, why.buf);
			} else {
				mg_buf_addf(&passed, "%s'%s'%s%s", passed.len ? ", " : "",
				            r->ev[f].path, note.len ? ": " : "", note.buf);
				npassed++;
			}
		}
	}
	if (errors.len) {
		ADD_CHECK(r, id.buf, MG_STATUS_ERROR, "%s evidence for commit %.12s: %s", gate,
		          r->commit, errors.buf);
	} else if (failed.len) {
		ADD_CHECK(r, id.buf, MG_STATUS_FAILED,
		          "%s evidence for commit %.12s did not pass: %s", gate, r->commit,
		          failed.buf);
	} else if (npassed) {
		ADD_CHECK(r, id.buf, MG_STATUS_PASSED, "%s passed for commit %.12s (%s)", gate,
		          r->commit, passed.buf);
	} else if (seen) {
		ADD_CHECK(r, id.buf, MG_STATUS_FAILED, "no %s evidence for commit %.12s: %s", gate,
		          r->commit, other.buf);
	} else if (r->nbad) {
		ADD_CHECK(r, id.buf, MG_STATUS_ERROR,
		          "no %s evidence among the readable --evidence files, and %zu could not "
		          "be read "
		          "(release.evidence.files)",
		          gate, r->nbad);
		errored(r, MG_EXIT_USAGE);
	} else {
		foreign_files(r, &foreign);
		ADD_CHECK(r, id.buf, MG_STATUS_FAILED,
		          "no %s evidence among the %zu --evidence %s (" PROFILE "%s%s)", gate,
		          r->nev, mg_plural(r->nev, "file", "files"),
		          foreign.len ? "; none in " : "", foreign.buf);
	}
	mg_buf_release(&id);
	mg_buf_release(&passed);
	mg_buf_release(&failed);
	mg_buf_release(&other);
	mg_buf_release(&foreign);
	mg_buf_release(&errors);
	mg_buf_release(&why);
	mg_buf_release(&note);
}

static void check_evidence(struct release *r)
{
	struct mg_buf bad = MG_BUF_INIT(MG_BUF_SMALL), foreign = MG_BUF_INIT(MG_BUF_SMALL);

	r->nbad = mg_evidence_read(r->ev, r->nev, &bad);
	if (r->nbad) {
		ADD_CHECK(r, "release.evidence.files", MG_STATUS_ERROR, "unusable evidence: %s",
		          bad.buf);
		errored(r, MG_EXIT_USAGE);
	}
	if (!r->gates_given)
		gates_of_evidence(r);
	if (!r->ngates) {
		foreign_files(r, &foreign);
		if (r->nbad) {
			ADD_CHECK(r, "release.evidence", MG_STATUS_ERROR,
			          "no mlgate evidence among the readable --evidence files, and %zu "
			          "could "
			          "not be read (release.evidence.files)",
			          r->nbad);
		} else {
			ADD_CHECK(r, "release.evidence", MG_STATUS_FAILED,
			          "no mlgate evidence among the %zu --evidence %s (" PROFILE
			          "%s%s)",
			          r->nev, mg_plural(r->nev, "file", "files"),
			          foreign.len ? "; none in " : "", foreign.buf);
		}
	}
	for (size_t i = 0; i < r->ngates; i++)
		judge_gate(r, r->gates[i]);
	mg_buf_release(&bad);
	mg_buf_release(&foreign);
}

static void release_props(void *arg, struct mg_suite *s)
{
	const struct release *r = arg;

	mg_suite_set_prop(s, "mlgate.release.branch", r->branch ? r->branch : "");
	mg_suite_set_prop(s, "mlgate.release.main", r->main ? r->main : "");
}

static const struct mg_gate_hooks release_hooks = {
        .writeback = mg_gate_no_record, /* a release cut is judged, not written back */
        .props = release_props,
};

int mg_release_run(struct mg_ctx *ctx, const struct mg_release_opts *o, struct mg_err *err)
{
	struct release r = {0};
	struct mg_result result;
	struct mg_writes writes = MG_WRITES_INIT(false);
	struct mg_gate_run run;
	struct mg_gate_end end = {ctx,  &o->gate,  o->quiet, &result, NULL,    &run,           NULL,
	                          NULL, "release", false,    0,       &writes, &release_hooks, &r};
	int ret = -1;

	r.ctx = ctx;
	r.o = o;
	r.branch_buf = (struct mg_buf)MG_BUF_INIT(MG_BUF_SMALL);
	r.registry = (struct mg_buf)MG_BUF_INIT(MG_BUF_SMALL);
	r.nev = o->evidence.n;
	r.ev = mg_xcalloc(r.nev ? r.nev : 1, sizeof(*r.ev));
	for (size_t i = 0; i < r.nev; i++)
		mg_evidence_init(&r.ev[i], o->evidence.items[i]);
	mg_result_init(&result, "mlgate");
	r.suite = end.suite = mg_result_add_suite(&result, "release");
	mg_gate_run_init(&run, "release", &o->gate);

	/* configuration first: nothing is judged before it is known to be sane */
	if (configure(&r, err))
		goto done;
	end.started = true;
	run.commit = r.commit;
	r.t0 = run.started_ns; /* the first check's time counts the reads it needed */
	check_branch(&r);
	check_on_main(&r);
	check_evidence(&r);
	end.error_code = r.code;
	ret = 0;
done:
	ret = mg_gate_finish(&end, ret != 0, err);
	for (size_t i = 0; i < r.nev; i++)
		mg_evidence_release(&r.ev[i]);
	free(r.ev);
	mg_changes_config_release(&r.cfg);
	mg_git_close(r.git);
	mg_registry_close(r.reg);
	mg_buf_release(&r.registry);
	mg_result_release(&result);
	mg_buf_release(&r.branch_buf);
	mg_writes_release(&writes);
	return ret;
}
