/*
 * The XML guard in front of libxml2 (reporters/xmlguard.c): fed whole and
 * in pieces of 1 to 7 bytes, it must pass on the same bytes, or refuse
 * the same way at the same line. A difference aborts (a crash to the
 * driver), so a state lost at a piece boundary shows.
 */
#include "setup.h"
#include "fuzz.h"
#include "xmlguard.h"

static int run(const uint8_t *data, size_t size, size_t piece, struct mg_buf *out,
               struct mg_xmlguard *g)
{
	mg_xmlguard_init(g);
	for (size_t i = 0; i < size; i += piece)
		if (mg_xmlguard_feed(g, data + i, size - i < piece ? size - i : piece, out))
			return -1;
	return mg_xmlguard_end(g, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_buf whole = MG_BUF_INIT(MG_BUF_LARGE), cut = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_xmlguard g1, g2;
	int rc1 = run(data, size, size ? size : 1, &whole, &g1);
	int rc2 = run(data, size, 1 + size % 7, &cut, &g2);

	if (rc1 != rc2 ||
	    (!rc1 && (whole.len != cut.len || memcmp(whole.buf, cut.buf, whole.len))) ||
	    (rc1 && (g1.line != g2.line || strcmp(g1.msg, g2.msg))))
		abort();
	mg_buf_release(&whole);
	mg_buf_release(&cut);
	return 0;
}
