#include "setup.h"
#include "decode.h"
#include "alloc.h"
#include "registry.h"

#include <errno.h>
#include <math.h>

void mg_dec_init(struct mg_dec *d, const char *registry, const char *request, struct mg_err *err)
{
	d->registry = registry;
	d->request = request;
	d->err = err;
	d->failed = false;
	d->at[0] = '\0';
}

size_t mg_dec_enter(struct mg_dec *d, const char *key, long index)
{
	size_t mark = strlen(d->at);

	if (index >= 0)
		snprintf(d->at + mark, sizeof(d->at) - mark, "[%ld]", index);
	else
		snprintf(d->at + mark, sizeof(d->at) - mark, "%s%s", mark ? "." : "", key);
	return mark;
}

void mg_dec_leave(struct mg_dec *d, size_t mark)
{
	d->at[mark] = '\0';
}

static const char *type_name(const cJSON *v)
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

/* Record the first problem: "registry 'URI': GET /x: a.b.key: expected T, got U". */
static void bad(struct mg_dec *d, const char *key, long index, const char *expected,
                const cJSON *got)
{
	size_t mark;

	if (d->failed)
		return;
	d->failed = true;
	mark = mg_dec_enter(d, key, index);
	if (got)
		mg_err_set(d->err, MG_EXIT_INFRA, "registry '%s': %s: %s: expected %s, got %s",
		           d->registry, d->request, d->at, expected, type_name(got));
	else
		mg_err_set(d->err, MG_EXIT_INFRA,
		           "registry '%s': %s: %s: missing (%s, which MLflow always sends)",
		           d->registry, d->request, d->at, expected);
	mg_dec_leave(d, mark);
}

/* The member, or NULL when absent (recorded as a problem when required). */
static const cJSON *member(struct mg_dec *d, const cJSON *obj, const char *key, enum mg_need need,
                           const char *expected)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v && need == MG_REQUIRED)
		bad(d, key, -1, expected, NULL);
	return v;
}

char *mg_dec_str(struct mg_dec *d, const cJSON *obj, const char *key, enum mg_need need)
{
	const cJSON *v = member(d, obj, key, need, "a string");

	if (!v)
		return mg_xstrdup("");
	if (!cJSON_IsString(v) || !v->valuestring) {
		bad(d, key, -1, "a string", v);
		return mg_xstrdup("");
	}
	return mg_xstrdup(v->valuestring);
}

int64_t mg_dec_i64(struct mg_dec *d, const cJSON *obj, const char *key, enum mg_need need)
{
	const cJSON *v = member(d, obj, key, need, "an integer");

	if (!v)
		return 0;
	if (cJSON_IsNumber(v)) {
		double x = v->valuedouble;

		if (x == floor(x) && x >= -9.2e18 && x <= 9.2e18)
			return (int64_t)x;
	} else if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
		char *end = NULL;
		long long n;

		errno = 0;
		n = strtoll(v->valuestring, &end, 10);
		if (!errno && !*end)
			return n;
	}
	bad(d, key, -1, "an integer", v);
	return 0;
}

double mg_dec_double(struct mg_dec *d, const cJSON *obj, const char *key, enum mg_need need)
{
	const cJSON *v = member(d, obj, key, need, "a number");

	if (!v)
		return NAN;
	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (cJSON_IsString(v) && v->valuestring) {
		if (!strcmp(v->valuestring, "NaN"))
			return NAN;
		if (!strcmp(v->valuestring, "Infinity"))
			return INFINITY;
		if (!strcmp(v->valuestring, "-Infinity"))
			return -INFINITY;
	}
	bad(d, key, -1, "a number", v);
	return NAN;
}

const cJSON *mg_dec_object(struct mg_dec *d, const cJSON *obj, const char *key, enum mg_need need)
{
	const cJSON *v = member(d, obj, key, need, "an object");

	if (v && !cJSON_IsObject(v)) {
		bad(d, key, -1, "an object", v);
		return NULL;
	}
	return v;
}

const cJSON *mg_dec_array(struct mg_dec *d, const cJSON *obj, const char *key)
{
	const cJSON *v = member(d, obj, key, MG_OPTIONAL, "an array");

	if (v && !cJSON_IsArray(v)) {
		bad(d, key, -1, "an array", v);
		return NULL;
	}
	return v;
}

bool mg_dec_is_object(struct mg_dec *d, const cJSON *item, long index)
{
	if (cJSON_IsObject(item))
		return true;
	bad(d, NULL, index, "an object", item);
	return false;
}

bool mg_dec_is_string(struct mg_dec *d, const cJSON *item, long index)
{
	if (cJSON_IsString(item) && item->valuestring)
		return true;
	bad(d, NULL, index, "a string", item);
	return false;
}

/* --- MLflow's entities ----------------------------------------------------- */

/* The {key, value} objects of array `key` (MLflow's tags and params). */
void mg_dec_tags(struct mg_dec *d, const cJSON *obj, const char *key, struct mg_kvlist *out)
{
	const cJSON *arr = mg_dec_array(d, obj, key), *t;
	size_t mark = mg_dec_enter(d, key, -1);
	long i = 0;

	cJSON_ArrayForEach(t, arr)
	{
		if (mg_dec_is_object(d, t, i)) {
			size_t at = mg_dec_enter(d, NULL, i);
			char *k = mg_dec_str(d, t, "key", MG_REQUIRED);
			char *v = mg_dec_str(d, t, "value", MG_OPTIONAL);

			mg_kvlist_set(out, k, v);
			free(k);
			free(v);
			mg_dec_leave(d, at);
		}
		i++;
	}
	mg_dec_leave(d, mark);
	mg_kvlist_sort(out);
}

/* What MLflow's and Unity Catalog's ModelVersion objects share. */
static void dec_version_common(struct mg_dec *d, const cJSON *o, struct mg_model_version *mv)
{
	mv->description = mg_dec_str(d, o, "description", MG_OPTIONAL);
	mv->source = mg_dec_str(d, o, "source", MG_OPTIONAL);
	mv->run_id = mg_dec_str(d, o, "run_id", MG_OPTIONAL);
	mv->run_link = mg_dec_str(d, o, "run_link", MG_OPTIONAL);
	mv->status = mg_dec_str(d, o, "status", MG_OPTIONAL);
	mv->status_message = mg_dec_str(d, o, "status_message", MG_OPTIONAL);
	mv->user_id = mg_dec_str(d, o, "user_id", MG_OPTIONAL);
	mv->model_id = mg_dec_str(d, o, "model_id", MG_OPTIONAL);
	mv->creation_timestamp = mg_dec_i64(d, o, "creation_timestamp", MG_REQUIRED);
	mv->last_updated_timestamp = mg_dec_i64(d, o, "last_updated_timestamp", MG_OPTIONAL);
	mg_dec_tags(d, o, "tags", &mv->tags);
}

/*
 * A ModelVersion. MLflow always sends name, version, creation_timestamp and
 * current_stage ("None" when in no stage); a missing current_stage is not
 * read as "no stage": that is how a malformed answer would hide production.
 */
void mg_dec_version(struct mg_dec *d, const cJSON *o, struct mg_model_version *mv)
{
	const cJSON *aliases, *a;
	size_t mark;
	long i = 0;

	mv->name = mg_dec_str(d, o, "name", MG_REQUIRED);
	mv->version = mg_dec_str(d, o, "version", MG_REQUIRED);
	mv->current_stage = mg_dec_str(d, o, "current_stage", MG_REQUIRED);
	if (!*mv->current_stage) {
		free(mv->current_stage);
		mv->current_stage = mg_xstrdup("None");
	}
	dec_version_common(d, o, mv);
	aliases = mg_dec_array(d, o, "aliases");
	mark = mg_dec_enter(d, "aliases", -1);
	cJSON_ArrayForEach(a, aliases)
	{
		if (mg_dec_is_string(d, a, i++))
			mg_kvlist_set(&mv->aliases, a->valuestring, mv->version);
	}
	mg_dec_leave(d, mark);
	mg_kvlist_sort(&mv->aliases);
}

/*
 * A Unity Catalog ModelVersion: no stage (read as "None"), aliases as
 * {alias, version} objects, each naming this version.
 */
void mg_dec_uc_version(struct mg_dec *d, const cJSON *o, struct mg_model_version *mv)
{
	const cJSON *aliases, *a;
	size_t mark;
	long i = 0;

	mv->name = mg_dec_str(d, o, "name", MG_REQUIRED);
	mv->version = mg_dec_str(d, o, "version", MG_REQUIRED);
	mv->current_stage = mg_xstrdup("None");
	dec_version_common(d, o, mv);
	aliases = mg_dec_array(d, o, "aliases");
	mark = mg_dec_enter(d, "aliases", -1);
	cJSON_ArrayForEach(a, aliases)
	{
		if (mg_dec_is_object(d, a, i)) {
			size_t at = mg_dec_enter(d, NULL, i);
			char *alias = mg_dec_str(d, a, "alias", MG_REQUIRED);
			char *version = mg_dec_str(d, a, "version", MG_REQUIRED);

			if (*version && strcmp(version, mv->version))
				bad(d, "version", -1, "this version's own number",
				    cJSON_GetObjectItemCaseSensitive(a, "version"));
			else
				mg_kvlist_set(&mv->aliases, alias, mv->version);
			free(alias);
			free(version);
			mg_dec_leave(d, at);
		}
		i++;
	}
	mg_dec_leave(d, mark);
	mg_kvlist_sort(&mv->aliases);
}

/* One Metric object: key and value always there (value maybe "NaN"), timestamp and step. */
struct mg_metric mg_dec_metric(struct mg_dec *d, const cJSON *m)
{
	struct mg_metric one;

	one.key = mg_dec_str(d, m, "key", MG_REQUIRED);
	one.value = mg_dec_double(d, m, "value", MG_REQUIRED);
	one.timestamp = mg_dec_i64(d, m, "timestamp", MG_OPTIONAL);
	one.step = mg_dec_i64(d, m, "step", MG_OPTIONAL);
	return one;
}

void mg_dec_metrics(struct mg_dec *d, const cJSON *obj, struct mg_metriclist *out)
{
	const cJSON *arr = mg_dec_array(d, obj, "metrics"), *m;
	size_t mark = mg_dec_enter(d, "metrics", -1);
	long i = 0;

	cJSON_ArrayForEach(m, arr)
	{
		if (mg_dec_is_object(d, m, i)) {
			size_t at = mg_dec_enter(d, NULL, i);
			struct mg_metric one = mg_dec_metric(d, m);

			mg_metriclist_add(out, one.key, one.value, one.timestamp, one.step);
			free(one.key);
			mg_dec_leave(d, at);
		}
		i++;
	}
	mg_dec_leave(d, mark);
}
