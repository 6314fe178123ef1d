#include "setup.h"
#include "parse.h"

#include <ctype.h>
#include <math.h>
#include <strings.h>

/* Longest value quoted back in a message: enough to recognise it. */
#define QUOTE_MAX 64

int mg_parse_ll(const char *what, const char *s, long long min, long long max, long long *out,
                struct mg_err *err)
{
	const char *p = s;
	char *end = NULL;
	long long v;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return mg_err_set(err, MG_EXIT_USAGE, "invalid value '%.*s' for %s: not an integer",
		                  QUOTE_MAX, s, what);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return mg_err_set(err, MG_EXIT_USAGE, "invalid value '%.*s' for %s: not an integer",
		                  QUOTE_MAX, s, what);
	if (errno == ERANGE || v < min || v > max)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid value '%.*s' for %s: must be between %lld and %lld",
		                  QUOTE_MAX, s, what, min, max);
	*out = v;
	return 0;
}

int mg_parse_double(const char *what, const char *s, double *out, struct mg_err *err)
{
	const char *p = s;
	char *end = NULL;
	double v;

	if (*p == '-' || *p == '+')
		p++;
	/* strtod alone would accept "inf", "nan", "0x1p3" and leading blanks */
	if (!(isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) ||
	    (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')))
		return mg_err_set(err, MG_EXIT_USAGE, "invalid value '%.*s' for %s: not a number",
		                  QUOTE_MAX, s, what);
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0')
		return mg_err_set(err, MG_EXIT_USAGE, "invalid value '%.*s' for %s: not a number",
		                  QUOTE_MAX, s, what);
	if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
		return mg_err_set(err, MG_EXIT_USAGE, "invalid value '%.*s' for %s: out of range",
		                  QUOTE_MAX, s, what);
	*out = v;
	return 0;
}

int mg_parse_bool(const char *what, const char *s, bool *out, struct mg_err *err)
{
	static const char *const yes[] = {"true", "1", "yes", "on"};
	static const char *const no[] = {"false", "0", "no", "off"};

	for (size_t i = 0; i < MG_ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return mg_err_set(err, MG_EXIT_USAGE, "invalid value '%.*s' for %s: expected true or false",
	                  QUOTE_MAX, s, what);
}

int mg_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
