/* Drift profiles (--profile FILE): JSON parsing, the schema, the checks between members. */
#include "setup.h"
#include "drift_stats.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_drift_profile p;

	mg_drift_profile_init(&p, NULL);
	mg_drift_profile_parse(&p, "fuzz", (const char *)data, size, &err);
	mg_drift_profile_release(&p);
	return 0;
}
