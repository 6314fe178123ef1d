#include "setup.h"
#include "junit.h"
#include "alloc.h"
#include "clock.h"

#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>

#define XW(w) ((xmlTextWriterPtr)(w)->xw)

/* Room for a cleaned details text plus a cleaned output text. */
#define TEXT_SCRATCH_MAX (2 * MG_TEXT_OUTPUT_MAX + 1024)

/*
 * libxml2 calls these for its buffered output. They never report failure
 * to libxml2 (which would print to stderr on its own); the first error is
 * remembered and mg_junit_finish() reports it.
 */
static int sink_write(void *ctx, const char *data, int len)
{
	struct mg_junit_writer *w = ctx;
	size_t left = len > 0 ? (size_t)len : 0;

	if (w->io_failed)
		return len;
	if (w->mem) {
		if (mg_buf_add(w->mem, data, left)) {
			w->io_failed = true;
			mg_err_set(&w->io_err, MG_EXIT_INFRA,
			           "JUnit XML passed its size limit of %zu bytes", w->mem->max);
		}
		return len;
	}
	if (mg_atomic_write(&w->file, data, left, &w->io_err))
		w->io_failed = true;
	return len;
}

static int sink_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static void writer_zero(struct mg_junit_writer *w, const struct mg_secrets *secrets)
{
	memset(w, 0, sizeof(*w));
	mg_atomic_init(&w->file);
	w->secrets = secrets;
	mg_buf_init(&w->text, TEXT_SCRATCH_MAX);
}

static int writer_start(struct mg_junit_writer *w, struct mg_err *err)
{
	xmlOutputBufferPtr ob;

	xmlInitParser();
	ob = xmlOutputBufferCreateIO(sink_write, sink_close, w, NULL);
	if (!ob)
		mg_die_oom(sizeof(*ob));
	w->xw = xmlNewTextWriter(ob); /* owns ob from here */
	if (!w->xw) {
		xmlOutputBufferClose(ob);
		mg_die_oom(sizeof(ob));
	}
	if (gethostname(w->hostname, sizeof(w->hostname) - 1) || !w->hostname[0])
		snprintf(w->hostname, sizeof(w->hostname), "localhost");
	w->hostname[sizeof(w->hostname) - 1] = '\0';
	if (xmlTextWriterSetIndent(XW(w), 1) < 0 ||
	    xmlTextWriterSetIndentString(XW(w), BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(XW(w), NULL, "UTF-8", NULL) < 0)
		return mg_err_set(err, MG_EXIT_INFRA, "cannot start the JUnit document");
	return 0;
}

int mg_junit_open(struct mg_junit_writer *w, const char *path, const struct mg_secrets *secrets,
                  struct mg_err *err)
{
	writer_zero(w, secrets);
	w->path = path;
	if (mg_atomic_open(&w->file, path, err))
		return -1;
	w->to_file = true;
	return writer_start(w, err);
}

int mg_junit_open_buf(struct mg_junit_writer *w, struct mg_buf *out,
                      const struct mg_secrets *secrets, struct mg_err *err)
{
	writer_zero(w, secrets);
	w->mem = out;
	w->path = "(memory)";
	return writer_start(w, err);
}

/* Write attribute `name` with `value` cleaned and capped at `cap`. */
static int attr(struct mg_junit_writer *w, const char *name, const char *value, size_t cap)
{
	mg_buf_reset(&w->text);
	mg_result_clean(&w->text, value, strlen(value), cap, w->secrets);
	return xmlTextWriterWriteAttribute(XW(w), BAD_CAST name, BAD_CAST w->text.buf);
}

static int attr_count(struct mg_junit_writer *w, const char *name, size_t n)
{
	char num[32];

	snprintf(num, sizeof(num), "%zu", n);
	return xmlTextWriterWriteAttribute(XW(w), BAD_CAST name, BAD_CAST num);
}

static int attr_time(struct mg_junit_writer *w, double seconds)
{
	char num[MG_SECONDS_LEN];

	return xmlTextWriterWriteAttribute(XW(w), BAD_CAST "time",
	                                   BAD_CAST mg_result_seconds(seconds, num));
}

static int attr_stamp(struct mg_junit_writer *w, const time_t *t)
{
	char stamp[MG_TIME_LEN];
	time_t now = t ? *t : time(NULL);

	return xmlTextWriterWriteAttribute(XW(w), BAD_CAST "timestamp",
	                                   BAD_CAST mg_time_format(now, MG_TIME_NOZONE, stamp));
}

static int counts_attrs(struct mg_junit_writer *w, const struct mg_counts *c)
{
	if (attr_count(w, "tests", c->tests) < 0 || attr_count(w, "failures", c->failures) < 0 ||
	    attr_count(w, "errors", c->errors) < 0 || attr_count(w, "skipped", c->skipped) < 0 ||
	    attr_time(w, c->time) < 0)
		return -1;
	return 0;
}

static int write_failed(struct mg_junit_writer *w, struct mg_err *err)
{
	return mg_err_set(err, MG_EXIT_INFRA, "cannot write JUnit XML to '%s'", w->path);
}

int mg_junit_begin(struct mg_junit_writer *w, const char *name, const struct mg_counts *totals,
                   const time_t *timestamp, struct mg_err *err)
{
	if (xmlTextWriterStartElement(XW(w), BAD_CAST "testsuites") < 0 ||
	    attr(w, "name", name ? name : "mlgate", MG_TEXT_NAME_MAX) < 0 ||
	    counts_attrs(w, totals) < 0 || attr_stamp(w, timestamp) < 0)
		return write_failed(w, err);
	return 0;
}

int mg_junit_suite_begin(struct mg_junit_writer *w, const struct mg_suite *s,
                         const struct mg_counts *counts, struct mg_err *err)
{
	if (xmlTextWriterStartElement(XW(w), BAD_CAST "testsuite") < 0 ||
	    attr(w, "name", s->name, MG_TEXT_NAME_MAX) < 0 || counts_attrs(w, counts) < 0 ||
	    attr_stamp(w, s->has_timestamp ? &s->timestamp : NULL) < 0 ||
	    attr(w, "hostname", s->hostname ? s->hostname : w->hostname, MG_TEXT_NAME_MAX) < 0)
		return write_failed(w, err);
	if (!s->nprops)
		return 0;
	if (xmlTextWriterStartElement(XW(w), BAD_CAST "properties") < 0)
		return write_failed(w, err);
	for (size_t i = 0; i < s->nprops; i++) {
		if (xmlTextWriterStartElement(XW(w), BAD_CAST "property") < 0 ||
		    attr(w, "name", s->props[i].name, MG_TEXT_NAME_MAX) < 0 ||
		    attr(w, "value", s->props[i].value, MG_TEXT_MESSAGE_MAX) < 0 ||
		    xmlTextWriterEndElement(XW(w)) < 0)
			return write_failed(w, err);
	}
	if (xmlTextWriterEndElement(XW(w)) < 0)
		return write_failed(w, err);
	return 0;
}

/* <tag>text</tag> with the text already in w->text; nothing when empty. */
static int text_element(struct mg_junit_writer *w, const char *tag)
{
	if (!w->text.len)
		return 0;
	if (xmlTextWriterStartElement(XW(w), BAD_CAST tag) < 0 ||
	    xmlTextWriterWriteString(XW(w), BAD_CAST w->text.buf) < 0 ||
	    xmlTextWriterEndElement(XW(w)) < 0)
		return -1;
	return 0;
}

static void clean_into_text(struct mg_junit_writer *w, const char *s)
{
	if (s && *s)
		mg_result_clean(&w->text, s, strlen(s), MG_TEXT_OUTPUT_MAX, w->secrets);
}

int mg_junit_case(struct mg_junit_writer *w, const struct mg_suite *s, const struct mg_check *c,
                  struct mg_err *err)
{
	const char *tag = NULL, *type = NULL;

	if (xmlTextWriterStartElement(XW(w), BAD_CAST "testcase") < 0 ||
	    attr(w, "name", c->id, MG_TEXT_NAME_MAX) < 0 ||
	    attr(w, "classname", c->classname ? c->classname : mg_suite_label(s),
	         MG_TEXT_NAME_MAX) < 0 ||
	    attr_time(w, c->duration) < 0)
		return write_failed(w, err);
	if (c->file && *c->file ? attr(w, "file", c->file, MG_TEXT_NAME_MAX) < 0
	                        : s->file && attr(w, "file", s->file, MG_TEXT_NAME_MAX) < 0)
		return write_failed(w, err);
	if (c->line > 0 && attr_count(w, "line", (size_t)c->line) < 0)
		return write_failed(w, err);
	/*
	 * JUnit has no place for a passed case's message: a property of the case
	 * carries it (pytest's record_property form), so a report made from the
	 * file (mlgate-report summary, merge) shows it as the gate did.
	 */
	if (c->status == MG_STATUS_PASSED && c->message && *c->message &&
	    (xmlTextWriterStartElement(XW(w), BAD_CAST "properties") < 0 ||
	     xmlTextWriterStartElement(XW(w), BAD_CAST "property") < 0 ||
	     attr(w, "name", MG_JUNIT_MESSAGE_PROPERTY, MG_TEXT_NAME_MAX) < 0 ||
	     attr(w, "value", c->message, MG_TEXT_MESSAGE_MAX) < 0 ||
	     xmlTextWriterEndElement(XW(w)) < 0 || xmlTextWriterEndElement(XW(w)) < 0))
		return write_failed(w, err);

	switch (c->status) {
	case MG_STATUS_FAILED:
		tag = "failure";
		type = "failure";
		break;
	case MG_STATUS_ERROR:
		tag = "error";
		type = "error";
		break;
	case MG_STATUS_SKIPPED:
		tag = "skipped";
		break;
	case MG_STATUS_PASSED:
		break;
	}
	if (tag) {
		const char *msg = c->message && *c->message ? c->message : NULL;

		if (!msg && c->status != MG_STATUS_SKIPPED)
			msg = mg_status_name(c->status);
		if (xmlTextWriterStartElement(XW(w), BAD_CAST tag) < 0 ||
		    (msg && attr(w, "message", msg, MG_TEXT_MESSAGE_MAX) < 0) ||
		    (type && attr(w, "type", c->type ? c->type : type, MG_TEXT_NAME_MAX) < 0))
			return write_failed(w, err);
		mg_buf_reset(&w->text);
		clean_into_text(w, c->details);
		if ((w->text.len && xmlTextWriterWriteString(XW(w), BAD_CAST w->text.buf) < 0) ||
		    xmlTextWriterEndElement(XW(w)) < 0)
			return write_failed(w, err);
	}
	/* a passed check's details are its output */
	mg_buf_reset(&w->text);
	if (!tag)
		clean_into_text(w, c->details);
	if (c->output && *c->output) {
		if (w->text.len)
			mg_buf_addch(&w->text, '\n');
		clean_into_text(w, c->output);
	}
	if (text_element(w, "system-out") < 0)
		return write_failed(w, err);
	mg_buf_reset(&w->text);
	clean_into_text(w, c->errout);
	if (text_element(w, "system-err") < 0 || xmlTextWriterEndElement(XW(w)) < 0)
		return write_failed(w, err);
	return 0;
}

int mg_junit_suite_end(struct mg_junit_writer *w, const struct mg_suite *s, struct mg_err *err)
{
	mg_buf_reset(&w->text);
	clean_into_text(w, s->out);
	if (text_element(w, "system-out") < 0)
		return write_failed(w, err);
	mg_buf_reset(&w->text);
	clean_into_text(w, s->err);
	if (text_element(w, "system-err") < 0 || xmlTextWriterEndElement(XW(w)) < 0)
		return write_failed(w, err);
	return 0;
}

int mg_junit_finish(struct mg_junit_writer *w, struct mg_err *err)
{
	int rc = xmlTextWriterEndDocument(XW(w));

	if (rc >= 0)
		rc = xmlTextWriterFlush(XW(w));
	if (rc >= 0)
		sink_write(w, "\n", 1); /* a text file ends with a line break */
	xmlFreeTextWriter(XW(w));       /* closes the output buffer */
	w->xw = NULL;
	if (rc < 0)
		return write_failed(w, err);
	if (w->io_failed)
		return mg_err_set(err, w->io_err.code, "%s", w->io_err.msg);
	if (!w->to_file)
		return 0;
	w->to_file = false;
	return mg_atomic_commit(&w->file, err);
}

void mg_junit_release(struct mg_junit_writer *w)
{
	if (w->xw)
		xmlFreeTextWriter(XW(w));
	w->xw = NULL;
	mg_atomic_abort(&w->file); /* nothing left to do after a commit */
	mg_buf_release(&w->text);
}

static int write_result(struct mg_junit_writer *w, const struct mg_result *r, struct mg_err *err)
{
	struct mg_counts totals;
	time_t first;
	bool has_first = mg_result_first_timestamp(r, &first);

	mg_result_counts(r, &totals);
	if (mg_junit_begin(w, r->name, &totals, has_first ? &first : NULL, err))
		return -1;
	for (size_t i = 0; i < r->nsuites; i++) {
		const struct mg_suite *s = &r->suites[i];
		struct mg_counts c;

		mg_suite_counts(s, &c);
		if (mg_junit_suite_begin(w, s, &c, err))
			return -1;
		for (size_t j = 0; j < s->nchecks; j++)
			if (mg_junit_case(w, s, &s->checks[j], err))
				return -1;
		if (mg_junit_suite_end(w, s, err))
			return -1;
	}
	return mg_junit_finish(w, err);
}

int mg_junit_write(const struct mg_result *r, const char *path, const struct mg_secrets *secrets,
                   struct mg_err *err)
{
	struct mg_junit_writer w;
	int ret = -1;

	if (!mg_junit_open(&w, path, secrets, err) && !write_result(&w, r, err))
		ret = 0;
	mg_junit_release(&w);
	return ret;
}

int mg_junit_write_buf(const struct mg_result *r, struct mg_buf *out,
                       const struct mg_secrets *secrets, struct mg_err *err)
{
	struct mg_junit_writer w;
	int ret = -1;

	if (!mg_junit_open_buf(&w, out, secrets, err) && !write_result(&w, r, err))
		ret = 0;
	mg_junit_release(&w);
	return ret;
}
