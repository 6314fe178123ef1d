/* The compare gate's outputs: --results rows, --log-experiment, the JSON and Markdown hooks. */
#include "setup.h"
#include "compare_run.h"
#include "compare_sample.h"
#include "alloc.h"
#include "chart.h"
#include "json.h"
#include "markdown.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <unistd.h>

/* --- outputs -------------------------------------------------------------------- */

static const char *side_version(const struct side *s)
{
	return s->have_mv ? s->mv.version : "none";
}

const char *cmp_side_run(const struct side *s)
{
	return s->have_run ? s->run.run_id : "";
}

/* The run a side's value of `metric` came from. */
static const char *metric_run(const struct side *s, const char *metric)
{
	const char *r = mg_kvlist_get(&s->from, metric);

	return r ? r : cmp_side_run(s);
}

static void cell_num(struct mg_buf *out, bool have, double v)
{
	if (have)
		mg_compare_num(out, v);
	else
		mg_buf_adds(out, "missing");
}

static const char *source_text(const struct compare *c)
{
	if (strcmp(c->source, "model_metrics"))
		return "latest value of each metric on the version's run";
	return c->dataset ? "latest value of each metric logged to the version's LoggedModel "
	                    "(MLflow 3 model metrics) for dataset compare.model_metrics_dataset"
	                  : "latest value of each metric logged to the version's LoggedModel "
	                    "(MLflow 3 model metrics)";
}

/* --results: one row per metric, appended with a single write (O_APPEND). */
/* One column of a --results row: a string, a number, or nothing (CSV "", JSON null). */
struct rfield {
	const char *name;
	const char *s; /* the string, or NULL */
	bool num;      /* no string: the number d */
	double d;
};

#define RESULT_FIELDS 15

/* The row for metric `m`, in the documented column order (docs/policy.md, --results). */
static void result_row(const struct compare *c, const struct metric *m, const char *verdict,
                       const char *finished, const char *rule_text, struct rfield f[RESULT_FIELDS])
{
	const struct rfield row[RESULT_FIELDS] = {
	        {"finished", finished, false, 0},
	        {"model", c->cand.mv.name, false, 0},
	        {"metric", m->r.name, false, 0},
	        {"candidate_version", c->cand.mv.version, false, 0},
	        {"candidate_run", metric_run(&c->cand, m->r.name), false, 0},
	        {"candidate", NULL, m->have_c, m->c},
	        {"baseline_version", side_version(&c->base), false, 0},
	        {"baseline_run", metric_run(&c->base, m->r.name), false, 0},
	        {"baseline", NULL, m->have_b && !c->first, m->b},
	        {"delta", NULL, cmp_have_delta(c, m), m->d},
	        {"rule", rule_text, false, 0},
	        {"verdict", mg_status_name(m->st), false, 0},
	        {"metric_source", c->source, false, 0},
	        {"gate_verdict", verdict, false, 0},
	        {"first_deployment", c->first ? c->first_mode : NULL, false, 0},
	};

	memcpy(f, row, sizeof(row));
}

static void result_csv(struct mg_buf *rows, const struct rfield f[RESULT_FIELDS], bool head)
{
	for (size_t j = 0; j < RESULT_FIELDS; j++) {
		char nb[MG_DOUBLE_LEN];

		if (j)
			mg_buf_addch(rows, ',');
		mg_csv_field(rows, head       ? f[j].name
		                   : f[j].s   ? f[j].s
		                   : f[j].num ? mg_compare_num_str(f[j].d, nb)
		                              : "");
	}
	mg_buf_adds(rows, "\r\n");
}

static void result_json(struct mg_buf *rows, const struct rfield f[RESULT_FIELDS])
{
	cJSON *o = cJSON_CreateObject();
	char *t;

	for (size_t j = 0; j < RESULT_FIELDS; j++) {
		if (f[j].s)
			cJSON_AddStringToObject(o, f[j].name, f[j].s);
		else if (f[j].num)
			mg_json_add_double(o, f[j].name, f[j].d);
		else
			cJSON_AddNullToObject(o, f[j].name);
	}
	t = mg_json_print(o);
	mg_buf_adds(rows, t);
	mg_buf_addch(rows, '\n');
	free(t);
	cJSON_Delete(o);
}

/* Append every byte of `b` to `fd` and sync it. */
static int append_all(int fd, const char *path, const struct mg_buf *b, struct mg_err *err)
{
	for (size_t off = 0; off < b->len;) {
		ssize_t n = write(fd, b->buf + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return mg_err_set(err, MG_EXIT_INFRA, "cannot append to '%s': %s", path,
			                  n < 0 ? strerror(errno) : "short write");
		off += (size_t)n;
	}
	if (fsync(fd) && errno != EINVAL)
		return mg_err_set(err, MG_EXIT_INFRA, "cannot sync '%s': %s", path,
		                  strerror(errno));
	return 0;
}

/*
 * --results: one row per metric appended to a CSV file (a header when the
 * file is new) or a JSON Lines file, from one field table.
 */
int cmp_write_results(struct compare *c, const char *verdict, const char *finished,
                      struct mg_err *err)
{
	const char *path = c->o->results;
	size_t len = strlen(path);
	bool csv = len >= 4 && !strcmp(path + len - 4, ".csv");
	struct mg_buf rows = MG_BUF_INIT(MG_BUF_LARGE), rt = MG_BUF_INIT(MG_BUF_SMALL);
	bool created = false;
	int fd, ret = -1;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0)
		created = true;
	else if (errno == EEXIST)
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* a dangling symbolic link (O_EXCL refuses every link): create its target */
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		created = fd >= 0;
	}
	if (fd < 0) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot open '%s' for appending: %s", path,
		           strerror(errno));
		goto done;
	}
	for (size_t i = 0; i < c->nm; i++) {
		struct rfield f[RESULT_FIELDS];

		mg_buf_reset(&rt);
		mg_compare_rule_text(&c->m[i].r, &rt);
		result_row(c, &c->m[i], verdict, finished, rt.buf, f);
		if (csv && created && !i)
			result_csv(&rows, f, true);
		if (csv)
			result_csv(&rows, f, false);
		else
			result_json(&rows, f);
	}
	if (mg_buf_overflowed(&rows)) {
		mg_err_set(err, MG_EXIT_INFRA, "the rows for '%s' are too large", path);
		goto done;
	}
	mg_secrets_redact(&c->ctx->secrets, &rows);
	if (append_all(fd, path, &rows, err))
		goto done;
	ret = 0;
done:
	if (fd >= 0 && close(fd) && !ret) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot close '%s': %s", path, strerror(errno));
		ret = -1;
	}
	mg_buf_release(&rows);
	mg_buf_release(&rt);
	return ret;
}

/* MLflow takes at most 1000 metrics per log-batch request. */
#define LOG_BATCH_METRICS 999

/* --log-experiment: the comparison as an MLflow run. */
int cmp_log_experiment(struct compare *c, const char *verdict, struct mg_writes *writes,
                       struct mg_err *err)
{
	struct mg_kvlist tags = MG_KVLIST_INIT, params = MG_KVLIST_INIT;
	struct mg_metriclist ml = MG_METRICLIST_INIT;
	struct mg_buf name = MG_BUF_INIT(MG_BUF_SMALL), key = MG_BUF_INIT(MG_BUF_SMALL);
	char *exp_id = NULL;
	int64_t now = (int64_t)time(NULL) * 1000;
	int ret = -1;

	mg_buf_addf(&name, "compare %s v%s vs %s", c->cand.mv.name, c->cand.mv.version,
	            c->first ? "none" : c->base.mv.version);
	if (writes->dry_run) {
		ret = mg_writes_record(writes, 0, NULL, "would log run '%s' to experiment '%s'",
		                       name.buf, c->o->log_experiment);
		goto done;
	}
	if (mg_registry_experiment_id(c->reg, c->o->log_experiment, true, &exp_id, err))
		goto done;
	mg_kvlist_set(&tags, "mlgate.gate", "compare");
	mg_kvlist_set(&tags, "mlgate.verdict", verdict);
	if (mg_registry_create_run(c->reg, exp_id, name.buf, &tags, &c->exp_run_id, err))
		goto done;
	mg_kvlist_set(&params, "model", c->cand.mv.name);
	mg_kvlist_set(&params, "candidate_version", c->cand.mv.version);
	mg_kvlist_set(&params, "baseline_version", side_version(&c->base));
	mg_kvlist_set(&params, "candidate_run", cmp_side_run(&c->cand));
	mg_kvlist_set(&params, "baseline_run", c->first ? "none" : cmp_side_run(&c->base));
	mg_kvlist_set(&params, "metric_source", c->source);
	mg_kvlist_set(&params, "verdict", verdict);
	if (c->first)
		mg_kvlist_set(&params, "first_deployment", c->first_mode);
	for (size_t i = 0; i < c->nm; i++) {
		const struct metric *m = &c->m[i];

		if (ml.n + 3 > LOG_BATCH_METRICS) {
			if (mg_registry_log_batch(c->reg, c->exp_run_id, &params, &ml, NULL, err))
				goto done;
			mg_metriclist_release(&ml);
			mg_kvlist_release(&params);
		}
		if (m->have_c) {
			mg_buf_reset(&key);
			mg_buf_addf(&key, "candidate.%s", m->r.name);
			mg_metriclist_add(&ml, key.buf, m->c, now, 0);
		}
		if (m->have_b && !c->first) {
			mg_buf_reset(&key);
			mg_buf_addf(&key, "baseline.%s", m->r.name);
			mg_metriclist_add(&ml, key.buf, m->b, now, 0);
		}
		if (cmp_have_delta(c, m)) {
			mg_buf_reset(&key);
			mg_buf_addf(&key, "delta.%s", m->r.name);
			mg_metriclist_add(&ml, key.buf, m->d, now, 0);
		}
	}
	if (mg_registry_log_batch(c->reg, c->exp_run_id, &params, &ml, NULL, err))
		goto done;
	if (mg_registry_end_run(c->reg, c->exp_run_id, "FINISHED", err))
		goto done;
	ret = mg_writes_record(writes, 0, NULL, "logged run %s to experiment '%s'", c->exp_run_id,
	                       c->o->log_experiment);
done:
	if (ret)
		mg_writes_record(writes, ret, err, "log run '%s' to experiment '%s'%s%s%s",
		                 name.buf, c->o->log_experiment, c->exp_run_id ? " (run " : "",
		                 c->exp_run_id ? c->exp_run_id : "",
		                 c->exp_run_id ? " created, not finished)" : "");
	free(exp_id);
	mg_kvlist_release(&tags);
	mg_kvlist_release(&params);
	mg_metriclist_release(&ml);
	mg_buf_release(&name);
	mg_buf_release(&key);
	return ret;
}

/* The compare-specific part of the JSON decision, added to the common one. */
void cmp_json_extra(void *arg, cJSON *doc)
{
	const struct compare *c = arg;
	struct mg_buf rt = MG_BUF_INIT(MG_BUF_SMALL);
	cJSON *o, *side, *arr;

	o = cJSON_AddObjectToObject(doc, "compare");
	cJSON_AddStringToObject(o, "metric_source", c->source);
	cJSON_AddStringToObject(o, "metric_source_text", source_text(c));
	if (c->dataset)
		cJSON_AddStringToObject(o, "model_metrics_dataset", c->dataset);
	cJSON_AddStringToObject(o, "first_deployment_policy", c->first_mode);
	cJSON_AddBoolToObject(o, "first_deployment", c->first);
	side = cJSON_AddObjectToObject(o, "candidate");
	cJSON_AddStringToObject(side, "selector", c->cand.selector);
	cJSON_AddStringToObject(side, "version", side_version(&c->cand));
	cJSON_AddStringToObject(side, "run_id", cmp_side_run(&c->cand));
	if (c->cand.model_id)
		cJSON_AddStringToObject(side, "model_id", c->cand.model_id);
	side = cJSON_AddObjectToObject(o, "baseline");
	cJSON_AddStringToObject(side, "selector", c->base.selector);
	cJSON_AddStringToObject(side, "version", side_version(&c->base));
	cJSON_AddStringToObject(side, "run_id", cmp_side_run(&c->base));
	if (c->base.model_id)
		cJSON_AddStringToObject(side, "model_id", c->base.model_id);
	if (c->exp_run_id)
		cJSON_AddStringToObject(o, "experiment_run_id", c->exp_run_id);
	mg_compare_sample_json(c->smp, o);
	arr = cJSON_AddArrayToObject(o, "metrics");
	for (size_t i = 0; i < c->nm; i++) {
		const struct metric *m = &c->m[i];
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "name", m->r.name);
		cJSON_AddStringToObject(e, "id", m->id);
		if (m->have_c)
			mg_json_add_double(e, "candidate", m->c);
		else
			cJSON_AddNullToObject(e, "candidate");
		if (m->have_b && !c->first)
			mg_json_add_double(e, "baseline", m->b);
		else
			cJSON_AddNullToObject(e, "baseline");
		if (cmp_have_delta(c, m))
			mg_json_add_double(e, "delta", m->d);
		else
			cJSON_AddNullToObject(e, "delta");
		mg_buf_reset(&rt);
		mg_compare_rule_text(&m->r, &rt);
		cJSON_AddStringToObject(e, "candidate_run", metric_run(&c->cand, m->r.name));
		cJSON_AddStringToObject(e, "baseline_run",
		                        c->first ? "" : metric_run(&c->base, m->r.name));
		cJSON_AddStringToObject(e, "rule", rt.buf);
		cJSON_AddStringToObject(e, "verdict", mg_status_name(m->st));
		if (!c->first)
			mg_compare_sample_json_metric(c->smp, i, e);
		cJSON_AddItemToArray(arr, e);
	}
	mg_buf_release(&rt);
}

/* The table as a text chart too: a step summary shows Markdown, not SVG (chart.h). */
static void md_bars(struct mg_md *md, const struct compare *c)
{
	struct mg_chart_compare *b = mg_xcalloc(c->nm + 1, sizeof(*b));
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL * 4);

	for (size_t i = 0; i < c->nm; i++) {
		const struct metric *m = &c->m[i];

		b[i].metric = m->r.name;
		b[i].candidate = m->have_c ? m->c : NAN;
		b[i].baseline = !c->first && m->have_b ? m->b : NAN;
		b[i].threshold = m->r.has_threshold ? m->r.threshold : NAN;
		b[i].verdict = mg_status_name(m->st);
	}
	mg_chart_text_bars(b, c->nm, &out);
	if (out.len && !mg_buf_overflowed(&out))
		mg_md_raw(md, out.buf);
	mg_buf_release(&out);
	free(b);
}

static void md_extra(struct mg_md *md, const void *arg);

/* The gate's summary sections: the comparison as a table (md_extra), then as a text chart. */
void cmp_md_summary(struct mg_md *md, const void *arg)
{
	const struct compare *c = arg;

	md_extra(md, arg);
	if (c->evaluated)
		md_bars(md, c);
}

static void md_extra(struct mg_md *md, const void *arg)
{
	const struct compare *c = arg;
	struct mg_buf t = MG_BUF_INIT(MG_BUF_SMALL);
	const char *head[] = {"metric", "production", "candidate", "delta", "rule", "verdict"};

	if (c->evaluated) {
		mg_md_heading(md, 3, "Candidate vs production");
		mg_buf_addf(&t, "Candidate: model %s version %s (%s), run %s. ", c->cand.mv.name,
		            c->cand.mv.version, c->cand.selector,
		            c->cand.have_run ? c->cand.run.run_id : "none");
		if (c->first)
			mg_buf_addf(&t,
			            "Production: none (%s) — first deployment, policy "
			            "first_deployment=%s. ",
			            c->base.absent, c->first_mode);
		else
			mg_buf_addf(&t, "Production: version %s (%s), run %s. ", c->base.mv.version,
			            c->base.selector,
			            c->base.have_run ? c->base.run.run_id : "none");
		if (c->cand.model_id)
			mg_buf_addf(&t, "Candidate logged model: %s. ", c->cand.model_id);
		if (!c->first && c->base.model_id)
			mg_buf_addf(&t, "Production logged model: %s. ", c->base.model_id);
		mg_buf_addf(&t, "Metric source: %s%s%s.", source_text(c), c->dataset ? " = " : "",
		            c->dataset ? c->dataset : "");
		mg_md_para(md, t.buf);
		mg_md_table_head(md, 6, head);
		for (size_t i = 0; i < c->nm; i++) {
			const struct metric *m = &c->m[i];
			struct mg_buf p = MG_BUF_INIT(256), cv = MG_BUF_INIT(256),
			              d = MG_BUF_INIT(256), rt = MG_BUF_INIT(MG_BUF_SMALL);
			const char *row[6];

			if (c->first)
				mg_buf_adds(&p, "none");
			else
				cell_num(&p, m->have_b, m->b);
			cell_num(&cv, m->have_c, m->c);
			if (cmp_have_delta(c, m)) {
				mg_buf_adds(&d, m->d > 0 ? "+" : "");
				mg_compare_num(&d, m->d);
			} else {
				mg_buf_adds(&d, "—");
			}
			mg_compare_rule_text(&m->r, &rt);
			row[0] = m->r.name;
			row[1] = p.buf;
			row[2] = cv.buf;
			row[3] = d.buf;
			row[4] = rt.buf;
			row[5] = mg_md_status(m->st);
			mg_md_table_row(md, 6, row);
			mg_buf_release(&p);
			mg_buf_release(&cv);
			mg_buf_release(&d);
			mg_buf_release(&rt);
		}
		if (!c->first)
			mg_compare_sample_md(c->smp, md);
	}
	mg_buf_release(&t);
}
