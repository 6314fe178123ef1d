#include "setup.h"
#include "json.h"
#include "alloc.h"
#include "buf.h"

#include <math.h>

static int key_cmp(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* A member of `obj` whose key an earlier member has, or NULL. */
static const cJSON *duplicate_in(const cJSON *obj)
{
	const cJSON *c, *d, *dup = NULL;
	const cJSON **keys;
	size_t n = 0, i = 0;

	for (c = obj->child; c; c = c->next)
		n++;
	if (n <= 16) {
		for (c = obj->child; c; c = c->next)
			for (d = obj->child; d != c; d = d->next)
				if (!strcmp(c->string, d->string))
					return c;
		return NULL;
	}
	/* big objects (MLflow answers, GitHub events): sort the keys */
	keys = mg_xcalloc(n, sizeof(*keys));
	for (c = obj->child; c; c = c->next)
		keys[i++] = c;
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (i = 1; i < n && !dup; i++)
		if (!strcmp(keys[i - 1]->string, keys[i]->string))
			dup = keys[i];
	free(keys);
	return dup;
}

/*
 * The path of the first duplicate key under `item` ("compare.metrics[0].name")
 * into `path`; false when there is none. cJSON keeps every member (its
 * getters return the first) while jq and Python take the last: the same file
 * would mean different things to different tools.
 */
static bool find_duplicate(const cJSON *item, struct mg_buf *path)
{
	size_t at = path->len, i = 0;
	const cJSON *c, *dup;

	if (!cJSON_IsObject(item) && !cJSON_IsArray(item))
		return false;
	if (cJSON_IsObject(item) && (dup = duplicate_in(item))) {
		mg_buf_addf(path, "%s%s", at ? "." : "", dup->string);
		return true;
	}
	for (c = item->child; c; c = c->next, i++) {
		if (cJSON_IsObject(item))
			mg_buf_addf(path, "%s%s", at ? "." : "", c->string);
		else
			mg_buf_addf(path, "[%zu]", i);
		if (find_duplicate(c, path))
			return true;
		mg_buf_truncate(path, at);
	}
	return false;
}

cJSON *mg_json_parse(const char *text, size_t len, const char *what, int code, struct mg_err *err)
{
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL);
	const char *end = NULL;
	cJSON *doc;

	doc = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!doc) {
		size_t at = end && end >= text ? (size_t)(end - text) : 0;

		mg_err_set(err, code, "%s is not valid JSON (at byte %zu of %zu)", what, at, len);
		return NULL;
	}
	while (end && (size_t)(end - text) < len &&
	       (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end && (size_t)(end - text) < len && *end) {
		mg_err_set(err, code, "%s has trailing data after the JSON value (at byte %zu)",
		           what, (size_t)(end - text));
		cJSON_Delete(doc);
		return NULL;
	}
	if (find_duplicate(doc, &path)) {
		mg_err_set(err, code,
		           "%s: %s: duplicate key (JSON readers differ on which value counts)",
		           what, path.buf);
		mg_buf_release(&path);
		cJSON_Delete(doc);
		return NULL;
	}
	mg_buf_release(&path);
	return doc;
}

const char *mg_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

char *mg_json_strdup(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	if (cJSON_IsString(v) && v->valuestring)
		return mg_xstrdup(v->valuestring);
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d == floor(d) && fabs(d) < 9007199254740992.0)
			mg_buf_addf(&b, "%lld", (long long)d);
		else
			mg_buf_addf(&b, "%.17g", d);
		return mg_buf_take(&b, NULL);
	}
	if (cJSON_IsBool(v))
		return mg_xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	return mg_xstrdup("");
}

int64_t mg_json_i64(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d >= -9.2e18 && d <= 9.2e18)
			return (int64_t)d;
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
		char *end = NULL;
		long long n;

		errno = 0;
		n = strtoll(v->valuestring, &end, 10);
		if (!errno && end && !*end)
			return n;
	}
	return 0;
}

double mg_json_double(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (cJSON_IsString(v) && v->valuestring) {
		const char *s = v->valuestring;

		if (!strcmp(s, "Infinity") || !strcmp(s, "inf"))
			return INFINITY;
		if (!strcmp(s, "-Infinity") || !strcmp(s, "-inf"))
			return -INFINITY;
		if (*s) {
			char *end = NULL;
			double d = strtod(s, &end);

			if (end && !*end && strcmp(s, "NaN") && strcmp(s, "nan"))
				return d;
		}
	}
	return NAN;
}

char *mg_double_str(double v, char out[MG_DOUBLE_LEN])
{
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(out, MG_DOUBLE_LEN, "%.*g", digits, v);
		if (strtod(out, NULL) == v || isnan(v))
			break;
	}
	return out;
}

void mg_json_add_double(cJSON *obj, const char *key, double v)
{
	char num[MG_DOUBLE_LEN];

	if (isnan(v)) {
		cJSON_AddStringToObject(obj, key, "NaN");
		return;
	}
	if (isinf(v)) {
		cJSON_AddStringToObject(obj, key, v > 0 ? "Infinity" : "-Infinity");
		return;
	}
	/* cJSON prints 15 digits when they compare "close enough": a metric must round-trip */
	cJSON_AddRawToObject(obj, key, mg_double_str(v, num));
}

char *mg_json_print(const cJSON *item)
{
	char *s = cJSON_PrintUnformatted(item);

	if (!s)
		mg_die_oom(0);
	return s;
}

void mg_json_emit(cJSON *doc, struct mg_buf *out)
{
	char *text = cJSON_Print(doc);

	if (!text)
		mg_die_oom(0);
	mg_buf_adds(out, text);
	mg_buf_addch(out, '\n');
	free(text);
	cJSON_Delete(doc);
}
