/*
 * Drift profiles (drift_stats.h): one streaming pass per file with the CSV
 * reader, bounded memory per column whatever the number of rows.
 */
#include "setup.h"
#include "drift_stats.h"
#include "alloc.h"
#include "csvstream.h"
#include "json.h"
#include "policy.h"
#include "stats.h"

#include <math.h>
#include <xxhash.h>

/* --- values ------------------------------------------------------------------ */

/*
 * pandas read_csv's default missing-value markers, so a pandas oracle sees
 * the same missing cells; by length, so a value is compared with few.
 */
static const struct {
	const char *s;
	size_t len;
} missing_tokens[] = {
        {"NA", 2},      {"#NA", 3},      {"<NA>", 4},     {"N/A", 3},    {"NaN", 3},
        {"nan", 3},     {"n/a", 3},      {"#N/A", 4},     {"-NaN", 4},   {"-nan", 4},
        {"NULL", 4},    {"None", 4},     {"null", 4},     {"1.#IND", 6}, {"-1.#IND", 7},
        {"1.#QNAN", 7}, {"-1.#QNAN", 8}, {"#N/A N/A", 8},
};

static bool is_missing(const char *s, size_t len)
{
	if (!len)
		return true;
	if (len < 2 || len > 8)
		return false;
	/* every marker starts with one of these and has no digit second */
	if (!(s[0] == 'N' || s[0] == 'n' || s[0] == '#' || s[0] == '<' || s[0] == '-' ||
	      s[0] == '1') ||
	    (s[1] >= '0' && s[1] <= '9'))
		return false;
	for (size_t i = 0; i < MG_ARRAY_SIZE(missing_tokens); i++)
		if (missing_tokens[i].len == len && !memcmp(missing_tokens[i].s, s, len))
			return true;
	return false;
}

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A finite decimal number (NUMBER, parsed into *out) or not (TEXT). */
static enum mg_drift_value parse_number(const char *s, size_t len, double *out)
{
	/* up to 19 digits (leading zeros too) fit the mantissa; more: strtod rounds them */
	size_t i = 0, digits = 0, kept = 0;
	uint64_t mant = 0;
	long exp10 = 0, e = 0;
	bool neg = false, eneg = false;

	if (s[0] == '+' || s[0] == '-')
		neg = s[i++] == '-';
	for (; i < len && (unsigned)(s[i] - '0') < 10; i++, digits++)
		if (kept < 19)
			mant = mant * 10 + (uint64_t)(s[i] - '0'), kept++;
	if (i < len && s[i] == '.') {
		size_t before = kept;

		for (i++; i < len && (unsigned)(s[i] - '0') < 10; i++, digits++)
			if (kept < 19)
				mant = mant * 10 + (uint64_t)(s[i] - '0'), kept++;
		exp10 = -(long)(kept - before);
	}
	if (!digits)
		return MG_DRIFT_TEXT;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t edigits = 0;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, edigits++)
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		if (!edigits)
			return MG_DRIFT_TEXT;
	}
	if (i != len)
		return MG_DRIFT_TEXT;
	exp10 += eneg ? -e : e;
	if (kept == digits && mant <= ((uint64_t)1 << 53) && exp10 >= -22 && exp10 <= 22) {
		/* Clinger's fast path: both operands exact, so the one rounding is strtod's */
		double v = (double)mant;

		v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
		*out = neg ? -v : v;
		return MG_DRIFT_NUMBER;
	}
	{
		char buf[512];
		char *end;
		double v;

		if (len >= sizeof(buf))
			return MG_DRIFT_TEXT;
		memcpy(buf, s, len);
		buf[len] = '\0';
		errno = 0;
		v = strtod(buf, &end);
		if (end != buf + len || !isfinite(v))
			return MG_DRIFT_TEXT;
		*out = v;
	}
	return MG_DRIFT_NUMBER;
}

enum mg_drift_value mg_drift_parse(const char *s, size_t len, double *out)
{
	/* numbers first: most values are, and no marker parses as one */
	if (!len)
		return MG_DRIFT_MISSING;
	if (parse_number(s, len, out) == MG_DRIFT_NUMBER)
		return MG_DRIFT_NUMBER;
	return is_missing(s, len) ? MG_DRIFT_MISSING : MG_DRIFT_TEXT;
}

/* --- reservoir sampling ------------------------------------------------------ */

/* Uniform in (0, 1). */
static double unif(uint64_t *state)
{
	return ((double)(mg_splitmix64(state) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static void sample_init(struct mg_drift_sample *r, size_t cap, uint64_t seed, uint64_t stream)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap;
	r->rng = seed ^ (0xD1B54A32D192ED03ULL * (stream + 1));
}

/* Algorithm L's jump: how many values to pass over before the next one enters. */
static void sample_skip(struct mg_drift_sample *r)
{
	double s = floor(log(unif(&r->rng)) / log1p(-r->w));

	r->next = r->seen + 1 + (s < 4e18 ? (uint64_t)s : (uint64_t)4e18);
}

/* The value a full reservoir takes in (seen == next), or one while it fills. */
static void sample_take(struct mg_drift_sample *r, double v)
{
	if (r->n < r->cap) {
		if (r->n == r->alloc) {
			r->alloc = r->alloc ? r->alloc * 2 : 256;
			if (r->alloc > r->cap)
				r->alloc = r->cap;
			r->v = mg_xrealloc(r->v, r->alloc * sizeof(*r->v));
		}
		r->v[r->n++] = v;
		if (r->n == r->cap) {
			r->w = exp(log(unif(&r->rng)) / (double)r->cap);
			sample_skip(r);
		}
		return;
	}
	r->v[mg_splitmix64(&r->rng) % r->cap] = v;
	r->w *= exp(log(unif(&r->rng)) / (double)r->cap);
	sample_skip(r);
}

/* Offer one value: inline, since almost every value of a long column is passed over. */
static inline void sample_add(struct mg_drift_sample *r, double v)
{
	r->seen++;
	if (r->n < r->cap || r->seen == r->next)
		sample_take(r, v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void sample_sort(struct mg_drift_sample *r)
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), cmp_double);
}

/* --- categories -------------------------------------------------------------- */

static size_t cat_slot(const struct mg_drift_col *c, const char *s, size_t len, bool *found)
{
	size_t mask = c->nslots - 1, i = (size_t)XXH3_64bits(s, len) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t k = c->slots[i];

		if (!k) {
			*found = false;
			return i;
		}
		if (c->cats[k - 1].len == len && c->cats[k - 1].name[0] == s[0] &&
		    !memcmp(c->cats[k - 1].name, s, len)) {
			*found = true;
			return i;
		}
	}
}

/* Count one value of a category (the reference's when `ref`); "other" once the table is full. */
void mg_drift_count_category(struct mg_drift_col *c, size_t max, const char *s, size_t len,
                             bool ref)
{
	size_t i;
	bool found;
	struct mg_drift_cat *k;

	if (!c->slots) {
		c->nslots = 16;
		while (c->nslots < 2 * (max + 1))
			c->nslots *= 2;
		c->slots = mg_xcalloc(c->nslots, sizeof(*c->slots));
	}
	i = cat_slot(c, s, len, &found);
	if (!found) {
		if (c->ncats >= max) {
			if (ref)
				c->ref_other++;
			else
				c->cur_other++;
			return;
		}
		if (c->ncats == c->cats_alloc) {
			c->cats_alloc = c->cats_alloc ? c->cats_alloc * 2 : 16;
			c->cats = mg_xrealloc(c->cats, c->cats_alloc * sizeof(*c->cats));
		}
		k = &c->cats[c->ncats++];
		k->name = mg_xmalloc(len + 1);
		memcpy(k->name, s, len);
		k->name[len] = '\0';
		k->len = len;
		k->ref = k->cur = 0;
		c->slots[i] = (uint32_t)c->ncats;
	}
	k = &c->cats[c->slots[i] - 1];
	if (ref)
		k->ref++;
	else
		k->cur++;
}

static bool cat_known(const struct mg_drift_col *c, const char *s, size_t len)
{
	bool found = false;

	if (c->slots)
		cat_slot(c, s, len, &found);
	return found;
}

static void cats_free(struct mg_drift_col *c)
{
	for (size_t i = 0; i < c->ncats; i++)
		free(c->cats[i].name);
	free(c->cats);
	free(c->slots);
	c->cats = NULL;
	c->slots = NULL;
	c->ncats = c->cats_alloc = c->nslots = 0;
	c->ref_other = c->cur_other = 0;
}

/* --- profiles ------------------------------------------------------------------ */

void mg_drift_profile_init(struct mg_drift_profile *p, const struct mg_drift_config *cfg)
{
	static const struct mg_drift_config defaults = MG_DRIFT_CONFIG_INIT;

	memset(p, 0, sizeof(*p));
	p->cfg = cfg ? *cfg : defaults;
}

static void col_release(struct mg_drift_col *c)
{
	free(c->name);
	free(c->ref.v);
	free(c->cur.v);
	free(c->edges);
	free(c->ref_bins);
	free(c->cur_bins);
	cats_free(c);
}

void mg_drift_profile_release(struct mg_drift_profile *p)
{
	for (size_t i = 0; i < p->ncols; i++)
		col_release(&p->cols[i]);
	free(p->cols);
	free(p->ref_source);
	p->cols = NULL;
	p->ncols = 0;
	p->ref_source = NULL;
}

struct mg_drift_col *mg_drift_profile_col(struct mg_drift_profile *p, const char *name)
{
	for (size_t i = 0; i < p->ncols; i++)
		if (!strcmp(p->cols[i].name, name))
			return &p->cols[i];
	return NULL;
}

struct mg_drift_col *mg_drift_profile_add_col(struct mg_drift_profile *p, const char *name)
{
	struct mg_drift_col *c;

	p->cols = mg_xrealloc(p->cols, (p->ncols + 1) * sizeof(*p->cols));
	c = &p->cols[p->ncols];
	memset(c, 0, sizeof(*c));
	c->name = mg_xstrdup(name);
	c->idx = -1;
	sample_init(&c->ref, p->cfg.reservoir, p->cfg.seed, 2 * p->ncols);
	sample_init(&c->cur, p->cfg.reservoir, p->cfg.seed, 2 * p->ncols + 1);
	p->ncols++;
	return c;
}

/* Bin edges and counts from the reference sample; zeroed current counts. */
static void make_bins(struct mg_drift_col *c, size_t bins)
{
	c->edges = mg_xcalloc(bins, sizeof(*c->edges));
	c->nedges = mg_drift_edges(c->ref.v, c->ref.n, bins, c->edges);
	c->ref_bins = mg_xcalloc(c->nedges + 1, sizeof(*c->ref_bins));
	c->cur_bins = mg_xcalloc(c->nedges + 1, sizeof(*c->cur_bins));
	for (size_t i = 0; i < c->ref.n; i++)
		c->ref_bins[mg_drift_bin(c->edges, c->nedges, c->ref.v[i])]++;
}

static void finish_reference(struct mg_drift_profile *p)
{
	for (size_t i = 0; i < p->ncols; i++) {
		struct mg_drift_col *c = &p->cols[i];

		c->type = c->forced             ? c->forced
		          : c->text || c->mixed ? MG_DRIFT_CATEGORICAL
		                                : MG_DRIFT_NUMERIC;
		if (c->type == MG_DRIFT_NUMERIC) {
			cats_free(c);
			sample_sort(&c->ref);
			make_bins(c, p->cfg.bins);
		} else {
			free(c->ref.v);
			sample_init(&c->ref, p->cfg.reservoir, p->cfg.seed, 2 * i);
			if (c->mixed)
				cats_free(c); /* counts stopped partway: none are kept */
		}
	}
}

struct pass {
	struct mg_drift_profile *p;
	const char *path;
	struct mg_drift_col **map; /* field index -> column, NULL: not profiled */
	size_t nmap;
	enum mg_drift_type (*types)(void *arg, const char *name);
	void *arg;
};

static void ref_value(struct mg_drift_profile *p, struct mg_drift_col *c, const char *s, size_t len)
{
	double v;
	enum mg_drift_value k;

	c->ref_rows++;
	if (c->forced == MG_DRIFT_CATEGORICAL) {
		if (is_missing(s, len))
			c->ref_missing++;
		else
			mg_drift_count_category(c, p->cfg.max_categories, s, len, true);
		return;
	}
	k = mg_drift_parse(s, len, &v);
	if (k == MG_DRIFT_MISSING) {
		c->ref_missing++;
	} else if (c->forced == MG_DRIFT_NUMERIC) {
		if (k == MG_DRIFT_NUMBER) {
			sample_add(&c->ref, v);
		} else {
			c->ref_invalid++;
			c->ref_missing++;
		}
	} else if (k == MG_DRIFT_NUMBER) {
		if (!c->text)
			sample_add(&c->ref, v);
		if (c->cats_full)
			return;
		if (!c->text && c->ncats >= p->cfg.max_categories && !cat_known(c, s, len)) {
			c->cats_full =
			        true; /* many distinct numbers: numeric unless text follows */
			return;
		}
		mg_drift_count_category(c, p->cfg.max_categories, s, len, true);
	} else if (c->cats_full) {
		c->mixed = true;
	} else {
		c->text = true;
		mg_drift_count_category(c, p->cfg.max_categories, s, len, true);
	}
}

static int ref_row(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                   struct mg_err *err)
{
	struct pass *ps = arg;
	struct mg_drift_profile *p = ps->p;

	if (row == 1) {
		for (size_t i = 0; i < n; i++) {
			struct mg_drift_col *c;

			if (mg_drift_profile_col(p, f[i].s))
				return mg_err_set(err, MG_EXIT_USAGE,
				                  "'%s': column %zu: the name '%s' is used twice",
				                  ps->path, i + 1, f[i].s);
			c = mg_drift_profile_add_col(p, f[i].s);
			c->forced = ps->types ? ps->types(ps->arg, f[i].s) : MG_DRIFT_AUTO;
		}
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		ref_value(p, &p->cols[i], f[i].s, f[i].len);
	return 0;
}

int mg_drift_read_reference(struct mg_drift_profile *p, const char *path,
                            enum mg_drift_type (*types)(void *arg, const char *name), void *arg,
                            struct mg_err *err)
{
	struct pass ps = {p, path, NULL, 0, types, arg};
	uint64_t rows = 0;

	free(p->ref_source);
	p->ref_source = mg_xstrdup(path);
	if (mg_csv_read_file(path, NULL, ref_row, &ps, &rows, err))
		return -1;
	if (!p->ncols)
		return mg_err_set(err, MG_EXIT_USAGE, "'%s': no header row", path);
	if (!rows) /* nothing to compare with: never a pass */
		return mg_err_set(err, MG_EXIT_USAGE, "'%s': no rows after the header", path);
	p->ref_rows = rows;
	finish_reference(p);
	return 0;
}

/* mg_drift_bin, inlined into the per-value loop for the usual few edges */
static inline size_t bin_of(const double *edges, size_t nedges, double v)
{
	size_t n = 0;

	if (nedges > 32)
		return mg_drift_bin(edges, nedges, v);
	for (size_t i = 0; i < nedges; i++)
		n += edges[i] <= v;
	return n;
}

static int cur_row(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                   struct mg_err *err)
{
	struct pass *ps = arg;
	struct mg_drift_profile *p = ps->p;

	if (row == 1) {
		ps->map = mg_xcalloc(n ? n : 1, sizeof(*ps->map));
		ps->nmap = n;
		for (size_t i = 0; i < n; i++) {
			struct mg_drift_col *c = mg_drift_profile_col(p, f[i].s);

			for (size_t j = 0; j < i; j++)
				if (!strcmp(f[j].s, f[i].s))
					return mg_err_set(
					        err, MG_EXIT_USAGE,
					        "'%s': column %zu: the name '%s' is used twice",
					        ps->path, i + 1, f[i].s);
			ps->map[i] = c;
			if (c)
				c->in_current = true;
		}
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct mg_drift_col *c = ps->map[i];
		const char *s = f[i].s;
		size_t len = f[i].len;
		double v;

		if (!c)
			continue;
		if (c->type == MG_DRIFT_CATEGORICAL) {
			if (is_missing(s, len))
				c->cur_missing++;
			else if (!c->mixed)
				mg_drift_count_category(c, p->cfg.max_categories, s, len, false);
			continue;
		}
		switch (mg_drift_parse(s, len, &v)) {
		case MG_DRIFT_MISSING:
			c->cur_missing++;
			break;
		case MG_DRIFT_NUMBER:
			sample_add(&c->cur, v);
			c->cur_bins[bin_of(c->edges, c->nedges, v)]++;
			break;
		case MG_DRIFT_TEXT:
			c->cur_invalid++;
			c->cur_missing++;
			break;
		}
	}
	return 0;
}

int mg_drift_read_current(struct mg_drift_profile *p, const char *path, struct mg_err *err)
{
	struct pass ps = {p, path, NULL, 0, NULL, NULL};
	uint64_t rows = 0;
	int rc = mg_csv_read_file(path, NULL, cur_row, &ps, &rows, err);

	free(ps.map);
	if (rc)
		return -1;
	if (!ps.nmap)
		return mg_err_set(err, MG_EXIT_USAGE, "'%s': no header row", path);
	if (!rows) /* an empty window (a failed export) is not a window without drift */
		return mg_err_set(err, MG_EXIT_USAGE, "'%s': no rows after the header", path);
	p->cur_rows = rows;
	for (size_t i = 0; i < p->ncols; i++) {
		/* every record has every field: the window's rows are each present column's */
		p->cols[i].cur_rows = p->cols[i].in_current ? rows : 0;
		sample_sort(&p->cols[i].cur);
	}
	return 0;
}
