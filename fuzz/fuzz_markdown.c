/* The model-card section finder (headings, setext, fences). */
#include "setup.h"
#include "comply.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);

	mg_markdown_has_section(s, "Limitations");
	mg_markdown_has_section(s, "");
	free(s);
	return 0;
}
