#include "setup.h"
#include "gha.h"
#include "text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The runner's two escaping rules: data (messages), and property values. */
static const char *const data_map[256] = {['%'] = "%25", ['\r'] = "%0D", ['\n'] = "%0A"};
static const char *const prop_map[256] = {
        ['%'] = "%25", ['\r'] = "%0D", ['\n'] = "%0A", [':'] = "%3A", [','] = "%2C"};

void mg_gha_escape_data(struct mg_buf *out, const char *s)
{
	mg_buf_add_mapped(out, s, data_map);
}

void mg_gha_escape_prop(struct mg_buf *out, const char *s)
{
	mg_buf_add_mapped(out, s, prop_map);
}

void mg_gha_add_masks(struct mg_buf *out, const struct mg_secrets *secrets)
{
	for (size_t i = 0; secrets && i < secrets->n; i++) {
		mg_buf_adds(out, "::add-mask::");
		mg_gha_escape_data(out, secrets->values[i]);
		mg_buf_addch(out, '\n');
	}
}

static const char *const level_names[] = {"error", "warning", "notice"};

/* Cleaned for the log: UTF-8, no control characters, "##[" defused, capped. */
static void log_text(struct mg_buf *out, const char *s, size_t cap,
                     const struct mg_secrets *secrets)
{
	mg_result_clean_log(out, s, strlen(s), cap, secrets);
}

void mg_gha_annotation(struct mg_buf *out, enum mg_gha_level level, const char *file, long line,
                       const char *title, const char *message, const struct mg_secrets *secrets)
{
	struct mg_buf t = MG_BUF_INIT(MG_TEXT_MESSAGE_MAX + 256);
	const char *sep = " ";

	mg_buf_addf(out, "::%s", level_names[level]);
	if (file && *file) {
		log_text(&t, file, MG_TEXT_NAME_MAX, secrets);
		mg_buf_adds(out, " file=");
		mg_gha_escape_prop(out, t.buf);
		sep = ",";
		if (line > 0) {
			mg_buf_addf(out, ",line=%ld", line);
		}
	}
	if (title && *title) {
		mg_buf_reset(&t);
		log_text(&t, title, 255, secrets);
		mg_buf_addf(out, "%stitle=", sep);
		mg_gha_escape_prop(out, t.buf);
	}
	mg_buf_reset(&t);
	/* the runner truncates at 4096 characters; cut first, with a note */
	log_text(&t, message && *message ? message : "(no message)", MG_TEXT_MESSAGE_MAX, secrets);
	mg_buf_adds(out, "::");
	mg_gha_escape_data(out, t.buf);
	mg_buf_addch(out, '\n');
	mg_buf_release(&t);
}

struct annotate {
	struct mg_buf *out;
	const struct mg_secrets *secrets;
};

static void annotation(const struct mg_suite *s, const struct mg_check *c, void *arg)
{
	struct annotate *a = arg;
	struct mg_buf title = MG_BUF_INIT(MG_TEXT_NAME_MAX * 3);
	struct mg_buf msg = MG_BUF_INIT(MG_TEXT_MESSAGE_MAX + 64);

	mg_buf_addf(&title, "%s: %s", mg_suite_label(s), c->id);
	mg_check_problem_text(c, &msg);
	mg_gha_annotation(a->out, MG_GHA_ERROR, c->file, c->line, title.buf, msg.buf, a->secrets);
	mg_buf_release(&title);
	mg_buf_release(&msg);
}

void mg_gha_annotate(struct mg_buf *out, const struct mg_result *r,
                     const struct mg_secrets *secrets)
{
	struct annotate a = {out, secrets};
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);
	size_t rest = mg_result_each_problem(r, MG_GHA_MAX_PER_LEVEL, annotation, &a);

	if (rest) {
		mg_buf_addf(&msg,
		            "%zu more failed or errored %s not annotated (GitHub keeps %d "
		            "per step); see the job summary or the JUnit report",
		            rest, mg_plural(rest, "check", "checks"), MG_GHA_MAX_PER_LEVEL);
		mg_gha_annotation(out, MG_GHA_NOTICE, NULL, 0, "mlgate", msg.buf, NULL);
	}
	mg_buf_release(&msg);
}

int mg_gha_untrusted(struct mg_buf *out, const char *text, size_t len,
                     const struct mg_secrets *secrets, struct mg_err *err)
{
	struct mg_buf clean = MG_BUF_INIT(MG_BUF_LARGE);
	char token[65];

	if (mg_result_random_hex(token, 16, err))
		return -1;
	mg_result_clean_log(&clean, text, len, MG_BUF_LARGE - 256, secrets);
	mg_buf_addf(out, "::stop-commands::mlgate-%s\n", token);
	mg_buf_add(out, clean.buf, clean.len);
	if (clean.len && clean.buf[clean.len - 1] != '\n')
		mg_buf_addch(out, '\n');
	mg_buf_addf(out, "::mlgate-%s::\n", token);
	mg_buf_release(&clean);
	return 0;
}

int mg_gha_output(struct mg_buf *out, const char *name, const char *value, struct mg_err *err)
{
	char token[65];
	struct mg_buf delim = MG_BUF_INIT(128);

	if (!strchr(value, '\n') && !strchr(value, '\r')) {
		mg_buf_addf(out, "%s=%s\n", name, value);
		return 0;
	}
	/* a delimiter the value cannot contain: random, and checked */
	do {
		if (mg_result_random_hex(token, 16, err)) {
			mg_buf_release(&delim);
			return -1;
		}
		mg_buf_reset(&delim);
		mg_buf_addf(&delim, "ghadelimiter_%s", token);
	} while (strstr(value, delim.buf));
	mg_buf_addf(out, "%s<<%s\n%s\n%s\n", name, delim.buf, value, delim.buf);
	mg_buf_release(&delim);
	return 0;
}

int mg_gha_append(const char *path, struct mg_buf *content, const struct mg_secrets *secrets,
                  struct mg_err *err)
{
	const char *p;
	size_t left;
	int fd;

	if (mg_buf_overflowed(content))
		return mg_err_set(err, MG_EXIT_INFRA,
		                  "output for '%s' passed its size limit of %zu bytes", path,
		                  content->max);
	if (secrets && mg_secrets_redact(secrets, content))
		return mg_err_set(err, MG_EXIT_INFRA,
		                  "output for '%s' passed its size limit while masking secrets",
		                  path);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return mg_err_set(err, MG_EXIT_INFRA, "cannot open '%s': %s", path,
		                  strerror(errno));
	for (p = content->buf, left = content->len; left;) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", path,
			                  strerror(e));
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd))
		return mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", path,
		                  strerror(errno));
	return 0;
}

size_t mg_gha_summary_budget(const char *path)
{
	struct stat st;
	size_t used = 0;

	if (path && !stat(path, &st) && S_ISREG(st.st_mode) && st.st_size > 0)
		used = (size_t)st.st_size;
	return used >= MG_GHA_SUMMARY_MAX ? 0 : MG_GHA_SUMMARY_MAX - used;
}
