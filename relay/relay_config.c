#include "setup.h"
#include "relay_config.h"
#include "alloc.h"
#include "buf.h"
#include "fileio.h"
#include "policy.h"

#include <arpa/inet.h>
#include <sys/stat.h>

/* --- the schema (docs/relay.md "Configuration") ------------------------- */

static const char *const source_types[] = {"mlflow", "databricks", NULL};
static const char *const target_types[] = {"github", "github-workflow", "azure", NULL};

static const struct mg_schema one = {.type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 1};
static const struct mg_schema port = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 0, .max = 65535};
static const struct mg_schema body_bytes = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 256, .max = 16 * 1024 * 1024};
static const struct mg_schema seconds = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 3600};
static const struct mg_schema window = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 0, .max = 7 * 86400};
static const struct mg_schema connections = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 100000};
static const struct mg_schema tries = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 100};
static const struct mg_schema wait_s = {
        .type = MG_SCHEMA_NUMBER, .ranged = true, .min = 0.01, .max = 86400};
static const struct mg_schema source_type = {.type = MG_SCHEMA_STRING, .choices = source_types};
static const struct mg_schema target_type = {.type = MG_SCHEMA_STRING, .choices = target_types};
static const struct mg_schema names = {
        .type = MG_SCHEMA_ARRAY, .items = &mg_schema_name, .nonempty = true};
static const struct mg_schema string_map = {.type = MG_SCHEMA_MAP, .items = &mg_schema_string};

static const struct mg_schema_field listen_fields[] = {
        {"address", &mg_schema_name, false},      {"port", &port, false},
        {"max_body", &body_bytes, false},         {"timeout_s", &seconds, false},
        {"max_connections", &connections, false}, {NULL, NULL, false},
};
static const struct mg_schema listen_section = {.type = MG_SCHEMA_OBJECT, .fields = listen_fields};

static const struct mg_schema_field queue_fields[] = {
        {"path", &mg_schema_name, false},       {"max_tries", &tries, false},
        {"backoff_s", &wait_s, false},          {"backoff_max_s", &wait_s, false},
        {"forward_timeout_s", &seconds, false}, {NULL, NULL, false},
};
static const struct mg_schema queue = {.type = MG_SCHEMA_OBJECT, .fields = queue_fields};

static const struct mg_schema_field secret_fields[] = {
        {"env", &mg_schema_name, false},
        {"file", &mg_schema_name, false},
        {NULL, NULL, false},
};
static const struct mg_schema secret = {.type = MG_SCHEMA_OBJECT, .fields = secret_fields};
static const struct mg_schema secret_list = {
        .type = MG_SCHEMA_ARRAY, .items = &secret, .nonempty = true};

static const struct mg_schema_field source_fields[] = {
        {"type", &source_type, true}, {"secrets", &secret_list, true},
        {"window_s", &window, false}, {"authorization_env", &mg_schema_name, false},
        {NULL, NULL, false},
};
static const struct mg_schema source = {.type = MG_SCHEMA_OBJECT, .fields = source_fields};
static const struct mg_schema sources = {.type = MG_SCHEMA_MAP, .items = &source, .nonempty = true};

static const struct mg_schema_field target_fields[] = {
        {"type", &target_type, true},
        {"repo", &mg_schema_name, false},
        {"event_type", &mg_schema_name, false},
        {"workflow", &mg_schema_name, false},
        {"ref", &mg_schema_name, false},
        {"inputs", &string_map, false},
        {"token_env", &mg_schema_name, false},
        {"api_url", &mg_schema_name, false},
        {"org", &mg_schema_name, false},
        {"webhook", &mg_schema_name, false},
        {"url", &mg_schema_name, false},
        {"secret_env", &mg_schema_name, false},
        {"header", &mg_schema_name, false},
        {"sha1_prefix", &mg_schema_bool, false},
        {NULL, NULL, false},
};
static const struct mg_schema target = {.type = MG_SCHEMA_OBJECT, .fields = target_fields};
static const struct mg_schema targets = {.type = MG_SCHEMA_MAP, .items = &target, .nonempty = true};

static const struct mg_schema_field route_fields[] = {
        {"sources", &names, false}, {"models", &names, false}, {"events", &names, false},
        {"aliases", &names, false}, {"stages", &names, false}, {"targets", &names, true},
        {NULL, NULL, false},
};
static const struct mg_schema route = {.type = MG_SCHEMA_OBJECT, .fields = route_fields};
static const struct mg_schema routes = {.type = MG_SCHEMA_ARRAY, .items = &route, .nonempty = true};

static const struct mg_schema_field top_fields[] = {
        {"version", &one, true},
        {"listen", &listen_section, false},
        {"queue", &queue, false},
        {"sources", &sources, true},
        {"targets", &targets, true},
        {"routes", &routes, true},
        {"log_deliveries", &mg_schema_bool, false},
        {NULL, NULL, false},
};
static const struct mg_schema top = {.type = MG_SCHEMA_OBJECT, .fields = top_fields};

/* --- helpers -------------------------------------------------------------- */

static int bad(struct mg_err *err, const char *where, const char *path, const char *fmt, ...)
        MG_PRINTF(4, 5);
static int bad(struct mg_err *err, const char *where, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mg_err_set(err, MG_EXIT_USAGE, "%s: %s: %s", where, path, msg);
}

static char *dup_or_null(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? mg_xstrdup(v->valuestring) : NULL;
}

static char *dup_or(const cJSON *obj, const char *key, const char *def)
{
	char *s = dup_or_null(obj, key);

	return s ? s : mg_xstrdup(def);
}

static long long_or(const cJSON *obj, const char *key, long def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : def;
}

static double double_or(const cJSON *obj, const char *key, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

static char **string_list(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *it;
	char **list;
	size_t n = 0;

	if (!cJSON_IsArray(v))
		return NULL;
	list = mg_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*list));
	cJSON_ArrayForEach(it, v) list[n++] = mg_xstrdup(it->valuestring);
	return list;
}

static void free_list(char **list)
{
	for (char **p = list; p && *p; p++)
		free(*p);
	free(list);
}

/* A name used in a URL path or a header: letters, digits and a few marks. */
static bool plain_name(const char *s, const char *extra, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

bool mg_relay_listen_sockaddr(const struct mg_relay_config *cfg, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(cfg->address, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)cfg->port);
		return inet_pton(AF_INET6, cfg->address, &a->sin6_addr) == 1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)cfg->port);
	return inet_pton(AF_INET, cfg->address, &a->sin_addr) == 1;
}

/* https, or http to a loopback address only (tests, a local proxy) */
static bool url_allowed(const char *url)
{
	static const char *const loopback[] = {"http://127.0.0.1", "http://localhost",
	                                       "http://[::1]", NULL};

	if (!strncmp(url, "https://", 8) && url[8])
		return true;
	for (const char *const *l = loopback; *l; l++) {
		size_t n = strlen(*l);

		if (!strncmp(url, *l, n) && (url[n] == ':' || url[n] == '/' || !url[n]))
			return true;
	}
	return false;
}

/* --- sources, targets, routes ---------------------------------------------- */

static int parse_source(struct mg_relay_source *s, const cJSON *v, const char *where,
                        struct mg_err *err)
{
	const cJSON *it;
	char path[160];

	s->name = mg_xstrdup(v->string);
	snprintf(path, sizeof(path), "sources.%s", s->name);
	if (!plain_name(s->name, "_-", 64))
		return bad(err, where, path,
		           "a source name is 1 to 64 letters, digits, '_' or '-'%s", "");
	s->type = strcmp(mg_json_str(v, "type"), "mlflow") ? MG_RELAY_SRC_DATABRICKS
	                                                   : MG_RELAY_SRC_MLFLOW;
	s->window_s = long_or(v, "window_s", s->type == MG_RELAY_SRC_MLFLOW ? 300 : 900);
	s->authorization_env = dup_or_null(v, "authorization_env");
	if (s->authorization_env && s->type != MG_RELAY_SRC_DATABRICKS)
		return bad(err, where, path,
		           "authorization_env is for Databricks sources (MLflow sends no "
		           "Authorization)%s",
		           "");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(v, "secrets"))
	{
		struct mg_relay_secret_ref *r;
		char *e = dup_or_null(it, "env"), *f = dup_or_null(it, "file");

		if (!e == !f) {
			free(e);
			free(f);
			snprintf(path, sizeof(path), "sources.%s.secrets[%zu]", s->name, s->nrefs);
			return bad(err, where, path, "give exactly one of 'env' and 'file'%s", "");
		}
		if (s->nrefs == MG_RELAY_MAX_SECRETS) {
			free(e);
			free(f);
			snprintf(path, sizeof(path), "sources.%s.secrets", s->name);
			return bad(err, where, path, "at most %s secrets (a rotation needs two)",
			           "4");
		}
		r = &s->refs[s->nrefs++];
		r->env = e;
		r->file = f;
	}
	return 0;
}

/* The keys each target type reads: another type's key would be silently ignored. */
static const char *const type_keys[][9] = {
        [MG_RELAY_GITHUB_DISPATCH] = {"type", "repo", "event_type", "token_env", "api_url", "url"},
        [MG_RELAY_GITHUB_WORKFLOW] = {"type", "repo", "workflow", "ref", "inputs", "token_env",
                                      "api_url", "url"},
        [MG_RELAY_AZURE] = {"type", "org", "webhook", "url", "secret_env", "header", "sha1_prefix"},
};

static int foreign_key(const struct mg_relay_target *t, const cJSON *v, const char *type,
                       const char *where, const char *path, struct mg_err *err)
{
	const cJSON *k;

	cJSON_ArrayForEach(k, v)
	{
		size_t i = 0;

		while (type_keys[t->type][i] && strcmp(type_keys[t->type][i], k->string))
			i++;
		if (!type_keys[t->type][i]) {
			char key[256];

			snprintf(key, sizeof(key), "%s.%s", path, k->string);
			return bad(err, where, key, "not read by a target of type '%s'", type);
		}
	}
	return 0;
}

static int parse_target(struct mg_relay_target *t, const cJSON *v, const char *where,
                        struct mg_err *err)
{
	const char *type = mg_json_str(v, "type");
	char path[160];
	char *api = NULL, *repo = NULL, *workflow = NULL, *org = NULL, *hook = NULL;
	struct mg_buf url = MG_BUF_INIT(4096);
	int ret = -1;

	t->name = mg_xstrdup(v->string);
	snprintf(path, sizeof(path), "targets.%s", t->name);
	if (!plain_name(t->name, "_-.", 64)) {
		bad(err, where, path, "a target name is 1 to 64 letters, digits, '_', '-' or '.'%s",
		    "");
		goto done;
	}
	t->type = !strcmp(type, "github")            ? MG_RELAY_GITHUB_DISPATCH
	          : !strcmp(type, "github-workflow") ? MG_RELAY_GITHUB_WORKFLOW
	                                             : MG_RELAY_AZURE;
	if (foreign_key(t, v, type, where, path, err))
		goto done;
	api = dup_or(v, "api_url", "https://api.github.com");
	repo = dup_or_null(v, "repo");
	workflow = dup_or_null(v, "workflow");
	org = dup_or_null(v, "org");
	hook = dup_or_null(v, "webhook");
	t->url = dup_or_null(v, "url");
	t->token_env = dup_or_null(v, "token_env");
	t->secret_env = dup_or_null(v, "secret_env");
	t->header = dup_or(v, "header", "X-Webhook-Checksum");
	t->sha1_prefix = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "sha1_prefix"));
	if (t->type != MG_RELAY_AZURE) {
		const char *slash = repo ? strchr(repo, '/') : NULL;

		if (!repo || !slash || slash == repo || strchr(slash + 1, '/') ||
		    !plain_name(repo, "_.-/", 200)) {
			bad(err, where, path, "'repo' must be OWNER/NAME%s", "");
			goto done;
		}
		if (!t->token_env) {
			bad(err, where, path,
			    "'token_env' must name the variable holding the GitHub token%s", "");
			goto done;
		}
		while (api[0] && api[strlen(api) - 1] == '/')
			api[strlen(api) - 1] = '\0';
		mg_buf_addf(&url, "%s/repos/%s/", api, repo);
	}
	switch (t->type) {
	case MG_RELAY_GITHUB_DISPATCH:
		t->event_type = dup_or_null(v, "event_type");
		if (!t->event_type || strlen(t->event_type) > 100) {
			bad(err, where, path, "'event_type' (1 to 100 characters) is required%s",
			    "");
			goto done;
		}
		if (!t->url)
			mg_buf_adds(&url, "dispatches");
		break;
	case MG_RELAY_GITHUB_WORKFLOW: {
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(v, "inputs");

		if (!workflow || !plain_name(workflow, "_.-", 200)) {
			bad(err, where, path,
			    "'workflow' (a file name such as promote.yml) is required%s", "");
			goto done;
		}
		if (cJSON_GetArraySize(in) > 25) {
			bad(err, where, path, "GitHub takes at most %s inputs", "25");
			goto done;
		}
		t->ref = dup_or(v, "ref", "main");
		t->inputs = in ? cJSON_Duplicate(in, true) : NULL;
		if (!t->url)
			mg_buf_addf(&url, "actions/workflows/%s/dispatches", workflow);
		break;
	}
	case MG_RELAY_AZURE:
		if (!t->url) {
			if (!org || !hook || !plain_name(org, "_.-", 200) ||
			    !plain_name(hook, "_.-", 200)) {
				bad(err, where, path,
				    "'org' and 'webhook' (the incoming webhook's name), or 'url', "
				    "are "
				    "required%s",
				    "");
				goto done;
			}
			mg_buf_addf(
			        &url,
			        "https://dev.azure.com/%s/_apis/public/distributedtask/webhooks/"
			        "%s?api-version=6.0-preview",
			        org, hook);
		}
		if (!plain_name(t->header, "-_", 100)) {
			bad(err, where, path, "'header' must be an HTTP header name%s", "");
			goto done;
		}
		break;
	}
	if (!t->url)
		t->url = mg_buf_take(&url, NULL);
	if (!url_allowed(t->url)) {
		bad(err, where, path,
		    "the target URL must be https:// (plain http only to a loopback address), got "
		    "'%s'",
		    t->url);
		goto done;
	}
	ret = 0;
done:
	free(api);
	free(repo);
	free(workflow);
	free(org);
	free(hook);
	mg_buf_release(&url);
	return ret;
}

static int parse_route(struct mg_relay_config *cfg, struct mg_relay_route *r, size_t i,
                       const cJSON *v, const char *where, struct mg_err *err)
{
	char path[160];
	char **tn;

	r->sources = string_list(v, "sources");
	r->models = string_list(v, "models");
	r->events = string_list(v, "events");
	r->aliases = string_list(v, "aliases");
	r->stages = string_list(v, "stages");
	for (char **s = r->sources; s && *s; s++) {
		if (!mg_relay_config_source(cfg, *s)) {
			snprintf(path, sizeof(path), "routes[%zu].sources", i);
			return bad(err, where, path, "no source is named '%s'", *s);
		}
	}
	tn = string_list(v, "targets");
	for (char **s = tn; s && *s; s++) {
		const struct mg_relay_target *t = mg_relay_config_target(cfg, *s);

		if (!t) {
			snprintf(path, sizeof(path), "routes[%zu].targets", i);
			bad(err, where, path, "no target is named '%s'", *s);
			free_list(tn);
			return -1;
		}
		r->targets = mg_xrealloc(r->targets, (r->ntargets + 1) * sizeof(*r->targets));
		r->targets[r->ntargets++] = (size_t)(t - cfg->targets);
	}
	free_list(tn);
	return 0;
}

int mg_relay_config_parse(const char *text, size_t len, const char *where,
                          struct mg_relay_config *cfg, struct mg_err *err)
{
	cJSON *doc = NULL;
	const cJSON *lis, *q, *it;
	struct sockaddr_storage ss;
	int ret = -1;

	memset(cfg, 0, sizeof(*cfg));
	doc = mg_json_parse(text, len, where, MG_EXIT_USAGE, err);
	if (!doc || mg_schema_check(&top, doc, where, "", err))
		goto done;
	lis = cJSON_GetObjectItemCaseSensitive(doc, "listen");
	q = cJSON_GetObjectItemCaseSensitive(doc, "queue");
	cfg->address = dup_or(lis, "address", "127.0.0.1");
	cfg->port = long_or(lis, "port", 8080);
	cfg->max_body = long_or(lis, "max_body", 65536);
	cfg->timeout_s = long_or(lis, "timeout_s", 10);
	cfg->max_connections = long_or(lis, "max_connections", 1000);
	cfg->queue_path = dup_or(q, "path", "relay.db");
	cfg->max_tries = long_or(q, "max_tries", 8);
	cfg->backoff_s = double_or(q, "backoff_s", 1);
	cfg->backoff_max_s = double_or(q, "backoff_max_s", 300);
	cfg->forward_timeout_s = long_or(q, "forward_timeout_s", 10);
	it = cJSON_GetObjectItemCaseSensitive(doc, "log_deliveries");
	cfg->log_deliveries = !cJSON_IsFalse(it);
	if (cfg->backoff_max_s < cfg->backoff_s) {
		bad(err, where, "queue.backoff_max_s", "must not be less than backoff_s%s", "");
		goto done;
	}
	if (!mg_relay_listen_sockaddr(cfg, &ss)) { /* what serve binds: check-config says it */
		bad(err, where, "listen.address", "'%s' is not an IP address", cfg->address);
		goto done;
	}

	it = cJSON_GetObjectItemCaseSensitive(doc, "sources");
	cfg->sources = mg_xcalloc((size_t)cJSON_GetArraySize(it), sizeof(*cfg->sources));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "sources"))
	{
		if (parse_source(&cfg->sources[cfg->nsources++], it, where, err))
			goto done;
	}
	it = cJSON_GetObjectItemCaseSensitive(doc, "targets");
	cfg->targets = mg_xcalloc((size_t)cJSON_GetArraySize(it), sizeof(*cfg->targets));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "targets"))
	{
		if (parse_target(&cfg->targets[cfg->ntargets++], it, where, err))
			goto done;
	}
	it = cJSON_GetObjectItemCaseSensitive(doc, "routes");
	cfg->routes = mg_xcalloc((size_t)cJSON_GetArraySize(it), sizeof(*cfg->routes));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "routes"))
	{
		size_t i = cfg->nroutes++; /* counted first: a half-parsed route is released too */

		if (parse_route(cfg, &cfg->routes[i], i, it, where, err))
			goto done;
	}
	ret = 0;
done:
	cJSON_Delete(doc);
	if (ret)
		mg_relay_config_release(cfg);
	return ret;
}

int mg_relay_config_load(const char *path, struct mg_relay_config *cfg, struct mg_err *err)
{
	struct mg_buf text = MG_BUF_INIT(MG_RELAY_CONFIG_MAX_BYTES);
	struct mg_buf where = MG_BUF_INIT(MG_BUF_SMALL);
	int ret = -1;

	memset(cfg, 0, sizeof(*cfg));
	mg_buf_addf(&where, "relay config '%s'", path);
	if (mg_file_read(path, &text, err)) {
		if (err->reason == MG_REASON_TOO_LARGE)
			mg_err_set(err, MG_EXIT_USAGE, "%s: larger than %zu bytes", where.buf,
			           MG_RELAY_CONFIG_MAX_BYTES);
		goto done;
	}
	if (mg_relay_config_parse(text.buf, text.len, where.buf, cfg, err))
		goto done;
	cfg->path = mg_xstrdup(path);
	ret = 0;
done:
	mg_buf_release(&text);
	mg_buf_release(&where);
	return ret;
}

/* --- secrets ----------------------------------------------------------------- */

static int from_env(const char *name, const char *what, struct mg_secrets *secrets, char **out,
                    struct mg_err *err)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return mg_err_set(err, MG_EXIT_USAGE, "%s: environment variable '%s' is not set",
		                  what, name);
	*out = mg_xstrdup(v);
	mg_secrets_add(secrets, v);
	return 0;
}

static int from_file(const char *path, const char *what, struct mg_secrets *secrets, char **out,
                     struct mg_err *err)
{
	struct mg_buf b = MG_BUF_INIT(4096);
	struct stat st;
	int ret = -1;

	if (stat(path, &st)) {
		mg_err_set(err, MG_EXIT_USAGE, "%s: cannot read secret file '%s': %s", what, path,
		           strerror(errno));
		goto done;
	}
	if (st.st_mode & 077) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "%s: secret file '%s' is readable by others (mode %03o): chmod 600 it",
		           what, path, (unsigned)(st.st_mode & 0777));
		goto done;
	}
	if (mg_file_read(path, &b, err))
		goto done;
	while (b.len && (b.buf[b.len - 1] == '\n' || b.buf[b.len - 1] == '\r'))
		mg_buf_truncate(&b, b.len - 1);
	if (!b.len || strlen(b.buf) != b.len) {
		mg_err_set(err, MG_EXIT_USAGE, "%s: secret file '%s' is empty or binary", what,
		           path);
		goto done;
	}
	*out = mg_buf_take(&b, NULL);
	mg_secrets_add(secrets, *out);
	ret = 0;
done:
	mg_buf_release(&b);
	return ret;
}

int mg_relay_config_resolve(struct mg_relay_config *cfg, struct mg_secrets *secrets,
                            struct mg_err *err)
{
	char what[200];

	for (size_t i = 0; i < cfg->nsources; i++) {
		struct mg_relay_source *s = &cfg->sources[i];

		snprintf(what, sizeof(what), "source '%s'", s->name);
		for (size_t k = 0; k < s->nrefs; k++) {
			if (s->refs[k].env
			            ? from_env(s->refs[k].env, what, secrets, &s->secrets[k], err)
			            : from_file(s->refs[k].file, what, secrets, &s->secrets[k],
			                        err))
				return -1;
		}
		if (s->authorization_env &&
		    from_env(s->authorization_env, what, secrets, &s->authorization, err))
			return -1;
	}
	for (size_t i = 0; i < cfg->ntargets; i++) {
		struct mg_relay_target *t = &cfg->targets[i];

		snprintf(what, sizeof(what), "target '%s'", t->name);
		if (t->token_env && from_env(t->token_env, what, secrets, &t->token, err))
			return -1;
		if (t->secret_env && from_env(t->secret_env, what, secrets, &t->secret, err))
			return -1;
	}
	return 0;
}

void mg_relay_config_release(struct mg_relay_config *cfg)
{
	for (size_t i = 0; i < cfg->nsources; i++) {
		struct mg_relay_source *s = &cfg->sources[i];

		free(s->name);
		for (size_t k = 0; k < MG_RELAY_MAX_SECRETS; k++) {
			free(s->refs[k].env);
			free(s->refs[k].file);
			free(s->secrets[k]);
		}
		free(s->authorization_env);
		free(s->authorization);
	}
	for (size_t i = 0; i < cfg->ntargets; i++) {
		struct mg_relay_target *t = &cfg->targets[i];

		free(t->name);
		free(t->url);
		free(t->event_type);
		free(t->ref);
		cJSON_Delete(t->inputs);
		free(t->token_env);
		free(t->secret_env);
		free(t->header);
		free(t->token);
		free(t->secret);
	}
	for (size_t i = 0; i < cfg->nroutes; i++) {
		struct mg_relay_route *r = &cfg->routes[i];

		free_list(r->sources);
		free_list(r->models);
		free_list(r->events);
		free_list(r->aliases);
		free_list(r->stages);
		free(r->targets);
	}
	free(cfg->sources);
	free(cfg->targets);
	free(cfg->routes);
	free(cfg->path);
	free(cfg->address);
	free(cfg->queue_path);
	memset(cfg, 0, sizeof(*cfg));
}

const struct mg_relay_source *mg_relay_config_source(const struct mg_relay_config *cfg,
                                                     const char *name)
{
	for (size_t i = 0; i < cfg->nsources; i++)
		if (!strcmp(cfg->sources[i].name, name))
			return &cfg->sources[i];
	return NULL;
}

const struct mg_relay_target *mg_relay_config_target(const struct mg_relay_config *cfg,
                                                     const char *name)
{
	for (size_t i = 0; i < cfg->ntargets; i++)
		if (!strcmp(cfg->targets[i].name, name))
			return &cfg->targets[i];
	return NULL;
}
