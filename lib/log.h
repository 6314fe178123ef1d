/*
 * The stderr logger. Every diagnostic of an mlgate executable goes through
 * here as one line, "mlgate-X: message" (warnings "mlgate-X: warning: ...",
 * debug lines "mlgate-X: debug: ..."), with line breaks folded into spaces
 * and registered secrets masked. stdout carries results only.
 */
#ifndef MG_LOG_H
#define MG_LOG_H

#include "setup.h"
#include "err.h"
#include "secrets.h"

enum mg_log_level {
	MG_LOG_ERROR = 0,
	MG_LOG_WARN,
	MG_LOG_INFO,
	MG_LOG_DEBUG,
};

struct mg_log {
	const char *prog;                 /* prefix, e.g. "mlgate-comply"; borrowed */
	FILE *stream;                     /* normally stderr; borrowed */
	enum mg_log_level level;          /* lines above this level are dropped */
	const struct mg_secrets *secrets; /* masked in every line; may be NULL */
};

void mg_log_init(struct mg_log *log, const char *prog, FILE *stream,
                 const struct mg_secrets *secrets);

void mg_log_at(const struct mg_log *log, enum mg_log_level level, const char *fmt, ...)
        MG_PRINTF(3, 4);

#define mg_error(log, ...) mg_log_at((log), MG_LOG_ERROR, __VA_ARGS__)
#define mg_warn(log, ...)  mg_log_at((log), MG_LOG_WARN, __VA_ARGS__)
#define mg_info(log, ...)  mg_log_at((log), MG_LOG_INFO, __VA_ARGS__)
#define mg_debug(log, ...) mg_log_at((log), MG_LOG_DEBUG, __VA_ARGS__)

/* Print a failure recorded in `err` and return its exit code. */
int mg_log_err(const struct mg_log *log, const struct mg_err *err);

#endif
