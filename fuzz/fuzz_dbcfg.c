/* The Databricks configuration file (lib/registry/dbcfg.c), then every lookup on what it read. */
#include "setup.h"
#include "dbcfg.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_dbcfg c = MG_DBCFG_INIT;
	struct mg_err err = MG_ERR_INIT;

	if (!mg_dbcfg_parse(&c, "fuzz", (const char *)data, size, &err)) {
		for (size_t i = 0; i < c.n; i++) {
			const struct mg_dbcfg_section *s = mg_dbcfg_section(&c, c.sections[i].name);

			for (size_t j = 0; s && j < s->n; j++)
				if (mg_dbcfg_get(s, s->entries[j].key) != &s->entries[j])
					abort();
		}
	}
	mg_dbcfg_release(&c);
	return 0;
}
