/*
 * Data contracts: compiled from the suite's JSON once, then applied to
 * every record of a CSV file as lib/csvstream.c streams it.
 */
#include "setup.h"
#include "smoke_contract.h"
#include "alloc.h"
#include "clock.h"
#include "csvstream.h"

#include <inttypes.h>
#include <math.h>
#include <strings.h>

static const char *const col_types[] = {"int", "float", "bool", "string", "date", "datetime", NULL};
static const struct mg_schema col_type = {.type = MG_SCHEMA_STRING, .choices = col_types};
static const struct mg_schema fraction = {
        .type = MG_SCHEMA_NUMBER, .ranged = true, .min = 0, .max = 1};
static const struct mg_schema_field col_fields[] = {
        {"type", &col_type, false},
        {"required", &mg_schema_bool, false},
        {"nullable", &mg_schema_bool, false},
        {"max_null_fraction", &fraction, false},
        {"min", &mg_schema_number, false},
        {"max", &mg_schema_number, false},
        {"allowed", &mg_schema_string_list, false},
        {"regex", &mg_schema_regex, false},
        {NULL, NULL, false},
};
static const struct mg_schema col_rule = {.type = MG_SCHEMA_OBJECT, .fields = col_fields};
const struct mg_schema mg_contract_columns_schema = {.type = MG_SCHEMA_MAP, .items = &col_rule};
static const struct mg_schema_field rows_fields[] = {
        {"min", &mg_schema_nonneg_integer, false},
        {"max", &mg_schema_nonneg_integer, false},
        {NULL, NULL, false},
};
const struct mg_schema mg_contract_rows_schema = {.type = MG_SCHEMA_OBJECT, .fields = rows_fields};

static char **strings_of(const cJSON *arr)
{
	size_t n = (size_t)cJSON_GetArraySize(arr), k = 0;
	char **out = mg_xcalloc(n + 1, sizeof(*out));
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		out[k++] = mg_xstrdup(it->valuestring);
	}
	return out;
}

static void free_strings(char **s)
{
	for (size_t i = 0; s && s[i]; i++)
		free(s[i]);
	free(s);
}

int mg_contract_init(struct mg_contract *c, const cJSON *spec, const char *path, struct mg_err *err)
{
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(spec, "columns");
	const cJSON *it;

	memset(c, 0, sizeof(*c));
	mg_buf_init(&c->report, MG_BUF_SMALL);
	c->max_null_fraction = -1;
	it = cJSON_GetObjectItemCaseSensitive(spec, "max_null_fraction");
	if (cJSON_IsNumber(it))
		c->max_null_fraction = it->valuedouble;
	it = cJSON_GetObjectItemCaseSensitive(spec, "unique");
	if (cJSON_IsArray(it) && cJSON_GetArraySize(it) > 0)
		c->unique = strings_of(it);
	it = cJSON_GetObjectItemCaseSensitive(spec, "rows");
	if (cJSON_IsObject(it)) {
		const cJSON *mn = cJSON_GetObjectItemCaseSensitive(it, "min");
		const cJSON *mx = cJSON_GetObjectItemCaseSensitive(it, "max");

		if (cJSON_IsNumber(mn)) {
			c->has_rows_min = true;
			c->rows_min = (uint64_t)mn->valuedouble;
		}
		if (cJSON_IsNumber(mx)) {
			c->has_rows_max = true;
			c->rows_max = (uint64_t)mx->valuedouble;
		}
		if (c->has_rows_min && c->has_rows_max && c->rows_min > c->rows_max)
			return mg_err_set(err, MG_EXIT_USAGE, "%s.rows: min is larger than max",
			                  path);
	}
	c->ncols = cJSON_IsObject(cols) ? (size_t)cJSON_GetArraySize(cols) : 0;
	c->cols = mg_xcalloc(c->ncols ? c->ncols : 1, sizeof(*c->cols));
	c->ncols = 0;
	cJSON_ArrayForEach(it, cols)
	{
		struct mg_contract_col *col = &c->cols[c->ncols++];
		const cJSON *v;

		col->name = mg_xstrdup(it->string);
		col->required = true;
		col->nullable = true;
		col->max_null_fraction = -1;
		col->index = -1;
		v = cJSON_GetObjectItemCaseSensitive(it, "type");
		if (cJSON_IsString(v))
			for (size_t t = 0; col_types[t]; t++)
				if (!strcmp(col_types[t], v->valuestring))
					col->type = (enum mg_col_type)(t + 1);
		v = cJSON_GetObjectItemCaseSensitive(it, "required");
		if (cJSON_IsBool(v))
			col->required = cJSON_IsTrue(v);
		v = cJSON_GetObjectItemCaseSensitive(it, "nullable");
		if (cJSON_IsBool(v))
			col->nullable = cJSON_IsTrue(v);
		v = cJSON_GetObjectItemCaseSensitive(it, "max_null_fraction");
		if (cJSON_IsNumber(v))
			col->max_null_fraction = v->valuedouble;
		v = cJSON_GetObjectItemCaseSensitive(it, "min");
		if (cJSON_IsNumber(v)) {
			col->has_min = true;
			col->min = v->valuedouble;
		}
		v = cJSON_GetObjectItemCaseSensitive(it, "max");
		if (cJSON_IsNumber(v)) {
			col->has_max = true;
			col->max = v->valuedouble;
		}
		if (col->has_min && col->has_max && col->min > col->max)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "%s.columns.%s: min is larger than max", path, col->name);
		if ((col->has_min || col->has_max) && col->type != MG_COL_INT &&
		    col->type != MG_COL_FLOAT)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "%s.columns.%s: min and max need type int or float", path,
			                  col->name);
		v = cJSON_GetObjectItemCaseSensitive(it, "allowed");
		if (cJSON_IsArray(v))
			col->allowed = strings_of(v);
		v = cJSON_GetObjectItemCaseSensitive(it, "regex");
		if (cJSON_IsString(v)) {
			/* anchored: the whole value must match, as pandas' str.fullmatch */
			struct mg_buf re = MG_BUF_INIT(MG_BUF_SMALL);

			mg_buf_addf(&re, "^(%s)$", v->valuestring);
			if (regcomp(&col->re, re.buf, REG_EXTENDED | REG_NOSUB)) {
				mg_buf_release(&re);
				return mg_err_set(err, MG_EXIT_USAGE,
				                  "%s.columns.%s.regex: does not compile", path,
				                  col->name);
			}
			mg_buf_release(&re);
			col->has_re = true;
		}
	}
	return 0;
}

void mg_contract_release(struct mg_contract *c)
{
	for (size_t i = 0; i < c->ncols; i++) {
		free(c->cols[i].name);
		free_strings(c->cols[i].allowed);
		if (c->cols[i].has_re)
			regfree(&c->cols[i].re);
	}
	free(c->cols);
	free_strings(c->unique);
	free(c->unique_idx);
	free(c->hashes);
	mg_buf_release(&c->report);
	memset(c, 0, sizeof(*c));
}

static void violation(struct mg_contract *c, uint64_t row, const char *col, long colno,
                      const char *fmt, ...) MG_PRINTF(5, 6);

static void violation(struct mg_contract *c, uint64_t row, const char *col, long colno,
                      const char *fmt, ...)
{
	va_list ap;

	if (c->violations++ >= MG_CONTRACT_REPORT_MAX)
		return;
	if (row)
		mg_buf_addf(&c->report, "row %" PRIu64 ", column '%s' (%ld): ", row, col, colno);
	else
		mg_buf_addf(&c->report, "column '%s': ", col);
	va_start(ap, fmt);
	mg_buf_vaddf(&c->report, fmt, ap);
	va_end(ap);
	mg_buf_addch(&c->report, '\n');
}

/*
 * Fast path for the plain decimals sample data is made of: [-+]digits[.digits]
 * with at most 15 significant digits and at most 22 decimals is exact as
 * mantissa / 10^k (both exact doubles; one correctly rounded division), as
 * strtod would give. Anything else (exponents, long mantissas) goes to strtod.
 * Returns 1 parsed, 0 not a plain decimal, and sets *is_int for no '.'.
 */
static int fast_decimal(const char *s, double *out, bool *is_int)
{
	static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
	                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	bool neg = false;
	uint64_t m = 0;
	int digits = 0, frac = -1, seen = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			seen++;
			if (m || *s != '0')
				digits++;
			if (digits > 15)
				return 0;
			m = m * 10 + (uint64_t)(*s - '0');
			if (frac >= 0)
				frac++;
		} else if (*s == '.' && frac < 0) {
			frac = 0;
		} else {
			break;
		}
	}
	if (*s || !seen || frac > 22)
		return 0;
	*is_int = frac < 0;
	*out = (double)m / pow10[frac > 0 ? frac : 0];
	if (neg)
		*out = -*out;
	return 1;
}

static bool parse_int(const char *s, double *out)
{
	char *end;
	long long v;
	bool is_int;

	if (*s >= '0' && *s <= '9' && s[1] == '\0') {
		*out = *s - '0';
		return true;
	}
	if ((*s >= '0' && *s <= '9') || ((*s == '-' || *s == '+') && s[1] >= '0' && s[1] <= '9')) {
		if (fast_decimal(s, out, &is_int))
			return is_int;
	} else {
		return false;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = (double)v;
	return true;
}

static bool parse_float(const char *s, double *out)
{
	char *end;
	bool is_int;

	if (fast_decimal(s, out, &is_int))
		return true;
	if (!*s || *s == ' ' || *s == '\t' || *s == '\n' || strpbrk(s, "xX"))
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !*end && errno != ERANGE;
}

static bool is_bool(const char *s)
{
	static const char *const words[] = {"true", "false", "1", "0", "yes", "no", NULL};

	for (size_t i = 0; words[i]; i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

static bool is_date(const char *s, size_t len)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (len < 10)
		return false;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

static bool two_digits(const char *s, int max)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
	       (s[0] - '0') * 10 + (s[1] - '0') <= max;
}

/* A date, or date[T ]HH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]. */
static bool is_datetime(const char *s, size_t len)
{
	size_t i = 19;

	if (len == 10)
		return is_date(s, len);
	if (len < 19 || !is_date(s, 10) || (s[10] != 'T' && s[10] != ' '))
		return false;
	if (!two_digits(s + 11, 23) || s[13] != ':' || !two_digits(s + 14, 59) || s[16] != ':' ||
	    !two_digits(s + 17, 60))
		return false;
	if (i < len && s[i] == '.') {
		i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return false;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i == len)
		return true;
	if (s[i] == 'Z')
		return i + 1 == len;
	if ((s[i] == '+' || s[i] == '-') && len == i + 6)
		return two_digits(s + i + 1, 23) && s[i + 3] == ':' && two_digits(s + i + 4, 59);
	return false;
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t len)
{
	/* FNV-1a, 64 bit */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Insert `h`; false when it was there already. */
static bool hash_insert(struct mg_contract *c, uint64_t h)
{
	size_t mask, i;

	if (h == 0)
		h = 1; /* 0 marks a free slot */
	if ((c->hash_n + 1) * 2 > c->hash_cap) {
		size_t ncap = c->hash_cap ? c->hash_cap * 2 : 1024;
		uint64_t *nh = mg_xcalloc(ncap, sizeof(*nh));

		for (size_t k = 0; k < c->hash_cap; k++) {
			if (!c->hashes[k])
				continue;
			for (i = c->hashes[k] & (ncap - 1); nh[i]; i = (i + 1) & (ncap - 1))
				;
			nh[i] = c->hashes[k];
		}
		free(c->hashes);
		c->hashes = nh;
		c->hash_cap = ncap;
	}
	mask = c->hash_cap - 1;
	for (i = h & mask; c->hashes[i]; i = (i + 1) & mask)
		if (c->hashes[i] == h)
			return false;
	c->hashes[i] = h;
	c->hash_n++;
	return true;
}

static int on_header(struct mg_contract *c, const struct mg_csv_field *f, size_t n,
                     struct mg_err *err)
{
	for (size_t i = 0; i < c->ncols; i++) {
		struct mg_contract_col *col = &c->cols[i];

		col->index = -1;
		col->nulls = 0;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(f[k].s, col->name))
				col->index = (long)k;
		if (col->index < 0 && col->required)
			violation(c, 0, col->name, 0, "missing from the header");
	}
	if (c->unique) {
		size_t nu = 0;

		while (c->unique[nu])
			nu++;
		c->unique_idx = mg_xcalloc(nu + 1, sizeof(long));
		for (size_t u = 0; u < nu; u++) {
			c->unique_idx[u] = -1;
			for (size_t k = 0; k < n; k++)
				if (!strcmp(f[k].s, c->unique[u]))
					c->unique_idx[u] = (long)k;
			if (c->unique_idx[u] < 0)
				return mg_err_set(
				        err, MG_EXIT_USAGE,
				        "'%s': unique key column '%s' is not in the header",
				        c->name, c->unique[u]);
		}
		c->unique_idx[nu] = -1;
	}
	return 0;
}

static void check_value(struct mg_contract *c, uint64_t row, struct mg_contract_col *col,
                        const struct mg_csv_field *f)
{
	double v = 0;
	bool numeric = false;
	const char *tname = col_types[col->type ? col->type - 1 : 0];

	if (f->len == 0) {
		col->nulls++;
		if (!col->nullable)
			violation(c, row, col->name, col->index + 1, "null (empty) value");
		return;
	}
	switch (col->type) {
	case MG_COL_INT:
		numeric = parse_int(f->s, &v);
		if (!numeric)
			goto bad_type;
		break;
	case MG_COL_FLOAT:
		numeric = parse_float(f->s, &v);
		if (!numeric)
			goto bad_type;
		if (!isfinite(v)) {
			violation(c, row, col->name, col->index + 1,
			          "'%.40s' is not a finite number", f->s);
			return;
		}
		break;
	case MG_COL_BOOL:
		if (!is_bool(f->s))
			goto bad_type;
		break;
	case MG_COL_DATE:
		if (f->len != 10 || !is_date(f->s, f->len))
			goto bad_type;
		break;
	case MG_COL_DATETIME:
		if (!is_datetime(f->s, f->len))
			goto bad_type;
		break;
	default:
		break;
	}
	if (numeric && col->has_min && v < col->min) {
		char b[MG_DOUBLE_LEN];

		violation(c, row, col->name, col->index + 1, "%.40s is below the minimum %s", f->s,
		          mg_double_str(col->min, b));
	}
	if (numeric && col->has_max && v > col->max) {
		char b[MG_DOUBLE_LEN];

		violation(c, row, col->name, col->index + 1, "%.40s is above the maximum %s", f->s,
		          mg_double_str(col->max, b));
	}
	if (col->allowed) {
		bool ok = false;

		for (size_t i = 0; col->allowed[i] && !ok; i++)
			ok = !strcmp(col->allowed[i], f->s);
		if (!ok)
			violation(c, row, col->name, col->index + 1,
			          "'%.40s' is not an allowed value", f->s);
	}
	if (col->has_re && regexec(&col->re, f->s, 0, NULL, 0))
		violation(c, row, col->name, col->index + 1, "'%.40s' does not match the regex",
		          f->s);
	return;
bad_type:
	violation(c, row, col->name, col->index + 1, "'%.40s' is not of type %s", f->s, tname);
}

static int on_record(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                     struct mg_err *err)
{
	struct mg_contract *c = arg;

	if (row == 1)
		return on_header(c, f, n, err);
	c->rows++;
	for (size_t i = 0; i < c->ncols; i++)
		if (c->cols[i].index >= 0)
			check_value(c, row, &c->cols[i], &f[c->cols[i].index]);
	if (c->unique_idx) {
		uint64_t h = 0xcbf29ce484222325ULL;

		if (c->hash_n >= MG_CONTRACT_UNIQUE_MAX)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "'%s': more than %" PRIu64 " rows for a unique check",
			                  c->name, MG_CONTRACT_UNIQUE_MAX);
		for (size_t u = 0; c->unique_idx[u] >= 0; u++) {
			const struct mg_csv_field *k = &f[c->unique_idx[u]];

			h = hash_bytes(h, k->s,
			               k->len + 1); /* with the NUL: "a","bc" != "ab","c" */
		}
		if (!hash_insert(c, h))
			violation(c, row, c->unique[0], c->unique_idx[0] + 1,
			          "duplicate key (unique: %s%s)", c->unique[0],
			          c->unique[1] ? ", ..." : "");
	}
	return 0;
}

int mg_contract_check_file(struct mg_contract *c, const char *file, struct mg_err *err)
{
	c->name = file;
	c->rows = 0;
	c->violations = 0;
	mg_buf_reset(&c->report);
	if (mg_csv_read_file(file, NULL, on_record, c, NULL, err))
		return -1;
	for (size_t i = 0; i < c->ncols; i++) {
		struct mg_contract_col *col = &c->cols[i];
		double limit =
		        col->max_null_fraction >= 0 ? col->max_null_fraction : c->max_null_fraction;
		double frac = c->rows ? (double)col->nulls / (double)c->rows : 0;

		if (col->index >= 0 && limit >= 0 && frac > limit) {
			char a[MG_DOUBLE_LEN], b[MG_DOUBLE_LEN];

			violation(c, 0, col->name, 0,
			          "null fraction %s is above %s (%" PRIu64 " of %" PRIu64 " rows)",
			          mg_double_str(frac, a), mg_double_str(limit, b), col->nulls,
			          c->rows);
		}
	}
	if (c->has_rows_min && c->rows < c->rows_min)
		violation(c, 0, "*", 0, "%" PRIu64 " rows, fewer than the minimum %" PRIu64,
		          c->rows, c->rows_min);
	if (c->has_rows_max && c->rows > c->rows_max)
		violation(c, 0, "*", 0, "%" PRIu64 " rows, more than the maximum %" PRIu64, c->rows,
		          c->rows_max);
	return 0;
}

static int count_cb(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                    struct mg_err *err)
{
	(void)arg;
	(void)row;
	(void)f;
	(void)n;
	(void)err;
	return 0;
}

int mg_contract_count_rows(const char *file, uint64_t *rows, struct mg_err *err)
{
	return mg_csv_read_file(file, NULL, count_cb, NULL, rows, err);
}
