/*
 * The drift profile's JSON form (drift_stats.h): what --save-profile writes and
 * --profile reads. The reader is strict: the structure is checked against
 * a schema (policy.h), then every fact that must hold between members
 * (sorted samples, increasing edges, bin counts recomputed from the sample,
 * category counts adding up), so a hand-edited or truncated profile is
 * refused instead of judged.
 */
#include "setup.h"
#include "drift_stats.h"
#include "alloc.h"
#include "json.h"
#include "policy.h"

#include <math.h>

#define PROFILE_FORMAT "mlgate-drift-profile"

static void add_u64(cJSON *o, const char *key, uint64_t v)
{
	cJSON_AddNumberToObject(o, key, (double)v);
}

static cJSON *doubles(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
	return a;
}

static cJSON *counts(const uint64_t *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)v[i]));
	return a;
}

void mg_drift_profile_json(const struct mg_drift_profile *p, struct mg_buf *out)
{
	cJSON *doc = cJSON_CreateObject(), *cols;
	char *text;

	cJSON_AddStringToObject(doc, "format", PROFILE_FORMAT);
	cJSON_AddNumberToObject(doc, "version", 1);
	cJSON_AddStringToObject(doc, "source", p->ref_source ? p->ref_source : "");
	add_u64(doc, "rows", p->ref_rows);
	add_u64(doc, "reservoir", p->cfg.reservoir);
	add_u64(doc, "bins", p->cfg.bins);
	add_u64(doc, "max_categories", p->cfg.max_categories);
	add_u64(doc, "seed", p->cfg.seed);
	cols = cJSON_AddArrayToObject(doc, "columns");
	for (size_t i = 0; i < p->ncols; i++) {
		const struct mg_drift_col *c = &p->cols[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToArray(cols, o);
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddStringToObject(o, "type",
		                        c->type == MG_DRIFT_NUMERIC ? "numeric" : "categorical");
		if (c->forced)
			cJSON_AddBoolToObject(o, "declared", true);
		add_u64(o, "rows", c->ref_rows);
		add_u64(o, "missing", c->ref_missing);
		if (c->type == MG_DRIFT_NUMERIC) {
			add_u64(o, "invalid", c->ref_invalid);
			add_u64(o, "numbers", c->ref.seen);
			cJSON_AddItemToObject(o, "sample", doubles(c->ref.v, c->ref.n));
			cJSON_AddItemToObject(o, "edges", doubles(c->edges, c->nedges));
			cJSON_AddItemToObject(o, "bins", counts(c->ref_bins, c->nedges + 1));
			continue;
		}
		if (c->mixed)
			cJSON_AddBoolToObject(o, "mixed", true);
		{
			cJSON *cats = cJSON_AddArrayToObject(o, "categories");

			for (size_t k = 0; k < c->ncats; k++) {
				cJSON *e = cJSON_CreateObject();

				cJSON_AddStringToObject(e, "value", c->cats[k].name);
				add_u64(e, "count", c->cats[k].ref);
				cJSON_AddItemToArray(cats, e);
			}
		}
		add_u64(o, "other", c->ref_other);
	}
	text = cJSON_PrintUnformatted(doc);
	if (!text)
		mg_die_oom(0);
	mg_buf_adds(out, text);
	mg_buf_addch(out, '\n');
	free(text);
	cJSON_Delete(doc);
}

/* --- reading ------------------------------------------------------------------ */

static const struct mg_schema count = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 0, .max = 9007199254740992.0};
static const struct mg_schema positive = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 9007199254740992.0};
static const struct mg_schema numbers = {.type = MG_SCHEMA_ARRAY, .items = &mg_schema_number};
static const struct mg_schema count_list = {.type = MG_SCHEMA_ARRAY, .items = &count};
static const char *const type_names[] = {"numeric", "categorical", NULL};
static const struct mg_schema type = {.type = MG_SCHEMA_STRING, .choices = type_names};
static const struct mg_schema_field cat_fields[] = {
        {"value", &mg_schema_string, true},
        {"count", &positive, true},
        {NULL, NULL, false},
};
static const struct mg_schema cat = {.type = MG_SCHEMA_OBJECT, .fields = cat_fields};
static const struct mg_schema cat_list = {.type = MG_SCHEMA_ARRAY, .items = &cat};
static const struct mg_schema_field col_fields[] = {
        {"name", &mg_schema_nonempty_string, true},
        {"type", &type, true},
        {"declared", &mg_schema_bool, false},
        {"rows", &count, true},
        {"missing", &count, true},
        {"invalid", &count, false},
        {"numbers", &count, false},
        {"sample", &numbers, false},
        {"edges", &numbers, false},
        {"bins", &count_list, false},
        {"mixed", &mg_schema_bool, false},
        {"categories", &cat_list, false},
        {"other", &count, false},
        {NULL, NULL, false},
};
static const struct mg_schema col = {.type = MG_SCHEMA_OBJECT, .fields = col_fields};
static const struct mg_schema col_list = {.type = MG_SCHEMA_ARRAY, .items = &col};
static const char *const formats[] = {PROFILE_FORMAT, NULL};
static const struct mg_schema format = {.type = MG_SCHEMA_STRING, .choices = formats};
static const struct mg_schema version = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 1};
static const struct mg_schema reservoir = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 10000000};
static const struct mg_schema bins = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 2, .max = 1000};
static const struct mg_schema max_categories = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 1, .max = 1000000};
static const struct mg_schema_field top_fields[] = {
        {"format", &format, true},
        {"version", &version, true},
        {"source", &mg_schema_string, true},
        {"rows", &count, true},
        {"reservoir", &reservoir, true},
        {"bins", &bins, true},
        {"max_categories", &max_categories, true},
        {"seed", &count, true},
        {"columns", &col_list, true},
        {NULL, NULL, false},
};
static const struct mg_schema top = {.type = MG_SCHEMA_OBJECT, .fields = top_fields};

static uint64_t u64(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return v ? (uint64_t)v->valuedouble : 0;
}

static const cJSON *member(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Column i (JSON o) of the profile is refused: its index and its name, then why. */
static int bad(const char *what, size_t i, const cJSON *o, const char *msg, struct mg_err *err)
{
	return mg_err_set(err, MG_EXIT_USAGE, "profile '%s': columns[%zu] '%s': %s", what, i,
	                  mg_json_str(o, "name"), msg);
}

/* The members of one type only: a numeric column with categories is refused, and so on. */
static int check_members(const cJSON *o, bool numeric, const char *what, size_t i,
                         struct mg_err *err)
{
	static const char *const num_only[] = {"invalid", "numbers", "sample", "edges", "bins"};
	static const char *const cat_only[] = {"categories", "other", "mixed"};

	char msg[64];

	for (size_t k = 0; k < MG_ARRAY_SIZE(num_only); k++) {
		bool has = member(o, num_only[k]) != NULL;

		if (numeric && !has && strcmp(num_only[k], "invalid")) {
			snprintf(msg, sizeof(msg), "a numeric column needs '%s'", num_only[k]);
			return bad(what, i, o, msg, err);
		}
		if (!numeric && has) {
			snprintf(msg, sizeof(msg), "'%s' in a categorical column", num_only[k]);
			return bad(what, i, o, msg, err);
		}
	}
	for (size_t k = 0; k < MG_ARRAY_SIZE(cat_only); k++) {
		bool has = member(o, cat_only[k]) != NULL;

		if (!numeric && !has && strcmp(cat_only[k], "mixed")) {
			snprintf(msg, sizeof(msg), "a categorical column needs '%s'", cat_only[k]);
			return bad(what, i, o, msg, err);
		}
		if (numeric && has) {
			snprintf(msg, sizeof(msg), "'%s' in a numeric column", cat_only[k]);
			return bad(what, i, o, msg, err);
		}
	}
	return 0;
}

static double *read_doubles(const cJSON *a, size_t *n)
{
	size_t len = (size_t)cJSON_GetArraySize(a), i = 0;
	double *v = mg_xcalloc(len ? len : 1, sizeof(*v));
	const cJSON *e;

	cJSON_ArrayForEach(e, a) v[i++] = e->valuedouble;
	*n = len;
	return v;
}

static int load_numeric(struct mg_drift_profile *p, struct mg_drift_col *c, const cJSON *o,
                        const char *what, size_t i, struct mg_err *err)
{
	const cJSON *e;
	size_t nb = (size_t)cJSON_GetArraySize(member(o, "bins")), k = 0;
	uint64_t *rebin;
	bool same = true;

	c->ref_invalid = u64(o, "invalid");
	c->ref.seen = u64(o, "numbers");
	if (c->ref_invalid > c->ref_missing)
		return bad(what, i, o, "more invalid values than missing ones", err);
	if (c->ref.seen != c->ref_rows - c->ref_missing)
		return bad(what, i, o, "'numbers' is not rows - missing", err);
	c->ref.v = read_doubles(member(o, "sample"), &c->ref.n);
	c->ref.alloc = c->ref.n;
	if (c->ref.n != (c->ref.seen < p->cfg.reservoir ? c->ref.seen : p->cfg.reservoir))
		return bad(what, i, o, "the sample's size is not min(numbers, reservoir)", err);
	for (size_t j = 0; j < c->ref.n; j++)
		if (j && c->ref.v[j] < c->ref.v[j - 1])
			return bad(what, i, o, "the sample is not sorted", err);
	c->edges = read_doubles(member(o, "edges"), &c->nedges);
	if (c->nedges >= p->cfg.bins)
		return bad(what, i, o, "more edges than bins - 1", err);
	for (size_t j = 1; j < c->nedges; j++)
		if (!(c->edges[j] > c->edges[j - 1]))
			return bad(what, i, o, "the edges do not increase", err);
	if (nb != c->nedges + 1)
		return bad(what, i, o, "'bins' does not have one count more than 'edges'", err);
	c->ref_bins = mg_xcalloc(nb, sizeof(*c->ref_bins));
	c->cur_bins = mg_xcalloc(nb, sizeof(*c->cur_bins));
	cJSON_ArrayForEach(e, member(o, "bins")) c->ref_bins[k++] = (uint64_t)e->valuedouble;
	/* the counts are the sample's: recount, so edited counts are caught */
	rebin = mg_xcalloc(nb, sizeof(*rebin));
	for (size_t j = 0; j < c->ref.n; j++)
		rebin[mg_drift_bin(c->edges, c->nedges, c->ref.v[j])]++;
	for (size_t j = 0; j < nb; j++)
		same = same && rebin[j] == c->ref_bins[j];
	free(rebin);
	if (!same)
		return bad(what, i, o, "'bins' are not the sample's counts in the edges", err);
	return 0;
}

static int load_categorical(struct mg_drift_profile *p, struct mg_drift_col *c, const cJSON *o,
                            const char *what, size_t i, struct mg_err *err)
{
	const cJSON *e;
	uint64_t total = u64(o, "other");

	c->mixed = cJSON_IsTrue(member(o, "mixed"));
	if ((size_t)cJSON_GetArraySize(member(o, "categories")) > p->cfg.max_categories)
		return bad(what, i, o, "more categories than max_categories", err);
	cJSON_ArrayForEach(e, member(o, "categories"))
	{
		const char *v = mg_json_str(e, "value");
		uint64_t n = u64(e, "count");

		{
			/* a repeated value would be counted into the first: refuse it */
			size_t before = c->ncats;
			uint64_t other = c->ref_other;

			mg_drift_count_category(c, p->cfg.max_categories, v, strlen(v), true);
			if (c->ncats == before || c->ref_other != other)
				return bad(what, i, o, "a category is listed twice", err);
			c->cats[c->ncats - 1].ref = n;
		}
		total += n;
	}
	c->ref_other = u64(o, "other");
	if (c->mixed && (c->ncats || c->ref_other))
		return bad(what, i, o, "a mixed column has no category counts", err);
	if (!c->mixed && total != c->ref_rows - c->ref_missing)
		return bad(what, i, o, "the category counts do not add up to rows - missing", err);
	return 0;
}

int mg_drift_profile_parse(struct mg_drift_profile *p, const char *what, const char *text,
                           size_t len, struct mg_err *err)
{
	struct mg_buf where = MG_BUF_INIT(MG_BUF_SMALL);
	cJSON *doc = NULL;
	const cJSON *o;
	size_t i = 0;
	int ret = -1;

	mg_buf_addf(&where, "profile '%s'", what);
	doc = mg_json_parse(text, len, where.buf, MG_EXIT_USAGE, err);
	if (!doc || mg_schema_check(&top, doc, where.buf, "profile", err))
		goto done;
	p->cfg.reservoir = (size_t)u64(doc, "reservoir");
	p->cfg.bins = (size_t)u64(doc, "bins");
	p->cfg.max_categories = (size_t)u64(doc, "max_categories");
	p->cfg.seed = u64(doc, "seed");
	p->ref_rows = u64(doc, "rows");
	free(p->ref_source);
	p->ref_source = mg_xstrdup(mg_json_str(doc, "source"));
	cJSON_ArrayForEach(o, member(doc, "columns"))
	{
		const char *name = mg_json_str(o, "name");
		bool numeric = !strcmp(mg_json_str(o, "type"), "numeric");
		struct mg_drift_col *c;

		if (mg_drift_profile_col(p, name)) {
			bad(what, i, o, "the column name is used twice", err);
			goto done;
		}
		if (check_members(o, numeric, what, i, err))
			goto done;
		c = mg_drift_profile_add_col(p, name);
		c->type = numeric ? MG_DRIFT_NUMERIC : MG_DRIFT_CATEGORICAL;
		c->forced = cJSON_IsTrue(member(o, "declared")) ? c->type : MG_DRIFT_AUTO;
		c->ref_rows = u64(o, "rows");
		c->ref_missing = u64(o, "missing");
		if (c->ref_rows != p->ref_rows || c->ref_missing > c->ref_rows) {
			bad(what, i, o, "'rows' is not the profile's or 'missing' is more", err);
			goto done;
		}
		if (numeric ? load_numeric(p, c, o, what, i, err)
		            : load_categorical(p, c, o, what, i, err))
			goto done;
		i++;
	}
	if (!p->ncols) {
		mg_err_set(err, MG_EXIT_USAGE, "profile '%s': no columns", what);
		goto done;
	}
	ret = 0;
done:
	cJSON_Delete(doc);
	mg_buf_release(&where);
	return ret;
}
