/*
 * The streaming CSV reader of the smoke runner's data contracts (lib/csvstream.c): with
 * the default bounds, small bounds, and small bounds with reads of 1 to 7 bytes.
 */
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
	struct mg_csv_limits small = {64, 1024, 0};
	/* tiny reads, so records, fields, escapes, CRLFs and UTF-8 sequences are cut anywhere */
	struct mg_csv_limits cut = {16, 128, 1 + size % 7};
	struct mg_err err = MG_ERR_INIT;
	uint64_t rows = 0;
	volatile size_t sum = 0; /* every byte read, and not optimised away */

	mg_csv_read_mem("fuzz.csv", (const char *)data, size, NULL, each_row, (void *)&sum, &rows,
	                &err);
	mg_err_clear(&err);
	mg_csv_read_mem("fuzz.csv", (const char *)data, size, &small, each_row, (void *)&sum, &rows,
	                &err);
	mg_err_clear(&err);
	mg_csv_read_mem("fuzz.csv", (const char *)data, size, &cut, each_row, (void *)&sum, &rows,
	                &err);
	return 0;
}
