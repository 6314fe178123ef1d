/*
 * The HTML report's evidence reader and the page from what it read: JSON
 * decisions and JUnit from anywhere, rendered with every string escaped.
 */
#include "setup.h"
#include "fuzz.h"
#include "html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_html_evidence ev;
	struct mg_buf page = MG_BUF_INIT(MG_HTML_MAX);

	mg_html_evidence_init(&ev);
	if (!mg_html_read_mem("fuzz", (const char *)data, size, &ev, &err)) {
		struct mg_html_in in = {
		        &ev.result, (const char *const *)ev.json, ev.njson, NULL, NULL, 0, NULL};

		mg_html_render(&in, &page, &err);
		/* nothing from the input may open an element the page did not write */
		if (strstr(page.buf, "<script"))
			__builtin_trap();
	}
	mg_buf_release(&page);
	mg_html_evidence_release(&ev);
	return 0;
}
