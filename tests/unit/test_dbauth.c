#include "setup.h"
#include "unit.h"
#include "alloc.h"
#include "buf.h"
#include "ctx.h"
#include "dbauth.h"
#include "dbcfg.h"
#include "fileio.h"

#include <unistd.h>

/* Every variable the resolution reads. */
static const char *const vars[] = {
        "DATABRICKS_HOST",
        "DATABRICKS_TOKEN",
        "DATABRICKS_CLIENT_ID",
        "DATABRICKS_CLIENT_SECRET",
        "DATABRICKS_AUTH_TYPE",
        "DATABRICKS_CONFIG_FILE",
        "DATABRICKS_CONFIG_PROFILE",
        "DATABRICKS_USERNAME",
        "DATABRICKS_PASSWORD",
        "DATABRICKS_METADATA_SERVICE_URL",
        "DATABRICKS_OIDC_TOKEN_ENV",
        "DATABRICKS_OIDC_TOKEN_FILEPATH",
        "DATABRICKS_OIDC_TOKEN_FILE",
        "DATABRICKS_GOOGLE_SERVICE_ACCOUNT",
        "GOOGLE_CREDENTIALS",
        "DATABRICKS_AZURE_RESOURCE_ID",
        "ARM_USE_MSI",
        "ARM_CLIENT_SECRET",
        "ARM_CLIENT_ID",
        "ARM_TENANT_ID",
        "DATABRICKS_GROUP_ID",
        "DATABRICKS_DISCOVERY_URL",
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES",
};

static char *saved_home;

static int clear_env(void)
{
	for (size_t i = 0; i < MG_ARRAY_SIZE(vars); i++)
		unsetenv(vars[i]);
	return 0;
}

static int suite_init(void)
{
	const char *home = getenv("HOME");

	saved_home = home ? mg_xstrdup(home) : NULL;
	return clear_env();
}

static int suite_cleanup(void)
{
	if (saved_home)
		setenv("HOME", saved_home, 1);
	free(saved_home);
	return clear_env();
}

/* "K=V\nK=V" into the environment. */
static void set_env(const char *spec)
{
	char *copy = mg_xstrdup(spec ? spec : ""), *line = copy;

	while (line && *line) {
		char *next = strchr(line, '\n'), *eq;

		if (next)
			*next++ = '\0';
		eq = strchr(line, '=');
		if (eq) {
			*eq = '\0';
			setenv(line, eq + 1, 1);
		}
		line = next;
	}
	free(copy);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* A context with an empty secret registry: what is masked, dbauth registered. */
static void ctx_init(struct mg_ctx *ctx)
{
	ctx->secrets = (struct mg_secrets)MG_SECRETS_INIT;
	mg_log_init(&ctx->log, "unit", stderr, &ctx->secrets);
	ctx->ci = MG_CI_NONE;
}

/* --- the configuration file ---------------------------------------------- */

static void test_dbauth__cfg_format(void)
{
	static const char text[] = "# a comment\n"
	                           "; another\n"
	                           "[DEFAULT]\n"
	                           "host = https://default.example\n"
	                           "  ; an indented comment\n"
	                           "\n"
	                           "[prod]\r\n"
	                           "HOST: adb-1.2.azuredatabricks.net\r\n"
	                           "Token = dapi # not a comment\n"
	                           "multi = first\n"
	                           "    second\n"
	                           "\n"
	                           "    third\n"
	                           "\n"
	                           "[weird]] trailing text\n"
	                           "  indented = yes\n"
	                           "a b = c=d:e\n"
	                           "empty =\n"
	                           "[DEFAULT]\n"
	                           "more = 1\n";
	struct mg_dbcfg c = MG_DBCFG_INIT;
	struct mg_err err = MG_ERR_INIT;
	const struct mg_dbcfg_section *s;

	CU_ASSERT_EQUAL_FATAL(mg_dbcfg_parse(&c, "cfg", text, strlen(text), &err), 0);
	CU_ASSERT_EQUAL(c.n, 3);
	s = mg_dbcfg_section(&c, "DEFAULT");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->n, 2); /* [DEFAULT] may appear twice, configparser merges it */
	ASSERT_STR(mg_dbcfg_get(s, "host")->value, "https://default.example");
	ASSERT_STR(mg_dbcfg_get(s, "more")->value, "1");
	s = mg_dbcfg_section(&c, "prod");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	ASSERT_STR(mg_dbcfg_get(s, "host")->value, "adb-1.2.azuredatabricks.net");
	CU_ASSERT_EQUAL(mg_dbcfg_get(s, "host")->line, 8);
	ASSERT_STR(mg_dbcfg_get(s, "token")->value, "dapi # not a comment");
	ASSERT_STR(mg_dbcfg_get(s, "multi")->value, "first\nsecond\n\nthird");
	CU_ASSERT_PTR_NULL(mg_dbcfg_get(s, "second"));
	CU_ASSERT_PTR_NULL(mg_dbcfg_section(&c, "PROD")); /* section names are case-sensitive */
	s = mg_dbcfg_section(&c, "weird]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	ASSERT_STR(mg_dbcfg_get(s, "indented")->value, "yes");
	ASSERT_STR(mg_dbcfg_get(s, "a b")->value, "c=d:e");
	ASSERT_STR(mg_dbcfg_get(s, "empty")->value, "");
	mg_dbcfg_release(&c);
}

static void test_dbauth__cfg_errors(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	        {"host = sekrit-value\n", "line 1: a key before the first [section]"},
	        {"[a]\nsekrit-value\n", "line 2: neither a [section] nor a 'key = value' line"},
	        {"[a]\nhost=1\n[b]\n[a]\n", "line 4: section 'a' appears a second time"},
	        {"[a]\ntoken=sekrit-value\nTOKEN = sekrit-value\n",
	         "line 3: key 'token' appears a second time in section 'a'"},
	        {"[DEFAULT]\nhost=1\n[DEFAULT]\nhost=2\n",
	         "line 4: key 'host' appears a second time"},
	        {"[a]\n = sekrit-value\n", "line 2: a value without a key"},
	        {"[a]\n[]\n", "line 2: neither a [section]"},
	        {"[a]\n[b\n", "line 2: neither a [section]"},
	};
	static const char nul[] = "[a]\ntoken=x\0y\n";

	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		struct mg_dbcfg c = MG_DBCFG_INIT;
		struct mg_err err = MG_ERR_INIT;

		CU_ASSERT_EQUAL(mg_dbcfg_parse(&c, "/h/.databrickscfg", bad[i].text,
		                               strlen(bad[i].text), &err),
		                -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'/h/.databrickscfg', "));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].msg));
		CU_ASSERT_PTR_NULL(strstr(err.msg, "sekrit"));
		if (!strstr(err.msg, bad[i].msg))
			fprintf(stderr, "\ncase %zu: %s\n", i, err.msg);
		mg_dbcfg_release(&c);
	}
	{
		struct mg_dbcfg c = MG_DBCFG_INIT;
		struct mg_err err = MG_ERR_INIT;

		CU_ASSERT_EQUAL(mg_dbcfg_parse(&c, "f", nul, sizeof(nul) - 1, &err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "NUL byte"));
		mg_dbcfg_release(&c);
	}
}

/* --- precedence ------------------------------------------------------------ */

static const char cfg_text[] = "[DEFAULT]\n"
                               "host = https://default.example\n"
                               "token = dapi-default-sekrit-0001\n"
                               "[p1]\n"
                               "host = p1.example/\n"
                               "client_id = cid-p1\n"
                               "client_secret = dose-p1-sekrit-0002\n"
                               "[p2]\n"
                               "token = dapi-p2-sekrit-0003\n"
                               "[p3]\n"
                               "host = https://p3.example\n"
                               "token = dapi-p3-sekrit-0004\n"
                               "[grp]\n"
                               "host = https://g.example\n"
                               "token = dapi-g-sekrit-0005\n"
                               "group_id = 42\n"
                               "[scoped]\n"
                               "host = https://s.example\n"
                               "client_id = cid-s\n"
                               "client_secret = dose-s-sekrit-0006\n"
                               "scopes = sql\n"
                               "[nl]\n"
                               "host = https://nl.example\n"
                               "token = dapi-nl-sekrit-0007\n"
                               "  continued\n";

#define ENV_PAT "DATABRICKS_HOST=h.example\nDATABRICKS_TOKEN=dapi-env-sekrit-0008"
#define ENV_M2M                                                              \
	"DATABRICKS_HOST=https://m.example/\nDATABRICKS_CLIENT_ID=cid-env\n" \
	"DATABRICKS_CLIENT_SECRET=dose-env-sekrit-0009"

struct row {
	const char *name;
	const char *env;                  /* K=V lines */
	const char *profile;              /* the URI's */
	const char *cfg;                  /* the file's content; NULL: no file */
	int code;                         /* 0: opens */
	const char *kind, *host, *source; /* when it opens (source: a fragment) */
	const char *msg;                  /* when it does not: a fragment */
};

static const struct row rows[] = {
        {"environment PAT, the file is not read", ENV_PAT, NULL, cfg_text, 0, "pat",
         "https://h.example", "the environment", NULL},
        {"environment M2M", ENV_M2M, NULL, NULL, 0, "oauth-m2m", "https://m.example",
         "the environment", NULL},
        {"no environment: [DEFAULT]", NULL, NULL, cfg_text, 0, "pat", "https://default.example",
         "profile 'DEFAULT' of '", NULL},
        {"URI profile", NULL, "p1", cfg_text, 0, "oauth-m2m", "https://p1.example",
         "profile 'p1' of '", NULL},
        {"DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CONFIG_PROFILE=p1", NULL, cfg_text, 0,
         "oauth-m2m", "https://p1.example", "profile 'p1'", NULL},
        {"the URI's profile wins over DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CONFIG_PROFILE=p1",
         "p3", cfg_text, 0, "pat", "https://p3.example", "profile 'p3'", NULL},
        {"environment fills before the profile", "DATABRICKS_HOST=env.example", "p1", cfg_text, 0,
         "oauth-m2m", "https://env.example", "the environment and profile 'p1' of '", NULL},
        {"DATABRICKS_TOKEN next to a profile's client credentials",
         "DATABRICKS_TOKEN=dapi-x-sekrit", "p1", cfg_text, MG_EXIT_USAGE, NULL, NULL, NULL,
         "more than one authentication method is configured: pat (DATABRICKS_TOKEN) and oauth "
         "('client_id' of profile 'p1' in '"},
        {"a named profile does not inherit [DEFAULT]", NULL, "p2", cfg_text, MG_EXIT_USAGE, NULL,
         NULL, NULL, "host is not set (DATABRICKS_HOST or 'host' in a profile)"},
        {"unknown profile", NULL, "nope", cfg_text, MG_EXIT_USAGE, NULL, NULL, NULL,
         "profile 'nope' (from the registry URI) is not in '"},
        {"unknown profile from the environment", "DATABRICKS_CONFIG_PROFILE=Prod", NULL, cfg_text,
         MG_EXIT_USAGE, NULL, NULL, NULL,
         "profile 'Prod' (from DATABRICKS_CONFIG_PROFILE) is not in"},
        {"profile without a file", NULL, "p1", NULL, MG_EXIT_USAGE, NULL, NULL, NULL,
         "profile 'p1' (from the registry URI) asked for, but the configuration file '"},
        {"both in the environment", ENV_PAT "\n" ENV_M2M, NULL, NULL, MG_EXIT_USAGE, NULL, NULL,
         NULL,
         "more than one authentication method is configured: pat (DATABRICKS_TOKEN) and oauth "
         "(DATABRICKS_CLIENT_ID, DATABRICKS_CLIENT_SECRET); keep one, or choose with "
         "DATABRICKS_AUTH_TYPE=pat or oauth-m2m"},
        {"both, DATABRICKS_AUTH_TYPE=pat", ENV_M2M "\n" ENV_PAT "\nDATABRICKS_AUTH_TYPE=pat", NULL,
         NULL, 0, "pat", "https://h.example", "the environment", NULL},
        {"both, DATABRICKS_AUTH_TYPE=oauth-m2m",
         ENV_PAT "\n" ENV_M2M "\nDATABRICKS_AUTH_TYPE=oauth-m2m", NULL, NULL, 0, "oauth-m2m",
         "https://m.example", "the environment", NULL},
        {"unsupported auth type", ENV_PAT "\nDATABRICKS_AUTH_TYPE=azure-cli", NULL, NULL,
         MG_EXIT_USAGE, NULL, NULL, NULL,
         "authentication type 'azure-cli' (DATABRICKS_AUTH_TYPE) is not supported by mlgate"},
        {"a token next to ARM_CLIENT_ID (the SDK refuses too)", ENV_PAT "\nARM_CLIENT_ID=app", NULL,
         NULL, MG_EXIT_USAGE, NULL, NULL, NULL,
         "configured: pat (DATABRICKS_TOKEN) and azure (ARM_CLIENT_ID)"},
        {"an Azure service principal alone",
         "DATABRICKS_HOST=h\nARM_CLIENT_ID=app\nARM_CLIENT_SECRET=arm-sekrit-0010\nARM_TENANT_ID=t",
         NULL, NULL, MG_EXIT_USAGE, NULL, NULL, NULL,
         "azure authentication (ARM_CLIENT_SECRET, ARM_CLIENT_ID, ARM_TENANT_ID) is not "
         "supported by mlgate"},
        {"basic authentication",
         "DATABRICKS_HOST=h\nDATABRICKS_USERNAME=u\nDATABRICKS_PASSWORD=pw-sekrit", NULL, NULL,
         MG_EXIT_USAGE, NULL, NULL, NULL, "basic authentication (DATABRICKS_USERNAME"},
        {"host alone: the file is not read", "DATABRICKS_HOST=h.example", NULL, cfg_text,
         MG_EXIT_USAGE, NULL, NULL, NULL,
         "no credentials: set DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and "
         "DATABRICKS_CLIENT_SECRET, or name a profile of '"},
        {"a token alone: the file is not read", "DATABRICKS_TOKEN=dapi-x-sekrit", NULL, cfg_text,
         MG_EXIT_USAGE, NULL, NULL, NULL, "host is not set"},
        {"nothing anywhere", NULL, NULL, NULL, MG_EXIT_USAGE, NULL, NULL, NULL, "no credentials"},
        {"half the client credentials", "DATABRICKS_HOST=h\nDATABRICKS_CLIENT_ID=c", NULL, NULL,
         MG_EXIT_USAGE, NULL, NULL, NULL,
         "OAuth M2M needs a client ID and secret: client_secret is not set "
         "(DATABRICKS_CLIENT_SECRET or 'client_secret' in a profile)"},
        {"auth type pat without a token", "DATABRICKS_HOST=h\nDATABRICKS_AUTH_TYPE=pat", NULL, NULL,
         MG_EXIT_USAGE, NULL, NULL, NULL, "token is not set"},
        {"empty variables are unset", "DATABRICKS_HOST=\nDATABRICKS_TOKEN=", NULL, cfg_text, 0,
         "pat", "https://default.example", "profile 'DEFAULT'", NULL},
        {"__settings__ default_profile", NULL, NULL,
         "[__settings__]\ndefault_profile = p3\n[DEFAULT]\nhost=d\ntoken=t\n[p3]\n"
         "host=p3.example\ntoken=dapi-sekrit-0011\n",
         0, "pat", "https://p3.example", "profile 'p3'", NULL},
        {"default_profile naming nothing", NULL, NULL, "[__settings__]\ndefault_profile = zz\n",
         MG_EXIT_USAGE, NULL, NULL, NULL, "default_profile 'zz' in '"},
        {"an empty [DEFAULT] is no profile", NULL, "DEFAULT",
         "[DEFAULT]\n[p]\nhost = h\ntoken = dapi-sekrit-0013\n", MG_EXIT_USAGE, NULL, NULL, NULL,
         "profile 'DEFAULT' (from the registry URI) is not in '"},
        {"__settings__ is no profile", NULL, "__settings__", cfg_text, MG_EXIT_USAGE, NULL, NULL,
         NULL, "'__settings__' (from the registry URI) is not a profile name"},
        {"a secret-scope URI", NULL, "scope:prefix", cfg_text, MG_EXIT_USAGE, NULL, NULL, NULL,
         "secret-scope reference (SCOPE:PREFIX), which only works inside Databricks"},
        {"group_id is refused", NULL, "grp", cfg_text, MG_EXIT_USAGE, NULL, NULL, NULL,
         "'group_id' of profile 'grp' in '"},
        {"scopes is refused", NULL, "scoped", cfg_text, MG_EXIT_USAGE, NULL, NULL, NULL,
         "'scopes' of profile 'scoped'"},
        {"DATABRICKS_DISCOVERY_URL is refused", ENV_M2M "\nDATABRICKS_DISCOVERY_URL=https://x",
         NULL, NULL, MG_EXIT_USAGE, NULL, NULL, NULL,
         "DATABRICKS_DISCOVERY_URL is set, which mlgate does not support"},
        {"a token spanning lines", NULL, "nl", cfg_text, MG_EXIT_USAGE, NULL, NULL, NULL,
         "'token' of profile 'nl' in '"},
        {"a line break in a variable",
         "DATABRICKS_HOST=h\nDATABRICKS_CLIENT_ID=c\x01x\n"
         "DATABRICKS_CLIENT_SECRET=s-sekrit-0012",
         NULL, NULL, MG_EXIT_USAGE, NULL, NULL, NULL,
         "DATABRICKS_CLIENT_ID holds a line break or control character"},
};

/* Every secret of the rows: none may appear in a message. */
static const char *const secrets[] = {"sekrit", "arm-sekrit", "pw-sekrit"};

static void test_dbauth__precedence(void)
{
	char *dir = unit_tmpdir();
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	mg_buf_addf(&path, "%s/.databrickscfg", dir);
	for (size_t i = 0; i < MG_ARRAY_SIZE(rows); i++) {
		const struct row *r = &rows[i];
		struct mg_ctx ctx;
		struct mg_err err = MG_ERR_INIT;
		struct mg_dbauth *a = NULL;
		int rc;
		bool ok = true;

		clear_env();
		setenv("HOME", dir, 1); /* the default ~/.databrickscfg */
		unlink(path.buf);
		if (r->cfg)
			write_file(path.buf, r->cfg);
		set_env(r->env);
		ctx_init(&ctx);
		rc = mg_dbauth_open(&ctx, r->profile, &a, &err);
		if (r->code) {
			ok = rc == -1 && err.code == r->code && strstr(err.msg, r->msg) && !a;
		} else {
			ok = rc == 0 && a && !strcmp(mg_dbauth_kind(a), r->kind) &&
			     !strcmp(mg_dbauth_host(a), r->host) &&
			     strstr(mg_dbauth_source(a), r->source);
		}
		for (size_t s = 0; s < MG_ARRAY_SIZE(secrets) && r->code; s++)
			ok = ok && !strstr(err.msg, secrets[s]);
		CU_ASSERT_TRUE(ok);
		if (!ok)
			fprintf(stderr,
			        "\nrow '%s': rc %d, code %d, '%s', kind %s, host %s, source %s\n",
			        r->name, rc, err.code, err.msg, a ? mg_dbauth_kind(a) : "-",
			        a ? mg_dbauth_host(a) : "-", a ? mg_dbauth_source(a) : "-");
		mg_dbauth_free(a);
		mg_secrets_release(&ctx.secrets);
	}
	clear_env();
	unit_rmtree(dir);
	free(dir);
	mg_buf_release(&path);
}

/* DATABRICKS_CONFIG_FILE, with "~" expanded from HOME. */
static void test_dbauth__config_file_variable(void)
{
	char *dir = unit_tmpdir();
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_ctx ctx;
	struct mg_err err = MG_ERR_INIT;
	struct mg_dbauth *a = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	clear_env();
	mg_buf_addf(&path, "%s/other.cfg", dir);
	write_file(path.buf, "[ci]\nhost = ci.example\ntoken = dapi-ci\n");
	setenv("HOME", dir, 1);
	setenv("DATABRICKS_CONFIG_FILE", "~/other.cfg", 1);
	ctx_init(&ctx);
	CU_ASSERT_EQUAL(mg_dbauth_open(&ctx, "ci", &a, &err), 0);
	if (a) {
		ASSERT_STR(mg_dbauth_host(a), "https://ci.example");
		CU_ASSERT_PTR_NOT_NULL(strstr(mg_dbauth_source(a), path.buf));
	}
	mg_dbauth_free(a);
	a = NULL;
	/* a file that cannot be parsed names file and line */
	write_file(path.buf, "[ci]\nhost = ci.example\ntoken\n");
	CU_ASSERT_EQUAL(mg_dbauth_open(&ctx, "ci", &a, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path.buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "line 3"));
	mg_secrets_release(&ctx.secrets);
	clear_env();
	unit_rmtree(dir);
	free(dir);
	mg_buf_release(&path);
}

static void test_dbauth__host(void)
{
	static const struct {
		const char *in, *out; /* out NULL: refused */
	} hosts[] = {
	        {"adb-1.2.azuredatabricks.net", "https://adb-1.2.azuredatabricks.net"},
	        {"https://adb-1.2.azuredatabricks.net/", "https://adb-1.2.azuredatabricks.net"},
	        {"https://x.example:443//", "https://x.example"},
	        {"https://x.example:8443/", "https://x.example:8443"},
	        {"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
	        {"http://127.0.0.1:443", "http://127.0.0.1:443"},
	        {"HTTPS://X.example", "https://X.example"},
	        {"https://x.example/a/b//", "https://x.example/a/b"},
	        {"ftp://x.example", NULL},
	        {"https://user:pw@x.example", NULL},
	        {"https://x.example?o=1", NULL},
	        {"https://x.example#f", NULL},
	        {"https://", NULL},
	        {"https:///path", NULL},
	        {"https://x .example", NULL},
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(hosts); i++) {
		struct mg_ctx ctx;
		struct mg_err err = MG_ERR_INIT;
		struct mg_dbauth *a = NULL;
		int rc;

		clear_env();
		setenv("DATABRICKS_HOST", hosts[i].in, 1);
		setenv("DATABRICKS_TOKEN", "dapi-sekrit", 1);
		ctx_init(&ctx);
		rc = mg_dbauth_open(&ctx, NULL, &a, &err);
		if (hosts[i].out) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_TRUE(a && !strcmp(mg_dbauth_host(a), hosts[i].out));
			if (a && strcmp(mg_dbauth_host(a), hosts[i].out))
				fprintf(stderr, "\n%s -> %s\n", hosts[i].in, mg_dbauth_host(a));
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "(DATABRICKS_HOST)"));
		}
		mg_dbauth_free(a);
		mg_secrets_release(&ctx.secrets);
	}
	clear_env();
}

/* Every credential is registered for masking at open, before any request. */
static void test_dbauth__secrets_registered(void)
{
	struct mg_ctx ctx;
	struct mg_err err = MG_ERR_INIT;
	struct mg_dbauth *a = NULL;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	clear_env();
	set_env(ENV_M2M);
	ctx_init(&ctx);
	CU_ASSERT_EQUAL_FATAL(mg_dbauth_open(&ctx, NULL, &a, &err), 0);
	mg_http_basic(&b, "cid-env", "dose-env-sekrit-0009");
	mg_buf_adds(&b, " dose-env-sekrit-0009");
	CU_ASSERT_EQUAL(mg_secrets_redact(&ctx.secrets, &b), 0);
	ASSERT_STR(b.buf, "Basic *** ***");
	CU_ASSERT_TRUE(mg_dbauth_refreshable(a));
	CU_ASSERT_EQUAL(mg_dbauth_token_requests(a), 0);
	mg_dbauth_free(a);
	mg_secrets_release(&ctx.secrets);

	/* a PAT: the header, no request, not refreshable */
	clear_env();
	set_env(ENV_PAT);
	ctx_init(&ctx);
	CU_ASSERT_EQUAL_FATAL(mg_dbauth_open(&ctx, NULL, &a, &err), 0);
	CU_ASSERT_FALSE(mg_dbauth_refreshable(a));
	CU_ASSERT_EQUAL(mg_dbauth_header(a, NULL, true, &b, &err), 0);
	ASSERT_STR(b.buf, "Bearer dapi-env-sekrit-0008");
	CU_ASSERT_TRUE(mg_secrets_found(&ctx.secrets, b.buf, b.len));
	CU_ASSERT_EQUAL(mg_dbauth_token_requests(a), 0);
	mg_dbauth_free(a);
	mg_secrets_release(&ctx.secrets);
	mg_buf_release(&b);
	clear_env();
}

/* --- the OAuth token, against a loopback stub ------------------------------ */

#define TOKEN_OK(tok, ttl)                                                            \
	"{\"access_token\":\"" tok "\",\"token_type\":\"Bearer\",\"expires_in\":" ttl \
	",\"scope\":\"all-apis\"}"

static void test_dbauth__oauth_token(void)
{
	static const struct unit_http_answer answers[] = {
	        {200, "application/json", TOKEN_OK("eyJ-access-ONE-aaaaaaaaaaaa", "30")},
	        {200, "application/json", TOKEN_OK("eyJ-access-TWO-bbbbbbbbbbbb", "3600")},
	        {200, "application/json", TOKEN_OK("eyJ-access-THREE-cccccccccc", "\"3600\"")},
	};
	struct unit_http_stub stub;
	struct mg_http_config cfg;
	struct mg_ctx ctx;
	struct mg_err err = MG_ERR_INIT;
	struct mg_dbauth *a = NULL;
	struct mg_http *http;
	struct mg_buf h = MG_BUF_INIT(MG_BUF_SMALL), basic = MG_BUF_INIT(MG_BUF_SMALL);
	char *seen;

	clear_env();
	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0", 1);
	CU_ASSERT_EQUAL_FATAL(mg_http_config_from_env(&cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(unit_http_stub_start(&stub, answers, MG_ARRAY_SIZE(answers)), 0);
	setenv("DATABRICKS_HOST", stub.url, 1);
	setenv("DATABRICKS_CLIENT_ID", "cid-1", 1);
	setenv("DATABRICKS_CLIENT_SECRET", "dose-sekrit-xyz", 1);
	ctx_init(&ctx);
	http = mg_http_new(&cfg, &ctx.log);
	CU_ASSERT_EQUAL_FATAL(mg_dbauth_open(&ctx, NULL, &a, &err), 0);
	/* first use: fetched */
	CU_ASSERT_EQUAL(mg_dbauth_header(a, http, false, &h, &err), 0);
	ASSERT_STR(h.buf, "Bearer eyJ-access-ONE-aaaaaaaaaaaa");
	CU_ASSERT_TRUE(mg_secrets_found(&ctx.secrets, h.buf, h.len));
	/* 30 s left is within the 60 s margin: fetched again */
	CU_ASSERT_EQUAL(mg_dbauth_header(a, http, false, &h, &err), 0);
	ASSERT_STR(h.buf, "Bearer eyJ-access-TWO-bbbbbbbbbbbb");
	/* an hour left: cached */
	CU_ASSERT_EQUAL(mg_dbauth_header(a, http, false, &h, &err), 0);
	ASSERT_STR(h.buf, "Bearer eyJ-access-TWO-bbbbbbbbbbbb");
	CU_ASSERT_EQUAL(mg_dbauth_token_requests(a), 2);
	/* forced (a 401): exactly one more request */
	CU_ASSERT_EQUAL(mg_dbauth_header(a, http, true, &h, &err), 0);
	ASSERT_STR(h.buf, "Bearer eyJ-access-THREE-cccccccccc");
	CU_ASSERT_EQUAL(mg_dbauth_token_requests(a), 3);
	CU_ASSERT_EQUAL(err.code, 0);

	/* what the token endpoint received: the SDK's request */
	seen = unit_http_stub_requests(&stub);
	mg_http_basic(&basic, "cid-1", "dose-sekrit-xyz");
	CU_ASSERT_PTR_NOT_NULL(strstr(seen, "POST /oidc/v1/token HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(seen, basic.buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(seen, "Content-Type: application/x-www-form-urlencoded\r\n"));
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(seen, "\r\n\r\ngrant_type=client_credentials&scope=all-apis"));
	/* the client secret itself travels only inside the Basic credential */
	CU_ASSERT_PTR_NULL(strstr(seen, "dose-sekrit-xyz"));
	free(seen);
	mg_dbauth_free(a);
	mg_http_free(http);
	unit_http_stub_stop(&stub);
	mg_secrets_release(&ctx.secrets);
	mg_buf_release(&h);
	mg_buf_release(&basic);
	clear_env();
}

static void test_dbauth__oauth_token_refused(void)
{
	static const struct {
		struct unit_http_answer answer;
		const char *msg;
	} bad[] = {
	        {{401, "application/json",
	          "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication "
	          "failed\"}"},
	         "Databricks refused the OAuth client credentials of client 'cid-1' (from the "
	         "environment): POST http://127.0.0.1:"},
	        {{400, "application/json", "{\"error\":\"invalid_client\"}"},
	         "refused the OAuth client credentials"},
	        {{403, "text/plain", "Forbidden by proxy\nsecond line"},
	         "Databricks OAuth token request failed: POST http://127.0.0.1:"},
	        {{200, "application/json", "{\"token_type\":\"Bearer\",\"expires_in\":3600}"},
	         "/oidc/v1/token: 'access_token' is missing"},
	        {{200, "application/json",
	          "{\"access_token\":7,\"token_type\":\"Bearer\",\"expires_in\":3600}"},
	         "'access_token' is a number, not a string"},
	        {{200, "application/json",
	          "{\"access_token\":\"eyJ-LEAK-dddddddddddd\",\"expires_in\":3600}"},
	         "'token_type' is missing"},
	        {{200, "application/json",
	          "{\"access_token\":\"eyJ-LEAK-dddddddddddd\",\"token_type\":\"mac\","
	          "\"expires_in\":3600}"},
	         "'token_type' is 'mac', expected 'Bearer'"},
	        {{200, "application/json",
	          "{\"access_token\":\"eyJ-LEAK-dddddddddddd\",\"token_type\":\"Bearer\","
	          "\"expires_in\":\"soon\"}"},
	         "'expires_in' is not a positive whole number of seconds"},
	        {{200, "application/json",
	          "{\"access_token\":\"eyJ-LEAK-dddddddddddd\",\"token_type\":\"Bearer\","
	          "\"expires_in\":0}"},
	         "'expires_in' is not a positive"},
	        {{200, "application/json",
	          "{\"access_token\":\"eyJ-LEAK-dddddddddddd\",\"token_type\":\"Bearer\"}"},
	         "'expires_in' is missing"},
	        {{200, "application/json",
	          "{\"access_token\":\"eyJ-LEAK-dddddddddddd\",\"token_type\":\"Bearer\","
	          "\"expires_in\":1e300}"},
	         "'expires_in' is not a positive whole number of seconds"},
	        {{200, "application/json",
	          "{\"access_token\":\"eyJ-LEAK-dddddddddddd\",\"token_type\":\"Bearer\","
	          "\"expires_in\":59.5}"},
	         "'expires_in' is not a positive whole number of seconds"},
	        {{200, "application/json",
	          "{\"access_token\":\"eyJ-LEAK-dddddddddddd\",\"token_type\":\"Bearer\","
	          "\"expires_in\":[3600]}"},
	         "'expires_in' is an array, not a number of seconds"},
	        {{200, "application/json", "{\"access_token\":\"eyJ-LEAK"}, "is not valid JSON"},
	        {{200, "application/json", "[1]"}, "is not a JSON object"},
	};
	struct unit_http_answer answers[MG_ARRAY_SIZE(bad)];
	struct mg_err cfg_err = MG_ERR_INIT;
	struct unit_http_stub stub;
	struct mg_http_config cfg;
	struct mg_ctx ctx;
	struct mg_http *http;
	struct mg_buf h = MG_BUF_INIT(MG_BUF_SMALL);

	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++)
		answers[i] = bad[i].answer;
	clear_env();
	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0", 1);
	CU_ASSERT_EQUAL_FATAL(mg_http_config_from_env(&cfg, &cfg_err), 0);
	CU_ASSERT_EQUAL_FATAL(unit_http_stub_start(&stub, answers, MG_ARRAY_SIZE(answers)), 0);
	setenv("DATABRICKS_HOST", stub.url, 1);
	setenv("DATABRICKS_CLIENT_ID", "cid-1", 1);
	setenv("DATABRICKS_CLIENT_SECRET", "dose-sekrit-xyz", 1);
	ctx_init(&ctx);
	http = mg_http_new(&cfg, &ctx.log);
	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		struct mg_err err = MG_ERR_INIT;
		struct mg_dbauth *a = NULL;
		struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);

		CU_ASSERT_EQUAL_FATAL(mg_dbauth_open(&ctx, NULL, &a, &err), 0);
		CU_ASSERT_EQUAL(mg_dbauth_header(a, http, false, &h, &err), -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
		CU_ASSERT_EQUAL(h.len, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].msg));
		if (!strstr(err.msg, bad[i].msg))
			fprintf(stderr, "\ncase %zu: %s\n", i, err.msg);
		/* any access token that came is masked, as is everything of the client secret */
		mg_buf_adds(&msg, err.msg);
		mg_secrets_redact(&ctx.secrets, &msg);
		CU_ASSERT_PTR_NULL(strstr(msg.buf, "LEAK"));
		CU_ASSERT_PTR_NULL(strstr(err.msg, "sekrit"));
		mg_buf_release(&msg);
		mg_dbauth_free(a);
	}
	{
		/* and the answers holding one had it registered */
		struct mg_buf t = MG_BUF_INIT(MG_BUF_SMALL);

		mg_buf_adds(&t, "eyJ-LEAK-dddddddddddd");
		mg_secrets_redact(&ctx.secrets, &t);
		ASSERT_STR(t.buf, "***");
		mg_buf_release(&t);
	}
	mg_http_free(http);
	unit_http_stub_stop(&stub);
	mg_secrets_release(&ctx.secrets);
	mg_buf_release(&h);
	clear_env();
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_dbauth__cfg_format),
        UNIT_TEST(test_dbauth__cfg_errors),
        UNIT_TEST(test_dbauth__precedence),
        UNIT_TEST(test_dbauth__config_file_variable),
        UNIT_TEST(test_dbauth__host),
        UNIT_TEST(test_dbauth__secrets_registered),
        UNIT_TEST(test_dbauth__oauth_token),
        UNIT_TEST(test_dbauth__oauth_token_refused),
        UNIT_END,
};

const struct unit_suite unit_suite_dbauth = {"dbauth", suite_init, suite_cleanup, tests};
