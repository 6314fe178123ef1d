#include "setup.h"
#include "secrets.h"
#include "alloc.h"

static const char *const env_names[] = {
        "MLFLOW_TRACKING_TOKEN",    "MLFLOW_TRACKING_PASSWORD", "DATABRICKS_TOKEN",
        "DATABRICKS_CLIENT_SECRET", "DATABRICKS_PASSWORD",      NULL,
};

const char *const *mg_secrets_env_names(void)
{
	return env_names;
}

void mg_secrets_add(struct mg_secrets *s, const char *value)
{
	size_t len = strlen(value), at = 0;

	if (!len)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->values[i], value))
			return;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 4;
		s->values = mg_xrealloc(s->values, mg_st_mult(s->alloc, sizeof(*s->values)));
	}
	while (at < s->n && strlen(s->values[at]) >= len)
		at++;
	memmove(s->values + at + 1, s->values + at, (s->n - at) * sizeof(*s->values));
	s->values[at] = mg_xstrdup(value);
	s->n++;
}

size_t mg_secrets_add_from_env(struct mg_secrets *s)
{
	size_t before = s->n;

	for (size_t i = 0; env_names[i]; i++) {
		const char *v = getenv(env_names[i]);

		if (v)
			mg_secrets_add(s, v);
	}
	return s->n - before;
}

int mg_secrets_redact(const struct mg_secrets *s, struct mg_buf *b)
{
	for (size_t i = 0; i < s->n; i++) {
		if (mg_buf_replace(b, s->values[i], strlen(s->values[i]), MG_SECRET_MASK) < 0) {
			/* cannot mask within the bound: drop everything, leak nothing */
			mg_buf_reset(b);
			return -1;
		}
	}
	return 0;
}

void mg_secrets_release(struct mg_secrets *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->values[i]);
	free(s->values);
	s->values = NULL;
	s->n = s->alloc = 0;
}
