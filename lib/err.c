#include "setup.h"
#include "err.h"

static const struct mg_exit_row exit_table[] = {
        {MG_EXIT_PASS, "passed", "passed / approved"},
        {MG_EXIT_FAIL, "failed", "gate failed / rejected (nothing else returns 1)"},
        {MG_EXIT_USAGE, "usage", "usage, config or input error"},
        {MG_EXIT_INFRA, "error",
         "registry, network or other infrastructure error (fail closed, nothing approved)"},
        {MG_EXIT_MANUAL, "manual", "inconclusive: needs a human"},
};

const struct mg_exit_row *mg_exit_table(size_t *n)
{
	*n = MG_ARRAY_SIZE(exit_table);
	return exit_table;
}

static void err_vset(struct mg_err *err, int code, enum mg_reason reason, const char *fmt,
                     va_list ap)
{
	static const char ellipsis[] = "...";
	int n;

	if (err->code)
		return;
	err->code = code;
	err->reason = reason;
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0) {
		snprintf(err->msg, sizeof(err->msg), "unformattable error message");
		return;
	}
	if ((size_t)n >= sizeof(err->msg))
		memcpy(err->msg + sizeof(err->msg) - sizeof(ellipsis), ellipsis, sizeof(ellipsis));
	for (char *p = err->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

int mg_err_set(struct mg_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, code, MG_REASON_NONE, fmt, ap);
	va_end(ap);
	return -1;
}

int mg_err_setr(struct mg_err *err, int code, enum mg_reason reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, code, reason, fmt, ap);
	va_end(ap);
	return -1;
}

void mg_err_clear(struct mg_err *err)
{
	err->code = 0;
	err->reason = MG_REASON_NONE;
	err->msg[0] = '\0';
}
