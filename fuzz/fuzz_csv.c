/* The streaming CSV reader of the smoke runner's data contracts (lib/csvstream.c). */
#include "setup.h"
#include "csvstream.h"
#include "fuzz.h"

/* Touch every byte of every field, so a bad pointer or length shows. */
static int each_row(void *arg, uint64_t row, const struct mg_csv_field *fields, size_t n,
                    struct mg_err *err)
{
	volatile size_t *sum = arg;

	(void)row;
	(void)err;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < fields[i].len; j++)
			*sum += (unsigned char)fields[i].s[j];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_csv_limits small = {64, 1024};
	struct mg_err err = MG_ERR_INIT;
	uint64_t rows = 0;
	volatile size_t sum = 0; /* every byte read, and not optimised away */

	mg_csv_read_mem("fuzz.csv", (const char *)data, size, NULL, each_row, (void *)&sum, &rows,
	                &err);
	mg_err_clear(&err);
	mg_csv_read_mem("fuzz.csv", (const char *)data, size, &small, each_row, (void *)&sum, &rows,
	                &err);
	return 0;
}
