/* MLflow's model-version filter and order_by grammar (lib/registry/mvfilter.c). */
#include "setup.h"
#include "fuzz.h"
#include "mvfilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	struct mg_err err = MG_ERR_INIT;
	struct mg_mvfilter f = MG_MVFILTER_INIT;
	struct mg_mvorder o;

	if (!mg_mvfilter_parse(s, &f, &err))
		mg_mvfilter_release(&f);
	mg_err_clear(&err);
	mg_mvorder_parse(s, &o, &err); /* no allocation */
	free(s);
	return 0;
}
