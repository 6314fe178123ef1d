#include "setup.h"
#include "registry_backend.h"

/* Placeholder until the SQLite backend lands: every operation is refused. */
static const struct mg_registry_ops sqlite_ops = { .name = "sqlite" };

int mg_registry_sqlite_open(struct mg_registry *reg, const char *uri, struct mg_err *err)
{
	(void)uri;
	reg->ops = &sqlite_ops;
	return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
			   "registry '%s': the SQLite backend is not built yet", reg->uri);
}
