/*
 * mlgate-smoke: run a suite of smoke cases and publish one JUnit suite.
 *
 * Cases run on worker threads (-j); each case's processes live in their
 * own process group (lib/proc.h), so a timeout or the end of the suite
 * kills everything a case started. Results are collected per case and
 * turned into checks in suite order, so the report does not depend on
 * scheduling.
 */
#include "setup.h"
#include "smoke.h"
#include "text.h"
#include "smoke_case.h"
#include "smoke_contract.h"
#include "alloc.h"
#include "clock.h"
#include "csvstream.h"
#include "fileio.h"
#include "gate.h"
#include "http.h"
#include "json.h"
#include "junit.h"
#include "proc.h"
#include "report.h"
#include "result.h"

#include <fnmatch.h>
#include <dirent.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Schema ------------------------------------------------------------------ */

static const char *const kinds[] = {"command", "data", "predict-batch", "predict-http", NULL};
static const struct mg_schema kind_schema = {.type = MG_SCHEMA_STRING, .choices = kinds};
static const struct mg_schema argv_schema = {
        .type = MG_SCHEMA_ARRAY, .items = &mg_schema_string, .nonempty = true};
static const struct mg_schema env_schema = {.type = MG_SCHEMA_MAP, .items = &mg_schema_string};
static const struct mg_schema seconds = {
        .type = MG_SCHEMA_NUMBER, .ranged = true, .min = 0.001, .max = 86400};
static const struct mg_schema exit_code = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 0, .max = 255};
static const struct mg_schema fraction = {
        .type = MG_SCHEMA_NUMBER, .ranged = true, .min = 0, .max = 1};
static const struct mg_schema count_1 = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 1000000};
static const struct mg_schema range_schema = {.type = MG_SCHEMA_ARRAY, .items = &mg_schema_number};
static const struct mg_schema millis = {
        .type = MG_SCHEMA_NUMBER, .ranged = true, .min = 0, .max = 3600000};
static const struct mg_schema any = {.type = MG_SCHEMA_ANY};
static const struct mg_schema nonneg = {
        .type = MG_SCHEMA_NUMBER, .ranged = true, .min = 0, .max = 1e300};

static const struct mg_schema_field expect_fields[] = {
        {"rows", &any, false},  /* "input" or a number (predict-batch) */
        {"count", &any, false}, /* "input" or a number (predict-http) */
        {"columns", &mg_contract_columns_schema, false},
        {"unique", &mg_schema_string_list, false},
        {"max_null_fraction", &fraction, false},
        {"range", &range_schema, false},
        {"p50_ms", &millis, false},
        {"p95_ms", &millis, false},
        {"golden", &mg_schema_nonempty_string, false},
        {"atol", &nonneg, false},
        {"rtol", &nonneg, false},
        {NULL, NULL, false},
};
static const struct mg_schema expect_schema = {.type = MG_SCHEMA_OBJECT, .fields = expect_fields};

static const struct mg_schema_field case_fields[] = {
        {"name", &mg_schema_name, true},
        {"kind", &kind_schema, true},
        {"skip", &mg_schema_nonempty_string, false},
        {"run", &argv_schema, false},
        {"shell", &mg_schema_bool, false},
        {"cwd", &mg_schema_nonempty_string, false},
        {"env", &env_schema, false},
        {"timeout_s", &seconds, false},
        {"exit_code", &exit_code, false},
        {"junit", &mg_schema_nonempty_string, false},
        {"path", &mg_schema_nonempty_string, false},
        {"columns", &mg_contract_columns_schema, false},
        {"unique", &mg_schema_string_list, false},
        {"max_null_fraction", &fraction, false},
        {"rows", &mg_contract_rows_schema, false},
        {"input", &mg_schema_nonempty_string, false},
        {"output", &mg_schema_nonempty_string, false},
        {"expect", &expect_schema, false},
        {"url", &mg_schema_nonempty_string, false},
        {"batch_size", &count_1, false},
        {"requests", &count_1, false},
        {"health_path", &mg_schema_string, false},
        {"health_timeout_s", &seconds, false},
        {NULL, NULL, false},
};
static const struct mg_schema case_schema = {.type = MG_SCHEMA_OBJECT, .fields = case_fields};
static const struct mg_schema cases_schema = {
        .type = MG_SCHEMA_ARRAY, .items = &case_schema, .nonempty = true};
static const struct mg_schema jobs_schema = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 256};
static const struct mg_schema_field smoke_fields[] = {
        {"cases", &cases_schema, true},
        {"sample", &mg_schema_nonempty_string, false},
        {"timeout_s", &seconds, false},
        {"jobs", &jobs_schema, false},
        {NULL, NULL, false},
};
static const struct mg_schema smoke_schema = {.type = MG_SCHEMA_OBJECT, .fields = smoke_fields};

const struct mg_schema *mg_smoke_policy_schema(void)
{
	return &smoke_schema;
}

/* The keys each kind takes besides name, kind and skip; and the one it needs. */
static const struct {
	const char *kind;
	const char *keys;
	const char *required;
} kind_keys[] = {
        {"command", " run shell cwd env timeout_s exit_code junit ", "run"},
        {"data", " path columns unique max_null_fraction rows ", "path"},
        {"predict-batch", " run shell cwd env timeout_s exit_code input output expect ", "run"},
        {"predict-http",
         " url input expect batch_size requests health_path health_timeout_s timeout_s ", "url"},
};

/* Variables ----------------------------------------------------------------- */

int mg_smoke_expand(const char *in, const struct mg_smoke_vars *v, const char *what,
                    struct mg_buf *out, struct mg_err *err)
{
	static const char *const names[] = {"{sample}", "{out}", "{model_uri}", "{suite_dir}"};
	const char *vals[] = {v->sample, v->out, v->model_uri, v->suite_dir};

	while (*in) {
		size_t k;

		if (*in != '{') {
			mg_buf_addch(out, *in++);
			continue;
		}
		for (k = 0; k < 4; k++)
			if (!strncmp(in, names[k], strlen(names[k])))
				break;
		if (k == 4) {
			mg_buf_addch(out, *in++);
			continue;
		}
		if (!vals[k])
			return mg_err_set(err, MG_EXIT_USAGE, "%s: %s has no value%s", what,
			                  names[k],
			                  k == 0 ? " (give the suite a \"sample\" or use --sample)"
			                  : k == 2 ? " (use --model-uri, or --model with --version)"
			                           : "");
		mg_buf_adds(out, vals[k]);
		in += strlen(names[k]);
	}
	if (mg_buf_overflowed(out))
		return mg_err_set(err, MG_EXIT_USAGE, "%s: too long after expansion", what);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double mg_smoke_percentile(double *ms, size_t n, double p)
{
	size_t rank;

	if (!n)
		return 0;
	qsort(ms, n, sizeof(*ms), cmp_double);
	/* ceil(p/100 * n) without libm */
	{
		double x = p / 100.0 * (double)n;

		rank = (size_t)x;
		if ((double)rank < x)
			rank++;
	}
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return ms[rank - 1];
}

/* Cases ------------------------------------------------------------------- */

void mg_smoke_set_status(struct scase *c, enum mg_status st, const char *fmt, ...)
{
	va_list ap;

	if (st < c->status)
		return;
	if (st > c->status)
		mg_buf_reset(&c->msg);
	c->status = st;
	if (c->msg.len)
		mg_buf_adds(&c->msg, "; ");
	va_start(ap, fmt);
	mg_buf_vaddf(&c->msg, fmt, ap);
	va_end(ap);
}

/* Seconds left before the suite's deadline; a large number when there is none. */
double mg_smoke_suite_left(const struct runner *r)
{
	if (r->suite_timeout <= 0)
		return 1e9;
	return r->suite_timeout - mg_clock_since(r->start_ns);
}

double mg_smoke_case_timeout(const struct runner *r, const cJSON *j, double dflt, bool *by_suite)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "timeout_s");
	double want = cJSON_IsNumber(t) ? t->valuedouble : dflt;
	double left = mg_smoke_suite_left(r);

	*by_suite = left < want;
	return *by_suite ? left : want;
}

char *mg_smoke_expand_dup(const char *in, const struct mg_smoke_vars *v, const char *what,
                          struct mg_err *err)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	if (mg_smoke_expand(in, v, what, &b, err)) {
		mg_buf_release(&b);
		return NULL;
	}
	return mg_buf_take(&b, NULL);
}

static void free_vec(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Run the case's "run" command; true when it ran and exited as expected. */
static bool run_command(struct runner *r, struct scase *c, const struct mg_smoke_vars *v)
{
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(c->j, "run");
	const cJSON *envj = cJSON_GetObjectItemCaseSensitive(c->j, "env");
	const cJSON *cwdj = cJSON_GetObjectItemCaseSensitive(c->j, "cwd");
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(c->j, "exit_code");
	bool shell = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->j, "shell"));
	int want = cJSON_IsNumber(ec) ? ec->valueint : 0;
	size_t n = (size_t)cJSON_GetArraySize(run), k = 0;
	char **argv = mg_xcalloc(n + 3, sizeof(*argv));
	char **env = mg_xcalloc((size_t)cJSON_GetArraySize(envj) + 1, sizeof(*env));
	char *cwd = NULL;
	struct mg_proc_spec spec = {0};
	struct mg_proc_result res;
	struct mg_err err = MG_ERR_INIT;
	const cJSON *it;
	bool by_suite, ok = false;

	mg_proc_result_init(&res);
	if (shell) {
		argv[k++] = mg_xstrdup("/bin/sh");
		argv[k++] = mg_xstrdup("-c");
	}
	cJSON_ArrayForEach(it, run)
	{
		if (!(argv[k++] = mg_smoke_expand_dup(it->valuestring, v, "run", &err)))
			goto done;
	}
	k = 0;
	cJSON_ArrayForEach(it, envj)
	{
		struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

		mg_buf_addf(&b, "%s=", it->string);
		if (mg_smoke_expand(it->valuestring, v, "env", &b, &err)) {
			mg_buf_release(&b);
			goto done;
		}
		env[k++] = mg_buf_take(&b, NULL);
	}
	if (cJSON_IsString(cwdj) && !(cwd = mg_smoke_expand_dup(cwdj->valuestring, v, "cwd", &err)))
		goto done;
	spec.argv = (const char *const *)argv;
	spec.env_add = (const char *const *)env;
	spec.cwd = cwd;
	spec.timeout_s = mg_smoke_case_timeout(r, c->j, 600, &by_suite);
	if (spec.timeout_s <= 0) {
		mg_smoke_set_status(c, MG_STATUS_ERROR, "not started: the suite's timeout passed");
		goto out;
	}
	if (mg_proc_run(&spec, &res, &err))
		goto done;
	mg_buf_add(&c->out, res.out.buf, res.out.len);
	mg_buf_add(&c->err, res.err.buf, res.err.len);
	if (res.timed_out && by_suite)
		mg_smoke_set_status(c, MG_STATUS_ERROR,
		                    "killed after %.3g s: the suite's timeout passed",
		                    spec.timeout_s);
	else if (res.timed_out)
		mg_smoke_set_status(c, MG_STATUS_FAILED,
		                    "timed out after %.3g s (process group killed)",
		                    spec.timeout_s);
	else if (!res.exited)
		mg_smoke_set_status(c, MG_STATUS_FAILED, "killed by signal %d", res.signal);
	else if (res.exit_code != want)
		mg_smoke_set_status(c, MG_STATUS_FAILED, "exit code %d, expected %d", res.exit_code,
		                    want);
	else
		ok = true;
	if (ok)
		mg_smoke_set_status(c, MG_STATUS_PASSED, "exit code %d in %.3f s", res.exit_code,
		                    res.duration);
	goto out;
done:
	mg_smoke_set_status(c, MG_STATUS_ERROR, "%s", err.msg);
out:
	mg_proc_result_release(&res);
	free_vec(argv);
	free_vec(env);
	free(cwd);
	return ok;
}

static void import_junit(struct scase *c, const struct mg_smoke_vars *v, bool ran)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(c->j, "junit");
	struct mg_err err = MG_ERR_INIT;
	struct mg_counts cnt;
	char *path;

	if (!cJSON_IsString(j))
		return;
	if (!(path = mg_smoke_expand_dup(j->valuestring, v, "junit", &err))) {
		mg_smoke_set_status(c, MG_STATUS_ERROR, "%s", err.msg);
		return;
	}
	mg_result_init(&c->children, "children");
	c->has_children = true;
	if (access(path, F_OK) && !ran)
		goto out; /* the command failed before writing it: its failure says enough */
	if (mg_junit_read(path, 0, &c->children, &err)) {
		mg_smoke_set_status(c, MG_STATUS_ERROR,
		                    "cannot import the command's JUnit file: %s", err.msg);
		goto out;
	}
	mg_result_counts(&c->children, &cnt);
	if (cnt.failures || cnt.errors)
		mg_smoke_set_status(c, MG_STATUS_FAILED, "%zu of %zu imported %s failed",
		                    cnt.failures + cnt.errors, cnt.tests,
		                    mg_plural(cnt.tests, "test", "tests"));
out:
	free(path);
}

static void report_contract(struct scase *c, struct mg_contract *k, const char *what)
{
	if (!k->violations)
		return;
	mg_smoke_set_status(c, MG_STATUS_FAILED, "%s: %" PRIu64 " %s; first: %.*s", what,
	                    k->violations, mg_plural(k->violations, "violation", "violations"),
	                    (int)strcspn(k->report.buf, "\n"), k->report.buf);
	mg_buf_add(&c->details, k->report.buf, k->report.len);
	if (k->violations > MG_CONTRACT_REPORT_MAX)
		mg_buf_addf(&c->details, "... and %" PRIu64 " more\n",
		            k->violations - MG_CONTRACT_REPORT_MAX);
}

static void case_data(struct runner *r, struct scase *c, const struct mg_smoke_vars *v)
{
	struct mg_contract k;
	struct mg_err err = MG_ERR_INIT;
	char *path = NULL;

	(void)r;
	if (mg_contract_init(&k, c->j, c->name, &err))
		goto fail;
	path = mg_smoke_expand_dup(mg_json_str(c->j, "path"), v, "path", &err);
	if (!path || mg_contract_check_file(&k, path, &err))
		goto fail;
	report_contract(c, &k, path);
	mg_smoke_set_status(c, MG_STATUS_PASSED, "%" PRIu64 " %s checked", k.rows,
	                    mg_plural(k.rows, "row", "rows"));
	goto out;
fail:
	/* unreadable: could not be evaluated; malformed CSV: the data broke its contract */
	mg_smoke_set_status(c,
	                    err.reason == MG_REASON_NOT_FOUND || err.code != MG_EXIT_USAGE || !path
	                            ? MG_STATUS_ERROR
	                            : MG_STATUS_FAILED,
	                    "%s", err.msg);
out:
	mg_contract_release(&k);
	free(path);
}

/* The input file of a predict case: "input", else {sample}. */
char *mg_smoke_input_path(const struct scase *c, const struct mg_smoke_vars *v, struct mg_err *err)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(c->j, "input");

	return mg_smoke_expand_dup(cJSON_IsString(in) ? in->valuestring : "{sample}", v, "input",
	                           err);
}

/* expect.rows / expect.count: "input" (default) or a number; -1 on a bad value. */
long long mg_smoke_expected_count(const cJSON *expect, const char *key, uint64_t input_rows)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(expect, key);

	if (!x || (cJSON_IsString(x) && !strcmp(x->valuestring, "input")))
		return (long long)input_rows;
	if (cJSON_IsNumber(x) && x->valuedouble >= 0 && x->valuedouble < 1e15 &&
	    x->valuedouble == (double)(long long)x->valuedouble)
		return (long long)x->valuedouble;
	return -1;
}

/* Golden-file agreement: the golden file's columns, all numeric, held in memory. */
#define GOLDEN_MAX_VALUES ((size_t)16 << 20)

struct golden {
	const char *path;
	size_t ncols;
	char **names;
	long *out_idx; /* column of each golden column in the output; -1 before the header */
	double *v;     /* row-major values */
	size_t n, alloc;
	uint64_t rows;
	/* comparison pass */
	double atol, rtol;
	uint64_t row, mismatches;
	struct mg_buf report;
};

static int golden_load_row(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                           struct mg_err *err)
{
	struct golden *g = arg;

	if (row == 1) {
		g->ncols = n;
		g->names = mg_xcalloc(n + 1, sizeof(*g->names));
		for (size_t i = 0; i < n; i++)
			g->names[i] = mg_xstrdup(f[i].s);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		char *end;
		double d;

		if (g->n == g->alloc) {
			if (g->alloc >= GOLDEN_MAX_VALUES)
				return mg_err_set(err, MG_EXIT_USAGE,
				                  "'%s': more than %zu values in a golden file",
				                  g->path, GOLDEN_MAX_VALUES);
			g->alloc = g->alloc ? g->alloc * 2 : 1024;
			g->v = mg_xrealloc(g->v, g->alloc * sizeof(*g->v));
		}
		errno = 0;
		d = strtod(f[i].s, &end);
		if (!f[i].len || *end || errno)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "'%s': row %" PRIu64
			                  ", column %zu: golden values must be "
			                  "numbers, not '%.40s'",
			                  g->path, row, i + 1, f[i].s);
		g->v[g->n++] = d;
	}
	g->rows++;
	return 0;
}

static int golden_cmp_row(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                          struct mg_err *err)
{
	struct golden *g = arg;

	if (row == 1) {
		g->out_idx = mg_xcalloc(g->ncols, sizeof(long));
		for (size_t i = 0; i < g->ncols; i++) {
			g->out_idx[i] = -1;
			for (size_t k = 0; k < n; k++)
				if (!strcmp(f[k].s, g->names[i]))
					g->out_idx[i] = (long)k;
			if (g->out_idx[i] < 0)
				return mg_err_set(err, MG_EXIT_USAGE,
				                  "golden column '%s' is not in the output",
				                  g->names[i]);
		}
		return 0;
	}
	if (g->row >= g->rows)
		return 0; /* the row count check says it */
	for (size_t i = 0; i < g->ncols; i++) {
		double want = g->v[g->row * g->ncols + i], got, diff;
		const char *s = f[g->out_idx[i]].s;
		char *end;

		errno = 0;
		got = strtod(s, &end);
		diff = got > want ? got - want : want - got;
		if (!*s || *end || errno ||
		    !(diff <= g->atol + g->rtol * (want < 0 ? -want : want))) {
			if (g->mismatches++ < MG_CONTRACT_REPORT_MAX) {
				char w[MG_DOUBLE_LEN];

				mg_buf_addf(&g->report,
				            "row %" PRIu64 ", column '%s': '%.40s', golden %s\n",
				            row, g->names[i], s, mg_double_str(want, w));
			}
		}
	}
	g->row++;
	return 0;
}

static void check_golden(struct scase *c, const cJSON *expect, const struct mg_smoke_vars *v,
                         const char *outp)
{
	const cJSON *gj = cJSON_GetObjectItemCaseSensitive(expect, "golden");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(expect, "atol");
	const cJSON *rt = cJSON_GetObjectItemCaseSensitive(expect, "rtol");
	struct golden g = {.report = MG_BUF_INIT(MG_BUF_SMALL)};
	struct mg_err err = MG_ERR_INIT;
	char *path = NULL;

	if (!cJSON_IsString(gj))
		return;
	g.atol = cJSON_IsNumber(at) ? at->valuedouble : 0;
	g.rtol = cJSON_IsNumber(rt) ? rt->valuedouble : 1e-9;
	if (!(path = mg_smoke_expand_dup(gj->valuestring, v, "expect.golden", &err)))
		goto error;
	g.path = path;
	if (mg_csv_read_file(path, NULL, golden_load_row, &g, NULL, &err))
		goto error;
	if (mg_csv_read_file(outp, NULL, golden_cmp_row, &g, NULL, &err)) {
		mg_smoke_set_status(c, MG_STATUS_FAILED, "golden: %s", err.msg);
		goto out;
	}
	if (g.row != g.rows)
		mg_smoke_set_status(c, MG_STATUS_FAILED, "golden: %" PRIu64 " %s, output %" PRIu64,
		                    g.rows, mg_plural(g.rows, "row", "rows"), g.row);
	if (g.mismatches) {
		mg_smoke_set_status(c, MG_STATUS_FAILED,
		                    "golden: %" PRIu64 " %s outside atol %g + rtol %g; first: %.*s",
		                    g.mismatches, mg_plural(g.mismatches, "value", "values"),
		                    g.atol, g.rtol, (int)strcspn(g.report.buf, "\n"), g.report.buf);
		mg_buf_add(&c->details, g.report.buf, g.report.len);
	}
	goto out;
error:
	mg_smoke_set_status(c, MG_STATUS_ERROR, "%s", err.msg);
out:
	for (size_t i = 0; g.names && g.names[i]; i++)
		free(g.names[i]);
	free(g.names);
	free(g.out_idx);
	free(g.v);
	mg_buf_release(&g.report);
	free(path);
}

static void case_batch(struct runner *r, struct scase *c, const struct mg_smoke_vars *v)
{
	const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c->j, "expect");
	struct mg_contract k;
	struct mg_err err = MG_ERR_INIT;
	char *in = NULL, *outp = NULL;
	uint64_t in_rows = 0;
	long long want;

	memset(&k, 0, sizeof(k));
	mg_buf_init(&k.report, MG_BUF_SMALL);
	if (!(in = mg_smoke_input_path(c, v, &err)) || mg_contract_count_rows(in, &in_rows, &err)) {
		mg_smoke_set_status(c, MG_STATUS_ERROR, "%s", err.msg);
		goto out;
	}
	if (!run_command(r, c, v))
		goto out;
	mg_buf_reset(&c->msg); /* the verdict is about the output, said below */
	outp = mg_smoke_expand_dup(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c->j, "output"))
	                                   ? mg_json_str(c->j, "output")
	                                   : "{out}/predictions.csv",
	                           v, "output", &err);
	if (!outp)
		goto error;
	mg_contract_release(&k);
	if (mg_contract_init(&k, expect, c->name, &err))
		goto error;
	if (mg_contract_check_file(&k, outp, &err)) {
		mg_smoke_set_status(
		        c, err.reason == MG_REASON_NOT_FOUND ? MG_STATUS_FAILED : MG_STATUS_FAILED,
		        "output: %s", err.msg);
		goto out;
	}
	want = mg_smoke_expected_count(expect, "rows", in_rows);
	if (want < 0)
		mg_smoke_set_status(c, MG_STATUS_ERROR,
		                    "expect.rows: must be \"input\" or a whole number");
	else if ((uint64_t)want != k.rows)
		mg_smoke_set_status(c, MG_STATUS_FAILED, "%" PRIu64 " output %s, expected %lld",
		                    k.rows, mg_plural(k.rows, "row", "rows"), want);
	report_contract(c, &k, outp);
	check_golden(c, expect, v, outp);
	mg_smoke_set_status(c, MG_STATUS_PASSED, "%" PRIu64 " input %s, %" PRIu64 " output %s",
	                    in_rows, mg_plural(in_rows, "row", "rows"), k.rows,
	                    mg_plural(k.rows, "row", "rows"));
	goto out;
error:
	mg_smoke_set_status(c, MG_STATUS_ERROR, "%s", err.msg);
out:
	mg_contract_release(&k);
	free(in);
	free(outp);
}

/* Runner ------------------------------------------------------------------ */

/* Remove a case's temporary directory (it holds what the case wrote, nothing else). */
static void rm_tree(const char *path, int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode) && depth < 64 && (d = opendir(path))) {
		while ((e = readdir(d))) {
			struct mg_buf sub = MG_BUF_INIT(PATH_MAX);

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			mg_buf_addf(&sub, "%s/%s", path, e->d_name);
			if (!mg_buf_overflowed(&sub))
				rm_tree(sub.buf, depth + 1);
			mg_buf_release(&sub);
		}
		closedir(d);
	}
	remove(path);
}

static void run_case(struct runner *r, struct scase *c)
{
	struct mg_smoke_vars v = r->vars;
	struct mg_buf dir = MG_BUF_INIT(MG_BUF_SMALL);
	const cJSON *skip = cJSON_GetObjectItemCaseSensitive(c->j, "skip");
	uint64_t start = mg_clock_ns();
	bool keep = r->o->out_dir != NULL;

	if (cJSON_IsString(skip)) {
		mg_smoke_set_status(c, MG_STATUS_SKIPPED, "%s", skip->valuestring);
		goto out;
	}
	if (mg_smoke_suite_left(r) <= 0) {
		mg_smoke_set_status(c, MG_STATUS_ERROR, "not started: the suite's timeout passed");
		goto out;
	}
	if (keep) {
		mg_buf_addf(&dir, "%s/", r->o->out_dir);
		for (const char *p = c->name; *p; p++)
			mg_buf_addch(&dir,
			             strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			                    "0123456789._-",
			                    *p)
			                     ? *p
			                     : '_');
		if (mkdir(dir.buf, 0777) && errno != EEXIST) {
			mg_smoke_set_status(c, MG_STATUS_ERROR, "cannot create '%s': %s", dir.buf,
			                    strerror(errno));
			goto out;
		}
	} else {
		const char *tmp = getenv("TMPDIR");

		mg_buf_addf(&dir, "%s/mlgate-smoke.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir.buf)) {
			mg_smoke_set_status(c, MG_STATUS_ERROR,
			                    "cannot create a directory in '%s': %s",
			                    tmp && *tmp ? tmp : "/tmp", strerror(errno));
			goto out;
		}
	}
	v.out = dir.buf;
	if (!strcmp(c->kind, "command"))
		import_junit(c, &v, run_command(r, c, &v));
	else if (!strcmp(c->kind, "data"))
		case_data(r, c, &v);
	else if (!strcmp(c->kind, "predict-batch"))
		case_batch(r, c, &v);
	else
		mg_smoke_case_http(r, c, &v);
	if (!keep)
		rm_tree(dir.buf, 0);
out:
	c->duration = mg_clock_since(start);
	mg_buf_release(&dir);
}

static void *worker(void *arg)
{
	struct runner *r = arg;

	for (;;) {
		struct scase *c = NULL;

		pthread_mutex_lock(&r->lock);
		if (r->next < r->ncases)
			c = &r->cases[r->next++];
		pthread_mutex_unlock(&r->lock);
		if (!c)
			return NULL;
		run_case(r, c);
	}
}

/* Check each case's keys against its kind, and names for duplicates. */
static int check_cases(const cJSON *cases, const char *where, struct mg_err *err)
{
	const cJSON *c, *key;
	size_t i = 0;

	cJSON_ArrayForEach(c, cases)
	{
		const char *kind = mg_json_str(c, "kind"), *name = mg_json_str(c, "name");
		size_t k = 0;
		const cJSON *o;
		size_t j = 0;

		while (strcmp(kind_keys[k].kind, kind))
			k++;
		cJSON_ArrayForEach(key, c)
		{
			char pat[64];

			if (!strcmp(key->string, "name") || !strcmp(key->string, "kind") ||
			    !strcmp(key->string, "skip"))
				continue;
			snprintf(pat, sizeof(pat), " %s ", key->string);
			if (!strstr(kind_keys[k].keys, pat))
				return mg_err_set(err, MG_EXIT_USAGE,
				                  "%s: smoke.cases[%zu].%s: not a key of a %s case",
				                  where, i, key->string, kind);
		}
		if (!cJSON_GetObjectItemCaseSensitive(c, kind_keys[k].required))
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "%s: smoke.cases[%zu]: a %s case needs \"%s\"", where, i,
			                  kind, kind_keys[k].required);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "shell")) &&
		    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "run")) != 1)
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "%s: smoke.cases[%zu].run: with \"shell\": true, run is one "
			        "string (the script)",
			        where, i);
		{
			/* contract mistakes (min > max, ...) are the suite's, found before running
			 */
			const cJSON *spec = !strcmp(kind, "data") ? c
			                    : !strcmp(kind, "predict-batch")
			                            ? cJSON_GetObjectItemCaseSensitive(c, "expect")
			                            : NULL;
			struct mg_contract kc;
			char path[64];
			int bad;

			snprintf(path, sizeof(path), "smoke.cases[%zu]%s", i,
			         spec == c ? "" : ".expect");
			if (spec) {
				struct mg_err e2 = MG_ERR_INIT;

				bad = mg_contract_init(&kc, spec, path, &e2);
				mg_contract_release(&kc);
				if (bad)
					return mg_err_set(err, MG_EXIT_USAGE, "%s: %s", where,
					                  e2.msg);
			}
		}
		cJSON_ArrayForEach(o, cases)
		{
			if (j++ < i && !strcmp(mg_json_str(o, "name"), name))
				return mg_err_set(err, MG_EXIT_USAGE,
				                  "%s: smoke.cases[%zu].name: '%s' is used twice",
				                  where, i, name);
		}
		i++;
	}
	return 0;
}

static void add_checks(struct mg_suite *s, struct scase *c, const struct mg_secrets *sec)
{
	struct mg_check *k;
	struct mg_buf cls = MG_BUF_INIT(MG_BUF_SMALL);

	(void)sec;
	mg_buf_addf(&cls, "smoke.%s", c->kind);
	k = mg_suite_add(s, c->name, c->status, c->msg.len ? c->msg.buf : NULL);
	mg_check_set(&k->classname, cls.buf);
	if (c->details.len)
		mg_check_set(&k->details, c->details.buf);
	if (c->out.len)
		mg_check_set(&k->output, c->out.buf);
	if (c->err.len)
		mg_check_set(&k->errout, c->err.buf);
	k->duration = c->duration;
	for (size_t i = 0; c->has_children && i < c->children.nsuites; i++) {
		const struct mg_suite *cs = &c->children.suites[i];

		for (size_t j = 0; j < cs->nchecks; j++) {
			const struct mg_check *src = &cs->checks[j];
			struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL);
			struct mg_check *d;

			mg_buf_addf(&id, "%s/", c->name);
			if (src->classname && *src->classname)
				mg_buf_addf(&id, "%s.", src->classname);
			mg_buf_adds(&id, src->id);
			d = mg_suite_add(s, id.buf, src->status, src->message);
			mg_buf_reset(&cls);
			mg_buf_addf(&cls, "smoke.%s", c->name);
			mg_check_set(&d->classname, cls.buf);
			mg_check_set(&d->type, src->type);
			mg_check_set(&d->details, src->details);
			mg_check_set(&d->output, src->output);
			mg_check_set(&d->errout, src->errout);
			mg_check_set(&d->file, src->file);
			d->line = src->line;
			d->duration = src->duration;
			mg_buf_release(&id);
		}
	}
	mg_buf_release(&cls);
}

/* The suite (--suite or the policy's "smoke" section), checked whole before anything runs. */
static int load_suite(const struct mg_smoke_opts *o, struct mg_policy *policy, const cJSON **sec,
                      struct mg_err *err)
{
	static const char *const sections[] = {"smoke", NULL};
	char where[MG_ERR_MSG_MAX];

	if (mg_policy_load(o->suite ? o->suite : o->policy, sections, policy, err))
		return -1;
	mg_policy_where(policy, where, sizeof(where));
	if (o->suite)
		snprintf(where, sizeof(where), "suite '%s'", o->suite);
	*sec = mg_policy_section(policy, "smoke");
	if (!*sec)
		return mg_err_set(err, MG_EXIT_USAGE, "%s: no \"smoke\" section", where);
	if (mg_schema_check(&smoke_schema, *sec, where, "smoke", err))
		return -1;
	return check_cases(cJSON_GetObjectItemCaseSensitive(*sec, "cases"), where, err);
}

/* {suite_dir}, {sample} and {model_uri}, from the suite's place, its section and the options. */
static int set_vars(struct runner *r, const char *suite_path, const cJSON *sec,
                    const struct mg_smoke_opts *o, struct mg_err *err)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(sec, "sample");

	r->suite_dir = mg_xstrdup(suite_path);
	r->vars.suite_dir = dirname(r->suite_dir);
	if (cJSON_IsString(x)) {
		struct mg_smoke_vars sv = {.suite_dir = r->vars.suite_dir};

		if (!(r->sample = mg_smoke_expand_dup(x->valuestring, &sv, "smoke.sample", err)))
			return -1;
		r->vars.sample = r->sample;
	}
	if (o->sample)
		r->vars.sample = o->sample;
	if (o->model_uri) {
		r->vars.model_uri = o->model_uri;
	} else if (o->model) {
		mg_buf_addf(&r->model_uri, "models:/%s/%s", o->model, o->version);
		r->vars.model_uri = r->model_uri.buf;
	}
	return 0;
}

/* The cases --filter selects, in the suite's order; none is a usage error. */
static int select_cases(struct runner *r, const cJSON *cases, const char *filter,
                        struct mg_err *err)
{
	const cJSON *c;

	r->cases = mg_xcalloc((size_t)cJSON_GetArraySize(cases), sizeof(*r->cases));
	cJSON_ArrayForEach(c, cases)
	{
		struct scase *sc;

		if (filter && fnmatch(filter, mg_json_str(c, "name"), 0))
			continue;
		sc = &r->cases[r->ncases++];
		sc->j = c;
		sc->name = mg_json_str(c, "name");
		sc->kind = mg_json_str(c, "kind");
		mg_buf_init(&sc->msg, MG_TEXT_MESSAGE_MAX);
		mg_buf_init(&sc->details, MG_BUF_SMALL);
		mg_buf_init(&sc->out, MG_BUF_SMALL * 4);
		mg_buf_init(&sc->err, MG_BUF_SMALL * 4);
	}
	if (!r->ncases)
		return mg_err_set(err, MG_EXIT_USAGE, "--filter '%s' selects no case", filter);
	return 0;
}

/* Run the selected cases on --jobs threads (the suite's "jobs", else 1). */
static void run_cases(struct runner *r, const cJSON *sec)
{
	const struct mg_smoke_opts *o = r->o;
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(sec, "timeout_s");
	pthread_t *threads;
	size_t nthreads;

	r->start_ns = mg_clock_ns();
	r->suite_timeout = o->timeout_s        ? (double)o->timeout_s
	                   : cJSON_IsNumber(x) ? x->valuedouble
	                                       : 0;
	x = cJSON_GetObjectItemCaseSensitive(sec, "jobs");
	nthreads = o->jobs ? (size_t)o->jobs : cJSON_IsNumber(x) ? (size_t)x->valueint : 1;
	if (nthreads > r->ncases)
		nthreads = r->ncases;
	pthread_mutex_init(&r->lock, NULL);
	threads = mg_xcalloc(nthreads, sizeof(*threads));
	for (size_t i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, worker, r)) {
			nthreads = i;
			break;
		}
	if (!nthreads)
		worker(r);
	for (size_t i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&r->lock);
	free(threads);
}

/* Smoke tests judge a model's serving on sample data; nothing is recorded in a registry. */
static const struct mg_gate_hooks smoke_hooks = {.writeback = mg_gate_no_record};

int mg_smoke_run(struct mg_ctx *ctx, const struct mg_smoke_opts *o, struct mg_err *err)
{
	struct mg_policy policy = {0};
	struct runner r = {.ctx = ctx, .o = o, .model_uri = MG_BUF_INIT(MG_BUF_SMALL)};
	struct mg_result result;
	struct mg_suite *suite;
	struct mg_gate_run run = {0};
	struct mg_writes writes = MG_WRITES_INIT(false);
	const struct mg_gate_opts g = {
	        .junit = o->junit, .json = o->json, .summary = o->summary, .ci = o->ci};
	struct mg_gate_end end = {ctx,  &g,      o->quiet, &result, NULL,    &run,         NULL,
	                          NULL, "smoke", true,     0,       &writes, &smoke_hooks, NULL};
	const cJSON *sec = NULL;
	int ret = -1;

	mg_result_init(&result, "mlgate");
	/* --suite or --policy, --model with --version: rules of the option table */
	if (mg_gate_check_outputs(o->junit, o->json, o->summary, NULL, err) ||
	    mg_ci_resolve(o->ci, &ctx->ci, err))
		goto out;
	if (o->out_dir && mkdir(o->out_dir, 0777) && errno != EEXIST) {
		mg_err_set(err, MG_EXIT_USAGE, "cannot create '%s': %s", o->out_dir,
		           strerror(errno));
		goto out;
	}
	if (load_suite(o, &policy, &sec, err) || set_vars(&r, policy.path, sec, o, err) ||
	    select_cases(&r, cJSON_GetObjectItemCaseSensitive(sec, "cases"), o->filter, err))
		goto out;
	if (o->list) {
		for (size_t i = 0; i < r.ncases; i++)
			printf("%s\t%s\n", r.cases[i].name, r.cases[i].kind);
		ret = 0;
		goto out;
	}
	run.started = time(NULL);
	run_cases(&r, sec);

	/* publish */
	suite = mg_result_add_suite(&result, "smoke");
	for (size_t i = 0; i < r.ncases; i++)
		add_checks(suite, &r.cases[i], &ctx->secrets);
	suite->duration = mg_clock_since(r.start_ns);
	suite->has_duration = true;
	run.gate = "smoke";
	run.model = o->model ? o->model : "";
	run.version = o->version ? o->version : "";
	run.registry = "";
	run.commit = o->commit ? o->commit : "";
	run.policy_sha256 = policy.sha256;
	run.policy_path = o->suite ? o->suite : o->policy;
	end.suite = suite;
	ret = mg_gate_finish(&end, false, err);
out:
	if (ret < 0)
		ret = err->code ? err->code : MG_EXIT_INFRA;
	for (size_t i = 0; i < r.ncases; i++) {
		struct scase *sc = &r.cases[i];

		mg_buf_release(&sc->msg);
		mg_buf_release(&sc->details);
		mg_buf_release(&sc->out);
		mg_buf_release(&sc->err);
		if (sc->has_children)
			mg_result_release(&sc->children);
	}
	free(r.cases);
	free(r.suite_dir);
	free(r.sample);
	mg_buf_release(&r.model_uri);
	mg_result_release(&result);
	mg_policy_release(&policy);
	mg_writes_release(&writes);
	return ret;
}
