#include "setup.h"
#include "dbauth.h"
#include "alloc.h"
#include "clock.h"
#include "dbcfg.h"
#include "json.h"

#include <math.h>
#include <pwd.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the configuration attributes ---------------------------------------- */

/*
 * The SDK's configuration attributes mlgate reads (config.py's
 * ConfigAttribute table): the file key, the environment variable, and the
 * SDK's authentication method the attribute belongs to. Attributes of
 * methods mlgate does not speak are read only to refuse them by name.
 */
enum {
	A_HOST,
	A_TOKEN,
	A_CLIENT_ID,
	A_CLIENT_SECRET,
	A_AUTH_TYPE,
	A_COUNT_USED,
};

struct attr_def {
	const char *key;       /* in the configuration file */
	const char *env;       /* environment variable, or NULL */
	const char *env_alias; /* older name of the variable, or NULL */
	const char *method; /* the SDK's method ("pat", "oauth", ...), NULL if not a credential */
	bool sensitive;     /* registered as a secret wherever it comes from */
	bool refused;       /* changes the token the SDK gets; not implemented */
};

static const struct attr_def attrs[] = {
        [A_HOST] = {"host", "DATABRICKS_HOST", NULL, NULL, false, false},
        [A_TOKEN] = {"token", "DATABRICKS_TOKEN", NULL, "pat", true, false},
        [A_CLIENT_ID] = {"client_id", "DATABRICKS_CLIENT_ID", NULL, "oauth", false, false},
        [A_CLIENT_SECRET] = {"client_secret", "DATABRICKS_CLIENT_SECRET", NULL, "oauth", true,
                             false},
        [A_AUTH_TYPE] = {"auth_type", "DATABRICKS_AUTH_TYPE", NULL, NULL, false, false},
        /* the SDK's other methods */
        {"username", "DATABRICKS_USERNAME", NULL, "basic", false, false},
        {"password", "DATABRICKS_PASSWORD", NULL, "basic", true, false},
        {"metadata_service_url", "DATABRICKS_METADATA_SERVICE_URL", NULL, "metadata-service", true,
         false},
        {"oidc_token_env", "DATABRICKS_OIDC_TOKEN_ENV", NULL, "env-oidc", false, false},
        {"oidc_token_filepath", "DATABRICKS_OIDC_TOKEN_FILEPATH", "DATABRICKS_OIDC_TOKEN_FILE",
         "file-oidc", false, false},
        {"google_service_account", "DATABRICKS_GOOGLE_SERVICE_ACCOUNT", NULL, "google", false,
         false},
        {"google_credentials", "GOOGLE_CREDENTIALS", NULL, "google", true, false},
        {"azure_workspace_resource_id", "DATABRICKS_AZURE_RESOURCE_ID", NULL, "azure", false,
         false},
        {"azure_use_msi", "ARM_USE_MSI", NULL, "azure", false, false},
        {"azure_client_secret", "ARM_CLIENT_SECRET", NULL, "azure", true, false},
        {"azure_client_id", "ARM_CLIENT_ID", NULL, "azure", false, false},
        {"azure_tenant_id", "ARM_TENANT_ID", NULL, "azure", false, false},
        /* settings that change which token the SDK would obtain */
        {"group_id", "DATABRICKS_GROUP_ID", NULL, NULL, false, true},
        {"discovery_url", "DATABRICKS_DISCOVERY_URL", NULL, NULL, false, true},
        {"scopes", NULL, NULL, NULL, false, true},
        {"authorization_details", NULL, NULL, NULL, false, true},
};

#define N_ATTRS MG_ARRAY_SIZE(attrs)

struct val {
	char *value;     /* owned copy; NULL when unset */
	const char *env; /* the variable it came from, or NULL: the file */
	int line;        /* in the file */
};

enum kind { KIND_PAT, KIND_M2M };

struct mg_dbauth {
	struct mg_ctx *ctx; /* borrowed */
	enum kind kind;
	char *host;
	char *source;
	char *token;      /* PAT */
	char *client_id;  /* OAuth */
	char *basic;      /* "Authorization: Basic ..." (a secret) */
	char *token_url;  /* {host}/oidc/v1/token */
	char *access;     /* the current access token, or NULL */
	uint64_t expires; /* mg_clock_ns() when it expires */
	int token_requests;
};

/* The resolution's working state. */
struct resolve {
	struct mg_ctx *ctx;
	const char *profile;      /* explicit profile, or NULL */
	const char *profile_from; /* "the registry URI" or "DATABRICKS_CONFIG_PROFILE" */
	char *path;               /* the configuration file */
	struct mg_dbcfg cfg;
	const char *section; /* the section read (in cfg), or NULL */
	struct val vals[N_ATTRS];
};

static const char *env_value(const char *name)
{
	const char *v = name ? getenv(name) : NULL;

	return v && *v ? v : NULL;
}

static void set_val(struct resolve *r, size_t i, const char *value, const char *env, int line)
{
	r->vals[i].value = mg_xstrdup(value);
	r->vals[i].env = env;
	r->vals[i].line = line;
	if (attrs[i].sensitive)
		mg_secrets_add(&r->ctx->secrets, value);
}

/* Where attribute `i` came from: "DATABRICKS_TOKEN" or "'token' of profile 'p' in 'F' line 3". */
static void describe(const struct resolve *r, size_t i, struct mg_buf *out)
{
	if (r->vals[i].env)
		mg_buf_adds(out, r->vals[i].env);
	else
		mg_buf_addf(out, "'%s' of profile '%s' in '%s' line %d", attrs[i].key, r->section,
		            r->path, r->vals[i].line);
}

/* "DATABRICKS_TOKEN or 'token' in the profile": how to set attribute `i`. */
static void how_to_set(size_t i, struct mg_buf *out)
{
	mg_buf_addf(out, "%s or '%s' in a profile", attrs[i].env, attrs[i].key);
}

/* --- where the configuration comes from ---------------------------------- */

/* DATABRICKS_CONFIG_FILE or ~/.databrickscfg, "~" expanded as Python's expanduser does. */
static char *config_path(void)
{
	const char *p = env_value("DATABRICKS_CONFIG_FILE");
	const char *home = env_value("HOME");
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	if (!p)
		p = "~/.databrickscfg";
	if (p[0] == '~' && (p[1] == '/' || !p[1])) {
		if (!home) {
			const struct passwd *pw = getpwuid(getuid());

			home = pw && pw->pw_dir ? pw->pw_dir : "";
		}
		mg_buf_addf(&b, "%s%s", home, p + 1);
	} else {
		mg_buf_adds(&b, p);
	}
	return mg_buf_take(&b, NULL);
}

static bool any_credential(const struct resolve *r)
{
	for (size_t i = 0; i < N_ATTRS; i++)
		if (r->vals[i].value && attrs[i].method)
			return true;
	return false;
}

/* The section to read: the named profile, [__settings__] default_profile, or [DEFAULT]. */
static int pick_section(struct resolve *r, struct mg_err *err)
{
	const struct mg_dbcfg_section *s;
	const struct mg_dbcfg_entry *dp;
	const char *name = r->profile;

	if (!name) {
		dp = mg_dbcfg_get(mg_dbcfg_section(&r->cfg, "__settings__"), "default_profile");
		if (dp && *dp->value) {
			if (!strcmp(dp->value, "__settings__"))
				return mg_err_set(
				        err, MG_EXIT_USAGE,
				        "Databricks: default_profile in '%s' line %d names "
				        "the reserved section __settings__",
				        r->path, dp->line);
			s = mg_dbcfg_section(&r->cfg, dp->value);
			if (!s || !s->n)
				return mg_err_set(
				        err, MG_EXIT_USAGE,
				        "Databricks: default_profile '%s' in '%s' line %d: "
				        "no such profile in the file",
				        dp->value, r->path, dp->line);
			r->section = s->name;
			return 0;
		}
		s = mg_dbcfg_section(&r->cfg, "DEFAULT");
		r->section = s && s->n ? s->name : NULL;
		return 0;
	}
	s = mg_dbcfg_section(&r->cfg, name);
	/* an empty [DEFAULT] is no profile for the SDK (configparser's defaults() is empty) */
	if (!s || (!s->n && !strcmp(name, "DEFAULT")))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "Databricks: profile '%s' (from %s) is not in '%s' (sections are "
		                  "case-sensitive)",
		                  name, r->profile_from, r->path);
	r->section = s->name;
	return 0;
}

static int read_file(struct resolve *r, struct mg_err *err)
{
	const struct mg_dbcfg_section *s;
	struct stat st;

	if (stat(r->path, &st)) {
		if (errno == ENOENT && !r->profile)
			return 0; /* nothing configured there: the environment must do */
		if (errno == ENOENT)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "Databricks: profile '%s' (from %s) asked for, but the "
			                  "configuration file '%s' does not exist (set "
			                  "DATABRICKS_CONFIG_FILE)",
			                  r->profile, r->profile_from, r->path);
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "cannot read the Databricks configuration file '%s': %s", r->path,
		                  strerror(errno));
	}
	if (mg_dbcfg_read(&r->cfg, r->path, err) || pick_section(r, err))
		return -1;
	if (!r->section)
		return 0; /* no profile and no [DEFAULT]: nothing to take */
	s = mg_dbcfg_section(&r->cfg, r->section);
	for (size_t e = 0; e < s->n; e++) {
		for (size_t i = 0; i < N_ATTRS; i++) {
			/* empty values count as unset, as everywhere else */
			if (strcmp(attrs[i].key, s->entries[e].key) || r->vals[i].value ||
			    !*s->entries[e].value)
				continue;
			set_val(r, i, s->entries[e].value, NULL, s->entries[e].line);
		}
	}
	return 0;
}

static int load(struct resolve *r, struct mg_err *err)
{
	for (size_t i = 0; i < N_ATTRS; i++) {
		const char *env = attrs[i].env;
		const char *v = env_value(env);

		if (!v && attrs[i].env_alias) {
			env = attrs[i].env_alias;
			v = env_value(env);
		}
		if (v)
			set_val(r, i, v, env, 0);
	}
	r->path = config_path();
	/* the SDK reads the file for a profile, or when the environment configured nothing */
	if (r->profile || (!r->vals[A_HOST].value && !any_credential(r)))
		return read_file(r, err);
	return 0;
}

/* --- deciding --------------------------------------------------------------- */

/* Every attribute set that belongs to `method`, described, into `out`. */
static void list_method(const struct resolve *r, const char *method, struct mg_buf *out)
{
	bool first = true;

	for (size_t i = 0; i < N_ATTRS; i++) {
		if (!r->vals[i].value || !attrs[i].method || strcmp(attrs[i].method, method))
			continue;
		if (!first)
			mg_buf_adds(out, ", ");
		describe(r, i, out);
		first = false;
	}
}

static int pick_kind(const struct resolve *r, enum kind *kind, struct mg_err *err)
{
	const char *methods[N_ATTRS];
	size_t n = 0;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	const char *auth_type = r->vals[A_AUTH_TYPE].value;
	int ret = -1;

	if (auth_type) {
		if (!strcmp(auth_type, "pat") || !strcmp(auth_type, "oauth-m2m")) {
			*kind = strcmp(auth_type, "pat") ? KIND_M2M : KIND_PAT;
			return 0;
		}
		describe(r, A_AUTH_TYPE, &b);
		mg_err_set(err, MG_EXIT_USAGE,
		           "Databricks: authentication type '%s' (%s) is not supported by mlgate: "
		           "use pat or oauth-m2m",
		           auth_type, b.buf);
		goto done;
	}
	for (size_t i = 0; i < N_ATTRS; i++) {
		bool seen = false;

		if (!r->vals[i].value || !attrs[i].method)
			continue;
		for (size_t j = 0; j < n; j++)
			seen = seen || !strcmp(methods[j], attrs[i].method);
		if (!seen)
			methods[n++] = attrs[i].method;
	}
	if (n > 1) {
		for (size_t j = 0; j < n; j++) {
			mg_buf_addf(&b, "%s%s (", j ? " and " : "", methods[j]);
			list_method(r, methods[j], &b);
			mg_buf_adds(&b, ")");
		}
		mg_err_set(err, MG_EXIT_USAGE,
		           "Databricks: more than one authentication method is configured: %s; "
		           "keep one, or choose with DATABRICKS_AUTH_TYPE=pat or oauth-m2m",
		           b.buf);
		goto done;
	}
	if (n == 1 && (!strcmp(methods[0], "pat") || !strcmp(methods[0], "oauth"))) {
		*kind = strcmp(methods[0], "pat") ? KIND_M2M : KIND_PAT;
		ret = 0;
		goto done;
	}
	if (n == 1) {
		list_method(r, methods[0], &b);
		mg_err_set(err, MG_EXIT_USAGE,
		           "Databricks: %s authentication (%s) is not supported by mlgate: use a "
		           "personal access token (DATABRICKS_TOKEN) or an OAuth service principal "
		           "(DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET)",
		           methods[0], b.buf);
		goto done;
	}
	if (r->section)
		mg_buf_addf(&b, "; profile '%s' of '%s' has neither 'token' nor 'client_id'",
		            r->section, r->path);
	else if (!r->profile && (r->vals[A_HOST].value && r->vals[A_HOST].env))
		mg_buf_addf(&b, "; '%s' is not read when DATABRICKS_HOST is set without a profile",
		            r->path);
	mg_err_set(err, MG_EXIT_USAGE,
	           "Databricks: no credentials: set DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and "
	           "DATABRICKS_CLIENT_SECRET, or name a profile of '%s' (databricks://PROFILE or "
	           "DATABRICKS_CONFIG_PROFILE)%s",
	           r->path, b.buf);
done:
	mg_buf_release(&b);
	return ret;
}

static int check_refused(const struct resolve *r, struct mg_err *err)
{
	for (size_t i = 0; i < N_ATTRS; i++) {
		struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

		if (!attrs[i].refused || !r->vals[i].value)
			continue;
		describe(r, i, &b);
		mg_err_set(err, MG_EXIT_USAGE,
		           "Databricks: %s is set, which mlgate does not support (it would change "
		           "the token the Databricks SDK obtains); unset it",
		           b.buf);
		mg_buf_release(&b);
		return -1;
	}
	return 0;
}

/* Attribute `i` is needed: set, and free of anything that would break a header or URL. */
static int need(const struct resolve *r, size_t i, const char *why, struct mg_err *err)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	const char *v = r->vals[i].value;
	int ret = 0;

	if (!v) {
		how_to_set(i, &b);
		ret = mg_err_set(err, MG_EXIT_USAGE, "Databricks: %s: %s is not set (%s)", why,
		                 attrs[i].key, b.buf);
	} else {
		for (const unsigned char *p = (const unsigned char *)v; *p && !ret; p++) {
			if (*p >= 0x20 && *p != 0x7f)
				continue;
			describe(r, i, &b);
			ret = mg_err_set(err, MG_EXIT_USAGE,
			                 "Databricks: %s holds a line break or control character",
			                 b.buf);
		}
	}
	mg_buf_release(&b);
	return ret;
}

/* The SDK's host fix-up (_fix_host_if_needed), then mlgate's checks. */
static int normalise_host(const struct resolve *r, char **out, struct mg_err *err)
{
	const char *v = r->vals[A_HOST].value, *rest, *end;
	struct mg_buf h = MG_BUF_INIT(MG_BUF_SMALL), where = MG_BUF_INIT(MG_BUF_SMALL);
	size_t len, auth_len;
	int ret = -1;

	describe(r, A_HOST, &where);
	if (!strstr(v, "://"))
		mg_buf_adds(&h, "https://");
	mg_buf_adds(&h, v);
	for (char *p = h.buf; *p && *p != ':'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (!strncmp(h.buf, "https://", 8)) {
		rest = h.buf + 8;
	} else if (!strncmp(h.buf, "http://", 7)) {
		rest = h.buf + 7; /* loopback test servers, as the SDK allows */
	} else {
		mg_err_set(err, MG_EXIT_USAGE,
		           "Databricks: host '%s' (%s) must be an https:// URL (or http:// for a "
		           "local test server)",
		           v, where.buf);
		goto done;
	}
	auth_len = strcspn(rest, "/");
	if (!auth_len || strpbrk(h.buf, "?#@ \t") || memchr(rest, '@', auth_len)) {
		mg_err_set(
		        err, MG_EXIT_USAGE,
		        "Databricks: host '%s' (%s) is not a workspace URL (a host name, with no "
		        "credentials, query, fragment or white space)",
		        v, where.buf);
		goto done;
	}
	len = h.len;
	while (len > (size_t)(rest - h.buf) + auth_len && h.buf[len - 1] == '/')
		len--;
	mg_buf_truncate(&h, len);
	/* https://host:443 is https://host (the SDK drops port 443) */
	end = rest + auth_len;
	if (!strncmp(h.buf, "https://", 8) && auth_len > 4 && !strncmp(end - 4, ":443", 4)) {
		size_t at = (size_t)(end - 4 - h.buf);

		memmove(h.buf + at, h.buf + at + 4, h.len - at - 4 + 1);
		h.len -= 4;
	}
	*out = mg_buf_take(&h, NULL);
	ret = 0;
done:
	mg_buf_release(&h);
	mg_buf_release(&where);
	return ret;
}

/* "the environment", "profile 'p' of 'F'", or both: where the values used came from. */
static char *source_of(const struct resolve *r, const size_t *used, size_t n)
{
	bool env = false, file = false;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	for (size_t i = 0; i < n; i++) {
		env = env || r->vals[used[i]].env;
		file = file || !r->vals[used[i]].env;
	}
	if (env)
		mg_buf_adds(&b, "the environment");
	if (file)
		mg_buf_addf(&b, "%sprofile '%s' of '%s'", env ? " and " : "", r->section, r->path);
	return mg_buf_take(&b, NULL);
}

static void resolve_release(struct resolve *r)
{
	for (size_t i = 0; i < N_ATTRS; i++)
		free(r->vals[i].value);
	free(r->path);
	mg_dbcfg_release(&r->cfg);
}

int mg_dbauth_open(struct mg_ctx *ctx, const char *profile, struct mg_dbauth **out,
                   struct mg_err *err)
{
	struct resolve r = {ctx, profile, "the registry URI", NULL, MG_DBCFG_INIT, NULL, {{0}}};
	struct mg_dbauth *a = NULL;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	enum kind kind = KIND_PAT;
	char *host = NULL;
	int ret = -1;

	*out = NULL;
	if (!r.profile && env_value("DATABRICKS_CONFIG_PROFILE")) {
		r.profile = env_value("DATABRICKS_CONFIG_PROFILE");
		r.profile_from = "DATABRICKS_CONFIG_PROFILE";
	}
	if (r.profile && (!*r.profile || !strcmp(r.profile, "__settings__"))) {
		mg_err_set(err, MG_EXIT_USAGE, "Databricks: '%s' (from %s) is not a profile name",
		           r.profile, r.profile_from);
		goto done;
	}
	if (r.profile && strchr(r.profile, ':')) {
		/* MLflow's databricks://SCOPE:PREFIX reads a secret scope, inside Databricks only
		 */
		mg_err_set(err, MG_EXIT_USAGE,
		           "Databricks: '%s' (from %s) is a secret-scope reference (SCOPE:PREFIX), "
		           "which only works inside Databricks; name a profile instead",
		           r.profile, r.profile_from);
		goto done;
	}
	if (load(&r, err) || pick_kind(&r, &kind, err) || check_refused(&r, err))
		goto done;
	if (kind == KIND_PAT) {
		if (need(&r, A_TOKEN, "a personal access token is used", err))
			goto done;
	} else if (need(&r, A_CLIENT_ID, "OAuth M2M needs a client ID and secret", err) ||
	           need(&r, A_CLIENT_SECRET, "OAuth M2M needs a client ID and secret", err)) {
		goto done;
	}
	if (need(&r, A_HOST, "the workspace URL is needed", err) || normalise_host(&r, &host, err))
		goto done;

	a = mg_xcalloc(1, sizeof(*a));
	a->ctx = ctx;
	a->kind = kind;
	a->host = host;
	host = NULL;
	if (kind == KIND_PAT) {
		const size_t used[] = {A_HOST, A_TOKEN};

		a->token = mg_xstrdup(r.vals[A_TOKEN].value);
		a->source = source_of(&r, used, MG_ARRAY_SIZE(used));
	} else {
		const size_t used[] = {A_HOST, A_CLIENT_ID, A_CLIENT_SECRET};

		a->client_id = mg_xstrdup(r.vals[A_CLIENT_ID].value);
		mg_buf_adds(&b, "Authorization: ");
		mg_http_basic(&b, a->client_id, r.vals[A_CLIENT_SECRET].value);
		/* the encoded credential is as secret as the client secret */
		mg_secrets_add(&ctx->secrets, b.buf + strlen("Authorization: Basic "));
		a->basic = mg_buf_take(&b, NULL);
		mg_buf_addf(&b, "%s/oidc/v1/token", a->host);
		a->token_url = mg_buf_take(&b, NULL);
		a->source = source_of(&r, used, MG_ARRAY_SIZE(used));
	}
	mg_debug(&ctx->log, "Databricks: %s authentication to %s, configured by %s",
	         mg_dbauth_kind(a), a->host, a->source);
	*out = a;
	ret = 0;
done:
	free(host);
	mg_buf_release(&b);
	resolve_release(&r);
	return ret;
}

void mg_dbauth_free(struct mg_dbauth *a)
{
	if (!a)
		return;
	free(a->host);
	free(a->source);
	free(a->token);
	free(a->client_id);
	free(a->basic);
	free(a->token_url);
	free(a->access);
	free(a);
}

const char *mg_dbauth_host(const struct mg_dbauth *a)
{
	return a->host;
}

const char *mg_dbauth_kind(const struct mg_dbauth *a)
{
	return a->kind == KIND_PAT ? "pat" : "oauth-m2m";
}

const char *mg_dbauth_source(const struct mg_dbauth *a)
{
	return a->source;
}

bool mg_dbauth_refreshable(const struct mg_dbauth *a)
{
	return a->kind == KIND_M2M;
}

int mg_dbauth_token_requests(const struct mg_dbauth *a)
{
	return a->token_requests;
}

/* --- the OAuth token ------------------------------------------------------ */

/* What a refused token request said: OAuth's error/error_description, the SDK's
 * errorCode/errorSummary, Databricks' error_code/message, or the body's first line. */
static void token_error_text(const struct mg_http_response *resp, struct mg_buf *out,
                             const char **code)
{
	struct mg_err ignored = MG_ERR_INIT;
	cJSON *doc = mg_json_parse(resp->body.buf, resp->body.len, "", MG_EXIT_INFRA, &ignored);
	static const char *const codes[] = {"error", "errorCode", "error_code"};
	static const char *const texts[] = {"error_description", "errorSummary", "message"};
	size_t n;

	*code = "";
	if (doc && cJSON_IsObject(doc)) {
		for (size_t i = 0; i < MG_ARRAY_SIZE(codes) && !out->len; i++) {
			const char *c = mg_json_str(doc, codes[i]), *t = mg_json_str(doc, texts[i]);

			if (!*c && !*t)
				continue;
			mg_buf_addf(out, "%s%s%s", c, *c && *t ? ": " : "", t);
			if (!strcmp(c, "invalid_client"))
				*code = "invalid_client";
		}
	}
	cJSON_Delete(doc);
	if (out->len)
		return;
	n = strcspn(resp->body.buf, "\r\n");
	if (!n)
		mg_buf_adds(out, "(empty body)");
	else
		mg_buf_add(out, resp->body.buf, n > 200 ? 200 : n);
}

static int token_refused(struct mg_dbauth *a, const struct mg_http_response *resp,
                         struct mg_err *err)
{
	struct mg_buf text = MG_BUF_INIT(MG_BUF_SMALL);
	const char *code;
	char attempts[48] = "";

	token_error_text(resp, &text, &code);
	if (resp->attempts > 1)
		snprintf(attempts, sizeof(attempts), " after %d attempts", resp->attempts);
	if (resp->status == 401 || !strcmp(code, "invalid_client"))
		mg_err_set(
		        err, MG_EXIT_INFRA,
		        "Databricks refused the OAuth client credentials of client '%s' (from %s): "
		        "POST %s: HTTP %ld: %s",
		        a->client_id, a->source, a->token_url, resp->status, text.buf);
	else
		mg_err_set(err, MG_EXIT_INFRA,
		           "Databricks OAuth token request failed: POST %s: HTTP %ld%s: %s",
		           a->token_url, resp->status, attempts, text.buf);
	mg_buf_release(&text);
	return -1;
}

static int bad_answer(struct mg_dbauth *a, const char *field, const char *what, struct mg_err *err)
{
	return mg_err_set(err, MG_EXIT_INFRA, "Databricks OAuth token answer from POST %s: '%s' %s",
	                  a->token_url, field, what);
}

static const char *json_type(const cJSON *v)
{
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsArray(v))
		return "an array";
	return "an object";
}

/* A string member, present and non-empty; else an error naming the field. */
static const char *answer_str(struct mg_dbauth *a, const cJSON *doc, const char *field,
                              struct mg_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, field);
	char what[64];

	if (!v) {
		bad_answer(a, field, "is missing", err);
		return NULL;
	}
	if (!cJSON_IsString(v) || !v->valuestring) {
		snprintf(what, sizeof(what), "is %s, not a string", json_type(v));
		bad_answer(a, field, what, err);
		return NULL;
	}
	if (!*v->valuestring) {
		bad_answer(a, field, "is empty", err);
		return NULL;
	}
	return v->valuestring;
}

/* expires_in: seconds, a positive integer (a number, or digits in a string: the SDK's int()). */
static int answer_expiry(struct mg_dbauth *a, const cJSON *doc, long long *out, struct mg_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "expires_in");
	char what[64];
	long long n = -1;

	if (!v)
		return bad_answer(a, "expires_in", "is missing", err);
	if (cJSON_IsNumber(v)) {
		/* range first: converting a huge double to an integer is undefined */
		if (v->valuedouble >= 1 && v->valuedouble <= 366.0 * 86400 &&
		    v->valuedouble == floor(v->valuedouble))
			n = (long long)v->valuedouble;
	} else if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
		char *end = NULL;

		errno = 0;
		n = strtoll(v->valuestring, &end, 10);
		if (errno || *end)
			n = -1;
	} else {
		snprintf(what, sizeof(what), "is %s, not a number of seconds", json_type(v));
		return bad_answer(a, "expires_in", what, err);
	}
	/* at most a year: anything longer is not an access token's lifetime */
	if (n <= 0 || n > 366LL * 86400)
		return bad_answer(a, "expires_in", "is not a positive whole number of seconds",
		                  err);
	*out = n;
	return 0;
}

static int fetch_token(struct mg_dbauth *a, struct mg_http *http, struct mg_err *err)
{
	const char *headers[] = {a->basic, NULL};
	const struct mg_http_req req = {"POST", a->token_url,
	                                "grant_type=client_credentials&scope=all-apis",
	                                "application/x-www-form-urlencoded", headers};
	struct mg_http_response resp;
	struct mg_buf what = MG_BUF_INIT(MG_BUF_SMALL);
	cJSON *doc = NULL;
	const cJSON *tok;
	const char *access, *type;
	long long expires_in = 0;
	int ret = -1;

	mg_http_response_init(&resp);
	a->token_requests++;
	if (mg_http_send(http, &req, &resp, err))
		goto done;
	if (resp.status != 200) {
		token_refused(a, &resp, err);
		goto done;
	}
	mg_buf_addf(&what, "the Databricks OAuth token answer from POST %s", a->token_url);
	doc = mg_json_parse(resp.body.buf, resp.body.len, what.buf, MG_EXIT_INFRA, err);
	if (!doc)
		goto done;
	if (!cJSON_IsObject(doc)) {
		mg_err_set(err, MG_EXIT_INFRA, "%s is not a JSON object", what.buf);
		goto done;
	}
	/* masked before anything below can print it */
	tok = cJSON_GetObjectItemCaseSensitive(doc, "access_token");
	if (cJSON_IsString(tok) && tok->valuestring)
		mg_secrets_add(&a->ctx->secrets, tok->valuestring);
	access = answer_str(a, doc, "access_token", err);
	if (!access)
		goto done;
	for (const unsigned char *p = (const unsigned char *)access; *p; p++)
		if (*p <= 0x20 || *p == 0x7f) {
			bad_answer(a, "access_token", "holds white space or a control character",
			           err);
			goto done;
		}
	type = answer_str(a, doc, "token_type", err);
	if (!type || answer_expiry(a, doc, &expires_in, err))
		goto done;
	if (strcasecmp(type, "Bearer")) {
		mg_err_set(err, MG_EXIT_INFRA,
		           "Databricks OAuth token answer from POST %s: 'token_type' is '%.40s', "
		           "expected 'Bearer'",
		           a->token_url, type);
		goto done;
	}
	free(a->access);
	a->access = mg_xstrdup(access);
	a->expires = mg_clock_ns() + (uint64_t)expires_in * 1000000000ULL;
	mg_debug(&a->ctx->log, "Databricks: OAuth token for client '%s' obtained, valid for %lld s",
	         a->client_id, expires_in);
	ret = 0;
done:
	cJSON_Delete(doc);
	mg_buf_release(&what);
	mg_http_response_release(&resp);
	return ret;
}

int mg_dbauth_header(struct mg_dbauth *a, struct mg_http *http, bool force, struct mg_buf *out,
                     struct mg_err *err)
{
	mg_buf_reset(out);
	if (a->kind == KIND_PAT) {
		mg_buf_addf(out, "Bearer %s", a->token);
		return 0;
	}
	if (force || !a->access ||
	    mg_clock_ns() + (uint64_t)MG_DBAUTH_REFRESH_MARGIN_S * 1000000000ULL >= a->expires) {
		if (fetch_token(a, http, err))
			return -1;
	}
	mg_buf_addf(out, "Bearer %s", a->access);
	return 0;
}
