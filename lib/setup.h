/*
 * Included first by every mlgate .c file: the feature macros, the
 * standard headers every module uses, and the banned-function list.
 */
#ifndef MG_SETUP_H
#define MG_SETUP_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define MG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define MG_NORETURN          __attribute__((noreturn))
#else
#define MG_PRINTF(fmt, args)
#define MG_NORETURN
#endif

#define MG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "banned.h"

#endif
