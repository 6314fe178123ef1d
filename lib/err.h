/*
 * Errors and exit codes: the one error struct every fallible function
 * takes, and the exit-code table of the command-line contract.
 *
 * Rules:
 * - A fallible function takes `struct mg_err *err` last, returns 0 on
 *   success and -1 on failure, and on failure has filled `err`.
 * - Only the lowest layer that saw the failure writes the message:
 *   mg_err_set() does nothing when `err` already holds an error, so a
 *   caller can add its own mg_err_set() as a fallback without hiding the
 *   precise cause.
 * - Messages are one line, start lower-case, have no final period and
 *   quote their subject: cannot open policy 'p.json': No such file.
 * - `code` is the exit code the failure maps to (MG_EXIT_USAGE for bad
 *   input or configuration, MG_EXIT_INFRA for the registry, network, disk
 *   and everything else outside the user's input). `reason` refines it
 *   for callers that act on a specific failure (e.g. "not found").
 */
#ifndef MG_ERR_H
#define MG_ERR_H

#include "setup.h"

/* Exit codes (DESIGN §3). Nothing but a gate's "no" returns 1. */
enum mg_exit {
	MG_EXIT_PASS = 0,   /* passed / approved */
	MG_EXIT_FAIL = 1,   /* gate failed / rejected */
	MG_EXIT_USAGE = 2,  /* usage, config or input error */
	MG_EXIT_INFRA = 3,  /* registry, network or other infrastructure error */
	MG_EXIT_MANUAL = 4, /* inconclusive: needs a human */
};

/* One row of the exit-code table, for --help and the docs. */
struct mg_exit_row {
	enum mg_exit code;
	const char *name;    /* short word: "passed", "failed", ... */
	const char *meaning; /* one line for humans */
};

/* The whole table, in code order; *n receives its length. */
const struct mg_exit_row *mg_exit_table(size_t *n);

/* Why a failure happened, when a caller needs more than the exit code. */
enum mg_reason {
	MG_REASON_NONE = 0,
	MG_REASON_NOT_FOUND,   /* the thing asked for does not exist */
	MG_REASON_UNSUPPORTED, /* the backend cannot do this operation */
	MG_REASON_CONFLICT,    /* the state changed under us before any write: nothing written */
	MG_REASON_RACED,       /* another writer was seen after our write: ours was made */
	MG_REASON_TOO_LARGE,   /* input over a configured bound */
	MG_REASON_OPTIONS,     /* options given that do not go together (opts.h rules) */
};

#define MG_ERR_MSG_MAX 512

struct mg_err {
	int code;                 /* 0 = no error, else an enum mg_exit */
	enum mg_reason reason;    /* MG_REASON_NONE unless refined */
	char msg[MG_ERR_MSG_MAX]; /* one line, NUL-terminated */
};

#define MG_ERR_INIT                \
	{                          \
		0, MG_REASON_NONE, \
		{                  \
			0          \
		}                  \
	}

/*
 * Record a failure with exit code `code` (MG_EXIT_USAGE .. MG_EXIT_MANUAL)
 * unless `err` already holds one. Line breaks and control characters in
 * the formatted message become spaces; an over-long message is cut with
 * "...". Always returns -1, so callers can `return mg_err_set(...)`.
 */
int mg_err_set(struct mg_err *err, int code, const char *fmt, ...) MG_PRINTF(3, 4);

/* As mg_err_set(), also recording a reason. */
int mg_err_setr(struct mg_err *err, int code, enum mg_reason reason, const char *fmt, ...)
        MG_PRINTF(4, 5);

/* Forget any recorded failure. */
void mg_err_clear(struct mg_err *err);

/* True when `err` holds a failure. */
static inline bool mg_err_failed(const struct mg_err *err)
{
	return err->code != 0;
}

#endif
