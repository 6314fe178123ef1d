/*
 * mlgate-changes' parsers: the repository file (mlgate.json), the GitHub
 * event payload, and the glob matcher (each valid glob of a parsed config
 * against paths made from the input).
 */
#include "setup.h"
#include "changes.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_changes_config c;
	struct mg_err err = MG_ERR_INIT;
	char base[MG_GIT_OID_HEX], head[MG_GIT_OID_HEX];
	const char *text = (const char *)data;
	static const char *const paths[] = {"a", "models/fraud/train.py", "a/b/c/d/e/f/g.py",
	                                    "shared/features/f.py", ".hidden/x"};

	if (!mg_changes_config_parse("fuzz", text, size, &c, &err)) {
		for (size_t i = 0; i < c.nmodels; i++) {
			const cJSON *g;

			cJSON_ArrayForEach(g, c.models[i].paths)
			{
				for (size_t p = 0; p < MG_ARRAY_SIZE(paths); p++)
					(void)mg_changes_glob_match(g->valuestring, paths[p]);
				(void)mg_changes_glob_match(g->valuestring, g->valuestring);
			}
		}
	}
	mg_changes_config_release(&c);
	mg_err_clear(&err);
	(void)mg_changes_event_shas("fuzz", text, size, base, head, &err);
	/* the raw input as a glob and as a path, split in two at the first NUL */
	if (size && memchr(data, 0, size)) {
		const char *second = text + strlen(text) + 1;

		if (memchr(second, 0, size - (size_t)(second - text)) &&
		    !mg_changes_glob_invalid(text))
			(void)mg_changes_glob_match(text, second);
	}
	return 0;
}
