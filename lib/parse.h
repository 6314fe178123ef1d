/*
 * Checked parsing of numbers and booleans from text: flags, environment
 * variables, policy values. Each function accepts the whole string or
 * nothing (no leading blanks, no trailing junk), and on failure fills
 * `err` (MG_EXIT_USAGE) with a message that names `what` (e.g. "--port",
 * "environment variable MLFLOW_TRACKING_INSECURE_TLS") and the bad value.
 * Numbers are read in the C locale whatever the environment says.
 */
#ifndef MG_PARSE_H
#define MG_PARSE_H

#include "setup.h"
#include "err.h"

/* A decimal integer in [min, max]. */
int mg_parse_ll(const char *what, const char *s, long long min, long long max, long long *out,
                struct mg_err *err);

/* A finite decimal floating-point number (no NaN, no infinity, no hex). */
int mg_parse_double(const char *what, const char *s, double *out, struct mg_err *err);

/* true/false, 1/0, yes/no, on/off (any case). */
/* The value of hex digit `c` (either case), -1 when it is none. */
int mg_hexval(char c);

int mg_parse_bool(const char *what, const char *s, bool *out, struct mg_err *err);

#endif
