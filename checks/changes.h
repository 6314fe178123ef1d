/*
 * mlgate-changes: which models a change touches, for pull-request
 * pipelines. The files changed between the merge base of the target
 * branch and the head (libgit2, rename detection) are matched against
 * each model's path globs in the repository's mlgate.json, and the models
 * are printed as a CI matrix (GitHub strategy.matrix JSON on stdout and in
 * $GITHUB_OUTPUT, an Azure matrix output variable). docs/changes.md.
 *
 * The repository file (mlgate.json) is also read by mlgate-release for its
 * "release" section; its loader lives here.
 */
#ifndef MG_CHANGES_H
#define MG_CHANGES_H

#include "setup.h"
#include "buf.h"
#include "ctx.h"
#include "err.h"
#include "git.h"
#include "json.h"

/* --- the repository file (mlgate.json) ---------------------------------------- */

#define MG_CHANGES_CONFIG_NAME      "mlgate.json"
#define MG_CHANGES_CONFIG_MAX_BYTES ((size_t)4 * 1024 * 1024)
#define MG_CHANGES_GLOB_MAX         1024 /* bytes of one path glob */

struct mg_changes_model {
	const char *name;   /* registered model name; borrowed from the document */
	const char *policy; /* or NULL when not set */
	const char *suite;  /* or NULL when not set */
	const cJSON *paths; /* array of glob strings, at least one */
	char *job;          /* Azure job-safe name (mg_changes_job_name); owned */
};

struct mg_changes_config {
	char *path; /* as given */
	cJSON *doc; /* the whole document */
	struct mg_changes_model *models;
	size_t nmodels;
	const cJSON *release; /* the "release" object, or NULL */
};

/*
 * Parse and check a repository file: {"version": 1, "models": [...],
 * "release": {...}}. Unknown keys, wrong types, bad globs, duplicate model
 * names and model names that give the same Azure job name are
 * MG_EXIT_USAGE naming the key path: config 'mlgate.json': models[1].paths[0]: ...
 * `name` names the document in messages. `out` is owned by the caller
 * (mg_changes_config_release, also after a failure).
 */
int mg_changes_config_parse(const char *name, const char *text, size_t len,
                            struct mg_changes_config *out, struct mg_err *err);

/* Read `path` (at most MG_CHANGES_CONFIG_MAX_BYTES) and parse it as above. */
int mg_changes_config_load(const char *path, struct mg_changes_config *out, struct mg_err *err);

void mg_changes_config_release(struct mg_changes_config *c);

/* --- globs ---------------------------------------------------------------------- */

/*
 * Whether the repository path `path` ('/'-separated, no leading '/')
 * matches `pattern`: components are matched with fnmatch(3) ('*', '?',
 * '[...]', '\' escapes; none of them crosses a '/'), and a component that
 * is exactly "**" matches any number of whole directories, none included
 * (so a final "**" component matches everything under the directories
 * before it; examples in docs/changes.md).
 */
bool mg_changes_glob_match(const char *pattern, const char *path);

/*
 * Whether `pattern` is a glob the matcher takes: not empty, at most
 * MG_CHANGES_GLOB_MAX bytes, relative (no leading '/'), no empty, "." or
 * ".." component, no trailing '/', "**" only as a whole component.
 * Returns NULL when it is, else why not (a static string).
 */
const char *mg_changes_glob_invalid(const char *pattern);

/*
 * Append the Azure job-safe form of a model name: every byte outside
 * [A-Za-z0-9_] becomes '_', and a name that does not start with a letter
 * gets "m_" in front ("fraud-detector" -> "fraud_detector", "2x" -> "m_2x").
 */
void mg_changes_job_name(struct mg_buf *out, const char *name);

/* --- the CI environment ------------------------------------------------------------- */

/*
 * The commits of a GitHub pull_request (or pull_request_target) event
 * payload: pull_request.base.sha and pull_request.head.sha, each copied to
 * base/head as 40 lower-case hex digits, or "" when the event has none (a
 * push). Malformed JSON or a sha that is not 40 hex digits is
 * MG_EXIT_USAGE naming `name` and the key path.
 */
int mg_changes_event_shas(const char *name, const char *text, size_t len, char base[MG_GIT_OID_HEX],
                          char head[MG_GIT_OID_HEX], struct mg_err *err);

/* --- the command ------------------------------------------------------------------ */

struct mg_changes_opts {
	const char *repo;   /* --repo DIR (default ".") */
	const char *config; /* --config FILE (default mlgate.json at the work tree's root) */
	const char *base;   /* --base REF: the target branch (or a commit) */
	const char *head;   /* --head REF (default HEAD, or the PR head from the CI) */
	bool all;           /* --all: every model in the config */
	const char *ci;     /* --ci none|github|azure */
	const char *json;   /* --json FILE: the full document */
	bool quiet;         /* -q: no summary line on stderr */
};

/*
 * Run the command: the matrix on stdout, CI outputs, --json. Returns
 * MG_EXIT_PASS whether or not a model is affected, or -1 with `err` set:
 * MG_EXIT_USAGE for options, configuration, a missing base or a shallow
 * clone, MG_EXIT_INFRA for other git and output failures.
 */
int mg_changes_run(struct mg_ctx *ctx, const struct mg_changes_opts *o, struct mg_err *err);

#endif
