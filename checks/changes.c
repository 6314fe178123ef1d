#include "setup.h"
#include "changes.h"
#include "text.h"
#include "alloc.h"
#include "azure.h"
#include "evidence.h"
#include "fileio.h"
#include "gha.h"
#include "policy.h"

#include <ctype.h>
#include <fnmatch.h>

/* --- the repository file -------------------------------------------------------- */

static const struct mg_schema paths_list = {
        .type = MG_SCHEMA_ARRAY, .items = &mg_schema_nonempty_string, .nonempty = true};
static const struct mg_schema_field model_fields[] = {
        {"name", &mg_schema_name, true},
        {"paths", &paths_list, true},
        {"policy", &mg_schema_nonempty_string, false},
        {"suite", &mg_schema_nonempty_string, false},
        {NULL, NULL, false},
};
static const struct mg_schema model = {.type = MG_SCHEMA_OBJECT, .fields = model_fields};
static const struct mg_schema models = {.type = MG_SCHEMA_ARRAY, .items = &model, .nonempty = true};

static const struct mg_schema gate_name = {.type = MG_SCHEMA_STRING, .choices = mg_evidence_gates};
static const struct mg_schema gate_list = {
        .type = MG_SCHEMA_ARRAY, .items = &gate_name, .nonempty = true};
static const struct mg_schema_field release_fields[] = {
        {"main", &mg_schema_nonempty_string, false},
        {"branch_pattern", &mg_schema_nonempty_string, false},
        {"require", &gate_list, false},
        {NULL, NULL, false},
};
static const struct mg_schema release = {.type = MG_SCHEMA_OBJECT, .fields = release_fields};

static const struct mg_schema one = {.type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 1};
static const struct mg_schema_field config_fields[] = {
        {"version", &one, true},
        {"models", &models, true},
        {"release", &release, false},
        {NULL, NULL, false},
};
static const struct mg_schema config = {.type = MG_SCHEMA_OBJECT, .fields = config_fields};

const char *mg_changes_glob_invalid(const char *pattern)
{
	size_t len = strlen(pattern);

	if (!len)
		return "must not be empty";
	if (len > MG_CHANGES_GLOB_MAX)
		return "is longer than 1024 bytes";
	if (pattern[0] == '/')
		return "must be relative to the repository root (no leading '/')";
	if (pattern[len - 1] == '/')
		return "must not end with '/' (use DIR/** for everything under DIR)";
	for (const char *p = pattern; *p;) {
		size_t n = strcspn(p, "/");

		if (!n)
			return "has an empty path component ('//')";
		if ((n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			return "has a '.' or '..' component (globs are relative to the repository "
			       "root, without './')";
		for (size_t i = 0; i + 1 < n; i++)
			if (p[i] == '*' && p[i + 1] == '*' && n != 2)
				return "has '**' inside a component ('**' must be a whole "
				       "component: "
				       "a/**/b)";
		p += n + (p[n] == '/');
	}
	return NULL;
}

/* Split `s` (modified in place) at '/' into parts[]; returns the count. */
static size_t split(char *s, char **parts)
{
	size_t n = 0;

	parts[n++] = s;
	for (; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			parts[n++] = s + 1;
		}
	}
	return n;
}

bool mg_changes_glob_match(const char *pattern, const char *path)
{
	size_t plen = strlen(pattern) + 1, slen = strlen(path) + 1;
	char *pbuf = mg_xmalloc(plen), *sbuf = mg_xmalloc(slen);
	char **pc = mg_xcalloc(plen, sizeof(*pc)), **sc = mg_xcalloc(slen, sizeof(*sc));
	size_t np, ns, i = 0, j = 0, star_i = SIZE_MAX, star_j = 0;
	bool ok;

	memcpy(pbuf, pattern, plen);
	memcpy(sbuf, path, slen);
	np = split(pbuf, pc);
	ns = split(sbuf, sc);
	/*
	 * Wildcard matching over components, "**" being the star: on a
	 * mismatch go back to the last "**" and let it take one more
	 * component. Linear in practice, O(np * ns) at worst, no recursion.
	 */
	while (j < ns) {
		if (i < np && !strcmp(pc[i], "**")) {
			star_i = i++;
			star_j = j;
		} else if (i < np && !fnmatch(pc[i], sc[j], 0)) {
			i++;
			j++;
		} else if (star_i != SIZE_MAX) {
			i = star_i + 1;
			j = ++star_j;
		} else {
			break;
		}
	}
	while (i < np && !strcmp(pc[i], "**"))
		i++;
	ok = j == ns && i == np;
	free(pbuf);
	free(sbuf);
	free(pc);
	free(sc);
	return ok;
}

void mg_changes_job_name(struct mg_buf *out, const char *name)
{
	if (!isalpha((unsigned char)name[0]) || (unsigned char)name[0] >= 0x80)
		mg_buf_adds(out, "m_");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		mg_buf_addch(out, *p < 0x80 && (isalnum(*p) || *p == '_') ? (char)*p : '_');
}

static int config_bad(struct mg_err *err, const char *where, const char *path, const char *fmt, ...)
        MG_PRINTF(4, 5);

static int config_bad(struct mg_err *err, const char *where, const char *path, const char *fmt, ...)
{
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	mg_err_set(err, MG_EXIT_USAGE, "%s: %s: %s", where, path, msg.buf);
	mg_buf_release(&msg);
	return -1;
}

/* What the schema cannot say: globs, unique names, unique job names, unique gates. */
static int config_semantics(struct mg_changes_config *c, const char *where, struct mg_err *err)
{
	const cJSON *m, *g, *req;
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL);
	size_t i = 0;
	int ret = -1;

	c->nmodels = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c->doc, "models"));
	c->models = mg_xcalloc(c->nmodels ? c->nmodels : 1, sizeof(*c->models));
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(c->doc, "models"))
	{
		struct mg_changes_model *cm = &c->models[i];
		struct mg_buf job = MG_BUF_INIT(MG_BUF_SMALL);
		const cJSON *policy = cJSON_GetObjectItemCaseSensitive(m, "policy");
		const cJSON *suite = cJSON_GetObjectItemCaseSensitive(m, "suite");
		int k = 0;

		cm->name = cJSON_GetObjectItemCaseSensitive(m, "name")->valuestring;
		cm->paths = cJSON_GetObjectItemCaseSensitive(m, "paths");
		cm->policy = policy ? policy->valuestring : NULL;
		cm->suite = suite ? suite->valuestring : NULL;
		mg_changes_job_name(&job, cm->name);
		cm->job = mg_buf_take(&job, NULL);
		cJSON_ArrayForEach(g, cm->paths)
		{
			const char *why = mg_changes_glob_invalid(g->valuestring);

			if (why) {
				mg_buf_reset(&path);
				mg_buf_addf(&path, "models[%zu].paths[%d]", i, k);
				config_bad(err, where, path.buf, "glob '%.100s' %s", g->valuestring,
				           why);
				goto done;
			}
			k++;
		}
		for (size_t j = 0; j < i; j++) {
			mg_buf_reset(&path);
			mg_buf_addf(&path, "models[%zu].name", i);
			if (!strcmp(c->models[j].name, cm->name)) {
				config_bad(err, where, path.buf,
				           "model '%.100s' is listed twice (also models[%zu])",
				           cm->name, j);
				goto done;
			}
			if (!strcmp(c->models[j].job, cm->job)) {
				config_bad(err, where, path.buf,
				           "model names '%.100s' and '%.100s' (models[%zu]) give "
				           "the same "
				           "Azure job name '%.100s'",
				           cm->name, c->models[j].name, j, cm->job);
				goto done;
			}
		}
		i++;
	}
	req = c->release ? cJSON_GetObjectItemCaseSensitive(c->release, "require") : NULL;
	i = 0;
	cJSON_ArrayForEach(g, req)
	{
		for (const cJSON *h = req->child; h != g; h = h->next) {
			if (strcmp(h->valuestring, g->valuestring))
				continue;
			mg_buf_reset(&path);
			mg_buf_addf(&path, "release.require[%zu]", i);
			config_bad(err, where, path.buf, "gate '%s' is listed twice",
			           g->valuestring);
			goto done;
		}
		i++;
	}
	ret = 0;
done:
	mg_buf_release(&path);
	return ret;
}

int mg_changes_config_parse(const char *name, const char *text, size_t len,
                            struct mg_changes_config *out, struct mg_err *err)
{
	struct mg_buf where = MG_BUF_INIT(MG_BUF_SMALL);
	const cJSON *version;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->path = mg_xstrdup(name);
	mg_buf_addf(&where, "config '%s'", name);
	out->doc = mg_json_parse(text, len, where.buf, MG_EXIT_USAGE, err);
	if (!out->doc)
		goto done;
	if (!cJSON_IsObject(out->doc)) {
		mg_err_set(err, MG_EXIT_USAGE, "%s: (top level): expected an object", where.buf);
		goto done;
	}
	/* the version first: a newer file gets a clear message, not an unknown key */
	version = cJSON_GetObjectItemCaseSensitive(out->doc, "version");
	if (!version) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "%s: (top level): missing required key 'version' (this mlgate reads "
		           "version 1)",
		           where.buf);
		goto done;
	}
	if (!cJSON_IsNumber(version) || version->valuedouble != 1) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "%s: version: unsupported config version (this mlgate reads 1)",
		           where.buf);
		goto done;
	}
	if (mg_schema_check(&config, out->doc, where.buf, "", err))
		goto done;
	out->release = cJSON_GetObjectItemCaseSensitive(out->doc, "release");
	if (config_semantics(out, where.buf, err))
		goto done;
	ret = 0;
done:
	mg_buf_release(&where);
	return ret;
}

int mg_changes_config_load(const char *path, struct mg_changes_config *out, struct mg_err *err)
{
	struct mg_buf text = MG_BUF_INIT(MG_CHANGES_CONFIG_MAX_BYTES);
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (mg_file_read(path, &text, err)) {
		if (err->reason == MG_REASON_TOO_LARGE) {
			mg_err_clear(err);
			mg_err_set(err, MG_EXIT_USAGE, "config '%s' is larger than %zu bytes", path,
			           MG_CHANGES_CONFIG_MAX_BYTES);
		}
		goto done;
	}
	ret = mg_changes_config_parse(path, text.buf, text.len, out, err);
done:
	mg_buf_release(&text);
	return ret;
}

void mg_changes_config_release(struct mg_changes_config *c)
{
	for (size_t i = 0; c->models && i < c->nmodels; i++)
		free(c->models[i].job);
	free(c->models);
	cJSON_Delete(c->doc);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

/* --- the CI environment -------------------------------------------------------------- */

static int event_sha(const char *name, const cJSON *pr, const char *side, char out[MG_GIT_OID_HEX],
                     struct mg_err *err)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(pr, side);
	const cJSON *sha = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "sha") : NULL;
	size_t i;

	out[0] = '\0';
	if (!sha || cJSON_IsNull(sha))
		return 0;
	if (!cJSON_IsString(sha) || strlen(sha->valuestring) != 40)
		goto bad;
	for (i = 0; i < 40; i++) {
		if (!isxdigit((unsigned char)sha->valuestring[i]))
			goto bad;
		out[i] = (char)tolower((unsigned char)sha->valuestring[i]);
	}
	out[40] = '\0';
	return 0;
bad:
	return mg_err_set(err, MG_EXIT_USAGE,
	                  "event file '%s': pull_request.%s.sha: expected a commit id of 40 hex "
	                  "digits",
	                  name, side);
}

int mg_changes_event_shas(const char *name, const char *text, size_t len, char base[MG_GIT_OID_HEX],
                          char head[MG_GIT_OID_HEX], struct mg_err *err)
{
	struct mg_buf what = MG_BUF_INIT(MG_BUF_SMALL);
	cJSON *doc;
	const cJSON *pr;
	int ret = -1;

	base[0] = head[0] = '\0';
	mg_buf_addf(&what, "event file '%s'", name);
	doc = mg_json_parse(text, len, what.buf, MG_EXIT_USAGE, err);
	if (!doc)
		goto done;
	pr = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "pull_request") : NULL;
	if (pr && !cJSON_IsNull(pr) && !cJSON_IsObject(pr)) {
		mg_err_set(err, MG_EXIT_USAGE, "%s: pull_request: expected an object", what.buf);
		goto done;
	}
	if (cJSON_IsObject(pr) &&
	    (event_sha(name, pr, "base", base, err) || event_sha(name, pr, "head", head, err)))
		goto done;
	ret = 0;
done:
	if (ret)
		base[0] = head[0] = '\0';
	cJSON_Delete(doc);
	mg_buf_release(&what);
	return ret;
}

/* --- one run ------------------------------------------------------------------------- */

#define SHALLOW_FIX                                                                            \
	"the clone is shallow; fetch with fetch-depth: 0 (actions/checkout) or fetchDepth: 0 " \
	"(Azure checkout)"

struct changes {
	struct mg_ctx *ctx;
	const struct mg_changes_opts *o;
	struct mg_git *git;
	struct mg_changes_config cfg;
	const char *base_name; /* how the base was named, for messages ("" when none) */
	const char *head_name;
	char base[MG_GIT_OID_HEX], head[MG_GIT_OID_HEX], merge_base[MG_GIT_OID_HEX];
	char event_base[MG_GIT_OID_HEX], event_head[MG_GIT_OID_HEX];
	struct mg_buf base_branch; /* the branch name without refs/heads/ */
	char **files;              /* changed paths, sorted, unique */
	size_t nfiles, files_alloc;
	bool *selected; /* per model */
};

static int add_file(void *arg, const char *path, enum mg_git_change change)
{
	struct changes *c = arg;

	(void)change;
	if (c->nfiles == c->files_alloc) {
		c->files_alloc = c->files_alloc ? 2 * c->files_alloc : 64;
		c->files = mg_xrealloc(c->files, c->files_alloc * sizeof(*c->files));
	}
	c->files[c->nfiles++] = mg_xstrdup(path);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool env_is(const char *name, const char *value)
{
	const char *v = getenv(name);

	return v && !strcmp(v, value);
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* Where the base (and a head) come from: options, else the CI's pull request. */
static int find_base(struct changes *c, struct mg_err *err)
{
	const struct mg_changes_opts *o = c->o;
	const char *branch = NULL, *event;

	c->head_name = o->head;
	if (o->base) {
		branch = o->base;
	} else if (o->all) {
		return 0; /* every model; a diff only when a base is named */
	} else if (env_is("GITHUB_ACTIONS", "true")) {
		event = env_nonempty("GITHUB_EVENT_PATH");
		if (event) {
			struct mg_buf text = MG_BUF_INIT(MG_BUF_LARGE);
			int rc = mg_file_read(event, &text, err) ||
			         mg_changes_event_shas(event, text.buf, text.len, c->event_base,
			                               c->event_head, err);

			mg_buf_release(&text);
			if (rc)
				return -1;
		}
		branch = env_nonempty("GITHUB_BASE_REF");
		if (c->event_base[0])
			c->base_name = c->event_base;
		if (!c->head_name && c->event_head[0])
			c->head_name = c->event_head;
	} else if (env_is("TF_BUILD", "True")) {
		branch = env_nonempty("SYSTEM_PULLREQUEST_TARGETBRANCH");
		if (!c->head_name && branch)
			c->head_name = env_nonempty("SYSTEM_PULLREQUEST_SOURCECOMMITID");
	}
	if (!c->base_name && !branch)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "no base to compare with: not in a pull request and no --base; "
		                  "pass --base REF (the target branch) or --all");
	if (!c->base_name) {
		if (!strncmp(branch, "refs/heads/", 11))
			branch += 11;
		mg_buf_adds(&c->base_branch, branch);
		c->base_name = c->base_branch.buf;
	}
	return 0;
}

/* A commit the clone lacks: a shallow clone says how to fetch more. */
static int missing(struct changes *c, const char *what, const char *name, struct mg_err *err)
{
	if (mg_git_is_shallow(c->git)) {
		mg_err_clear(err);
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "%s '%s' is not in the repository: " SHALLOW_FIX, what, name);
	}
	return -1; /* the message libgit2's lookup gave */
}

static int resolve(struct changes *c, struct mg_err *err)
{
	const char *head = c->head_name ? c->head_name : "HEAD";

	if (mg_git_commit_id(c->git, head, c->head, err))
		return err->reason == MG_REASON_NOT_FOUND ? missing(c, "head commit", head, err)
		                                          : -1;
	if (!c->base_name)
		return 0;
	if (c->base_branch.len ? mg_git_branch_tip(c->git, c->base_branch.buf, c->base, err)
	                       : mg_git_commit_id(c->git, c->base_name, c->base, err))
		return err->reason == MG_REASON_NOT_FOUND
		               ? missing(c, c->base_branch.len ? "base branch" : "base commit",
		                         c->base_name, err)
		               : -1;
	if (mg_git_merge_base(c->git, c->base, c->head, c->merge_base, err)) {
		if (err->reason != MG_REASON_NOT_FOUND)
			return -1;
		mg_err_clear(err);
		if (mg_git_is_shallow(c->git))
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "no merge base between %s and %s: " SHALLOW_FIX,
			                  c->base_name, head);
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "no merge base between %s and %s: their histories are unrelated",
		                  c->base_name, head);
	}
	if (mg_git_changed_files(c->git, c->merge_base, c->head, add_file, c, err))
		return -1;
	if (c->nfiles) {
		size_t n = 1;

		qsort(c->files, c->nfiles, sizeof(*c->files), cmp_str);
		for (size_t i = 1; i < c->nfiles; i++) {
			if (!strcmp(c->files[i], c->files[n - 1]))
				free(c->files[i]);
			else
				c->files[n++] = c->files[i];
		}
		c->nfiles = n;
	}
	return 0;
}

static bool model_matches(const struct mg_changes_model *m, const char *file)
{
	const cJSON *g;

	cJSON_ArrayForEach(g, m->paths)
	{
		if (mg_changes_glob_match(g->valuestring, file))
			return true;
	}
	return false;
}

static void select_models(struct changes *c)
{
	for (size_t i = 0; i < c->cfg.nmodels; i++) {
		c->selected[i] = c->o->all;
		for (size_t f = 0; f < c->nfiles && !c->selected[i]; f++)
			c->selected[i] = model_matches(&c->cfg.models[i], c->files[f]);
	}
}

static void add_entry(cJSON *o, const struct mg_changes_model *m)
{
	cJSON_AddStringToObject(o, "model", m->name);
	if (m->policy)
		cJSON_AddStringToObject(o, "policy", m->policy);
	if (m->suite)
		cJSON_AddStringToObject(o, "suite", m->suite);
}

/* {"include":[...]} for GitHub, or {"job":{...}} for Azure, compact, no newline. */
static char *matrix(const struct changes *c, bool azure)
{
	cJSON *doc = cJSON_CreateObject(), *list = NULL;
	char *s;

	if (!azure)
		list = cJSON_AddArrayToObject(doc, "include");
	for (size_t i = 0; i < c->cfg.nmodels; i++) {
		cJSON *e;

		if (!c->selected[i])
			continue;
		e = cJSON_CreateObject();
		add_entry(e, &c->cfg.models[i]);
		if (azure)
			cJSON_AddItemToObject(doc, c->cfg.models[i].job, e);
		else
			cJSON_AddItemToArray(list, e);
	}
	s = mg_json_print(doc);
	cJSON_Delete(doc);
	return s;
}

static void full_json(const struct changes *c, struct mg_buf *out)
{
	cJSON *doc = cJSON_CreateObject(), *files, *list;

	cJSON_AddStringToObject(doc, "base", c->base);
	cJSON_AddStringToObject(doc, "head", c->head);
	cJSON_AddStringToObject(doc, "merge_base", c->merge_base);
	files = cJSON_AddArrayToObject(doc, "files");
	for (size_t f = 0; f < c->nfiles; f++)
		cJSON_AddItemToArray(files, cJSON_CreateString(c->files[f]));
	list = cJSON_AddArrayToObject(doc, "models");
	for (size_t i = 0; i < c->cfg.nmodels; i++) {
		cJSON *e, *mine;

		if (!c->selected[i])
			continue;
		e = cJSON_CreateObject();
		add_entry(e, &c->cfg.models[i]);
		mine = cJSON_AddArrayToObject(e, "files");
		for (size_t f = 0; f < c->nfiles; f++)
			if (model_matches(&c->cfg.models[i], c->files[f]))
				cJSON_AddItemToArray(mine, cJSON_CreateString(c->files[f]));
		cJSON_AddItemToArray(list, e);
	}
	mg_json_emit(doc, out);
}

/* The selected names, comma-separated, and how many. */
static size_t names(const struct changes *c, struct mg_buf *out)
{
	size_t n = 0;

	for (size_t i = 0; i < c->cfg.nmodels; i++)
		if (c->selected[i])
			mg_buf_addf(out, "%s%s", n++ ? "," : "", c->cfg.models[i].name);
	return n;
}

/* The Azure agent takes at most this much of one logging command. */
#define AZURE_VALUE_MAX (MG_TEXT_MESSAGE_MAX * 16)

static int publish(struct changes *c, struct mg_err *err)
{
	struct mg_buf out = MG_BUF_INIT(MG_BUF_LARGE), list = MG_BUF_INIT(MG_BUF_LARGE);
	char *gh = matrix(c, false), *az = NULL, count[32];
	size_t n = names(c, &list);
	const char *any = n ? "true" : "false";
	int ret = -1;

	snprintf(count, sizeof(count), "%zu", n);
	mg_buf_adds(&out, gh);
	mg_buf_addch(&out, '\n');
	if (c->ctx->ci == MG_CI_AZURE) {
		az = matrix(c, true);
		if (strlen(az) > AZURE_VALUE_MAX) {
			mg_err_set(
			        err, MG_EXIT_INFRA,
			        "the Azure matrix of %zu models is %zu bytes, more than the %zu a "
			        "logging command carries",
			        n, strlen(az), (size_t)AZURE_VALUE_MAX);
			goto done;
		}
		mg_azure_set_output(&out, "matrix", az);
		mg_azure_set_output(&out, "models", list.buf);
		mg_azure_set_output(&out, "count", count);
		mg_azure_set_output(&out, "any", any);
	}
	if (mg_write_output(&c->ctx->secrets, "-", &out, err))
		goto done;
	if (c->ctx->ci == MG_CI_GITHUB) {
		const char *path = env_nonempty("GITHUB_OUTPUT");

		mg_buf_reset(&out);
		if (!path) {
			mg_warn(&c->ctx->log, "GITHUB_OUTPUT is not set: no step outputs written");
		} else if (mg_gha_output(&out, "matrix", gh, err) ||
		           mg_gha_output(&out, "models", list.buf, err) ||
		           mg_gha_output(&out, "count", count, err) ||
		           mg_gha_output(&out, "any", any, err) ||
		           mg_gha_append(path, &out, &c->ctx->secrets, err)) {
			goto done;
		}
	}
	if (c->o->json) {
		mg_buf_reset(&out);
		full_json(c, &out);
		if (mg_write_output(&c->ctx->secrets, c->o->json, &out, err))
			goto done;
	}
	if (!c->o->quiet) {
		if (c->base_name)
			mg_info(&c->ctx->log,
			        "%zu %s changed between %s (merge base %.12s) and %s (%.12s); "
			        "%zu of %zu %s affected%s%s",
			        c->nfiles, mg_plural(c->nfiles, "file", "files"), c->base_name,
			        c->merge_base, c->head_name ? c->head_name : "HEAD", c->head, n,
			        c->cfg.nmodels, mg_plural(c->cfg.nmodels, "model", "models"),
			        n ? ": " : "", list.buf);
		else
			mg_info(&c->ctx->log, "--all: %zu %s", n, mg_plural(n, "model", "models"));
	}
	ret = 0;
done:
	free(gh);
	free(az);
	mg_buf_release(&out);
	mg_buf_release(&list);
	return ret;
}

int mg_changes_run(struct mg_ctx *ctx, const struct mg_changes_opts *o, struct mg_err *err)
{
	struct changes c = {0};
	struct mg_buf cfg_path = MG_BUF_INIT(MG_BUF_SMALL);
	const struct mg_output json_out = {"--json", o->json, false};
	int ret = -1;

	c.ctx = ctx;
	c.o = o;
	c.base_branch = (struct mg_buf)MG_BUF_INIT(MG_BUF_SMALL);
	if (mg_outputs_check(&json_out, 1, err) || mg_ci_resolve(o->ci, &ctx->ci, err))
		goto done;
	if (mg_git_open(o->repo ? o->repo : ".", &c.git, err))
		goto done;
	if (o->config) {
		mg_buf_adds(&cfg_path, o->config);
	} else {
		const char *w = mg_git_workdir(c.git);

		mg_buf_addf(&cfg_path, "%s%s" MG_CHANGES_CONFIG_NAME, w,
		            *w && w[strlen(w) - 1] != '/' ? "/" : "");
	}
	if (mg_changes_config_load(cfg_path.buf, &c.cfg, err))
		goto done;
	c.selected = mg_xcalloc(c.cfg.nmodels ? c.cfg.nmodels : 1, sizeof(*c.selected));
	if (find_base(&c, err) || resolve(&c, err))
		goto done;
	select_models(&c);
	if (publish(&c, err))
		goto done;
	ret = 0;
done:
	for (size_t i = 0; i < c.nfiles; i++)
		free(c.files[i]);
	free(c.files);
	free(c.selected);
	mg_changes_config_release(&c.cfg);
	mg_git_close(c.git);
	mg_buf_release(&c.base_branch);
	mg_buf_release(&cfg_path);
	return ret ? -1 : MG_EXIT_PASS;
}
