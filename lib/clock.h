/*
 * Time: UTC ISO-8601 wall-clock stamps for evidence, and a monotonic clock
 * for durations (never affected by NTP steps or the wall clock).
 */
#ifndef MG_CLOCK_H
#define MG_CLOCK_H

#include "setup.h"
#include "err.h"

#include <time.h>

/* "2026-11-30T04:36:51Z" plus NUL. */
#define MG_TIME_LEN 21

enum mg_time_style {
	MG_TIME_ZULU,   /* 2026-11-30T04:36:51Z: evidence, tags, JSON */
	MG_TIME_NOZONE, /* 2026-11-30T04:36:51: JUnit's timestamp (read as UTC) */
};

/* Format `t` as UTC into `out`; returns `out`. */
char *mg_time_format(time_t t, enum mg_time_style style, char out[MG_TIME_LEN]);

/*
 * Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" or the same with a
 * "+HH:MM"/"-HH:MM" offset into seconds since the epoch. `what` names the
 * value in the error message (MG_EXIT_USAGE).
 */
int mg_time_parse(const char *what, const char *s, time_t *out, struct mg_err *err);

/* Nanoseconds on the monotonic clock. */
uint64_t mg_clock_ns(void);

/* Seconds elapsed since `start_ns` (from mg_clock_ns()). */
double mg_clock_since(uint64_t start_ns);

#endif
