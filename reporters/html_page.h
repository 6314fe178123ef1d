/*
 * Private to the HTML report (html.c, html_gates.c): the page being
 * written and the helpers its sections share.
 */
#ifndef MG_HTML_PAGE_H
#define MG_HTML_PAGE_H

#include "setup.h"
#include "html.h"
#include "json.h"

/* One gate run on the page: its suite and, when given, its JSON decision. */
struct mg_html_gate {
	const struct mg_suite *s;
	const cJSON *json;   /* borrowed from the page's parsed decisions; NULL for none */
	const char *gate;    /* mlgate.gate, else the suite's name */
	const char *verdict; /* passed, failed, error, manual */
	size_t index;        /* its number on the page, for ids */
};

struct mg_html_page {
	const struct mg_html_in *in;
	struct mg_buf *out;
	struct mg_html_gate *g;
	size_t n;
	cJSON **docs;
	size_t ndocs;
	unsigned charts; /* charts drawn, for their ids */
};

/* Cleaned and escaped text of a name (capped at MG_TEXT_NAME_MAX) or a message. */
void mg_html_name(struct mg_html_page *p, const char *s);
void mg_html_text(struct mg_html_page *p, const char *s);

/* "mg-pass" ... for a status, and the symbol + word shown for it. */
const char *mg_html_status_class(enum mg_status st);
const char *mg_html_status_word(enum mg_status st);

/* A table of checks: those of g for which `keep` says yes (NULL: all). Returns how many. */
size_t mg_html_checks(struct mg_html_page *p, const struct mg_html_gate *g,
                      bool (*keep)(const struct mg_check *c, const void *arg), const void *arg,
                      const char *caption);

/* The sections of the gates with more to show than their checks (html_gates.c). */
void mg_html_compare(struct mg_html_page *p, const struct mg_html_gate *g);
void mg_html_smoke(struct mg_html_page *p, const struct mg_html_gate *g);
void mg_html_comply(struct mg_html_page *p, const struct mg_html_gate *g);
void mg_html_history(struct mg_html_page *p);

#endif
