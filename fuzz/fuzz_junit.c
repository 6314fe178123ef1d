/* The JUnit reader: evidence from other tools and from attackers alike. */
#include "setup.h"
#include "fuzz.h"
#include "junit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_result r;

	mg_result_init(&r, "fuzz");
	mg_junit_read_mem("fuzz.xml", (const char *)data, size, &r, &err);
	mg_result_release(&r);
	return 0;
}
