#include "setup.h"
/*
 * read_version: integration-test helper. Reads one model version from a
 * real MLflow server over REST and prints it as one JSON object, in the
 * shape tests/integration/mlflow_seed.py prints what MLflow's own Python
 * client returns, so a test can compare the two.
 *
 *   read_version URI NAME VERSION
 *
 * does GET URI/api/2.0/mlflow/model-versions/get?name=NAME&version=VERSION
 * and prints {"name","version","creation_timestamp","last_updated_timestamp",
 * "current_stage","description","source","run_id","status","tags":{k:v},
 * "aliases":[...]} with tags sorted by key and aliases sorted.
 *
 * Exit codes: 0 printed, 2 usage, 3 registry or network error (HTTP status
 * other than 200, a body that is not the expected JSON, timeouts); the
 * message is on stderr.
 */
#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "parse.h"
#include "version.h"

#include <limits.h>

#include <curl/curl.h>
#include <cJSON.h>

#define PROG "read_version"

#define CONNECT_TIMEOUT_S 10L
#define TOTAL_TIMEOUT_S   60L

/* The registry's default for a missing status (proto2: the first enum value). */
#define STATUS_DEFAULT "PENDING_REGISTRATION"

/* Longest piece of a response body quoted in an error message. */
#define QUOTE_MAX 200

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s URI NAME VERSION\n"
	        "Print model version NAME/VERSION of the MLflow server at URI as JSON.\n"
	        "Exit codes: 0 printed, 2 usage, 3 registry or network error.\n",
	        PROG);
}

/* libcurl write callback: append to a bounded buffer; a refusal aborts the transfer. */
static size_t write_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct mg_buf *body = userp;
	size_t n = size * nmemb;

	if (mg_buf_add(body, data, n))
		return 0;
	return n;
}

/* URI/api/2.0/mlflow/model-versions/get?name=...&version=..., values percent-encoded. */
static int build_url(CURL *curl, const char *uri, const char *name, const char *version,
                     struct mg_buf *url, struct mg_err *err)
{
	size_t base_len = strlen(uri);
	char *ename = NULL, *eversion = NULL;

	if (strncmp(uri, "http://", 7) && strncmp(uri, "https://", 8))
		return mg_err_set(err, MG_EXIT_USAGE, "URI '%s' is not http:// or https://", uri);
	if (strchr(uri, '?') || strchr(uri, '#'))
		return mg_err_set(err, MG_EXIT_USAGE, "URI '%s' has a query or fragment", uri);
	while (base_len && uri[base_len - 1] == '/')
		base_len--;
	if (!*name || !*version)
		return mg_err_set(err, MG_EXIT_USAGE, "NAME and VERSION must not be empty");

	ename = curl_easy_escape(curl, name, 0);
	eversion = curl_easy_escape(curl, version, 0);
	if (!ename || !eversion) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot percent-encode the query");
		goto done;
	}
	mg_buf_add(url, uri, base_len);
	mg_buf_addf(url, "/api/2.0/mlflow/model-versions/get?name=%s&version=%s", ename, eversion);
	if (mg_buf_overflowed(url))
		mg_err_set(err, MG_EXIT_USAGE, "URI, NAME and VERSION are too long for one URL");
done:
	curl_free(ename);
	curl_free(eversion);
	return mg_err_failed(err) ? -1 : 0;
}

/* GET `url` into `body` (bounded); *status receives the HTTP status. */
static int http_get(CURL *curl, const char *url, struct mg_buf *body, long *status,
                    struct mg_err *err)
{
	char errbuf[CURL_ERROR_SIZE], agent[128];
	struct curl_slist *headers = NULL, *tmp;
	CURLcode rc;

	errbuf[0] = '\0';
	snprintf(agent, sizeof(agent), "mlgate-read-version/%s", mg_version);
	tmp = curl_slist_append(headers, "Accept: application/json");
	if (!tmp) {
		mg_err_set(err, MG_EXIT_INFRA, "out of memory building the request");
		goto done;
	}
	headers = tmp;

	rc = curl_easy_setopt(curl, CURLOPT_URL, url);
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_USERAGENT, agent);
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT, TOTAL_TIMEOUT_S);
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	if (!rc)
		rc = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	if (rc) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot set up the request: %s",
		           curl_easy_strerror(rc));
		goto done;
	}

	rc = curl_easy_perform(curl);
	if (rc == CURLE_WRITE_ERROR && mg_buf_overflowed(body)) {
		mg_err_set(err, MG_EXIT_INFRA, "response body is larger than %zu bytes", body->max);
		goto done;
	}
	if (rc) {
		mg_err_set(err, MG_EXIT_INFRA, "GET %s failed: %s", url,
		           errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto done;
	}
	rc = curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	if (rc)
		mg_err_set(err, MG_EXIT_INFRA, "cannot read the HTTP status: %s",
		           curl_easy_strerror(rc));
done:
	/* errbuf and headers die here: the handle must not point at them */
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	return mg_err_failed(err) ? -1 : 0;
}

/* Parse a whole body as JSON; NULL (and `err` filled) when it is not JSON. */
static cJSON *parse_body(const struct mg_buf *body, struct mg_err *err)
{
	cJSON *doc;

	if (memchr(body->buf, '\0', body->len)) {
		mg_err_set(err, MG_EXIT_INFRA, "response body contains a NUL byte");
		return NULL;
	}
	/* the length includes the terminating NUL, so trailing junk is refused */
	doc = cJSON_ParseWithLengthOpts(body->buf, body->len + 1, NULL, true);
	if (!doc)
		mg_err_set(err, MG_EXIT_INFRA, "response is not JSON: '%.*s'", QUOTE_MAX,
		           body->buf);
	return doc;
}

/* The error a non-200 answer stands for, with MLflow's error_code and message when given. */
static int http_error(long status, const struct mg_buf *body, const char *name, const char *version,
                      struct mg_err *err)
{
	struct mg_err ignored = MG_ERR_INIT;
	cJSON *doc = parse_body(body, &ignored);
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "error_code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(doc, "message");

	if (cJSON_IsString(code) && cJSON_IsString(msg))
		mg_err_setr(err, MG_EXIT_INFRA,
		            status == 404 ? MG_REASON_NOT_FOUND : MG_REASON_NONE,
		            "cannot read model '%s' version '%s': HTTP %ld %s: %s", name, version,
		            status, code->valuestring, msg->valuestring);
	else
		mg_err_set(err, MG_EXIT_INFRA,
		           "cannot read model '%s' version '%s': HTTP %ld, body '%.*s'", name,
		           version, status, QUOTE_MAX, body->buf);
	cJSON_Delete(doc);
	return -1;
}

/* A string field; `def` when missing or null. */
static int get_string(const cJSON *obj, const char *key, const char *def, const char **out,
                      struct mg_err *err)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!item || cJSON_IsNull(item)) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsString(item))
		return mg_err_set(err, MG_EXIT_INFRA, "response field '%s' is not a string", key);
	*out = item->valuestring;
	return 0;
}

/* An int64 field: a JSON number or a numeric string (old servers); 0 when missing. */
static int get_int64(const cJSON *obj, const char *key, long long *out, struct mg_err *err)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	struct mg_err perr = MG_ERR_INIT;
	double d;

	*out = 0;
	if (!item || cJSON_IsNull(item))
		return 0;
	if (cJSON_IsString(item)) {
		if (mg_parse_ll(key, item->valuestring, LLONG_MIN, LLONG_MAX, out, &perr))
			return mg_err_set(err, MG_EXIT_INFRA, "malformed response: %s", perr.msg);
		return 0;
	}
	if (!cJSON_IsNumber(item))
		return mg_err_set(err, MG_EXIT_INFRA, "response field '%s' is not a number", key);
	/* cJSON keeps numbers as doubles: exact up to 2^53, far past any timestamp in ms */
	d = item->valuedouble;
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || (double)(long long)d != d)
		return mg_err_set(err, MG_EXIT_INFRA, "response field '%s' is not an integer", key);
	*out = (long long)d;
	return 0;
}

/* The version number: a string, or (tolerated) an integral JSON number; "" when missing. */
static int get_version(const cJSON *mv, char *out, size_t size, struct mg_err *err)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(mv, "version");
	long long n;

	if (!item || cJSON_IsNull(item)) {
		snprintf(out, size, "%s", "");
		return 0;
	}
	if (cJSON_IsString(item)) {
		if (strlen(item->valuestring) >= size)
			return mg_err_set(err, MG_EXIT_INFRA,
			                  "response field 'version' is too long");
		snprintf(out, size, "%s", item->valuestring);
		return 0;
	}
	if (get_int64(mv, "version", &n, err))
		return -1;
	snprintf(out, size, "%lld", n);
	return 0;
}

struct tag_ref {
	const char *key;
	const char *value;
	size_t pos; /* position in the response: equal keys keep their order */
};

static int cmp_tag(const void *a, const void *b)
{
	const struct tag_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* tags [{key, value}] -> {key: value} sorted by key; a repeated key keeps its last value. */
static int add_tags(const cJSON *mv, cJSON *out, struct mg_err *err)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(mv, "tags");
	const cJSON *tag;
	struct tag_ref *refs = NULL;
	cJSON *obj = cJSON_AddObjectToObject(out, "tags");
	size_t n = 0, count;

	if (!obj)
		return mg_err_set(err, MG_EXIT_INFRA, "cannot build the output");
	if (!tags || cJSON_IsNull(tags))
		return 0;
	if (!cJSON_IsArray(tags))
		return mg_err_set(err, MG_EXIT_INFRA, "response field 'tags' is not an array");
	count = (size_t)cJSON_GetArraySize(tags);
	refs = mg_xcalloc(count, sizeof(*refs));
	cJSON_ArrayForEach(tag, tags)
	{
		const char *key, *value;

		if (!cJSON_IsObject(tag)) {
			mg_err_set(err, MG_EXIT_INFRA, "response field 'tags' holds a non-object");
			goto done;
		}
		if (get_string(tag, "key", NULL, &key, err) ||
		    get_string(tag, "value", "", &value, err))
			goto done;
		if (!key) {
			mg_err_set(err, MG_EXIT_INFRA, "a tag in the response has no key");
			goto done;
		}
		refs[n].key = key;
		refs[n].value = value;
		refs[n].pos = n;
		n++;
	}
	qsort(refs, n, sizeof(*refs), cmp_tag);
	for (size_t i = 0; i < n; i++) {
		cJSON *value = cJSON_CreateString(refs[i].value);

		bool added;

		if (!value) {
			mg_err_set(err, MG_EXIT_INFRA, "cannot build the output");
			goto done;
		}
		if (cJSON_GetObjectItemCaseSensitive(obj, refs[i].key))
			added = cJSON_ReplaceItemInObjectCaseSensitive(obj, refs[i].key, value);
		else
			added = cJSON_AddItemToObject(obj, refs[i].key, value);
		if (!added) {
			cJSON_Delete(value);
			mg_err_set(err, MG_EXIT_INFRA, "cannot build the output");
			goto done;
		}
	}
done:
	free(refs);
	return mg_err_failed(err) ? -1 : 0;
}

/* aliases [str] -> sorted [str]. */
static int add_aliases(const cJSON *mv, cJSON *out, struct mg_err *err)
{
	const cJSON *aliases = cJSON_GetObjectItemCaseSensitive(mv, "aliases");
	const cJSON *alias;
	const char **names = NULL;
	cJSON *arr = cJSON_AddArrayToObject(out, "aliases");
	size_t n = 0;

	if (!arr)
		return mg_err_set(err, MG_EXIT_INFRA, "cannot build the output");
	if (!aliases || cJSON_IsNull(aliases))
		return 0;
	if (!cJSON_IsArray(aliases))
		return mg_err_set(err, MG_EXIT_INFRA, "response field 'aliases' is not an array");
	names = mg_xcalloc((size_t)cJSON_GetArraySize(aliases), sizeof(*names));
	cJSON_ArrayForEach(alias, aliases)
	{
		if (!cJSON_IsString(alias)) {
			mg_err_set(err, MG_EXIT_INFRA,
			           "response field 'aliases' holds a non-string");
			goto done;
		}
		names[n++] = alias->valuestring;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateString(names[i]);

		if (!s || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			mg_err_set(err, MG_EXIT_INFRA, "cannot build the output");
			goto done;
		}
	}
done:
	free(names);
	return mg_err_failed(err) ? -1 : 0;
}

/* {"model_version": {...}} -> the output object (caller frees with cJSON_Delete). */
static cJSON *convert(const cJSON *doc, struct mg_err *err)
{
	static const struct {
		const char *key;
		const char *def;
	} strings[] = {
	        {"current_stage", ""}, {"description", ""},        {"source", ""},
	        {"run_id", ""},        {"status", STATUS_DEFAULT},
	};
	static const char *const stamps[] = {"creation_timestamp", "last_updated_timestamp"};
	const cJSON *mv = cJSON_GetObjectItemCaseSensitive(doc, "model_version");
	cJSON *out = cJSON_CreateObject();
	char version[64];
	const char *name;

	if (!out) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot build the output");
		goto done;
	}
	if (!cJSON_IsObject(mv)) {
		mg_err_set(err, MG_EXIT_INFRA, "response has no 'model_version' object");
		goto done;
	}
	if (get_string(mv, "name", "", &name, err) ||
	    get_version(mv, version, sizeof(version), err))
		goto done;
	if (!cJSON_AddStringToObject(out, "name", name) ||
	    !cJSON_AddStringToObject(out, "version", version)) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot build the output");
		goto done;
	}
	for (size_t i = 0; i < MG_ARRAY_SIZE(stamps); i++) {
		long long ms;

		if (get_int64(mv, stamps[i], &ms, err))
			goto done;
		if (!cJSON_AddNumberToObject(out, stamps[i], (double)ms)) {
			mg_err_set(err, MG_EXIT_INFRA, "cannot build the output");
			goto done;
		}
	}
	for (size_t i = 0; i < MG_ARRAY_SIZE(strings); i++) {
		const char *value;

		if (get_string(mv, strings[i].key, strings[i].def, &value, err))
			goto done;
		if (!cJSON_AddStringToObject(out, strings[i].key, value)) {
			mg_err_set(err, MG_EXIT_INFRA, "cannot build the output");
			goto done;
		}
	}
	if (add_tags(mv, out, err) || add_aliases(mv, out, err))
		goto done;
done:
	if (mg_err_failed(err)) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

static int read_version(CURL *curl, const char *uri, const char *name, const char *version,
                        struct mg_err *err)
{
	struct mg_buf url = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf body = MG_BUF_INIT(MG_BUF_LARGE);
	cJSON *doc = NULL, *out = NULL;
	char *text = NULL;
	long status = 0;

	if (build_url(curl, uri, name, version, &url, err) ||
	    http_get(curl, url.buf, &body, &status, err))
		goto done;
	if (status != 200) {
		http_error(status, &body, name, version, err);
		goto done;
	}
	doc = parse_body(&body, err);
	if (!doc)
		goto done;
	out = convert(doc, err);
	if (!out)
		goto done;
	text = cJSON_PrintUnformatted(out);
	if (!text) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot print the output");
		goto done;
	}
	if (printf("%s\n", text) < 0 || fflush(stdout) || ferror(stdout))
		mg_err_set(err, MG_EXIT_INFRA, "cannot write to stdout: %s", strerror(errno));
done:
	cJSON_free(text);
	cJSON_Delete(out);
	cJSON_Delete(doc);
	mg_buf_release(&body);
	mg_buf_release(&url);
	return mg_err_failed(err) ? -1 : 0;
}

int main(int argc, char **argv)
{
	cJSON_Hooks hooks = {mg_xmalloc, free};
	struct mg_err err = MG_ERR_INIT;
	struct mg_log log;
	CURL *curl = NULL;
	bool curl_ready = false;
	int ret = MG_EXIT_PASS;

	mg_log_init(&log, PROG, stderr, NULL);
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return MG_EXIT_PASS;
	}
	if (argc != 4) {
		usage(stderr);
		return MG_EXIT_USAGE;
	}
	/* out of memory is fatal everywhere in mlgate, cJSON included */
	cJSON_InitHooks(&hooks);

	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		mg_err_set(&err, MG_EXIT_INFRA, "cannot initialise libcurl");
		goto done;
	}
	curl_ready = true;
	curl = curl_easy_init();
	if (!curl) {
		mg_err_set(&err, MG_EXIT_INFRA, "cannot create a libcurl handle");
		goto done;
	}
	read_version(curl, argv[1], argv[2], argv[3], &err);
done:
	curl_easy_cleanup(curl);
	if (curl_ready)
		curl_global_cleanup();
	if (mg_err_failed(&err))
		ret = mg_log_err(&log, &err);
	return ret;
}
