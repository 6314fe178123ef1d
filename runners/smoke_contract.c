/*
 * Data contracts: compiled from the suite's JSON once, then applied to
 * every record of a CSV file as lib/csvstream.c streams it.
 */
#include "setup.h"
#include "smoke_contract.h"
#include "alloc.h"
#include "clock.h"
#include "csvstream.h"

#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <strings.h>
#include <unistd.h>

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

/*
 * The regexes of sample-data contracts are mostly a run of character classes
 * with repeats ("[a-z]+", "[A-Z]{2}[0-9]{4}"), for which regexec costs more
 * than the whole CSV tokenising. Such a pattern is compiled here into a small
 * automaton as well: a sequence of at most 63 items, each a set of bytes
 * matched once (ONE), at most once (OPT) or any number of times (STAR),
 * simulated with one bit per position. It is used only when that is provably
 * the same as regexec on "^(P)$":
 *   - P is only ASCII literals (printable, not ERE-special, or escaped
 *     ERE-specials), bracket expressions of printable ASCII characters and
 *     ranges within 0-9, a-z or A-Z (no negation, no [: :] [= =] [. .], no
 *     backslash), each optionally followed by one of * + ? {m} {m,} {m,n};
 *     no '.', anchors, groups or alternation. Those are exactly the
 *     concatenations of quantified single-character sets, which is the
 *     language the automaton accepts; the whole field must match, as "^(P)$"
 *     asks, and with REG_NOSUB only whether it matches is reported.
 *   - the locale is C or POSIX (mlgate never calls setlocale): ranges are
 *     byte ranges and every byte is a character; bytes >= 0x80 are in no
 *     set, as in regexec, where they cannot match an ASCII item.
 * Anything else goes to regexec.
 */
enum { RE_ONE, RE_OPT, RE_STAR };
#define RE_ITEMS_MAX 63

struct mg_contract_re {
	uint64_t on[256]; /* on[c]: the items whose set holds byte c */
	uint64_t adv;     /* items that move on when matched (ONE, OPT) */
	uint64_t star;    /* items that stay when matched (STAR) */
	uint64_t eps;     /* items that can be skipped (OPT, STAR) */
	unsigned n;       /* items; bit n is the accepting state */
};

static bool re_special(int ch)
{
	return ch && strchr(".[]()*+?{}|^$\\", ch) != NULL;
}

/* Parse "[...]" at *pp into `set` (256 bits); false when not in the subset. */
static bool re_bracket(const char **pp, uint64_t set[4])
{
	const char *p = *pp + 1;

	memset(set, 0, 4 * sizeof(uint64_t));
	if (*p == '^' || *p == ']')
		return false;
	while (*p != ']') {
		int lo = (unsigned char)*p, hi = lo;

		if (lo < 0x20 || lo > 0x7e || lo == '[' || lo == '\\')
			return false;
		/* '-' is a character only first or last */
		if (lo == '-' && p != *pp + 1 && p[1] != ']')
			return false;
		if (p[1] == '-' && p[2] != ']' && p[2]) {
			hi = (unsigned char)p[2];
			if (hi < lo || !((lo >= '0' && hi <= '9') || (lo >= 'a' && hi <= 'z') ||
			                 (lo >= 'A' && hi <= 'Z')))
				return false;
			p += 3;
		} else {
			p++;
		}
		for (int ch = lo; ch <= hi; ch++)
			set[ch >> 6] |= (uint64_t)1 << (ch & 63);
	}
	*pp = p + 1;
	return true;
}

static bool re_count(const char **pp, unsigned *out)
{
	const char *p = *pp;
	unsigned v = 0;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned)(*p++ - '0');
		if (v > RE_ITEMS_MAX)
			return false;
	}
	*pp = p;
	*out = v;
	return true;
}

static bool re_add(struct mg_contract_re *re, const uint64_t set[4], int kind)
{
	uint64_t bit;

	if (re->n >= RE_ITEMS_MAX)
		return false;
	bit = (uint64_t)1 << re->n;
	for (int ch = 0; ch < 256; ch++)
		if (set[ch >> 6] >> (ch & 63) & 1)
			re->on[ch] |= bit;
	if (kind == RE_STAR)
		re->star |= bit;
	else
		re->adv |= bit;
	if (kind != RE_ONE)
		re->eps |= bit;
	re->n++;
	return true;
}

/* The automaton of `pat`, or NULL when it is not in the subset above. */
static struct mg_contract_re *re_compile_fast(const char *pat)
{
	struct mg_contract_re *re;
	const char *p = pat, *lc;

	lc = setlocale(LC_COLLATE, NULL);
	if (!lc || (strcmp(lc, "C") && strcmp(lc, "POSIX")))
		return NULL;
	lc = setlocale(LC_CTYPE, NULL);
	if (!lc || (strcmp(lc, "C") && strcmp(lc, "POSIX")))
		return NULL;
	if (!*pat)
		return NULL;
	re = mg_xcalloc(1, sizeof(*re));
	while (*p) {
		uint64_t set[4] = {0, 0, 0, 0};
		unsigned lo = 1, hi = 1; /* repeats */
		bool unbounded = false;

		if (*p == '[') {
			if (!re_bracket(&p, set))
				goto no;
		} else if (*p == '\\' && re_special(p[1])) {
			set[(unsigned char)p[1] >> 6] |= (uint64_t)1 << ((unsigned char)p[1] & 63);
			p += 2;
		} else if ((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e &&
		           !re_special(*p)) {
			set[(unsigned char)*p >> 6] |= (uint64_t)1 << ((unsigned char)*p & 63);
			p++;
		} else {
			goto no;
		}
		if (*p == '*') {
			lo = 0, unbounded = true, p++;
		} else if (*p == '+') {
			unbounded = true, p++;
		} else if (*p == '?') {
			lo = 0, p++;
		} else if (*p == '{') {
			p++;
			if (!re_count(&p, &lo))
				goto no;
			hi = lo;
			if (*p == ',') {
				p++;
				if (*p == '}')
					unbounded = true;
				else if (!re_count(&p, &hi) || hi < lo)
					goto no;
			}
			if (*p++ != '}' || (!unbounded && hi == 0))
				goto no;
		}
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{')
			goto no; /* a repeat of a repeat: leave it to regcomp */
		for (unsigned k = 0; k < lo; k++)
			if (!re_add(re, set, RE_ONE))
				goto no;
		if (unbounded) {
			if (!re_add(re, set, RE_STAR))
				goto no;
		} else {
			for (unsigned k = lo; k < hi; k++)
				if (!re_add(re, set, RE_OPT))
					goto no;
		}
	}
	return re;
no:
	free(re);
	return NULL;
}

/*
 * Follow the skippable items from the states in `s`: from a state in a run of
 * skippable items, every later state of the run and the one after it. Adding
 * the run's bits to its active ones carries through the rest of the run into
 * the state after it; the bits that changed are those states.
 */
static inline uint64_t re_closure(const struct mg_contract_re *re, uint64_t s)
{
	return s | (((s & re->eps) + re->eps) ^ re->eps);
}

static bool re_match_fast(const struct mg_contract_re *re, const char *str, size_t len)
{
	uint64_t s = re_closure(re, 1);

	for (size_t i = 0; i < len && s; i++) {
		uint64_t m = s & re->on[(unsigned char)str[i]];

		s = re_closure(re, ((m & re->adv) << 1) | (m & re->star));
	}
	return s >> re->n & 1;
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t len);
static void uq_free(struct mg_contract_unique *u);

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
		size_t k =
		        hash_bytes(0xcbf29ce484222325ULL, col->allowed[i], len) & col->allowed_mask;

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
	size_t k = hash_bytes(0xcbf29ce484222325ULL, s, len) & col->allowed_mask;

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
			col->fast_re = re_compile_fast(v->valuestring);
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
		free(c->cols[i].fast_re);
		if (c->cols[i].has_re)
			regfree(&c->cols[i].re);
	}
	free(c->cols);
	free_strings(c->unique);
	free(c->unique_idx);
	uq_free(c->uq);
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

static uint64_t hash_bytes(uint64_t h, const char *s, size_t len)
{
	/* FNV-1a, 64 bit */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * The unique check: an external sort of key fingerprints, so memory is
 * bounded whatever the number of rows (issue 7: one streaming pass, memory
 * independent of the file's size).
 *
 * Every data row adds a 24-byte entry (a 128-bit fingerprint of its key and
 * its row number) to a buffer of `cap` entries (MG_CONTRACT_UNIQUE_MEM). A
 * full buffer is sorted in place (by fingerprint, then row) and written as a
 * sorted run to an unlinked temporary file in $TMPDIR, so nothing is left
 * behind, not even after a crash. Runs are merged like a tiered LSM tree to
 * keep their number bounded: `fanin` runs of one level are merged into one run
 * of the next level (a file per level, truncated once merged), so the run
 * table is fixed-size and every entry is rewritten log_fanin(rows / cap)
 * times. At the end of the pass a file that fitted in the buffer is sorted
 * and scanned in memory; otherwise the last buffer is spilled too, the lowest
 * levels are merged up until at most `fanin` runs are left, and those are
 * merged with a heap, the buffer cut into one read slice per run. Equal
 * fingerprints come out together, ordered by row: each one after the first
 * is a duplicate of the first row with that key.
 *
 * Why 128 bits (MurmurHash3 x64_128) and not 64: nothing is re-read, so a
 * fingerprint collision between different keys would be reported as a
 * duplicate (never the reverse: a real duplicate is always found). With n
 * rows that happens with probability about n^2 / 2^129 (4e-25 for 16 M
 * rows, 2e-15 for 10^12); with 64 bits it would be n^2 / 2^65, already 3%
 * at 10^9 rows. The 8 more bytes a row cost only temporary disk space.
 *
 * Memory: the buffer (MG_CONTRACT_UNIQUE_MEM), the run table (below, 96 KiB,
 * mostly untouched) and a 64-entry heap; the sort is in place.
 *
 * Duplicates are found after the pass, but the report reads as if they had
 * been met in the stream: the first MG_CONTRACT_REPORT_MAX duplicates by row
 * are kept and merged by row with the first violations of the other rules
 * (report_row), a duplicate after the other violations of its row.
 */
struct fp {
	uint64_t hi, lo; /* the key's fingerprint */
	uint64_t row;
};

struct run {
	int fd;
	uint64_t off; /* bytes */
	uint64_t n;   /* entries */
};

#define UQ_LEVELS     64 /* fanin >= 2 and cap >= 4: 4 * 2^62 rows before the last */
#define UQ_FANIN_MAX  64
#define UQ_SORT_SMALL 32

struct mg_contract_unique {
	struct fp *buf; /* cap entries: the rows being collected, then merge buffers */
	size_t n, cap;
	unsigned fanin;
	int fd[UQ_LEVELS]; /* -1: not created yet */
	uint64_t size[UQ_LEVELS];
	unsigned nruns[UQ_LEVELS];
	struct run runs[UQ_LEVELS][UQ_FANIN_MAX];
	bool spilled;
	/* the duplicates: how many, and the first ones by row */
	uint64_t dups;
	size_t kept;
	uint64_t dup_row[MG_CONTRACT_REPORT_MAX], dup_first[MG_CONTRACT_REPORT_MAX];
	/* the scan of the sorted entries */
	bool have_prev;
	struct fp prev; /* the first row of the current key */
	const char *name;
};

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* MurmurHash3_x64_128 (Austin Appleby, public domain), seed 0. */
static void murmur3_128(const void *key, size_t len, uint64_t out[2])
{
	const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
	const unsigned char *p = key, *tail;
	size_t nblocks = len / 16, rem = len & 15;
	uint64_t h1 = 0, h2 = 0, k1 = 0, k2 = 0;

	for (size_t i = 0; i < nblocks; i++, p += 16) {
		memcpy(&k1, p, 8);
		memcpy(&k2, p + 8, 8);
		k1 *= c1;
		k1 = rotl64(k1, 31);
		k1 *= c2;
		h1 ^= k1;
		h1 = rotl64(h1, 27);
		h1 += h2;
		h1 = h1 * 5 + 0x52dce729;
		k2 *= c2;
		k2 = rotl64(k2, 33);
		k2 *= c1;
		h2 ^= k2;
		h2 = rotl64(h2, 31);
		h2 += h1;
		h2 = h2 * 5 + 0x38495ab5;
	}
	/* the tail, as the reference's switch of fall-throughs reads it (little-endian) */
	tail = p;
	k1 = k2 = 0;
	for (size_t i = 0; i < rem; i++) {
		if (i < 8)
			k1 ^= (uint64_t)tail[i] << (8 * i);
		else
			k2 ^= (uint64_t)tail[i] << (8 * (i - 8));
	}
	if (rem > 8) {
		k2 *= c2;
		k2 = rotl64(k2, 33);
		k2 *= c1;
		h2 ^= k2;
	}
	if (rem > 0) {
		k1 *= c1;
		k1 = rotl64(k1, 31);
		k1 *= c2;
		h1 ^= k1;
	}
	h1 ^= (uint64_t)len;
	h2 ^= (uint64_t)len;
	h1 += h2;
	h2 += h1;
	h1 = fmix64(h1);
	h2 = fmix64(h2);
	h1 += h2;
	h2 += h1;
	out[0] = h1;
	out[1] = h2;
}

static inline bool fp_less(const struct fp *a, const struct fp *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi;
	if (a->lo != b->lo)
		return a->lo < b->lo;
	return a->row < b->row;
}

/* Byte d (0 the most significant) of the 24-byte sort key hi, lo, row. */
static inline unsigned fp_byte(const struct fp *e, unsigned d)
{
	uint64_t w = d < 8 ? e->hi : d < 16 ? e->lo : e->row;

	return (unsigned)(w >> (56 - 8 * (d & 7))) & 0xff;
}

static void fp_insertion_sort(struct fp *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct fp v = a[i];
		size_t j = i;

		for (; j > 0 && fp_less(&v, &a[j - 1]); j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/*
 * In-place MSD radix sort (American flag sort) from byte d of the key: no
 * second buffer, linear in the worst case (24 bytes at most, a byte all the
 * entries share costs one count), small buckets by insertion. Fingerprints
 * are uniform, so a full buffer is two permutations and tiny insertions.
 */
static void fp_sort(struct fp *a, size_t n, unsigned d)
{
	uint32_t end[256], next[256];
	uint32_t start = 0;

	for (;;) {
		bool one = false;

		if (n <= UQ_SORT_SMALL || d >= 24) {
			fp_insertion_sort(a, n);
			return;
		}
		memset(end, 0, sizeof(end));
		for (size_t i = 0; i < n; i++)
			end[fp_byte(&a[i], d)]++;
		for (unsigned b = 0; b < 256; b++)
			one |= end[b] == n;
		if (!one)
			break;
		d++; /* every entry has the same byte here */
	}
	for (unsigned b = 0; b < 256; b++) {
		next[b] = start;
		start += end[b];
		end[b] = start;
	}
	for (unsigned b = 0; b < 256; b++) {
		while (next[b] < end[b]) {
			struct fp v = a[next[b]];
			unsigned k = fp_byte(&v, d);

			while (k != b) {
				struct fp t = a[next[k]];

				a[next[k]++] = v;
				v = t;
				k = fp_byte(&v, d);
			}
			a[next[b]++] = v;
		}
	}
	start = 0;
	for (unsigned b = 0; b < 256; b++) {
		if (end[b] - start > 1)
			fp_sort(a + start, end[b] - start, d + 1);
		start = end[b];
	}
}

static struct mg_contract_unique *uq_new(size_t buffer, const char *name)
{
	struct mg_contract_unique *u = mg_xcalloc(1, sizeof(*u));
	size_t cap = buffer ? buffer : MG_CONTRACT_UNIQUE_MEM / sizeof(struct fp);

	/* at least 4 (a slice for every run of a merge and its output), counts fit 32 bits */
	if (cap < 4)
		cap = 4;
	if (cap > (size_t)1 << 28)
		cap = (size_t)1 << 28;
	u->cap = cap;
	/* read slices of 4096 entries (96 KiB) at least, 2 to 64 runs merged at a time */
	u->fanin = (unsigned)(cap / 4096 > UQ_FANIN_MAX ? UQ_FANIN_MAX : cap / 4096);
	if (u->fanin < 2)
		u->fanin = 2;
	/* pages are touched as rows come: a small file costs little */
	u->buf = mg_xmalloc(cap * sizeof(struct fp));
	for (size_t l = 0; l < UQ_LEVELS; l++)
		u->fd[l] = -1;
	u->name = name;
	return u;
}

static void uq_free(struct mg_contract_unique *u)
{
	if (!u)
		return;
	for (size_t l = 0; l < UQ_LEVELS; l++)
		if (u->fd[l] >= 0)
			close(u->fd[l]);
	free(u->buf);
	free(u);
}

/* A new temporary file in $TMPDIR (or /tmp), already unlinked. */
static int uq_tmpfile(struct mg_contract_unique *u, int *fd_out, struct mg_err *err)
{
	const char *dir = getenv("TMPDIR");
	struct mg_buf path = MG_BUF_INIT(PATH_MAX);
	int fd = -1;

	if (!dir || !*dir)
		dir = "/tmp";
	mg_buf_addf(&path, "%s/mlgate-unique.XXXXXX", dir);
	if (mg_buf_overflowed(&path)) {
		errno = ENAMETOOLONG;
	} else if ((fd = mkstemp(path.buf)) >= 0) {
		int saved;

		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && unlink(path.buf) == 0) {
			mg_buf_release(&path);
			*fd_out = fd;
			return 0;
		}
		saved = errno;
		close(fd);
		unlink(path.buf); /* still there when fcntl failed */
		errno = saved;
	}
	mg_err_set(err, MG_EXIT_INFRA,
	           "'%s': cannot create a temporary file in '%s' for the unique check: %s", u->name,
	           dir, strerror(errno));
	mg_buf_release(&path);
	return -1;
}

static int uq_write(struct mg_contract_unique *u, int fd, const struct fp *e, size_t n,
                    uint64_t off, struct mg_err *err)
{
	const char *p = (const char *)e;
	size_t len = n * sizeof(*e);

	while (len) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return mg_err_set(
			        err, MG_EXIT_INFRA,
			        "'%s': cannot write the unique check's temporary file: %s", u->name,
			        w < 0 ? strerror(errno) : "nothing written");
		p += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int uq_read(struct mg_contract_unique *u, int fd, struct fp *e, size_t n, uint64_t off,
                   struct mg_err *err)
{
	char *p = (char *)e;
	size_t len = n * sizeof(*e);

	while (len) {
		ssize_t r = pread(fd, p, len, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return mg_err_set(err, MG_EXIT_INFRA,
			                  "'%s': cannot read the unique check's temporary file: %s",
			                  u->name, r < 0 ? strerror(errno) : "unexpected end");
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* Row `row` has the key of row `first`: count it, keep the first ones by row. */
static void uq_dup(struct mg_contract_unique *u, uint64_t row, uint64_t first)
{
	size_t i;

	u->dups++;
	if (u->kept == MG_CONTRACT_REPORT_MAX) {
		if (row > u->dup_row[u->kept - 1])
			return;
		u->kept--;
	}
	for (i = u->kept; i > 0 && u->dup_row[i - 1] > row; i--) {
		u->dup_row[i] = u->dup_row[i - 1];
		u->dup_first[i] = u->dup_first[i - 1];
	}
	u->dup_row[i] = row;
	u->dup_first[i] = first;
	u->kept++;
}

/* The next entry in sorted order. */
static inline void uq_scan(struct mg_contract_unique *u, const struct fp *e)
{
	if (u->have_prev && e->hi == u->prev.hi && e->lo == u->prev.lo) {
		uq_dup(u, e->row, u->prev.row);
		return;
	}
	u->prev = *e;
	u->have_prev = true;
}

struct uq_reader {
	const struct run *run;
	uint64_t done; /* entries read from the run */
	struct fp *buf;
	size_t pos, len;
};

static int uq_fill(struct mg_contract_unique *u, struct uq_reader *r, size_t slice,
                   struct mg_err *err)
{
	uint64_t left = r->run->n - r->done;
	size_t k = left < slice ? (size_t)left : slice;

	if (uq_read(u, r->run->fd, r->buf, k, r->run->off + r->done * sizeof(struct fp), err))
		return -1;
	r->done += k;
	r->pos = 0;
	r->len = k;
	return 0;
}

/* A run's next entry in the merge heap, held inline: no indirection per comparison. */
struct uq_node {
	struct fp e;
	size_t run;
};

static void uq_sift(struct uq_node *heap, size_t n, size_t i)
{
	struct uq_node v = heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && fp_less(&heap[c + 1].e, &heap[c].e))
			c++;
		if (!fp_less(&heap[c].e, &v.e))
			break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = v;
}

/*
 * Merge runs in[0..k) (k <= UQ_FANIN_MAX), the buffer cut into k + 1 slices:
 * into one run at `out_off` of `out_fd`, or, with out_fd < 0, into the scan.
 */
static int uq_merge(struct mg_contract_unique *u, const struct run *in, size_t k, int out_fd,
                    uint64_t out_off, struct mg_err *err)
{
	struct uq_reader rd[UQ_FANIN_MAX];
	struct uq_node heap[UQ_FANIN_MAX];
	size_t slice = u->cap / (k + 1), nh = 0, outn = 0;
	struct fp *out = u->buf + k * slice;

	assert(k <= UQ_FANIN_MAX && slice >= 1);
	for (size_t i = 0; i < k; i++) {
		rd[i] = (struct uq_reader){.run = &in[i], .buf = u->buf + i * slice};
		if (uq_fill(u, &rd[i], slice, err))
			return -1;
		if (rd[i].len)
			heap[nh++] = (struct uq_node){rd[i].buf[rd[i].pos++], i};
	}
	for (size_t i = nh / 2; i-- > 0;)
		uq_sift(heap, nh, i);
	while (nh) {
		struct uq_reader *r = &rd[heap[0].run];

		if (out_fd < 0) {
			uq_scan(u, &heap[0].e);
		} else {
			out[outn++] = heap[0].e;
			if (outn == slice) {
				if (uq_write(u, out_fd, out, outn, out_off, err))
					return -1;
				out_off += outn * sizeof(struct fp);
				outn = 0;
			}
		}
		if (r->pos == r->len && r->done < r->run->n && uq_fill(u, r, slice, err))
			return -1;
		if (r->pos < r->len)
			heap[0].e = r->buf[r->pos++];
		else
			heap[0] = heap[--nh];
		if (nh)
			uq_sift(heap, nh, 0);
	}
	return outn ? uq_write(u, out_fd, out, outn, out_off, err) : 0;
}

/* Merge the runs of `level` into one run of the next level, and free their disk. */
static int uq_merge_level(struct mg_contract_unique *u, unsigned level, struct mg_err *err)
{
	struct run in[UQ_FANIN_MAX];
	unsigned k = u->nruns[level], up = level + 1;
	uint64_t n = 0;

	assert(up < UQ_LEVELS && k > 0 && u->nruns[up] < u->fanin);
	memcpy(in, u->runs[level], k * sizeof(*in));
	for (unsigned i = 0; i < k; i++)
		n += in[i].n;
	if (u->fd[up] < 0 && uq_tmpfile(u, &u->fd[up], err))
		return -1;
	if (uq_merge(u, in, k, u->fd[up], u->size[up], err))
		return -1;
	u->runs[up][u->nruns[up]++] = (struct run){u->fd[up], u->size[up], n};
	u->size[up] += n * sizeof(struct fp);
	u->nruns[level] = 0;
	u->size[level] = 0;
	if (ftruncate(u->fd[level], 0))
		return mg_err_set(err, MG_EXIT_INFRA,
		                  "'%s': cannot truncate the unique check's temporary file: %s",
		                  u->name, strerror(errno));
	return 0;
}

/* Merge up from `level` while levels are full. */
static int uq_cascade(struct mg_contract_unique *u, unsigned level, struct mg_err *err)
{
	for (; u->nruns[level] >= u->fanin; level++)
		if (uq_merge_level(u, level, err))
			return -1;
	return 0;
}

/* Sort the buffer and write it as a run of level 0. */
static int uq_spill(struct mg_contract_unique *u, struct mg_err *err)
{
	fp_sort(u->buf, u->n, 0);
	if (u->fd[0] < 0 && uq_tmpfile(u, &u->fd[0], err))
		return -1;
	if (uq_write(u, u->fd[0], u->buf, u->n, u->size[0], err))
		return -1;
	u->runs[0][u->nruns[0]++] = (struct run){u->fd[0], u->size[0], u->n};
	u->size[0] += u->n * sizeof(struct fp);
	u->n = 0;
	u->spilled = true;
	return uq_cascade(u, 0, err);
}

static int uq_add(struct mg_contract_unique *u, const uint64_t h[2], uint64_t row,
                  struct mg_err *err)
{
	u->buf[u->n++] = (struct fp){h[0], h[1], row};
	return u->n == u->cap ? uq_spill(u, err) : 0;
}

/* The end of the pass: find every duplicate. */
static int uq_finish(struct mg_contract_unique *u, struct mg_err *err)
{
	struct run in[UQ_FANIN_MAX];
	size_t k = 0, total;

	if (!u->spilled) {
		fp_sort(u->buf, u->n, 0);
		for (size_t i = 0; i < u->n; i++)
			uq_scan(u, &u->buf[i]);
		return 0;
	}
	if (u->n && uq_spill(u, err))
		return -1;
	for (;;) {
		unsigned low = 0;

		total = 0;
		for (unsigned l = 0; l < UQ_LEVELS; l++)
			total += u->nruns[l];
		if (total <= u->fanin)
			break;
		while (!u->nruns[low])
			low++;
		if (uq_merge_level(u, low, err) || uq_cascade(u, low + 1, err))
			return -1;
	}
	for (unsigned l = 0; l < UQ_LEVELS; l++)
		for (unsigned i = 0; i < u->nruns[l]; i++)
			in[k++] = u->runs[l][i];
	return uq_merge(u, in, k, -1, 0, err);
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
		c->uq = uq_new(c->unique_buffer, c->name);
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
	if (col->has_re && (col->fast_re ? !re_match_fast(col->fast_re, f->s, f->len)
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
		uint64_t h[2], d[4];

		/*
		 * One column: its fingerprint. More: the fingerprint of the
		 * fingerprints so far and the next column's, so ("a", "bc") and
		 * ("ab", "c") differ. An empty value is a value like any other:
		 * two rows with empty keys are duplicates.
		 */
		murmur3_128(f[c->unique_idx[0]].s, f[c->unique_idx[0]].len, h);
		for (size_t u = 1; c->unique_idx[u] >= 0; u++) {
			const struct mg_csv_field *k = &f[c->unique_idx[u]];

			d[0] = h[0];
			d[1] = h[1];
			murmur3_128(k->s, k->len, d + 2);
			murmur3_128(d, sizeof(d), h);
		}
		if (uq_add(c->uq, h, row, err))
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
static void report_duplicates(struct mg_contract *c)
{
	const struct mg_contract_unique *u = c->uq;
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	size_t ns = c->violations < MG_CONTRACT_REPORT_MAX ? (size_t)c->violations
	                                                   : MG_CONTRACT_REPORT_MAX;
	size_t i = 0, j = 0, from = 0;

	if (!u->dups)
		return;
	while (i + j < MG_CONTRACT_REPORT_MAX && (i < ns || j < u->kept)) {
		if (i < ns && (j == u->kept || c->report_row[i] <= u->dup_row[j])) {
			mg_buf_add(&out, c->report.buf + from, c->report_end[i] - from);
			from = c->report_end[i++];
		} else {
			duplicate_line(c, &out, u->dup_row[j], u->dup_first[j]);
			j++;
		}
	}
	c->violations += u->dups;
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
	uq_free(c->uq);
	c->uq = NULL;
	ret = mg_csv_read_file(file, NULL, on_record, c, NULL, err);
	if (!ret && c->uq) {
		ret = uq_finish(c->uq, err);
		if (!ret)
			report_duplicates(c);
	}
	/* the buffer and the temporary files go now, whatever happened */
	uq_free(c->uq);
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
