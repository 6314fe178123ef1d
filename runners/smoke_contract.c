/*
 * Data contracts: compiled from the suite's JSON once, then applied to
 * every record of a CSV file as lib/csvstream.c streams it.
 */
#include "setup.h"
#include "smoke_contract.h"
#include "text.h"
#include "alloc.h"
#include "classre.h"
#include "clock.h"
#include "csvstream.h"
#include "dupfind.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <xxhash.h>

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

/* FNV-1a, 64 bit: allowed values are a few bytes, hashed inline (no call per value). */
static inline uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The allowed values in a hash table (open addressing, at most half full). */
static void allowed_index(struct mg_contract_col *col)
{
	size_t n = 0, cap = 8;

	while (col->allowed[n])
		n++;
	while (cap < 2 * n)
		cap *= 2;
	col->allowed_len = mg_xcalloc(n + 1, sizeof(*col->allowed_len));
	col->allowed_slots = mg_xcalloc(cap, sizeof(*col->allowed_slots));
	col->allowed_mask = cap - 1;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(col->allowed[i]);
		size_t k = hash_bytes(col->allowed[i], len) & col->allowed_mask;

		col->allowed_len[i] = len;
		while (col->allowed_slots[k])
			k = (k + 1) & col->allowed_mask;
		col->allowed_slots[k] = (uint32_t)(i + 1);
	}
}

/* memcmp(a, b, len) == 0 without a call: allowed values are short. */
static inline bool same_bytes(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool is_allowed(const struct mg_contract_col *col, const char *s, size_t len)
{
	size_t k = hash_bytes(s, len) & col->allowed_mask;

	for (uint32_t i; (i = col->allowed_slots[k]) != 0; k = (k + 1) & col->allowed_mask)
		if (col->allowed_len[i - 1] == len && same_bytes(col->allowed[i - 1], s, len))
			return true;
	return false;
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
		if (cJSON_IsArray(v)) {
			col->allowed = strings_of(v);
			allowed_index(col);
		}
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
			col->fast_re = mg_classre_compile(v->valuestring);
		}
	}
	return 0;
}

void mg_contract_release(struct mg_contract *c)
{
	for (size_t i = 0; i < c->ncols; i++) {
		free(c->cols[i].name);
		free_strings(c->cols[i].allowed);
		free(c->cols[i].allowed_len);
		free(c->cols[i].allowed_slots);
		mg_classre_free(c->cols[i].fast_re);
		if (c->cols[i].has_re)
			regfree(&c->cols[i].re);
	}
	free(c->cols);
	free_strings(c->unique);
	free(c->unique_idx);
	mg_dupfind_free(c->uq);
	if (c->key_state)
		XXH3_freeState(c->key_state);
	mg_buf_release(&c->report);
	memset(c, 0, sizeof(*c));
}

static void violation(struct mg_contract *c, uint64_t row, const char *col, long colno,
                      const char *fmt, ...) MG_PRINTF(5, 6);

static void violation(struct mg_contract *c, uint64_t row, const char *col, long colno,
                      const char *fmt, ...)
{
	va_list ap;
	uint64_t i = c->violations++;

	if (i >= MG_CONTRACT_REPORT_MAX)
		return;
	if (row)
		mg_buf_addf(&c->report, "row %" PRIu64 ", column '%s' (%ld): ", row, col, colno);
	else
		mg_buf_addf(&c->report, "column '%s': ", col);
	va_start(ap, fmt);
	mg_buf_vaddf(&c->report, fmt, ap);
	va_end(ap);
	mg_buf_addch(&c->report, '\n');
	c->report_row[i] = row;
	c->report_end[i] = c->report.len;
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

static bool parse_int_slow(const char *s, double *out)
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

static bool parse_float_slow(const char *s, double *out)
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

/*
 * The common case of an int: an optional sign and 1 to 18 digits, whose
 * value strtoll gives exactly; (double) of it is what parse_int_slow gives.
 */
static bool parse_int(const char *s, size_t len, double *out)
{
	const char *p = s, *e = s + len;
	bool neg = false;
	int64_t v = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (p == e || e - p > 18)
		return parse_int_slow(s, out);
	for (; p < e; p++) {
		unsigned d = (unsigned)(unsigned char)*p - '0';

		if (d > 9)
			return parse_int_slow(s, out);
		v = v * 10 + (int64_t)d;
	}
	*out = (double)(neg ? -v : v);
	return true;
}

/*
 * The common case of a float: [-+]digits[.digits] with at most 15 digits in
 * all, which fast_decimal takes too and turns into the same value (the same
 * mantissa over the same power of ten); anything else goes through it.
 * Without `value` (no min or max to compare with) only whether it is a float
 * and finite matters, which saves the division.
 */
static bool parse_float(const char *s, size_t len, double *out, bool value)
{
	static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
	                               1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	const char *p = s, *e = s + len, *dot = NULL;
	bool neg = false;
	uint64_t m = 0;
	size_t digits;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	digits = (size_t)(e - p);
	if (digits == 0 || digits > 16)
		return parse_float_slow(s, out);
	for (; p < e; p++) {
		unsigned d = (unsigned)(unsigned char)*p - '0';

		if (d <= 9)
			m = m * 10 + d;
		else if (*p == '.' && !dot)
			dot = p;
		else
			return parse_float_slow(s, out);
	}
	if (dot)
		digits--;
	if (digits == 0 || digits > 15)
		return parse_float_slow(s, out);
	if (!value) {
		*out = 0; /* only its type was asked for: every such value is finite */
		return true;
	}
	*out = dot ? (double)m / pow10[e - dot - 1] : (double)m;
	if (neg)
		*out = -*out;
	return true;
}

/* In the C locale, as strcasecmp against true/false/1/0/yes/no. */
static bool is_bool(const char *s, size_t len)
{
	switch (len) {
	case 1:
		return *s == '0' || *s == '1';
	case 2:
		return (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'o';
	case 3:
		return (s[0] | 0x20) == 'y' && (s[1] | 0x20) == 'e' && (s[2] | 0x20) == 's';
	case 4:
		return (s[0] | 0x20) == 't' && (s[1] | 0x20) == 'r' && (s[2] | 0x20) == 'u' &&
		       (s[3] | 0x20) == 'e';
	case 5:
		return (s[0] | 0x20) == 'f' && (s[1] | 0x20) == 'a' && (s[2] | 0x20) == 'l' &&
		       (s[3] | 0x20) == 's' && (s[4] | 0x20) == 'e';
	default:
		return false;
	}
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
		free(c->unique_idx);
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
		c->uq = mg_dupfind_new(c->unique_buffer, c->name);
		if (nu > 1 && !c->key_state) {
			c->key_state = XXH3_createState();
			if (!c->key_state)
				mg_die_oom(0); /* its size is private to xxHash */
		}
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
		numeric = parse_int(f->s, f->len, &v);
		if (!numeric)
			goto bad_type;
		break;
	case MG_COL_FLOAT:
		numeric = parse_float(f->s, f->len, &v, col->has_min || col->has_max);
		if (!numeric)
			goto bad_type;
		if (!isfinite(v)) {
			violation(c, row, col->name, col->index + 1,
			          "'%.40s' is not a finite number", f->s);
			return;
		}
		break;
	case MG_COL_BOOL:
		if (!is_bool(f->s, f->len))
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
	if (col->allowed && !is_allowed(col, f->s, f->len))
		violation(c, row, col->name, col->index + 1, "'%.40s' is not an allowed value",
		          f->s);
	if (col->has_re && (col->fast_re ? !mg_classre_match(col->fast_re, f->s, f->len)
	                                 : regexec(&col->re, f->s, 0, NULL, 0) != 0))
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
	if (c->uq) {
		const struct mg_csv_field *k = &f[c->unique_idx[0]];
		XXH128_hash_t h;
		uint64_t fp[2];

		/*
		 * One column: the XXH3 128-bit hash of its bytes. More: the hash
		 * of every column's length (8 bytes) and bytes in turn, an
		 * encoding that cannot be ambiguous, so ("a", "bc") and ("ab",
		 * "c") differ. An empty value is a value like any other: two rows
		 * with empty keys are duplicates.
		 */
		if (c->unique_idx[1] < 0) {
			h = XXH3_128bits(k->s, k->len);
		} else {
			XXH3_128bits_reset(c->key_state);
			for (size_t u = 0; c->unique_idx[u] >= 0; u++) {
				const struct mg_csv_field *key = &f[c->unique_idx[u]];
				uint64_t len = key->len;

				XXH3_128bits_update(c->key_state, &len, sizeof(len));
				XXH3_128bits_update(c->key_state, key->s, key->len);
			}
			h = XXH3_128bits_digest(c->key_state);
		}
		fp[0] = h.high64;
		fp[1] = h.low64;
		if (mg_dupfind_add(c->uq, fp, row, err))
			return -1;
	}
	return 0;
}

static void duplicate_line(const struct mg_contract *c, struct mg_buf *out, uint64_t row,
                           uint64_t first)
{
	mg_buf_addf(out,
	            "row %" PRIu64 ", column '%s' (%ld): duplicate key (unique: %s%s), first at "
	            "row %" PRIu64 "\n",
	            row, c->unique[0], c->unique_idx[0] + 1, c->unique[0],
	            c->unique[1] ? ", ..." : "", first);
}

/*
 * The duplicates into the report, where they would have been had they been
 * found in the stream: lines ordered by row, a duplicate after the other
 * violations of its row, the first MG_CONTRACT_REPORT_MAX of all.
 */
static_assert(MG_DUPFIND_KEEP >= MG_CONTRACT_REPORT_MAX, "the finder keeps a report's worth");

static void report_duplicates(struct mg_contract *c)
{
	const struct mg_dup *dup;
	size_t kept = mg_dupfind_first(c->uq, &dup);
	uint64_t dups = mg_dupfind_count(c->uq);
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	size_t ns = c->violations < MG_CONTRACT_REPORT_MAX ? (size_t)c->violations
	                                                   : MG_CONTRACT_REPORT_MAX;
	size_t i = 0, j = 0, from = 0;

	if (!dups)
		return;
	while (i + j < MG_CONTRACT_REPORT_MAX && (i < ns || j < kept)) {
		if (i < ns && (j == kept || c->report_row[i] <= dup[j].row)) {
			mg_buf_add(&out, c->report.buf + from, c->report_end[i] - from);
			from = c->report_end[i++];
		} else {
			duplicate_line(c, &out, dup[j].row, dup[j].first);
			j++;
		}
	}
	c->violations += dups;
	mg_buf_release(&c->report);
	c->report = out;
}

int mg_contract_check_file(struct mg_contract *c, const char *file, struct mg_err *err)
{
	int ret;

	c->name = file;
	c->rows = 0;
	c->violations = 0;
	mg_buf_reset(&c->report);
	mg_dupfind_free(c->uq);
	c->uq = NULL;
	ret = mg_csv_read_file(file, NULL, on_record, c, NULL, err);
	if (!ret && c->uq) {
		ret = mg_dupfind_finish(c->uq, err);
		if (!ret)
			report_duplicates(c);
	}
	/* the buffer and the temporary files go now, whatever happened */
	mg_dupfind_free(c->uq);
	c->uq = NULL;
	if (ret)
		return -1;
	for (size_t i = 0; i < c->ncols; i++) {
		struct mg_contract_col *col = &c->cols[i];
		double limit =
		        col->max_null_fraction >= 0 ? col->max_null_fraction : c->max_null_fraction;
		double frac = c->rows ? (double)col->nulls / (double)c->rows : 0;

		if (col->index >= 0 && limit >= 0 && frac > limit) {
			char a[MG_DOUBLE_LEN], b[MG_DOUBLE_LEN];

			violation(c, 0, col->name, 0,
			          "null fraction %s is above %s (%" PRIu64 " of %" PRIu64 " %s)",
			          mg_double_str(frac, a), mg_double_str(limit, b), col->nulls,
			          c->rows, mg_plural(c->rows, "row", "rows"));
		}
	}
	if (c->has_rows_min && c->rows < c->rows_min)
		violation(c, 0, "*", 0, "%" PRIu64 " %s, fewer than the minimum %" PRIu64, c->rows,
		          mg_plural(c->rows, "row", "rows"), c->rows_min);
	if (c->has_rows_max && c->rows > c->rows_max)
		violation(c, 0, "*", 0, "%" PRIu64 " %s, more than the maximum %" PRIu64, c->rows,
		          mg_plural(c->rows, "row", "rows"), c->rows_max);
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
