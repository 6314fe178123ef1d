/* Checked scalar parsers: dates (waivers, evidence), integers, numbers, booleans. */
#include "setup.h"
#include "clock.h"
#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	struct mg_err err = MG_ERR_INIT;
	long long n;
	double d;
	bool b;
	time_t t;

	mg_time_parse("fuzz", s, &t, &err);
	mg_err_clear(&err);
	mg_parse_ll("fuzz", s, LLONG_MIN, LLONG_MAX, &n, &err);
	mg_err_clear(&err);
	mg_parse_double("fuzz", s, &d, &err);
	mg_err_clear(&err);
	mg_parse_bool("fuzz", s, &b, &err);
	free(s);
	return 0;
}
