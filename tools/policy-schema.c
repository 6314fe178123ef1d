/*
 * policy-schema: print the JSON Schema of policy documents, made from the
 * schema tables the gates check policies with (the single source), so
 * docs/policy.schema.json cannot drift from what mlgate accepts.
 * `make policy-schema` rewrites the file; `make check` fails when it is stale.
 */
#include "setup.h"
#include "alloc.h"
#include "compare.h"
#include "comply.h"
#include "drift.h"
#include "json.h"
#include "policy.h"
#include "promote.h"
#include "smoke.h"

int main(void)
{
	cJSON *root = cJSON_CreateObject(), *props, *version;
	char *text;
	int rc;

	cJSON_AddStringToObject(root, "$schema", "https://json-schema.org/draft/2020-12/schema");
	cJSON_AddStringToObject(root, "title", "mlgate policy");
	cJSON_AddStringToObject(root, "description",
	                        "Policy document for the mlgate gates (--policy FILE). Generated "
	                        "by tools/policy-schema.c; see docs/policy.md.");
	cJSON_AddStringToObject(root, "type", "object");
	props = cJSON_AddObjectToObject(root, "properties");
	version = cJSON_AddObjectToObject(props, "version");
	cJSON_AddNumberToObject(version, "const", 1);
	cJSON_AddItemToObject(props, "compliance", mg_schema_to_json(mg_comply_policy_schema()));
	cJSON_AddItemToObject(props, "compare", mg_schema_to_json(mg_compare_policy_schema()));
	cJSON_AddItemToObject(props, "smoke", mg_schema_to_json(mg_smoke_policy_schema()));
	cJSON_AddItemToObject(props, "promote", mg_schema_to_json(mg_promote_policy_schema()));
	cJSON_AddItemToObject(props, "drift", mg_schema_to_json(mg_drift_policy_schema()));
	/* sections of gates still to come are accepted as objects for now */
	for (size_t i = 0; mg_policy_sections[i]; i++)
		if (!cJSON_GetObjectItemCaseSensitive(props, mg_policy_sections[i]))
			cJSON_AddStringToObject(
			        cJSON_AddObjectToObject(props, mg_policy_sections[i]), "type",
			        "object");
	cJSON_AddItemToObject(root, "required",
	                      cJSON_CreateStringArray((const char *[]){"version"}, 1));
	cJSON_AddBoolToObject(root, "additionalProperties", false);
	text = cJSON_Print(root);
	if (!text)
		mg_die_oom(0);
	rc = printf("%s\n", text) < 0 || fflush(stdout) ? 1 : 0;
	free(text);
	cJSON_Delete(root);
	return rc;
}
