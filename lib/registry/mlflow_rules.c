/*
 * MLflow's validation rules, as mlflow/utils/validation.py and the SQL store
 * apply them (see mlflow_rules.h).
 */
#include "setup.h"
#include "mlflow_rules.h"

#include <math.h>
#include <strings.h>

/* Python's len() of a UTF-8 string: its code points. */
size_t mlflow_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The byte length of the first `chars` code points of `s`. */
size_t mlflow_utf8_prefix(const char *s, size_t chars)
{
	const char *p = s;

	for (; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80) {
			if (!chars)
				break;
			chars--;
		}
	}
	return (size_t)(p - s);
}

/*
 * Python's \w on one byte. Non-ASCII bytes are taken as word characters: a
 * UTF-8 letter or digit is one for Python; a non-ASCII symbol MLflow would
 * refuse is accepted here (an approximation, on the permissive side).
 */
static bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

/* path_not_unique(): normpath(name) != name, or ".", or a leading ".." or "/". */
static bool path_not_unique(const char *name)
{
	const char *p = name;

	if (!*name || name[0] == '/' || !strncmp(name, "..", 2))
		return true;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		if (!slash)
			return false;
		p = slash + 1;
	}
}

/* _validate_tag_name() / _validate_param_name() / _validate_metric_name(). */
int mlflow_check_key(const char *what, const char *name, struct mg_err *err)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (!is_word_byte(*p) && !strchr("/.- :", *p))
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "invalid %s '%.200s': names may only contain "
			        "alphanumerics, underscores (_), dashes (-), periods (.), "
			        "spaces ( ), colons (:) and slashes (/)",
			        what, name);
	}
	if (path_not_unique(name))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid %s '%.200s': names must not resolve to other names "
		                  "when taken as file paths (no empty, '.' or '..' parts, no "
		                  "leading '/' or '..')",
		                  what, name);
	return 0;
}

int mlflow_check_length(const char *what, const char *s, size_t max, struct mg_err *err)
{
	if (mlflow_utf8_len(s) <= max)
		return 0;
	return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
	                   "%s '%.60s...' exceeds the maximum length of %zu characters", what, s,
	                   max);
}

/* _validate_model_name(). */
int mlflow_check_model_name(const char *name, struct mg_err *err)
{
	bool blank = true;

	for (const char *p = name; *p; p++)
		if (!strchr(" \t\n\r\f\v", *p))
			blank = false;
	if (blank)
		return mg_err_set(err, MG_EXIT_USAGE, "missing model name");
	if (strpbrk(name, "/:"))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid model name '%.200s': names cannot contain '/' or ':'",
		                  name);
	if (path_not_unique(name))
		return mg_err_set(
		        err, MG_EXIT_USAGE,
		        "invalid model name '%.200s': names must not be '.' or start with "
		        "'..'",
		        name);
	return 0;
}

/* _validate_model_alias_name() and, when setting, _validate_model_alias_name_reserved(). */
int mlflow_check_alias(const char *alias, bool setting, struct mg_err *err)
{
	for (const unsigned char *p = (const unsigned char *)alias; *p; p++)
		if (!is_word_byte(*p) && *p != '-')
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "invalid alias '%.200s': aliases may only contain "
			                  "alphanumerics, underscores (_) and dashes (-)",
			                  alias);
	if (mlflow_check_length("alias", alias, MAX_REGISTERED_MODEL_ALIAS_LENGTH, err))
		return -1;
	if (!setting)
		return 0;
	if (!strcasecmp(alias, "latest"))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid alias '%s': 'latest' (any case) is reserved", alias);
	if ((alias[0] == 'v' || alias[0] == 'V') && alias[1] &&
	    strspn(alias + 1, "0123456789") == strlen(alias + 1))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid alias '%.200s': version aliases (v1, V2, ...) are "
		                  "reserved",
		                  alias);
	return 0;
}

/* _validate_run_id(): ^[a-zA-Z0-9][\w\-]{0,255}$ */
int mlflow_check_run_id(const char *run_id, struct mg_err *err)
{
	size_t n = strlen(run_id);
	bool ok = n >= 1 && n <= 256 && is_word_byte((unsigned char)run_id[0]) && run_id[0] != '_';

	for (size_t i = 0; ok && i < n; i++)
		ok = (is_word_byte((unsigned char)run_id[i]) && (unsigned char)run_id[i] < 0x80) ||
		     run_id[i] == '-';
	if (ok)
		return 0;
	return mg_err_set(err, MG_EXIT_USAGE, "invalid run id '%.64s'", run_id);
}

/* SqlAlchemyStore.sanitize_metric_value: NaN is 0 + is_nan, +-Inf the largest double. */
void mlflow_sanitize_metric(double v, double *stored, bool *is_nan)
{
	*is_nan = isnan(v);
	if (*is_nan)
		*stored = 0;
	else if (isinf(v))
		*stored = v > 0 ? 1.7976931348623157e308 : -1.7976931348623157e308;
	else
		*stored = v;
}

int mlflow_check_run_tags(const struct mg_kvlist *tags, struct mg_err *err)
{
	for (size_t i = 0; tags && i < tags->n; i++)
		if (mlflow_check_key("run tag key", tags->items[i].key, err) ||
		    mlflow_check_length("run tag key", tags->items[i].key, MAX_ENTITY_KEY_LENGTH,
		                        err))
			return -1;
	return 0;
}

int mlflow_check_batch(const struct mg_kvlist *params, const struct mg_metriclist *metrics,
                       const struct mg_kvlist *tags, struct mg_err *err)
{
	size_t np = params ? params->n : 0, nm = metrics ? metrics->n : 0, nt = tags ? tags->n : 0;

	if (nm > MAX_METRICS_PER_BATCH || np > MAX_PARAMS_TAGS_PER_BATCH ||
	    nt > MAX_PARAMS_TAGS_PER_BATCH || nm + np + nt > MAX_ENTITIES_PER_BATCH)
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
		                   "a batch holds at most %d metrics, %d params and %d tags, %d "
		                   "in all: got %zu, %zu and %zu",
		                   MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH,
		                   MAX_PARAMS_TAGS_PER_BATCH, MAX_ENTITIES_PER_BATCH, nm, np, nt);
	for (size_t i = 0; i < nm; i++) {
		const struct mg_metric *m = &metrics->items[i];

		if (mlflow_check_key("metric name", m->key, err) ||
		    mlflow_check_length("metric name", m->key, MAX_ENTITY_KEY_LENGTH, err))
			return -1;
		if (m->timestamp < 0)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "metric '%.200s': timestamp %lld is negative", m->key,
			                  (long long)m->timestamp);
	}
	for (size_t i = 0; i < np; i++)
		if (mlflow_check_key("param name", params->items[i].key, err) ||
		    mlflow_check_length("param name", params->items[i].key, MAX_ENTITY_KEY_LENGTH,
		                        err))
			return -1;
	return mlflow_check_run_tags(tags, err);
}
