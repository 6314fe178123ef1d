/*
 * The JUnit reader (junit.h): libxml2's xmlTextReader over the input as
 * the guard (xmlguard.h) passes it on.
 */
#include "setup.h"
#include "junit.h"
#include "alloc.h"
#include "clock.h"
#include "xmlguard.h"

#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

/* Room for a cleaned details text plus a cleaned output text. */
#define TEXT_SCRATCH_MAX (2 * MG_TEXT_OUTPUT_MAX + 1024)

enum frame_kind {
	F_OTHER,      /* ignored subtree */
	F_SUITES,     /* <testsuites> */
	F_SUITE,      /* <testsuite> */
	F_PROPS,      /* <properties> of a suite */
	F_CASE_PROPS, /* <properties> of a case */
	F_RESULT,     /* <failure>, <error>, <skipped> */
	F_CASE,       /* <testcase> */
	F_CASE_OUT,   /* <system-out> of a case */
	F_CASE_ERR,   /* <system-err> of a case */
	F_SUITE_OUT,  /* <system-out> of a suite */
	F_SUITE_ERR,  /* <system-err> of a suite */
};

struct frame {
	enum frame_kind kind;
	size_t suite;   /* index in r->suites (suites, cases and their children) */
	size_t check;   /* index in the suite's checks (cases and their children) */
	bool wins;      /* F_RESULT: this element decided the case's status */
	bool container; /* F_SUITE: holds nested suites */
};

#define MAX_DEPTH 300 /* libxml2 refuses more than 256 levels anyway */

struct reader {
	const char *name; /* for messages */
	xmlTextReaderPtr xr;
	struct mg_result *r;
	struct mg_err *err;
	/* source */
	int fd;
	bool from_mem;
	const char *data;
	size_t len, pos, max, total;
	bool too_big;
	int read_errno;
	/* what libxml2 reads: the source through the guard (xmlguard.h) */
	struct mg_xmlguard guard;
	bool refused, src_end;
	struct mg_buf fed;
	size_t fed_pos;
	/* first libxml2 error */
	bool have_xml_err;
	int xml_err_line;
	char xml_err_msg[200];
	/* first line libxml2 printed through its generic handler (encoding errors) */
	char generic_msg[200];
	bool generic_done;
	/* state */
	struct frame stack[MAX_DEPTH];
	size_t depth;
	bool seen_root;
	struct mg_buf text;
	struct mg_buf clean;
	size_t *drop; /* container suites to remove at the end */
	size_t ndrop, drop_alloc;
	locale_t c_locale;
};

/* The next block of the source: its size, 0 at the end, -1 on error. */
static ssize_t src_block(struct reader *rd, char *buf, size_t want)
{
	size_t got;

	if (rd->from_mem) {
		got = rd->len - rd->pos < want ? rd->len - rd->pos : want;
		memcpy(buf, rd->data + rd->pos, got);
		rd->pos += got;
	} else {
		ssize_t n;

		do
			n = read(rd->fd, buf, want);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			rd->read_errno = errno;
			return -1;
		}
		got = (size_t)n;
	}
	rd->total += got;
	if (rd->total > rd->max) {
		rd->too_big = true;
		return -1;
	}
	return (ssize_t)got;
}

static int src_read(void *ctx, char *buf, int len)
{
	struct reader *rd = ctx;
	size_t want = len > 0 ? (size_t)len : 0, got;

	while (rd->fed_pos == rd->fed.len && !rd->src_end) {
		char block[4096];
		ssize_t n = src_block(rd, block, sizeof(block));

		mg_buf_reset(&rd->fed);
		rd->fed_pos = 0;
		if (n < 0)
			return -1;
		rd->src_end = n == 0;
		if (n ? mg_xmlguard_feed(&rd->guard, block, (size_t)n, &rd->fed)
		      : mg_xmlguard_end(&rd->guard, &rd->fed)) {
			rd->refused = true;
			return -1;
		}
	}
	got = rd->fed.len - rd->fed_pos < want ? rd->fed.len - rd->fed_pos : want;
	memcpy(buf, rd->fed.buf + rd->fed_pos, got);
	rd->fed_pos += got;
	return (int)got;
}

static int src_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
	struct reader *rd = ctx;
	size_t n;

	if (rd->have_xml_err || !e || e->level < XML_ERR_ERROR)
		return;
	rd->have_xml_err = true;
	rd->xml_err_line = e->line;
	snprintf(rd->xml_err_msg, sizeof(rd->xml_err_msg), "%s",
	         e->message ? e->message : "malformed XML");
	n = strlen(rd->xml_err_msg);
	while (n && (rd->xml_err_msg[n - 1] == '\n' || rd->xml_err_msg[n - 1] == ' '))
		rd->xml_err_msg[--n] = '\0';
}

/*
 * libxml2 reports decoding errors (a lone UTF-16 surrogate, a byte
 * windows-1252 leaves undefined) through its generic handler, which
 * prints to stderr in pieces: keep the first line for our one-line
 * message instead.
 */
static void on_generic_error(void *ctx, const char *fmt, ...) MG_PRINTF(2, 3);
static void on_generic_error(void *ctx, const char *fmt, ...)
{
	struct reader *rd = ctx;
	size_t n = strlen(rd->generic_msg);
	char *nl;
	va_list ap;

	if (rd->generic_done || n + 1 >= sizeof(rd->generic_msg))
		return;
	va_start(ap, fmt);
	vsnprintf(rd->generic_msg + n, sizeof(rd->generic_msg) - n, fmt, ap);
	va_end(ap);
	nl = strchr(rd->generic_msg, '\n');
	if (nl) {
		*nl = '\0';
		rd->generic_done = true;
	}
}

/* The line of the node being handled (the parser itself may be further on). */
static int current_line(struct reader *rd)
{
	xmlNodePtr node = xmlTextReaderCurrentNode(rd->xr);
	long line = node ? xmlGetLineNo(node) : -1;

	return line > 0 && line < INT_MAX ? (int)line : xmlTextReaderGetParserLineNumber(rd->xr);
}

static int fail(struct reader *rd, const char *fmt, ...) MG_PRINTF(2, 3);
static int fail(struct reader *rd, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mg_err_set(rd->err, MG_EXIT_USAGE, "'%s' line %d: %s", rd->name, current_line(rd),
	                  msg);
}

/* Cleaned, capped copy of s (NULL stays NULL). */
static char *clean_dup(struct reader *rd, const char *s, size_t len, size_t cap)
{
	if (!s)
		return NULL;
	mg_buf_reset(&rd->clean);
	mg_result_clean(&rd->clean, s, len, cap, NULL);
	return mg_xstrdup(rd->clean.buf);
}

/* Attribute `name` of the current element, cleaned and capped; NULL when absent. */
static char *attr_dup(struct reader *rd, const char *name, size_t cap)
{
	xmlChar *v = xmlTextReaderGetAttribute(rd->xr, BAD_CAST name);
	char *s;

	if (!v)
		return NULL;
	s = clean_dup(rd, (const char *)v, strlen((const char *)v), cap);
	xmlFree(v);
	return s;
}

/*
 * A JUnit `time`: a plain decimal ("1.5", "2e-3"), or Surefire's thousands
 * grouping ("1,234.5"). A lone comma ("0,5", a decimal comma from a
 * localised printf) is ambiguous and refused. Read in the C locale.
 */
static int parse_seconds(struct reader *rd, const char *what, const char *s, double *out)
{
	char plain[64];
	size_t n = 0, digits = 0, groups = 0;
	const char *p;
	char *end = NULL;
	locale_t old;
	double v;

	for (p = s; *p && *p != '.' && *p != 'e' && *p != 'E'; p++) {
		if (*p == ',') {
			if (!digits || (groups ? digits != 3 : digits > 3))
				goto bad;
			groups++;
			digits = 0;
			continue;
		}
		if (*p < '0' || *p > '9')
			goto bad;
		digits++;
		if (n + 1 >= sizeof(plain))
			goto bad;
		plain[n++] = *p;
	}
	if ((groups && digits != 3) || n == 0)
		goto bad;
	for (; *p; p++) {
		if (n + 1 >= sizeof(plain) || *p == ',')
			goto bad;
		plain[n++] = *p;
	}
	plain[n] = '\0';
	old = uselocale(rd->c_locale);
	errno = 0;
	v = strtod(plain, &end);
	uselocale(old);
	if (*end || errno == ERANGE || !isfinite(v) || v < 0)
		goto bad;
	*out = v;
	return 0;
bad:
	return fail(rd, "invalid %s '%.40s': expected seconds like 1.250", what, s);
}

/*
 * A JUnit `timestamp`: ISO 8601 date and time, optional fraction, optional
 * "Z" or offset; without a zone it is UTC (as Azure and Jenkins read it).
 */
static int parse_stamp(struct reader *rd, const char *s, time_t *out)
{
	char iso[40];
	size_t n = strlen(s);
	const char *zone;
	struct mg_err e = MG_ERR_INIT;

	if (n < 19 || n > 35 || s[10] != 'T')
		goto bad;
	zone = s + 19;
	if (*zone == '.') {
		zone++;
		while (*zone >= '0' && *zone <= '9')
			zone++;
	}
	snprintf(iso, sizeof(iso), "%.19s%s", s, *zone ? zone : "Z");
	if (mg_time_parse("timestamp", iso, out, &e))
		goto bad;
	return 0;
bad:
	return fail(rd, "invalid timestamp '%.40s'", s);
}

static struct mg_suite *suite_at(struct reader *rd, size_t i)
{
	return &rd->r->suites[i];
}

static int start_suite(struct reader *rd, struct frame *f, const struct frame *parent)
{
	char *name = attr_dup(rd, "name", MG_TEXT_NAME_MAX);
	char *time_s = attr_dup(rd, "time", 64);
	char *stamp = attr_dup(rd, "timestamp", 64);
	struct mg_buf full = MG_BUF_INIT(2 * MG_TEXT_NAME_MAX + 2);
	struct mg_suite *s;
	int ret = -1;

	if (parent)
		mg_buf_addf(&full, "%s/%s", suite_at(rd, parent->suite)->name,
		            name && *name ? name : "(unnamed)");
	else
		mg_buf_adds(&full, name && *name ? name : "(unnamed)");
	f->kind = F_SUITE;
	f->suite = rd->r->nsuites;
	s = mg_result_add_suite(rd->r, full.buf);
	s->hostname = attr_dup(rd, "hostname", MG_TEXT_NAME_MAX);
	if (time_s && *time_s) {
		if (parse_seconds(rd, "suite time", time_s, &s->duration))
			goto done;
		s->has_duration = true;
	}
	if (stamp && *stamp) {
		if (parse_stamp(rd, stamp, &s->timestamp))
			goto done;
		s->has_timestamp = true;
	}
	if (parent) {
		/* a nested suite inherits the evidence of the suites around it */
		const struct mg_suite *up = suite_at(rd, parent->suite);

		s = suite_at(rd, f->suite);
		for (size_t i = 0; i < up->nprops; i++)
			if (!mg_suite_prop(s, up->props[i].name))
				mg_suite_set_prop(s, up->props[i].name, up->props[i].value);
	}
	ret = 0;
done:
	mg_buf_release(&full);
	free(name);
	free(time_s);
	free(stamp);
	return ret;
}

static int start_property(struct reader *rd, const struct frame *props)
{
	char *name = attr_dup(rd, "name", MG_TEXT_NAME_MAX);
	char *value = attr_dup(rd, "value", MG_TEXT_MESSAGE_MAX);
	int ret = -1;

	if (!name || !*name) {
		fail(rd, "<property> has no name");
		goto done;
	}
	mg_suite_set_prop(suite_at(rd, props->suite), name, value ? value : "");
	ret = 0;
done:
	free(name);
	free(value);
	return ret;
}

/*
 * A property of a case: only MG_JUNIT_MESSAGE_PROPERTY means something, the
 * message of a passed case (a result element after it speaks instead).
 */
static void start_case_property(struct reader *rd, const struct frame *props)
{
	struct mg_check *c = &suite_at(rd, props->suite)->checks[props->check];
	char *name = attr_dup(rd, "name", MG_TEXT_NAME_MAX);

	if (name && !strcmp(name, MG_JUNIT_MESSAGE_PROPERTY) && c->status == MG_STATUS_PASSED &&
	    !c->message)
		c->message = attr_dup(rd, "value", MG_TEXT_MESSAGE_MAX);
	free(name);
}

static int start_case(struct reader *rd, struct frame *f, const struct frame *parent)
{
	char *name = attr_dup(rd, "name", MG_TEXT_NAME_MAX);
	char *time_s = attr_dup(rd, "time", 64);
	char *line = attr_dup(rd, "line", 32);
	struct mg_suite *s = suite_at(rd, parent->suite);
	struct mg_check *c;
	int ret = -1;

	if (!name || !*name) {
		fail(rd, "<testcase> has no name");
		goto done;
	}
	f->kind = F_CASE;
	f->suite = parent->suite;
	f->check = s->nchecks;
	c = mg_suite_add(s, name, MG_STATUS_PASSED, NULL);
	c->classname = attr_dup(rd, "classname", MG_TEXT_NAME_MAX);
	c->file = attr_dup(rd, "file", MG_TEXT_NAME_MAX);
	if (time_s && *time_s && parse_seconds(rd, "testcase time", time_s, &c->duration))
		goto done;
	if (line && *line) {
		char *end = NULL;
		long v;

		errno = 0;
		v = strtol(line, &end, 10);
		if (*end || errno || v < 1 || line[0] < '0' || line[0] > '9') {
			fail(rd, "invalid line '%.32s': expected a positive number", line);
			goto done;
		}
		c->line = v;
	}
	ret = 0;
done:
	free(name);
	free(time_s);
	free(line);
	return ret;
}

static struct mg_check *check_at(struct reader *rd, const struct frame *f)
{
	return &suite_at(rd, f->suite)->checks[f->check];
}

static void start_result(struct reader *rd, struct frame *f, const struct frame *parent,
                         enum mg_status status)
{
	struct mg_check *c = check_at(rd, parent);

	f->kind = F_RESULT;
	f->suite = parent->suite;
	f->check = parent->check;
	/* the most severe result decides; the first of that kind speaks */
	f->wins = status > c->status;
	if (!f->wins)
		return;
	c->status = status;
	free(c->message);
	free(c->type);
	MG_FREE_AND_NULL(c->details);
	c->message = attr_dup(rd, "message", MG_TEXT_MESSAGE_MAX);
	c->type = attr_dup(rd, "type", MG_TEXT_NAME_MAX);
}

static bool collects(const struct frame *f)
{
	switch (f->kind) {
	case F_RESULT:
		return f->wins;
	case F_CASE_OUT:
	case F_CASE_ERR:
	case F_SUITE_OUT:
	case F_SUITE_ERR:
		return true;
	default:
		return false;
	}
}

static int on_start(struct reader *rd)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(rd->xr);
	struct frame *parent = rd->depth ? &rd->stack[rd->depth - 1] : NULL;
	struct frame *f;

	if (!name)
		mg_die_oom(0);
	if (rd->depth >= MAX_DEPTH)
		return fail(rd, "elements nested too deeply");
	f = &rd->stack[rd->depth];
	memset(f, 0, sizeof(*f));
	f->kind = F_OTHER;
	if (!parent) {
		if (rd->seen_root)
			return fail(rd, "more than one root element");
		rd->seen_root = true;
		if (!strcmp(name, "testsuites"))
			f->kind = F_SUITES;
		else if (!strcmp(name, "testsuite"))
			return start_suite(rd, f, NULL);
		else
			return fail(rd, "not a JUnit report: the root element is <%.40s>", name);
		return 0;
	}
	switch (parent->kind) {
	case F_SUITES:
		if (!strcmp(name, "testsuite"))
			return start_suite(rd, f, NULL);
		break;
	case F_SUITE:
		if (!strcmp(name, "testsuite")) {
			parent->container = true;
			return start_suite(rd, f, parent);
		}
		if (!strcmp(name, "testcase"))
			return start_case(rd, f, parent);
		f->suite = parent->suite;
		if (!strcmp(name, "properties"))
			f->kind = F_PROPS;
		else if (!strcmp(name, "system-out"))
			f->kind = F_SUITE_OUT;
		else if (!strcmp(name, "system-err"))
			f->kind = F_SUITE_ERR;
		break;
	case F_PROPS:
		if (!strcmp(name, "property"))
			return start_property(rd, parent);
		break;
	case F_CASE_PROPS:
		if (!strcmp(name, "property"))
			start_case_property(rd, parent);
		break;
	case F_CASE:
		f->suite = parent->suite;
		f->check = parent->check;
		if (!strcmp(name, "failure"))
			start_result(rd, f, parent, MG_STATUS_FAILED);
		else if (!strcmp(name, "error"))
			start_result(rd, f, parent, MG_STATUS_ERROR);
		else if (!strcmp(name, "skipped"))
			start_result(rd, f, parent, MG_STATUS_SKIPPED);
		else if (!strcmp(name, "properties"))
			f->kind = F_CASE_PROPS;
		else if (!strcmp(name, "system-out"))
			f->kind = F_CASE_OUT;
		else if (!strcmp(name, "system-err"))
			f->kind = F_CASE_ERR;
		break;
	default:
		break;
	}
	if (collects(f))
		mg_buf_reset(&rd->text);
	return 0;
}

/* Append the collected text to the owned string *field (cleaned, capped). */
static void take_text(struct reader *rd, char **field)
{
	struct mg_buf joined = MG_BUF_INIT(TEXT_SCRATCH_MAX);
	char *text;

	if (mg_buf_overflowed(&rd->text))
		mg_buf_adds(&rd->text, "\n[... cut while reading ...]");
	if (!rd->text.len)
		return;
	/* cap the (possibly huge) new text first, then join it to what was there */
	text = clean_dup(rd, rd->text.buf, rd->text.len, MG_TEXT_OUTPUT_MAX);
	if (*field) {
		mg_buf_adds(&joined, *field);
		mg_buf_addch(&joined, '\n');
		mg_buf_adds(&joined, text);
		free(text);
		text = clean_dup(rd, joined.buf, joined.len, MG_TEXT_OUTPUT_MAX);
	}
	free(*field);
	*field = text;
	mg_buf_release(&joined);
}

static void on_end(struct reader *rd)
{
	struct frame *f = &rd->stack[--rd->depth];

	switch (f->kind) {
	case F_RESULT:
		if (f->wins)
			take_text(rd, &check_at(rd, f)->details);
		break;
	case F_CASE_OUT:
		take_text(rd, &check_at(rd, f)->output);
		break;
	case F_CASE_ERR:
		take_text(rd, &check_at(rd, f)->errout);
		break;
	case F_SUITE_OUT:
		take_text(rd, &suite_at(rd, f->suite)->out);
		break;
	case F_SUITE_ERR:
		take_text(rd, &suite_at(rd, f->suite)->err);
		break;
	case F_SUITE:
		/* a suite that only wraps other suites is flattened away */
		if (f->container && !suite_at(rd, f->suite)->nchecks) {
			if (rd->ndrop == rd->drop_alloc) {
				rd->drop_alloc = rd->drop_alloc ? 2 * rd->drop_alloc : 8;
				rd->drop = mg_xrealloc(
				        rd->drop, mg_st_mult(rd->drop_alloc, sizeof(*rd->drop)));
			}
			rd->drop[rd->ndrop++] = f->suite;
		}
		break;
	default:
		break;
	}
	mg_buf_reset(&rd->text);
}

static void drop_containers(struct reader *rd)
{
	struct mg_result *r = rd->r;
	size_t keep = 0;

	if (!rd->ndrop)
		return;
	/* rd->drop is in end-tag order; mark, then compact */
	for (size_t i = 0; i < rd->ndrop; i++) {
		mg_suite_release(&r->suites[rd->drop[i]]);
		r->suites[rd->drop[i]].name = NULL; /* released: marks it */
	}
	for (size_t i = 0; i < r->nsuites; i++) {
		if (!r->suites[i].name)
			continue;
		if (keep != i)
			r->suites[keep] = r->suites[i];
		keep++;
	}
	r->nsuites = keep;
}

static int guard_refused(struct reader *rd)
{
	return mg_err_set(rd->err, MG_EXIT_USAGE, "'%s' line %zu: %s", rd->name, rd->guard.line,
	                  rd->guard.msg);
}

static int read_loop(struct reader *rd)
{
	int rc;

	while ((rc = xmlTextReaderRead(rd->xr)) == 1) {
		int type = xmlTextReaderNodeType(rd->xr);

		switch (type) {
		case XML_READER_TYPE_DOCUMENT_TYPE:
			return fail(rd, "DOCTYPE declarations are not accepted in JUnit XML");
		case XML_READER_TYPE_ELEMENT:
			if (on_start(rd))
				return -1;
			rd->depth++;
			if (xmlTextReaderIsEmptyElement(rd->xr) == 1)
				on_end(rd);
			break;
		case XML_READER_TYPE_END_ELEMENT:
			if (rd->depth)
				on_end(rd);
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_WHITESPACE:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (rd->depth && collects(&rd->stack[rd->depth - 1])) {
				const char *v = (const char *)xmlTextReaderConstValue(rd->xr);

				if (v)
					mg_buf_adds(&rd->text, v);
			}
			break;
		case XML_READER_TYPE_ENTITY_REFERENCE:
			return fail(rd, "entity references are not accepted in JUnit XML");
		default:
			break;
		}
	}
	if (rc == 0 && !rd->seen_root)
		return mg_err_set(rd->err, MG_EXIT_USAGE, "'%s': no XML document", rd->name);
	if (rc == 0)
		return 0;
	if (rd->too_big)
		return mg_err_setr(rd->err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
		                   "'%s' is larger than the limit of %zu bytes", rd->name, rd->max);
	if (rd->refused)
		return guard_refused(rd);
	if (rd->read_errno)
		return mg_err_set(rd->err, MG_EXIT_INFRA, "cannot read '%s': %s", rd->name,
		                  strerror(rd->read_errno));
	if (rd->have_xml_err)
		return mg_err_set(rd->err, MG_EXIT_USAGE, "'%s' line %d: not well-formed XML: %s",
		                  rd->name, rd->xml_err_line, rd->xml_err_msg);
	if (rd->generic_msg[0])
		return fail(rd, "not well-formed XML: %s", rd->generic_msg);
	return fail(rd, "cannot parse XML");
}

static int read_source(struct reader *rd)
{
	size_t first = rd->r->nsuites;
	xmlGenericErrorFunc old_generic;
	void *old_generic_ctx;
	int ret = -1;

	xmlInitParser();
	old_generic = xmlGenericError;
	old_generic_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(rd, on_generic_error);
	mg_buf_init(&rd->text, MG_BUF_LARGE);
	mg_buf_init(&rd->clean, TEXT_SCRATCH_MAX);
	mg_buf_init(&rd->fed, MG_BUF_SMALL);
	mg_xmlguard_init(&rd->guard);
	rd->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (!rd->c_locale)
		mg_die_oom(0);
	/*
	 * The guard refuses a DOCTYPE before libxml2 sees it, bounds every
	 * tag, comment and PI, and turns CDATA into text (xmlguard.h); no
	 * NOENT, DTDLOAD/DTDATTR or XINCLUDE either. HUGE lifts libxml2's
	 * 10 MB limit on one text node: other tools put bigger captures in
	 * <system-out>; the input size bound and MAX_DEPTH still hold.
	 */
	rd->xr = xmlReaderForIO(src_read, src_close, rd, rd->name, NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_HUGE);
	if (!rd->xr && rd->refused) {
		guard_refused(rd);
		goto done;
	}
	if (!rd->xr) {
		mg_err_set(rd->err, MG_EXIT_INFRA, "cannot read '%s': %s", rd->name,
		           rd->read_errno ? strerror(rd->read_errno) : "cannot start the parser");
		goto done;
	}
	xmlTextReaderSetStructuredErrorHandler(rd->xr, on_xml_error, rd);
	if (read_loop(rd))
		goto done;
	drop_containers(rd);
	ret = 0;
done:
	if (ret) {
		/* nothing half-read stays behind */
		for (size_t i = first; i < rd->r->nsuites; i++)
			if (rd->r->suites[i].name)
				mg_suite_release(&rd->r->suites[i]);
		rd->r->nsuites = first;
	}
	if (rd->xr)
		xmlFreeTextReader(rd->xr);
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
	freelocale(rd->c_locale);
	free(rd->drop);
	mg_buf_release(&rd->text);
	mg_buf_release(&rd->clean);
	mg_buf_release(&rd->fed);
	return ret;
}

int mg_junit_read(const char *path, size_t max_bytes, struct mg_result *r, struct mg_err *err)
{
	struct reader *rd = mg_xcalloc(1, sizeof(*rd));
	struct stat st;
	int ret = -1;

	rd->name = path;
	rd->r = r;
	rd->err = err;
	rd->max = max_bytes ? max_bytes : MG_JUNIT_READ_MAX;
	rd->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (rd->fd < 0) {
		mg_err_set(err, MG_EXIT_USAGE, "cannot open '%s': %s", path, strerror(errno));
		goto done;
	}
	if (fstat(rd->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		mg_err_set(err, MG_EXIT_USAGE, "cannot read '%s': is a directory", path);
		goto done;
	}
	if (fstat(rd->fd, &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > rd->max) {
		mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
		            "'%s' is larger than the limit of %zu bytes", path, rd->max);
		goto done;
	}
	ret = read_source(rd);
done:
	if (rd->fd >= 0)
		close(rd->fd);
	free(rd);
	return ret;
}

int mg_junit_read_mem(const char *name, const char *data, size_t len, struct mg_result *r,
                      struct mg_err *err)
{
	struct reader *rd = mg_xcalloc(1, sizeof(*rd));
	int ret;

	rd->name = name;
	rd->r = r;
	rd->err = err;
	rd->fd = -1;
	rd->from_mem = true;
	rd->data = data;
	rd->len = len;
	rd->max = MG_JUNIT_READ_MAX;
	ret = read_source(rd);
	free(rd);
	return ret;
}
