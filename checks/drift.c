/*
 * mlgate-drift (drift.h): read the reference (or its profile), the
 * current window, judge every column by the policy's thresholds, and end
 * like every gate. The statistics are lib/drift_stats.h's.
 */
#include "setup.h"
#include "drift.h"
#include "drift_stats.h"
#include "text.h"
#include "alloc.h"
#include "azure.h"
#include "fileio.h"
#include "gha.h"
#include "json.h"
#include "markdown.h"

#include <math.h>

/* --- the policy's "drift" section ------------------------------------------ */

static const struct mg_schema_field band_fields[] = {
        {"warn", &mg_schema_number, false},
        {"fail", &mg_schema_number, false},
        {NULL, NULL, false},
};
static const struct mg_schema band = {.type = MG_SCHEMA_OBJECT, .fields = band_fields};

/* The statistics a threshold can be set on; a p-value fails when it is below its threshold. */
enum metric { M_PSI, M_KS, M_KS_P, M_W1, M_CHI2_P, M_JS, M_MISSING, M_COUNT };

static const struct {
	const char *key;
	bool low_is_drift;
	double warn, fail; /* built-in defaults; NaN: none */
} metrics[M_COUNT] = {
        [M_PSI] = {"psi", false, 0.1, 0.2},          [M_KS] = {"ks", false, NAN, NAN},
        [M_KS_P] = {"ks_p", true, NAN, NAN},         [M_W1] = {"wasserstein", false, NAN, NAN},
        [M_CHI2_P] = {"chi2_p", true, NAN, NAN},     [M_JS] = {"js", false, NAN, NAN},
        [M_MISSING] = {"missing", false, 0.05, 0.1},
};

static const struct mg_schema_field metric_fields[] = {
        {"psi", &band, false},         {"ks", &band, false},     {"ks_p", &band, false},
        {"wasserstein", &band, false}, {"chi2_p", &band, false}, {"js", &band, false},
        {"missing", &band, false},     {NULL, NULL, false},
};
static const struct mg_schema metric_bands = {.type = MG_SCHEMA_OBJECT, .fields = metric_fields};

static const char *const type_names[] = {"numeric", "categorical", NULL};
static const struct mg_schema col_type = {.type = MG_SCHEMA_STRING, .choices = type_names};
static const struct mg_schema_field column_fields[] = {
        {"type", &col_type, false},
        {"ignore", &mg_schema_bool, false},
        {"metrics", &metric_bands, false},
        {NULL, NULL, false},
};
static const struct mg_schema column = {.type = MG_SCHEMA_OBJECT, .fields = column_fields};
static const struct mg_schema columns = {.type = MG_SCHEMA_MAP, .items = &column};
static const struct mg_schema reservoir = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 100, .max = 10000000};
static const struct mg_schema bins = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 2, .max = 100};
static const struct mg_schema max_categories = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 2, .max = 1000000};
static const struct mg_schema seed = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 1000000000};
static const struct mg_schema epsilon = {
        .type = MG_SCHEMA_NUMBER, .ranged = true, .min = 1e-12, .max = 0.1};

static const struct mg_schema_field drift_fields[] = {
        {"defaults", &metric_bands, false},
        {"columns", &columns, false},
        {"prediction", &mg_schema_nonempty_string, false},
        {"label", &mg_schema_nonempty_string, false},
        {"reservoir", &reservoir, false},
        {"bins", &bins, false},
        {"max_categories", &max_categories, false},
        {"seed", &seed, false},
        {"epsilon", &epsilon, false},
        {NULL, NULL, false},
};
static const struct mg_schema drift_section = {.type = MG_SCHEMA_OBJECT, .fields = drift_fields};

const struct mg_schema *mg_drift_policy_schema(void)
{
	return &drift_section;
}

/* --- state of one run ---------------------------------------------------------- */

enum level { L_NONE, L_OK, L_WARN, L_FAIL };

/* What was found for one column: for the JSON decision and the summary. */
struct colres {
	const struct mg_drift_col *col;
	const char *role; /* feature, prediction, label */
	double psi, w1, js, miss_ref, miss_cur;
	struct mg_drift_ks ks;
	struct mg_drift_chi2 chi2;
	bool has_ks, has_chi2;
	enum level level;
	const char *note; /* why it was not judged, or NULL */
	char *slug;       /* the column in check IDs: mg_check_slug, made unique; owned */
};

struct drift {
	struct mg_ctx *ctx;
	const struct mg_drift_opts *o;
	const cJSON *pol; /* the "drift" section, or NULL */
	struct mg_drift_profile prof;
	double epsilon;
	const char *prediction, *label, *window;
	struct mg_registry *reg;
	struct mg_model_version mv;
	struct mg_suite *suite;
	uint64_t t0;
	struct colres *res;
	size_t nres;
	size_t warnings, drifted;
	bool retrain;
};

#define ADD_CHECK(d, ...) mg_gate_addf((d)->suite, &(d)->t0, __VA_ARGS__)

static const cJSON *get(const cJSON *o, const char *key)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const cJSON *col_policy(const struct drift *d, const char *name)
{
	return get(get(d->pol, "columns"), name);
}

static double band_value(const cJSON *metric_map, enum metric m, const char *which)
{
	const cJSON *v = get(get(metric_map, metrics[m].key), which);

	return v ? v->valuedouble : NAN;
}

/* The threshold `which` ("warn" or "fail") of metric m for a column: its own, the defaults',
 * built-in. */
static double threshold(const struct drift *d, const char *col, enum metric m, const char *which)
{
	double v = band_value(get(col_policy(d, col), "metrics"), m, which);

	if (isnan(v))
		v = band_value(get(d->pol, "defaults"), m, which);
	if (isnan(v))
		v = !strcmp(which, "warn") ? metrics[m].warn : metrics[m].fail;
	return v;
}

static bool has_band(const struct drift *d, const char *col, enum metric m)
{
	return !isnan(threshold(d, col, m, "warn")) || !isnan(threshold(d, col, m, "fail"));
}

static bool past(enum metric m, double v, double t)
{
	return !isnan(t) && !isnan(v) && (metrics[m].low_is_drift ? v < t : v > t);
}

/*
 * Judge value v of metric m: the level, and the band in words appended to
 * `msg` ("> fail 0.2", "<= warn 0.1"; nothing without thresholds).
 */
static enum level judge_metric(const struct drift *d, const char *col, enum metric m, double v,
                               struct mg_buf *msg)
{
	double warn = threshold(d, col, m, "warn"), fail = threshold(d, col, m, "fail");
	const char *gt = metrics[m].low_is_drift ? "<" : ">",
	           *le = metrics[m].low_is_drift ? ">=" : "<=";
	char a[MG_DOUBLE_LEN];

	if (isnan(v))
		return L_NONE;
	if (past(m, v, fail)) {
		mg_buf_addf(msg, " %s fail %s", gt, mg_double_str(fail, a));
		return L_FAIL;
	}
	if (past(m, v, warn)) {
		mg_buf_addf(msg, " %s warn %s", gt, mg_double_str(warn, a));
		return L_WARN;
	}
	if (!isnan(warn))
		mg_buf_addf(msg, " %s warn %s", le, mg_double_str(warn, a));
	else if (!isnan(fail))
		mg_buf_addf(msg, " %s fail %s", le, mg_double_str(fail, a));
	return L_OK;
}

/* Add check `stat` of column r with message `msg` at `level`. */
static void add_stat(struct drift *d, struct colres *r, const char *stat, enum level level,
                     const char *msg)
{
	struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL), text = MG_BUF_INIT(MG_BUF_SMALL);
	enum mg_status status = MG_STATUS_PASSED;

	mg_buf_addf(&id, "drift.%s.%s.%s", r->role, r->slug, stat);
	if (level == L_FAIL) {
		status = MG_STATUS_FAILED;
	} else if (level == L_WARN) {
		d->warnings++;
		if (d->o->fail_on_warn) {
			status = MG_STATUS_FAILED;
			mg_buf_adds(&text, "warning (failing: --fail-on-warn): ");
		} else {
			mg_buf_adds(&text, "warning: ");
		}
	} else if (level == L_NONE) {
		status = MG_STATUS_SKIPPED;
	}
	mg_buf_adds(&text, msg);
	ADD_CHECK(d, id.buf, status, "%s", text.buf);
	if (level > r->level)
		r->level = level;
	mg_buf_release(&id);
	mg_buf_release(&text);
}

static void fmt(struct mg_buf *b, const char *name, double v)
{
	mg_buf_addf(b, "%s %.4g", name, v);
}

/* --- the statistics of one column ------------------------------------------- */

static void judge_missing(struct drift *d, struct colres *r)
{
	const struct mg_drift_col *c = r->col;
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);
	enum level lv;

	r->miss_ref = c->ref_rows ? (double)c->ref_missing / (double)c->ref_rows : 0;
	r->miss_cur = c->cur_rows ? (double)c->cur_missing / (double)c->cur_rows : 0;
	mg_buf_addf(&msg, "missing rate %.4g -> %.4g (change %.4g", r->miss_ref, r->miss_cur,
	            fabs(r->miss_cur - r->miss_ref));
	lv = judge_metric(d, c->name, M_MISSING, fabs(r->miss_cur - r->miss_ref), &msg);
	mg_buf_addch(&msg, ')');
	if (c->cur_invalid)
		mg_buf_addf(&msg, "; %llu %s in the current window %s",
		            (unsigned long long)c->cur_invalid,
		            mg_plural(c->cur_invalid, "value", "values"),
		            mg_plural(c->cur_invalid, "is not a number", "are not numbers"));
	add_stat(d, r, "missing", lv, msg.buf);
	mg_buf_release(&msg);
}

static void judge_numeric(struct drift *d, struct colres *r)
{
	const struct mg_drift_col *c = r->col;
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);
	enum level lv, lp;

	if (!c->ref.n || !c->cur.n) {
		const char *why = !c->ref.n ? "no numbers in the reference"
		                            : "no numbers in the current window";

		add_stat(d, r, "psi", L_NONE, why);
		add_stat(d, r, "ks", L_NONE, why);
		add_stat(d, r, "wasserstein", L_NONE, why);
		r->note = why;
		r->psi = r->w1 = NAN;
		return;
	}
	r->psi = mg_drift_psi(c->ref_bins, c->cur_bins, c->nedges + 1, d->epsilon);
	fmt(&msg, "PSI", r->psi);
	lv = judge_metric(d, c->name, M_PSI, r->psi, &msg);
	mg_buf_addf(&msg, " (%zu bins at reference quantiles)", c->nedges + 1);
	add_stat(d, r, "psi", lv, msg.buf);

	mg_drift_ks_test(c->ref.v, c->ref.n, c->cur.v, c->cur.n, &r->ks);
	r->has_ks = true;
	mg_buf_reset(&msg);
	fmt(&msg, "KS D", r->ks.d);
	lv = judge_metric(d, c->name, M_KS, r->ks.d, &msg);
	mg_buf_addf(&msg, ", p %.4g", r->ks.p);
	lp = judge_metric(d, c->name, M_KS_P, r->ks.p, &msg);
	mg_buf_addf(&msg, " (%s; %zu vs %zu sampled values", r->ks.exact ? "exact" : "asymptotic",
	            c->ref.n, c->cur.n);
	if (!has_band(d, c->name, M_KS) && !has_band(d, c->name, M_KS_P))
		mg_buf_adds(&msg, "; no threshold");
	mg_buf_addch(&msg, ')');
	add_stat(d, r, "ks", lp > lv ? lp : lv, msg.buf);

	r->w1 = mg_drift_wasserstein(c->ref.v, c->ref.n, c->cur.v, c->cur.n);
	mg_buf_reset(&msg);
	fmt(&msg, "Wasserstein-1", r->w1);
	lv = judge_metric(d, c->name, M_W1, r->w1, &msg);
	if (!has_band(d, c->name, M_W1))
		mg_buf_adds(&msg, " (no threshold)");
	add_stat(d, r, "wasserstein", lv, msg.buf);
	mg_buf_release(&msg);
}

static void judge_categorical(struct drift *d, struct colres *r)
{
	const struct mg_drift_col *c = r->col;
	size_t k = c->ncats + 1;
	uint64_t *a = mg_xcalloc(k, sizeof(*a)), *b = mg_xcalloc(k, sizeof(*b));
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);
	size_t unseen = 0;
	enum level lv;

	for (size_t i = 0; i < c->ncats; i++) {
		a[i] = c->cats[i].ref;
		b[i] = c->cats[i].cur;
		unseen += !a[i] && b[i];
	}
	a[c->ncats] = c->ref_other;
	b[c->ncats] = c->cur_other;
	/* "other" is a bin only when used: an empty one on both sides would add epsilon terms */
	if (!c->ref_other && !c->cur_other)
		k--;
	r->psi = mg_drift_psi(a, b, k, d->epsilon);
	r->js = mg_drift_js(a, b, k);
	mg_drift_chi2_test(a, b, k, &r->chi2);
	r->has_chi2 = true;
	if (isnan(r->psi)) {
		const char *why = c->ref_rows == c->ref_missing ? "no values in the reference"
		                                                : "no values in the current window";

		add_stat(d, r, "psi", L_NONE, why);
		add_stat(d, r, "chi2", L_NONE, why);
		add_stat(d, r, "js", L_NONE, why);
		r->note = why;
		goto done;
	}
	fmt(&msg, "PSI", r->psi);
	lv = judge_metric(d, c->name, M_PSI, r->psi, &msg);
	mg_buf_addf(&msg, " (%zu categories", c->ncats);
	if (unseen)
		mg_buf_addf(&msg, ", %zu not in the reference", unseen);
	if (c->ref_other || c->cur_other)
		mg_buf_adds(&msg, ", and \"other\" past the category cap");
	mg_buf_addch(&msg, ')');
	add_stat(d, r, "psi", lv, msg.buf);

	mg_buf_reset(&msg);
	if (isnan(r->chi2.p)) {
		mg_buf_adds(&msg, "chi-square needs two categories with values");
		lv = L_OK;
	} else {
		mg_buf_addf(&msg, "chi-square %.4g, df %.0f, p %.4g", r->chi2.stat, r->chi2.df,
		            r->chi2.p);
		lv = judge_metric(d, c->name, M_CHI2_P, r->chi2.p, &msg);
		if (!has_band(d, c->name, M_CHI2_P))
			mg_buf_adds(&msg, " (no threshold)");
	}
	add_stat(d, r, "chi2", lv, msg.buf);

	mg_buf_reset(&msg);
	fmt(&msg, "Jensen-Shannon distance", r->js);
	lv = judge_metric(d, c->name, M_JS, r->js, &msg);
	if (!has_band(d, c->name, M_JS))
		mg_buf_adds(&msg, " (no threshold)");
	add_stat(d, r, "js", lv, msg.buf);
done:
	free(a);
	free(b);
	mg_buf_release(&msg);
}

static void judge_column(struct drift *d, struct colres *r)
{
	const struct mg_drift_col *c = r->col;

	if (!c->in_current) {
		if (!strcmp(r->role, "label")) {
			r->note = "no labels in the current window";
			add_stat(d, r, "present", L_NONE,
			         "the current window has no label column: label drift not judged");
		} else {
			r->note = "not in the current window";
			add_stat(d, r, "present", L_FAIL,
			         "the column is in the reference but not in the current window");
		}
		return;
	}
	if (c->mixed) {
		struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL);

		mg_buf_addf(&id, "drift.%s.%s.type", r->role, r->slug);
		ADD_CHECK(d, id.buf, MG_STATUS_ERROR,
		          "the reference column has numbers and then text (after %zu distinct "
		          "values): declare its type in the policy (drift.columns.<name>.type)",
		          d->prof.cfg.max_categories);
		r->note = "type unknown: numbers and text";
		r->level = L_FAIL;
		mg_buf_release(&id);
		return;
	}
	if (c->type == MG_DRIFT_NUMERIC && !c->ref.n && c->ref_invalid) {
		struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL);

		/* declared numeric, but text: every statistic skipped, the column unjudged */
		mg_buf_addf(&id, "drift.%s.%s.type", r->role, r->slug);
		ADD_CHECK(d, id.buf, MG_STATUS_ERROR,
		          "declared numeric, but none of the reference's %llu values is a number: "
		          "fix its type in the policy (drift.columns.<name>.type)",
		          (unsigned long long)c->ref_invalid);
		r->note = "declared numeric: no numbers";
		r->level = L_FAIL;
		mg_buf_release(&id);
		return;
	}
	if (c->type == MG_DRIFT_NUMERIC)
		judge_numeric(d, r);
	else
		judge_categorical(d, r);
	judge_missing(d, r);
}

/*
 * The column's name in check IDs. Names that slug alike ("Age" and "age")
 * get the column's position after the second, so no two checks share an ID.
 */
static char *slug(const struct drift *d, const char *name)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	char *out;

	mg_check_slug(&b, name);
	if (!b.len)
		mg_buf_adds(&b, "column");
	for (size_t i = 0; i < d->nres - 1; i++)
		if (!strcmp(d->res[i].slug, b.buf)) {
			mg_buf_addf(&b, "_%zu", d->nres);
			break;
		}
	out = mg_xstrdup(b.buf);
	mg_buf_release(&b);
	return out;
}

static void judge(struct drift *d)
{
	d->res = mg_xcalloc(d->prof.ncols ? d->prof.ncols : 1, sizeof(*d->res));
	for (size_t i = 0; i < d->prof.ncols; i++) {
		const struct mg_drift_col *c = &d->prof.cols[i];
		const cJSON *cp = col_policy(d, c->name);
		struct colres *r;

		if (cJSON_IsTrue(get(cp, "ignore")))
			continue;
		r = &d->res[d->nres++];
		r->col = c;
		r->psi = r->w1 = r->js = NAN;
		r->role = d->prediction && !strcmp(c->name, d->prediction) ? "prediction"
		          : d->label && !strcmp(c->name, d->label)         ? "label"
		                                                           : "feature";
		r->slug = slug(d, c->name);
		judge_column(d, r);
		if (r->level == L_FAIL || (r->level == L_WARN && d->o->fail_on_warn))
			d->drifted++;
	}
}

/* --- configuration and the inputs ---------------------------------------------- */

static enum mg_drift_type declared_type(void *arg, const char *name)
{
	const char *t = mg_json_str(col_policy(arg, name), "type");

	return !strcmp(t, "numeric")       ? MG_DRIFT_NUMERIC
	       : !strcmp(t, "categorical") ? MG_DRIFT_CATEGORICAL
	                                   : MG_DRIFT_AUTO;
}

static size_t setting(long long opt, const cJSON *pol, const char *key, size_t dflt)
{
	const cJSON *v = get(pol, key);

	return opt ? (size_t)opt : v ? (size_t)v->valuedouble : dflt;
}

/*
 * The thresholds of one metric map (drift.defaults or a column's metrics): in range, and warn
 * reached before fail; a swapped band would never warn, a negative one always fail.
 */
static int check_bands(const char *path, const char *where, const cJSON *map, struct mg_err *err)
{
	for (size_t m = 0; map && m < M_COUNT; m++) {
		double warn = band_value(map, m, "warn"), fail = band_value(map, m, "fail");
		bool p = metrics[m].low_is_drift;
		const char *bad = NULL;

		if (warn < 0 || fail < 0 || (p && (warn > 1 || fail > 1)))
			bad = p ? "a p-value threshold is between 0 and 1"
			        : "a threshold is 0 or more";
		else if (p ? warn < fail : warn > fail)
			bad = p ? "warn is below fail (a p-value warns first: warn >= fail)"
			        : "warn is above fail (warn <= fail)";
		if (bad)
			return mg_err_set(err, MG_EXIT_USAGE, "policy '%s': %s.%s: %s", path, where,
			                  metrics[m].key, bad);
	}
	return 0;
}

static int check_policy_bands(const char *path, const cJSON *pol, struct mg_err *err)
{
	const cJSON *c;
	char where[256];

	if (check_bands(path, "drift.defaults", get(pol, "defaults"), err))
		return -1;
	cJSON_ArrayForEach(c, get(pol, "columns"))
	{
		snprintf(where, sizeof(where), "drift.columns.%s.metrics", c->string);
		if (check_bands(path, where, get(c, "metrics"), err))
			return -1;
	}
	return 0;
}

/*
 * With --profile the sampling settings are the profile's: one asked for by an option or the
 * policy and different from them is refused rather than silently not applied.
 */
static int profile_settings(const struct drift *d, const struct mg_drift_config *want,
                            struct mg_err *err)
{
	const struct mg_drift_config *got = &d->prof.cfg;
	const struct {
		const char *key;
		long long opt;
		uint64_t want, got;
	} s[] = {
	        {"reservoir", d->o->reservoir, want->reservoir, got->reservoir},
	        {"bins", d->o->bins, want->bins, got->bins},
	        {"max_categories", 0, want->max_categories, got->max_categories},
	        {"seed", d->o->seed, want->seed, got->seed},
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(s); i++)
		if ((s[i].opt || get(d->pol, s[i].key)) && s[i].want != s[i].got)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "profile '%s': saved with %s %llu, %s%s asks for %llu: "
			                  "save the profile again with these settings",
			                  d->o->profile, s[i].key, (unsigned long long)s[i].got,
			                  s[i].opt ? "--" : "the policy's drift.", s[i].key,
			                  (unsigned long long)s[i].want);
	return 0;
}

/* An output naming an input file would destroy it (the training reference, the window). */
static int outputs_spare_inputs(const struct mg_drift_opts *o, struct mg_err *err)
{
	const struct mg_output in[] = {{"--reference", o->reference, false},
	                               {"--profile", o->profile, false},
	                               {"--current", o->current, false}};
	const struct mg_output out[] = {{"--junit", o->gate.junit, false},
	                                {"--json", o->gate.json, false},
	                                {"--summary", o->gate.summary, false},
	                                {"--save-profile", o->save_profile, false}};

	return mg_outputs_spare_inputs(out, MG_ARRAY_SIZE(out), in, MG_ARRAY_SIZE(in), err);
}

/* Options and policy: nothing is read before they are known to be sane. */
static int configure(struct drift *d, struct mg_policy *policy, struct mg_gate_run *run,
                     struct mg_err *err)
{
	const struct mg_drift_opts *o = d->o;
	const struct mg_gate_opts *g = &o->gate;
	struct mg_output save = {"--save-profile", o->save_profile, false};
	struct mg_drift_config cfg = MG_DRIFT_CONFIG_INIT;

	if (!o->current && !o->save_profile)
		return mg_err_set(err, MG_EXIT_USAGE, "missing --current FILE (or --save-profile)");
	if (g->model) {
		if (mg_gate_check_opts(d->ctx, g, err))
			return -1;
	} else if (g->version || g->alias || g->stage) {
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "--version, --alias and --stage need --model");
	} else if (mg_ci_resolve(g->ci, &d->ctx->ci, err)) {
		return -1;
	}
	if (mg_gate_check_outputs(g->junit, g->json, g->summary, &save, err) ||
	    outputs_spare_inputs(o, err))
		return -1;
	if (g->policy && mg_gate_load_policy(g, "drift", &drift_section, policy, &d->pol, run, err))
		return -1;
	if (check_policy_bands(g->policy, d->pol, err))
		return -1;
	cfg.reservoir = setting(o->reservoir, d->pol, "reservoir", cfg.reservoir);
	cfg.bins = setting(o->bins, d->pol, "bins", cfg.bins);
	cfg.max_categories = setting(0, d->pol, "max_categories", cfg.max_categories);
	cfg.seed = setting(o->seed, d->pol, "seed", cfg.seed);
	mg_drift_profile_init(&d->prof, &cfg);
	d->epsilon =
	        get(d->pol, "epsilon") ? get(d->pol, "epsilon")->valuedouble : MG_DRIFT_EPSILON;
	d->prediction = o->prediction               ? o->prediction
	                : get(d->pol, "prediction") ? mg_json_str(d->pol, "prediction")
	                                            : NULL;
	d->label = o->label ? o->label : get(d->pol, "label") ? mg_json_str(d->pol, "label") : NULL;
	d->window = o->window ? o->window : o->current;
	if (d->window && !o->window) {
		char why[80];

		/* the label goes into a tag and the description's line: one line of text */
		if (mg_text_check(d->window, strlen(d->window), true, why, sizeof(why)))
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "the --current path cannot be the window's label (%s): "
			                  "give --window LABEL",
			                  why);
	}
	if (d->prediction && d->label && !strcmp(d->prediction, d->label))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "the prediction and the label are the same column '%s'",
		                  d->prediction);
	return 0;
}

static int open_and_resolve(struct drift *d, struct mg_gate_end *end, struct mg_gate_run *run,
                            struct mg_err *err)
{
	struct mg_buf uri = MG_BUF_INIT(MG_BUF_SMALL);
	int ret = -1;

	if (!d->o->gate.model)
		return 0; /* judged, not recorded */
	mg_registry_resolve_uri(d->o->gate.registry, &uri);
	if (mg_registry_open(d->ctx, uri.buf, &d->reg, err))
		goto done;
	end->reg = d->reg;
	run->registry = mg_registry_uri(d->reg);
	if (mg_gate_resolve(d->reg, &d->o->gate, &d->mv, err))
		goto done;
	end->mv = &d->mv;
	run->model = d->mv.name;
	run->version = d->mv.version;
	ret = 0;
done:
	mg_buf_release(&uri);
	return ret;
}

/* The reference: its CSV file read, or its saved profile loaded; the named columns checked. */
static int load_reference(struct drift *d, struct mg_err *err)
{
	const struct mg_drift_opts *o = d->o;
	const char *named[2] = {d->prediction, d->label}, *opt[2] = {"prediction", "label"};
	const cJSON *pc;

	if (o->profile) {
		struct mg_buf text = MG_BUF_INIT(MG_DRIFT_PROFILE_MAX);
		struct mg_drift_config want = d->prof.cfg;
		int rc = mg_file_read(o->profile, &text, err) ||
		         mg_drift_profile_parse(&d->prof, o->profile, text.buf, text.len, err) ||
		         profile_settings(d, &want, err);

		mg_buf_release(&text);
		if (rc)
			return -1;
		for (size_t i = 0; i < d->prof.ncols; i++) {
			const struct mg_drift_col *c = &d->prof.cols[i];
			enum mg_drift_type t = declared_type(d, c->name);

			if (t && t != c->type)
				return mg_err_set(
				        err, MG_EXIT_USAGE,
				        "profile '%s': column '%s' is %s, the policy declares "
				        "it %s: save the profile again with this policy",
				        o->profile, c->name, type_names[c->type - 1],
				        type_names[t - 1]);
		}
	} else if (mg_drift_read_reference(&d->prof, o->reference, declared_type, d, err)) {
		return -1;
	}
	for (size_t i = 0; i < 2; i++)
		if (named[i] && !mg_drift_profile_col(&d->prof, named[i]))
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "the %s column '%s' is not in the reference '%s'", opt[i],
			                  named[i], o->profile ? o->profile : o->reference);
	/* a column the reference does not have is a typo: its thresholds would never apply */
	cJSON_ArrayForEach(pc, get(d->pol, "columns"))
	{
		if (!mg_drift_profile_col(&d->prof, pc->string))
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "policy '%s': drift.columns.%s: no such column in the "
			                  "reference '%s'",
			                  o->gate.policy, pc->string,
			                  o->profile ? o->profile : o->reference);
	}
	return 0;
}

static int save_profile(struct drift *d, struct mg_err *err)
{
	struct mg_buf json = MG_BUF_INIT(MG_DRIFT_PROFILE_MAX);
	int rc;

	mg_drift_profile_json(&d->prof, &json);
	if (mg_buf_overflowed(&json)) {
		mg_buf_release(&json);
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "the profile would pass %zu bytes: use a smaller --reservoir",
		                  MG_DRIFT_PROFILE_MAX);
	}
	rc = mg_write_output(&d->ctx->secrets, d->o->save_profile, &json, err);
	mg_buf_release(&json);
	return rc;
}

/* --- the ending's hooks ---------------------------------------------------------- */

static void drift_summary(void *arg, const struct mg_gate_run *run, struct mg_buf *out)
{
	const struct drift *d = arg;

	(void)run;
	mg_buf_addf(out, "%zu %s judged, %zu drifted, %zu %s; window %s (%llu rows)", d->nres,
	            mg_plural(d->nres, "column", "columns"), d->drifted, d->warnings,
	            mg_plural(d->warnings, "warning", "warnings"), d->window,
	            (unsigned long long)d->prof.cur_rows);
}

static void drift_props(void *arg, struct mg_suite *s)
{
	const struct drift *d = arg;
	char n[32];

	mg_suite_set_prop(s, "mlgate.drift.window", d->window);
	mg_suite_set_prop(s, "mlgate.drift.reference",
	                  d->o->profile ? d->o->profile : d->o->reference);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)d->prof.cur_rows);
	mg_suite_set_prop(s, "mlgate.drift.rows", n);
	snprintf(n, sizeof(n), "%zu", d->warnings);
	mg_suite_set_prop(s, "mlgate.warnings", n);
}

static void add_num(cJSON *o, const char *key, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, v);
}

static const char *level_name(enum level l)
{
	return l == L_FAIL ? "drift" : l == L_WARN ? "warning" : l == L_OK ? "ok" : "not judged";
}

static void drift_json(void *arg, cJSON *doc)
{
	const struct drift *d = arg;
	cJSON *o = cJSON_AddObjectToObject(doc, "drift"), *cols;

	cJSON_AddStringToObject(o, "reference", d->o->profile ? d->o->profile : d->o->reference);
	cJSON_AddStringToObject(o, "current", d->o->current ? d->o->current : "");
	cJSON_AddStringToObject(o, "window", d->window ? d->window : "");
	cJSON_AddNumberToObject(o, "reference_rows", (double)d->prof.ref_rows);
	cJSON_AddNumberToObject(o, "current_rows", (double)d->prof.cur_rows);
	cJSON_AddBoolToObject(o, "retrain", d->retrain);
	cols = cJSON_AddArrayToObject(o, "columns");
	for (size_t i = 0; i < d->nres; i++) {
		const struct colres *r = &d->res[i];
		cJSON *c = cJSON_CreateObject();

		cJSON_AddItemToArray(cols, c);
		cJSON_AddStringToObject(c, "name", r->col->name);
		cJSON_AddStringToObject(c, "role", r->role);
		cJSON_AddStringToObject(
		        c, "type", r->col->type == MG_DRIFT_NUMERIC ? "numeric" : "categorical");
		cJSON_AddStringToObject(c, "result", level_name(r->level));
		add_num(c, "psi", r->psi);
		if (r->col->type == MG_DRIFT_NUMERIC) {
			add_num(c, "ks", r->has_ks ? r->ks.d : NAN);
			add_num(c, "ks_p", r->has_ks ? r->ks.p : NAN);
			if (r->has_ks)
				cJSON_AddBoolToObject(c, "ks_exact", r->ks.exact);
			add_num(c, "wasserstein", r->w1);
		} else {
			add_num(c, "chi2", r->has_chi2 ? r->chi2.stat : NAN);
			add_num(c, "chi2_df", r->has_chi2 ? r->chi2.df : NAN);
			add_num(c, "chi2_p", r->has_chi2 ? r->chi2.p : NAN);
			add_num(c, "js", r->js);
		}
		add_num(c, "missing_reference", r->miss_ref);
		add_num(c, "missing_current", r->miss_cur);
		if (r->note)
			cJSON_AddStringToObject(c, "note", r->note);
	}
}

static void cell(char *out, size_t n, double v)
{
	if (isnan(v))
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.4g", v);
}

#define SPARK_MAX 12 /* bins drawn; a categorical column's first categories (the reference's) */

/* One side's bin fractions as a bar per bin, U+2581..U+2588, scaled to `top` (both sides' largest).
 */
static void spark(char *out, size_t n, const double *f, size_t k, double top)
{
	static const char *const bars[] = {"\u2581", "\u2582", "\u2583", "\u2584",
	                                   "\u2585", "\u2586", "\u2587", "\u2588"};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < k && len + 4 < n; i++) {
		int lvl = top > 0 ? (int)(f[i] / top * 7.0 + 0.5) : 0;

		memcpy(out + len, bars[lvl < 0 ? 0 : lvl > 7 ? 7 : lvl], 3);
		len += 3;
		out[len] = '\0';
	}
}

/* "ref ▃▃▃▃ / cur ▁▂▅█": the distributions the PSI compares, for a glance in the summary. */
static void chart(char *out, size_t n, const struct mg_drift_col *c)
{
	double fr[SPARK_MAX], fc[SPARK_MAX], nr = 0, nc = 0, top = 0;
	char a[SPARK_MAX * 3 + 1], b[SPARK_MAX * 3 + 1];
	size_t k = 0;

	if (c->type == MG_DRIFT_NUMERIC && c->ref_bins) {
		for (; k < c->nedges + 1 && k < SPARK_MAX; k++) {
			fr[k] = (double)c->ref_bins[k];
			fc[k] = (double)c->cur_bins[k];
		}
	} else if (c->type == MG_DRIFT_CATEGORICAL) {
		for (; k < c->ncats && k < SPARK_MAX; k++) {
			fr[k] = (double)c->cats[k].ref;
			fc[k] = (double)c->cats[k].cur;
		}
	}
	for (size_t i = 0; i < k; i++)
		nr += fr[i], nc += fc[i];
	for (size_t i = 0; i < k; i++) {
		fr[i] = nr > 0 ? fr[i] / nr : 0;
		fc[i] = nc > 0 ? fc[i] / nc : 0;
		top = fr[i] > top ? fr[i] : fc[i] > top ? fc[i] : top;
	}
	if (!k || !(nr > 0) || !(nc > 0)) {
		snprintf(out, n, "-");
		return;
	}
	spark(a, sizeof(a), fr, k, top);
	spark(b, sizeof(b), fc, k, top);
	snprintf(out, n, "ref %s / cur %s", a, b);
}

static void drift_md(struct mg_md *md, const void *arg)
{
	const struct drift *d = arg;
	static const char *const head[] = {
	        "Column", "Type", "PSI", "KS D (p)", "W1 / JS", "Bins", "Missing ref → cur",
	        "Result"};
	struct mg_buf line = MG_BUF_INIT(MG_BUF_SMALL);

	mg_md_heading(md, 3, "Drift by column");
	mg_buf_addf(&line, "Window %s: %llu rows against %llu reference rows; %zu drifted.",
	            d->window ? d->window : "", (unsigned long long)d->prof.cur_rows,
	            (unsigned long long)d->prof.ref_rows, d->drifted);
	mg_md_para(md, line.buf);
	mg_md_table_head(md, MG_ARRAY_SIZE(head), head);
	for (size_t i = 0; i < d->nres; i++) {
		const struct colres *r = &d->res[i];
		char psi[32], ks[64], dist[32], miss[64], name[600], hist[128];
		const char *cells[8];

		snprintf(name, sizeof(name), "%s%s%s", r->col->name,
		         strcmp(r->role, "feature") ? " · " : "",
		         strcmp(r->role, "feature") ? r->role : "");
		cell(psi, sizeof(psi), r->psi);
		if (r->has_ks)
			snprintf(ks, sizeof(ks), "%.3g (%.3g)", r->ks.d, r->ks.p);
		else
			snprintf(ks, sizeof(ks), "-");
		cell(dist, sizeof(dist), r->col->type == MG_DRIFT_NUMERIC ? r->w1 : r->js);
		snprintf(miss, sizeof(miss), "%.3g → %.3g", r->miss_ref, r->miss_cur);
		cells[0] = name;
		cells[1] = r->col->type == MG_DRIFT_NUMERIC ? "numeric" : "categorical";
		cells[2] = psi;
		cells[3] = ks;
		chart(hist, sizeof(hist), r->col);
		cells[4] = dist;
		cells[5] = hist;
		cells[6] = miss;
		cells[7] = r->note ? r->note : level_name(r->level);
		mg_md_table_row(md, MG_ARRAY_SIZE(cells), cells);
	}
	mg_buf_release(&line);
}

/* The record: the window judged, then the verdict as every gate writes it. */
static int drift_writeback(void *arg, struct mg_gate_run *run, const char *summary,
                           struct mg_writes *w, struct mg_err *err)
{
	struct drift *d = arg;
	const char *old;

	if (!d->reg)
		return 0; /* no --model: nothing to record on */
	old = mg_kvlist_get(&d->mv.tags, "mlgate.drift.window");
	if ((!old || strcmp(old, d->window)) &&
	    mg_writes_record(
	            w,
	            w->dry_run ? 0
	                       : mg_registry_set_version_tag(d->reg, d->mv.name, d->mv.version,
	                                                     "mlgate.drift.window", d->window, err),
	            err, "%s tag mlgate.drift.window=%s on model '%s' version %s",
	            w->dry_run ? "would set" : "set", d->window, d->mv.name, d->mv.version))
		return -1;
	return mg_gate_writeback(d->reg, run, &d->mv, summary, w, err);
}

static const struct mg_gate_hooks drift_hooks = {
        .summary = drift_summary,
        .writeback = drift_writeback,
        .props = drift_props,
        .json = drift_json,
        .md = drift_md,
};

/* retrain=true|false for the workflow: $GITHUB_OUTPUT, or an Azure output variable. */
static int retrain_output(struct drift *d, struct mg_err *err)
{
	const char *v = d->retrain ? "true" : "false", *path = getenv("GITHUB_OUTPUT");
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	int rc = 0;

	if (d->ctx->ci == MG_CI_AZURE) {
		mg_azure_set_output(&out, "retrain", v);
		rc = mg_write_output(&d->ctx->secrets, "-", &out, err);
	} else if (d->ctx->ci == MG_CI_GITHUB && path && *path) {
		rc = mg_gha_output(&out, "retrain", v, err) ||
		     mg_gha_append(path, &out, &d->ctx->secrets, err);
	}
	mg_buf_release(&out);
	return rc ? -1 : 0;
}

static void drift_release(struct drift *d)
{
	mg_drift_profile_release(&d->prof);
	mg_model_version_release(&d->mv);
	mg_registry_close(d->reg);
	for (size_t i = 0; i < d->nres; i++)
		free(d->res[i].slug);
	free(d->res);
}

int mg_drift_run(struct mg_ctx *ctx, const struct mg_drift_opts *o, struct mg_err *err)
{
	struct drift d = {.ctx = ctx, .o = o};
	struct mg_policy policy = {0};
	struct mg_result result;
	struct mg_writes writes = MG_WRITES_INIT(o->gate.dry_run);
	struct mg_gate_run run;
	struct mg_gate_end end = {ctx,  &o->gate, o->quiet, &result, NULL,    &run,         NULL,
	                          NULL, "drift",  false,    0,       &writes, &drift_hooks, &d};
	int ret = -1;

	mg_drift_profile_init(&d.prof, NULL);
	mg_result_init(&result, "mlgate");
	d.suite = end.suite = mg_result_add_suite(&result, "drift");
	mg_gate_run_init(&run, "drift", &o->gate);
	if (configure(&d, &policy, &run, err) || open_and_resolve(&d, &end, &run, err) ||
	    load_reference(&d, err) || (o->save_profile && save_profile(&d, err)))
		goto done;
	if (!o->current) {
		/* the training run's step: the profile only, no verdict */
		mg_info(&ctx->log, "profile of %llu rows, %zu columns written to %s",
		        (unsigned long long)d.prof.ref_rows, d.prof.ncols, o->save_profile);
		ret = MG_EXIT_PASS;
		goto out;
	}
	end.started = true;
	d.t0 = run.started_ns; /* the first check's time counts the reading */
	if (mg_drift_read_current(&d.prof, o->current, err))
		goto done;
	judge(&d);
	d.retrain = d.drifted > 0;
	ret = 0;
done:
	ret = mg_gate_finish(&end, ret != 0, err);
	if ((ret == MG_EXIT_PASS || ret == MG_EXIT_FAIL) && retrain_output(&d, err))
		ret = err->code;
out:
	drift_release(&d);
	mg_policy_release(&policy);
	mg_result_release(&result);
	mg_writes_release(&writes);
	return ret;
}
