#include "setup.h"
#include "log.h"
#include "buf.h"
#include "text.h"

/* A diagnostic longer than this is cut: it is one line for a human. */
#define LINE_MAX_SHOWN 4000

void mg_log_init(struct mg_log *log, const char *prog, FILE *stream,
                 const struct mg_secrets *secrets)
{
	log->prog = prog;
	log->stream = stream;
	log->level = MG_LOG_INFO;
	log->secrets = secrets;
}

void mg_log_at(const struct mg_log *log, enum mg_log_level level, const char *fmt, ...)
{
	static const char *const tags[] = {"", "warning: ", "", "debug: "};
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf line = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf shown = MG_BUF_INIT(2 * MG_BUF_SMALL);
	va_list ap;

	if (level > log->level)
		return;
	va_start(ap, fmt);
	mg_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (mg_buf_overflowed(&msg))
		mg_buf_adds(&msg, "(message too long to show)");
	for (size_t i = 0; i < msg.len; i++)
		if ((unsigned char)msg.buf[i] < 0x20 || msg.buf[i] == 0x7f)
			msg.buf[i] = ' ';
	/* mask before cutting, so a cut cannot split a secret and reveal half */
	if (log->secrets)
		mg_secrets_redact(log->secrets, &msg);
	/* bad UTF-8 as U+FFFD, C1 and bidi controls as "#xNNNN" (text.h) */
	mg_text_add_visible(&shown, msg.buf, msg.len);
	mg_buf_addf(&line, "%s: %s", log->prog, tags[level]);
	if (shown.len > LINE_MAX_SHOWN) {
		size_t cut = LINE_MAX_SHOWN;

		while (cut && ((unsigned char)shown.buf[cut] & 0xc0) == 0x80)
			cut--; /* not inside a character */
		mg_buf_add(&line, shown.buf, cut);
		mg_buf_adds(&line, " [...]");
	} else {
		mg_buf_add(&line, shown.buf, shown.len);
	}
	mg_buf_addch(&line, '\n');
	fwrite(line.buf, 1, line.len, log->stream);
	fflush(log->stream);
	mg_buf_release(&msg);
	mg_buf_release(&shown);
	mg_buf_release(&line);
}

int mg_log_err(const struct mg_log *log, const struct mg_err *err)
{
	if (!err->code) {
		mg_error(log, "internal error: failure without a message");
		return MG_EXIT_INFRA;
	}
	mg_error(log, "%s", err->msg[0] ? err->msg : "unknown error");
	return err->code;
}
