#include "setup.h"
#include "json.h"
#include "alloc.h"
#include "buf.h"

#include <math.h>

cJSON *mg_json_parse(const char *text, size_t len, const char *what, int code, struct mg_err *err)
{
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
