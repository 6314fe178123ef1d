/*
 * regtool: the whole registry interface (lib/registry/registry.h) as a command line,
 * printing JSON, so integration tests can drive every backend against a
 * real MLflow and compare with what MLflow itself reads.
 *
 *   regtool URI get-model NAME
 *   regtool URI get-version NAME VERSION
 *   regtool URI by-alias NAME ALIAS
 *   regtool URI in-stage NAME STAGE             one JSON object per line
 *   regtool URI search FILTER PAGE_SIZE [ORDER] one JSON object per line ("" = no filter)
 *   regtool URI count FILTER PAGE_SIZE [ORDER]  only the number of versions
 *   regtool URI get-run RUN_ID
 *   regtool URI history RUN_ID KEY              one JSON object per line
 *   regtool URI set-tag NAME VERSION KEY VALUE
 *   regtool URI delete-tag NAME VERSION KEY
 *   regtool URI describe NAME VERSION TEXT
 *   regtool URI transition NAME VERSION STAGE archive|keep
 *   regtool URI set-alias NAME ALIAS VERSION
 *   regtool URI delete-alias NAME ALIAS
 *   regtool URI experiment NAME get|create      prints the id
 *   regtool URI create-run EXPERIMENT_ID NAME [KEY=VALUE tag...]  prints the run id
 *   regtool URI log-batch RUN_ID [param:K=V] [tag:K=V] [metric:K=VALUE[@TS[@STEP]]]...
 *   regtool URI end-run RUN_ID STATUS
 *
 * Errors: "regtool: [reason] message" on stderr, exit code = the error's code.
 * Several commands may be chained with "--": each runs on the same
 * registry handle (one connection), e.g. to check keep-alive.
 */
#include "setup.h"
#include "alloc.h"
#include "json.h"
#include "parse.h"
#include "registry.h"

#include <curl/curl.h>
#include <math.h>

static cJSON *kv_object(const struct mg_kvlist *l)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < l->n; i++)
		cJSON_AddStringToObject(o, l->items[i].key, l->items[i].value);
	return o;
}

static cJSON *version_json(const struct mg_model_version *mv)
{
	cJSON *o = cJSON_CreateObject(), *aliases = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "name", mv->name);
	cJSON_AddStringToObject(o, "version", mv->version);
	cJSON_AddStringToObject(o, "current_stage", mv->current_stage);
	cJSON_AddStringToObject(o, "description", mv->description);
	cJSON_AddStringToObject(o, "source", mv->source);
	cJSON_AddStringToObject(o, "run_id", mv->run_id);
	cJSON_AddStringToObject(o, "run_link", mv->run_link);
	cJSON_AddStringToObject(o, "status", mv->status);
	cJSON_AddStringToObject(o, "status_message", mv->status_message);
	cJSON_AddStringToObject(o, "user_id", mv->user_id);
	cJSON_AddStringToObject(o, "model_id", mv->model_id);
	cJSON_AddNumberToObject(o, "creation_timestamp", (double)mv->creation_timestamp);
	cJSON_AddNumberToObject(o, "last_updated_timestamp", (double)mv->last_updated_timestamp);
	cJSON_AddItemToObject(o, "tags", kv_object(&mv->tags));
	for (size_t i = 0; i < mv->aliases.n; i++)
		cJSON_AddItemToArray(aliases, cJSON_CreateString(mv->aliases.items[i].key));
	cJSON_AddItemToObject(o, "aliases", aliases);
	return o;
}

static cJSON *metric_json(const struct mg_metric *m)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "key", m->key);
	mg_json_add_double(o, "value", m->value);
	cJSON_AddNumberToObject(o, "timestamp", (double)m->timestamp);
	cJSON_AddNumberToObject(o, "step", (double)m->step);
	return o;
}

static void print_json(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	if (!s)
		mg_die_oom(0);
	puts(s);
	free(s);
	cJSON_Delete(o);
}

static int print_version_cb(void *arg, const struct mg_model_version *mv, struct mg_err *err)
{
	(void)arg;
	(void)err;
	print_json(version_json(mv));
	return 0;
}

static int count_cb(void *arg, const struct mg_model_version *mv, struct mg_err *err)
{
	(void)mv;
	(void)err;
	(*(long long *)arg)++;
	return 0;
}

static int print_metric_cb(void *arg, const struct mg_metric *m, struct mg_err *err)
{
	(void)arg;
	(void)err;
	print_json(metric_json(m));
	return 0;
}

/* "K=V" split in place into *key and *value. */
static int split_kv(char *s, char **key, char **value, struct mg_err *err)
{
	char *eq = strchr(s, '=');

	if (!eq)
		return mg_err_set(err, MG_EXIT_USAGE, "expected KEY=VALUE, got '%s'", s);
	*eq = '\0';
	*key = s;
	*value = eq + 1;
	return 0;
}

static int parse_metric(char *spec, struct mg_metriclist *out, struct mg_err *err)
{
	char *key = NULL, *rest = NULL, *at;
	long long ts = 0, step = 0;
	double v;

	if (split_kv(spec, &key, &rest, err))
		return -1;
	at = strchr(rest, '@');
	if (at) {
		char *at2;

		*at++ = '\0';
		at2 = strchr(at, '@');
		if (at2) {
			*at2++ = '\0';
			if (mg_parse_ll("metric step", at2, LLONG_MIN, LLONG_MAX, &step, err))
				return -1;
		}
		if (mg_parse_ll("metric timestamp", at, 0, LLONG_MAX, &ts, err))
			return -1;
	}
	if (!strcmp(rest, "NaN"))
		v = NAN;
	else if (!strcmp(rest, "Infinity"))
		v = INFINITY;
	else if (!strcmp(rest, "-Infinity"))
		v = -INFINITY;
	else if (mg_parse_double("metric value", rest, &v, err))
		return -1;
	mg_metriclist_add(out, key, v, ts, step);
	return 0;
}

static int log_batch(struct mg_registry *reg, int argc, char **argv, struct mg_err *err)
{
	struct mg_kvlist params = MG_KVLIST_INIT, tags = MG_KVLIST_INIT;
	struct mg_metriclist metrics = MG_METRICLIST_INIT;
	int ret = -1;

	for (int i = 1; i < argc; i++) {
		char *key = NULL, *value = NULL;

		if (!strncmp(argv[i], "param:", 6) || !strncmp(argv[i], "tag:", 4)) {
			bool is_param = argv[i][0] == 'p';

			if (split_kv(argv[i] + (is_param ? 6 : 4), &key, &value, err))
				goto done;
			mg_kvlist_set(is_param ? &params : &tags, key, value);
		} else if (!strncmp(argv[i], "metric:", 7)) {
			if (parse_metric(argv[i] + 7, &metrics, err))
				goto done;
		} else {
			mg_err_set(err, MG_EXIT_USAGE, "unknown log-batch item '%s'", argv[i]);
			goto done;
		}
	}
	ret = mg_registry_log_batch(reg, argv[0], &params, &metrics, &tags, err);
done:
	mg_kvlist_release(&params);
	mg_kvlist_release(&tags);
	mg_metriclist_release(&metrics);
	return ret;
}

/* Run one command of argc words; returns 0 or -1 with err set. */
static int run(struct mg_registry *reg, int argc, char **argv, struct mg_err *err)
{
	const char *cmd = argv[0];
	struct mg_model_version mv = {0};
	struct mg_registered_model rm = {0};
	struct mg_run r = {0};
	char *id = NULL;
	int ret = -1;

#define NEED(n)                                                                            \
	do {                                                                               \
		if (argc != (n) + 1) {                                                     \
			mg_err_set(err, MG_EXIT_USAGE, "%s takes %d arguments", cmd, (n)); \
			goto done;                                                         \
		}                                                                          \
	} while (0)

	if (!strcmp(cmd, "get-model")) {
		cJSON *o;

		NEED(1);
		if (mg_registry_get_model(reg, argv[1], &rm, err))
			goto done;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", rm.name);
		cJSON_AddStringToObject(o, "description", rm.description);
		cJSON_AddNumberToObject(o, "creation_timestamp", (double)rm.creation_timestamp);
		cJSON_AddNumberToObject(o, "last_updated_timestamp",
		                        (double)rm.last_updated_timestamp);
		cJSON_AddItemToObject(o, "tags", kv_object(&rm.tags));
		cJSON_AddItemToObject(o, "aliases", kv_object(&rm.aliases));
		print_json(o);
	} else if (!strcmp(cmd, "get-version")) {
		NEED(2);
		if (mg_registry_get_version(reg, argv[1], argv[2], &mv, err))
			goto done;
		print_json(version_json(&mv));
	} else if (!strcmp(cmd, "by-alias")) {
		NEED(2);
		if (mg_registry_get_version_by_alias(reg, argv[1], argv[2], &mv, err))
			goto done;
		print_json(version_json(&mv));
	} else if (!strcmp(cmd, "in-stage")) {
		NEED(2);
		if (mg_registry_versions_in_stage(reg, argv[1], argv[2], print_version_cb, NULL,
		                                  err))
			goto done;
	} else if (!strcmp(cmd, "search") || !strcmp(cmd, "count")) {
		struct mg_version_query q = {0};
		long long page, n = 0;
		bool count = cmd[0] == 'c';

		if (argc != 3 && argc != 4) {
			mg_err_set(err, MG_EXIT_USAGE, "%s takes FILTER PAGE_SIZE [ORDER]", cmd);
			goto done;
		}
		if (mg_parse_ll("page size", argv[2], 0, 200000, &page, err))
			goto done;
		q.filter = *argv[1] ? argv[1] : NULL;
		q.page_size = (int)page;
		q.order_by = argc == 4 ? argv[3] : NULL;
		if (mg_registry_search_versions(reg, &q, count ? count_cb : print_version_cb, &n,
		                                err))
			goto done;
		if (count)
			printf("%lld\n", n);
	} else if (!strcmp(cmd, "get-run")) {
		cJSON *o, *m;

		NEED(1);
		if (mg_registry_get_run(reg, argv[1], &r, err))
			goto done;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "run_id", r.run_id);
		cJSON_AddStringToObject(o, "run_name", r.run_name);
		cJSON_AddStringToObject(o, "experiment_id", r.experiment_id);
		cJSON_AddStringToObject(o, "user_id", r.user_id);
		cJSON_AddStringToObject(o, "status", r.status);
		cJSON_AddStringToObject(o, "lifecycle_stage", r.lifecycle_stage);
		cJSON_AddStringToObject(o, "artifact_uri", r.artifact_uri);
		cJSON_AddNumberToObject(o, "start_time", (double)r.start_time);
		cJSON_AddNumberToObject(o, "end_time", (double)r.end_time);
		m = cJSON_AddObjectToObject(o, "metrics");
		for (size_t i = 0; i < r.metrics.n; i++)
			mg_json_add_double(m, r.metrics.items[i].key, r.metrics.items[i].value);
		cJSON_AddItemToObject(o, "params", kv_object(&r.params));
		cJSON_AddItemToObject(o, "tags", kv_object(&r.tags));
		print_json(o);
	} else if (!strcmp(cmd, "history")) {
		NEED(2);
		if (mg_registry_metric_history(reg, argv[1], argv[2], print_metric_cb, NULL, err))
			goto done;
	} else if (!strcmp(cmd, "set-tag")) {
		NEED(4);
		if (mg_registry_set_version_tag(reg, argv[1], argv[2], argv[3], argv[4], err))
			goto done;
	} else if (!strcmp(cmd, "delete-tag")) {
		NEED(3);
		if (mg_registry_delete_version_tag(reg, argv[1], argv[2], argv[3], err))
			goto done;
	} else if (!strcmp(cmd, "describe")) {
		NEED(3);
		if (mg_registry_update_version_description(reg, argv[1], argv[2], argv[3], err))
			goto done;
	} else if (!strcmp(cmd, "transition")) {
		NEED(4);
		if (mg_registry_transition_stage(reg, argv[1], argv[2], argv[3],
		                                 !strcmp(argv[4], "archive"), err))
			goto done;
	} else if (!strcmp(cmd, "set-alias")) {
		NEED(3);
		if (mg_registry_set_alias(reg, argv[1], argv[2], argv[3], err))
			goto done;
	} else if (!strcmp(cmd, "delete-alias")) {
		NEED(2);
		if (mg_registry_delete_alias(reg, argv[1], argv[2], err))
			goto done;
	} else if (!strcmp(cmd, "experiment")) {
		NEED(2);
		if (mg_registry_experiment_id(reg, argv[1], !strcmp(argv[2], "create"), &id, err))
			goto done;
		puts(id);
	} else if (!strcmp(cmd, "create-run")) {
		struct mg_kvlist tags = MG_KVLIST_INIT;
		int rc = 0;

		if (argc < 3) {
			mg_err_set(err, MG_EXIT_USAGE,
			           "create-run takes EXPERIMENT_ID NAME [K=V...]");
			goto done;
		}
		for (int i = 3; i < argc && !rc; i++) {
			char *k = NULL, *v = NULL;

			rc = split_kv(argv[i], &k, &v, err);
			if (!rc)
				mg_kvlist_set(&tags, k, v);
		}
		if (!rc)
			rc = mg_registry_create_run(reg, argv[1], argv[2], &tags, &id, err);
		mg_kvlist_release(&tags);
		if (rc)
			goto done;
		puts(id);
	} else if (!strcmp(cmd, "log-batch")) {
		if (argc < 2) {
			mg_err_set(err, MG_EXIT_USAGE, "log-batch takes RUN_ID ITEMS...");
			goto done;
		}
		if (log_batch(reg, argc - 1, argv + 1, err))
			goto done;
	} else if (!strcmp(cmd, "end-run")) {
		NEED(2);
		if (mg_registry_end_run(reg, argv[1], argv[2], err))
			goto done;
	} else {
		mg_err_set(err, MG_EXIT_USAGE, "unknown command '%s'", cmd);
		goto done;
	}
#undef NEED
	ret = 0;
done:
	free(id);
	mg_model_version_release(&mv);
	mg_registered_model_release(&rm);
	mg_run_release(&r);
	return ret;
}

static const char *reason_name(enum mg_reason r)
{
	static const char *const names[] = {"none",  "not_found", "unsupported", "conflict",
	                                    "raced", "too_large", "options"};

	return r < MG_ARRAY_SIZE(names) ? names[r] : "?";
}

int main(int argc, char **argv)
{
	struct mg_ctx ctx;
	struct mg_err err = MG_ERR_INIT;
	struct mg_registry *reg = NULL;
	int rc = MG_EXIT_USAGE, start = 2;

	mg_ctx_init(&ctx, "regtool");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (argc < 3) {
		fprintf(stderr, "usage: regtool URI COMMAND ARGS... [-- COMMAND ARGS...]\n");
		goto done;
	}
	if (mg_ctx_from_env(&ctx, &err) || mg_registry_open(&ctx, argv[1], &reg, &err))
		goto fail;
	while (start < argc) {
		int end = start;

		while (end < argc && strcmp(argv[end], "--"))
			end++;
		if (run(reg, end - start, argv + start, &err))
			goto fail;
		start = end + 1;
	}
	rc = MG_EXIT_PASS;
	goto done;
fail:
	mg_error(&ctx.log, "[%s] %s", reason_name(err.reason), err.msg);
	rc = err.code;
done:
	mg_registry_close(reg);
	curl_global_cleanup();
	rc = mg_ctx_finish(&ctx, rc);
	mg_ctx_release(&ctx);
	return rc;
}
