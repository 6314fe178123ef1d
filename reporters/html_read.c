/*
 * Evidence for the HTML report (html.h): JSON decisions and JUnit files,
 * and the history model.
 */
#include "setup.h"
#include "html.h"
#include "alloc.h"
#include "clock.h"
#include "fileio.h"
#include "json.h"
#include "junit.h"

#include <math.h>
#include <stdlib.h>

#define MAX_(a, b) ((a) > (b) ? (a) : (b))
/* grow array p (alloc elements) to hold n */
#define GROW(p, n, alloc)                                                          \
	do {                                                                       \
		if ((n) > (alloc)) {                                               \
			(alloc) = MAX_((n), (alloc)*2);                            \
			(p) = mg_xrealloc((p), mg_st_mult((alloc), sizeof(*(p)))); \
		}                                                                  \
	} while (0)

void mg_html_evidence_init(struct mg_html_evidence *ev)
{
	mg_result_init(&ev->result, "mlgate");
	ev->json = NULL;
	ev->njson = ev->json_alloc = 0;
}

void mg_html_evidence_release(struct mg_html_evidence *ev)
{
	mg_result_release(&ev->result);
	for (size_t i = 0; i < ev->njson; i++)
		free(ev->json[i]);
	free(ev->json);
	ev->json = NULL;
	ev->njson = ev->json_alloc = 0;
}

static enum mg_status status_of(const char *s)
{
	if (!strcmp(s, "passed"))
		return MG_STATUS_PASSED;
	if (!strcmp(s, "skipped"))
		return MG_STATUS_SKIPPED;
	if (!strcmp(s, "failed"))
		return MG_STATUS_FAILED;
	return MG_STATUS_ERROR;
}

/* A JSON decision (gate.h: mg_gate_json) as a suite, the way its JUnit would carry it. */
static int json_suite(const char *name, const char *data, size_t len, struct mg_html_evidence *ev,
                      struct mg_err *err)
{
	static const char *const props[][2] = {
	        {"mlgate.gate", "gate"},
	        {"mlgate.verdict", "verdict"},
	        {"mlgate.model", "model"},
	        {"mlgate.version", "version"},
	        {"mlgate.registry", "registry"},
	        {"mlgate.git.commit", "commit"},
	        {"mlgate.policy.sha256", "policy_sha256"},
	        {"mlgate.tool.version", "tool_version"},
	        {"mlgate.finished", "finished"},
	        {"mlgate.writeback", "writeback"},
	};
	cJSON *doc = mg_json_parse(data, len, name, MG_EXIT_USAGE, err);
	const cJSON *checks, *c;
	struct mg_suite *s;
	struct mg_buf sname = MG_BUF_INIT(MG_TEXT_NAME_MAX);
	struct mg_err ignored = MG_ERR_INIT;
	time_t t;

	if (!doc)
		return -1;
	if (!cJSON_IsObject(doc) || !*mg_json_str(doc, "gate") || !*mg_json_str(doc, "verdict")) {
		cJSON_Delete(doc);
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "'%s' is not a mlgate JSON decision (no gate and verdict)", name);
	}
	mg_buf_addf(&sname, "%s", mg_json_str(doc, "gate"));
	if (*mg_json_str(doc, "model"))
		mg_buf_addf(&sname, ": %s v%s", mg_json_str(doc, "model"),
		            mg_json_str(doc, "version"));
	s = mg_result_add_suite(&ev->result, sname.buf);
	for (size_t i = 0; i < MG_ARRAY_SIZE(props); i++)
		if (*mg_json_str(doc, props[i][1]))
			mg_suite_set_prop(s, props[i][0], mg_json_str(doc, props[i][1]));
	if (!mg_time_parse("started", mg_json_str(doc, "started"), &t, &ignored)) {
		s->timestamp = t;
		s->has_timestamp = true;
	}
	mg_err_clear(&ignored);
	checks = cJSON_GetObjectItemCaseSensitive(doc, "checks");
	cJSON_ArrayForEach(c, checks)
	{
		const char *msg = mg_json_str(c, "message"), *det = mg_json_str(c, "details");
		struct mg_check *k;

		if (!*mg_json_str(c, "id"))
			continue;
		k = mg_suite_add(s, mg_json_str(c, "id"), status_of(mg_json_str(c, "status")),
		                 *msg ? msg : NULL);
		if (*det)
			mg_check_set(&k->details, det);
	}
	GROW(ev->json, ev->njson + 1, ev->json_alloc);
	ev->json[ev->njson++] = mg_xstrndup(data, len);
	mg_buf_release(&sname);
	cJSON_Delete(doc);
	return 0;
}

int mg_html_read_mem(const char *name, const char *data, size_t len, struct mg_html_evidence *ev,
                     struct mg_err *err)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && strchr(" \t\r\n", data[i]))
		i++;
	if (i < len && data[i] == '{') {
		if (memchr(data, '\0', len))
			return mg_err_set(err, MG_EXIT_USAGE, "'%s' holds a NUL byte", name);
		return json_suite(name, data + i, len - i, ev, err);
	}
	return mg_junit_read_mem(name, data, len, &ev->result, err);
}

int mg_html_read(const char *path, size_t max_bytes, struct mg_html_evidence *ev,
                 struct mg_err *err)
{
	struct mg_buf b = MG_BUF_INIT(max_bytes ? max_bytes : MG_JUNIT_READ_MAX);
	int ret;

	if (mg_file_read(path, &b, err)) {
		mg_buf_release(&b);
		/* unreadable evidence is the user's to fix */
		err->code = MG_EXIT_USAGE;
		return -1;
	}
	ret = mg_html_read_mem(path, b.buf, b.len, ev, err);
	mg_buf_release(&b);
	return ret;
}

int mg_html_generated(time_t *out, struct mg_err *err)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!e || !*e) {
		*out = time(NULL);
		return 0;
	}
	errno = 0;
	v = strtoll(e, &end, 10);
	if (errno || *end || v < 0 || e[0] == '-' || e[0] == '+' || e[0] == ' ')
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "SOURCE_DATE_EPOCH='%.32s' is not a whole number of seconds", e);
	*out = (time_t)v;
	return 0;
}

/* --- history ---------------------------------------------------------------- */

void mg_html_history_init(struct mg_html_history *h, const char *model)
{
	memset(h, 0, sizeof(*h));
	h->model = mg_xstrdup(model ? model : "");
}

void mg_html_history_release(struct mg_html_history *h)
{
	for (size_t i = 0; i < h->nversions; i++) {
		free(h->versions[i].version);
		free(h->versions[i].stage);
		free(h->versions[i].values);
	}
	for (size_t i = 0; i < h->nmetrics; i++)
		free(h->metrics[i]);
	free(h->versions);
	free(h->metrics);
	free(h->model);
	memset(h, 0, sizeof(*h));
	h->model = NULL;
}

size_t mg_html_history_add_version(struct mg_html_history *h, const char *version,
                                   const char *stage, bool production)
{
	struct mg_html_hversion *v;

	GROW(h->versions, h->nversions + 1, h->versions_alloc);
	v = &h->versions[h->nversions];
	memset(v, 0, sizeof(*v));
	v->version = mg_xstrdup(version);
	v->stage = mg_xstrdup(stage ? stage : "");
	v->production = production;
	return h->nversions++;
}

size_t mg_html_history_metric(struct mg_html_history *h, const char *name)
{
	for (size_t i = 0; i < h->nmetrics; i++)
		if (!strcmp(h->metrics[i], name))
			return i;
	GROW(h->metrics, h->nmetrics + 1, h->metrics_alloc);
	h->metrics[h->nmetrics] = mg_xstrdup(name);
	return h->nmetrics++;
}

void mg_html_history_set(struct mg_html_history *h, size_t version, size_t metric, double v)
{
	struct mg_html_hversion *hv = &h->versions[version];

	if (metric >= hv->nvalues) {
		size_t n = MAX_(metric + 1, h->nmetrics);

		hv->values = mg_xrealloc(hv->values, n * sizeof(double));
		for (size_t i = hv->nvalues; i < n; i++)
			hv->values[i] = NAN;
		hv->nvalues = n;
	}
	hv->values[metric] = v;
}

double mg_html_history_get(const struct mg_html_history *h, size_t version, size_t metric)
{
	const struct mg_html_hversion *hv = &h->versions[version];

	return metric < hv->nvalues ? hv->values[metric] : NAN;
}
