/*
 * Which CI system mlgate runs in, so reporters know whether to write
 * GitHub Actions workflow commands, Azure Pipelines logging commands, or
 * neither. Detected from the environment the CI sets (GITHUB_ACTIONS=true,
 * TF_BUILD=True); --ci none|github|azure overrides.
 */
#ifndef MG_CI_H
#define MG_CI_H

#include "setup.h"
#include "err.h"

enum mg_ci {
	MG_CI_NONE = 0,
	MG_CI_GITHUB,
	MG_CI_AZURE,
};

/* The values --ci accepts, NULL-terminated, for option tables. */
extern const char *const mg_ci_names[];

/* From the environment alone. */
enum mg_ci mg_ci_detect(void);

/*
 * `override` (a --ci value, or NULL for auto-detection) decides; an
 * unknown value is a usage error.
 */
int mg_ci_resolve(const char *override, enum mg_ci *out, struct mg_err *err);

const char *mg_ci_name(enum mg_ci ci);

#endif
