/* Policy documents: JSON parsing, then the compliance section's schema check. */
#include "setup.h"
#include "comply.h"
#include "fuzz.h"
#include "json.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *doc = mg_json_parse((const char *)data, size, "fuzz", MG_EXIT_USAGE, &err);
	const cJSON *section;

	if (!doc)
		return 0;
	section = cJSON_GetObjectItemCaseSensitive(doc, "compliance");
	mg_schema_check(mg_comply_policy_schema(), section ? section : doc, "fuzz", "compliance",
	                &err);
	cJSON_Delete(doc);
	return 0;
}
