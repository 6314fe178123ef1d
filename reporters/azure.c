#include "setup.h"
#include "azure.h"
#include "text.h"

#include <assert.h>

/* Azure's own escape for '%' comes first, so a literal "%3B" survives. */
static const char *const escape_map[256] = {
        ['%'] = "%AZP25", [';'] = "%3B", ['\r'] = "%0D", ['\n'] = "%0A", [']'] = "%5D"};

void mg_azure_escape(struct mg_buf *out, const char *s)
{
	mg_buf_add_mapped(out, s, escape_map);
}

void mg_azure_set_secrets(struct mg_buf *out, const struct mg_secrets *secrets)
{
	for (size_t i = 0; secrets && i < secrets->n; i++) {
		mg_buf_adds(out, "##vso[task.setsecret]");
		mg_azure_escape(out, secrets->values[i]);
		mg_buf_addch(out, '\n');
	}
}

/* Cleaned, defused and escaped untrusted text. */
static void escaped_text(struct mg_buf *out, const char *s, size_t cap,
                         const struct mg_secrets *secrets)
{
	struct mg_buf t = MG_BUF_INIT(cap + 256);

	mg_result_clean_log(&t, s, strlen(s), cap, secrets);
	mg_azure_escape(out, t.buf);
	mg_buf_release(&t);
}

void mg_azure_logissue(struct mg_buf *out, bool error, const char *file, long line,
                       const char *code, const char *message, const struct mg_secrets *secrets)
{
	mg_buf_addf(out, "##vso[task.logissue type=%s", error ? "error" : "warning");
	if (file && *file) {
		mg_buf_adds(out, ";sourcepath=");
		escaped_text(out, file, MG_TEXT_NAME_MAX, secrets);
		if (line > 0)
			mg_buf_addf(out, ";linenumber=%ld", line);
	}
	if (code && *code) {
		mg_buf_adds(out, ";code=");
		escaped_text(out, code, MG_TEXT_NAME_MAX, secrets);
	}
	mg_buf_adds(out, "]");
	escaped_text(out, message && *message ? message : "(no message)", MG_TEXT_MESSAGE_MAX,
	             secrets);
	mg_buf_addch(out, '\n');
}

struct annotate {
	struct mg_buf *out;
	const struct mg_secrets *secrets;
};

static void issue(const struct mg_suite *s, const struct mg_check *c, void *arg)
{
	struct annotate *a = arg;
	struct mg_buf msg = MG_BUF_INIT(MG_TEXT_MESSAGE_MAX + MG_TEXT_NAME_MAX * 3);

	mg_buf_addf(&msg, "%s: %s: ", mg_suite_label(s), c->id);
	mg_check_problem_text(c, &msg);
	mg_azure_logissue(a->out, true, c->file, c->line, c->id, msg.buf, a->secrets);
	mg_buf_release(&msg);
}

void mg_azure_annotate(struct mg_buf *out, const struct mg_result *r,
                       const struct mg_secrets *secrets)
{
	struct annotate a = {out, secrets};
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);
	size_t rest = mg_result_each_problem(r, MG_AZURE_MAX_PER_TYPE, issue, &a);

	if (rest) {
		mg_buf_addf(&msg,
		            "%zu more failed or errored %s not logged as issues (Azure keeps "
		            "%d per step); see the summary or the test results",
		            rest, mg_plural(rest, "check", "checks"), MG_AZURE_MAX_PER_TYPE);
		mg_azure_logissue(out, false, NULL, 0, "mlgate", msg.buf, NULL);
	}
	mg_buf_release(&msg);
}

void mg_azure_complete(struct mg_buf *out, enum mg_azure_outcome outcome, const char *message)
{
	static const char *const names[] = {"Succeeded", "SucceededWithIssues", "Failed"};

	mg_buf_addf(out, "##vso[task.complete result=%s;]", names[outcome]);
	if (message)
		escaped_text(out, message, MG_TEXT_MESSAGE_MAX, NULL);
	mg_buf_addch(out, '\n');
}

void mg_azure_set_output(struct mg_buf *out, const char *name, const char *value)
{
	mg_buf_adds(out, "##vso[task.setvariable variable=");
	mg_azure_escape(out, name);
	mg_buf_adds(out, ";isoutput=true]");
	escaped_text(out, value, MG_TEXT_MESSAGE_MAX * 16, NULL);
	mg_buf_addch(out, '\n');
}

void mg_azure_upload_summary(struct mg_buf *out, const char *abs_path)
{
	assert(abs_path[0] == '/');
	mg_buf_adds(out, "##vso[task.uploadsummary]");
	mg_azure_escape(out, abs_path);
	mg_buf_addch(out, '\n');
}

void mg_azure_untrusted(struct mg_buf *out, const char *text, size_t len,
                        const struct mg_secrets *secrets)
{
	mg_result_clean_log(out, text, len, MG_BUF_LARGE - 256, secrets);
	if (out->len && out->buf[out->len - 1] != '\n')
		mg_buf_addch(out, '\n');
}
