#include "setup.h"
#include "ci.h"

#include <strings.h>

const char *const mg_ci_names[] = {"none", "github", "azure", NULL};

static bool env_is(const char *name, const char *want)
{
	const char *v = getenv(name);

	return v && !strcasecmp(v, want);
}

enum mg_ci mg_ci_detect(void)
{
	if (env_is("GITHUB_ACTIONS", "true"))
		return MG_CI_GITHUB;
	if (env_is("TF_BUILD", "true"))
		return MG_CI_AZURE;
	return MG_CI_NONE;
}

int mg_ci_resolve(const char *override, enum mg_ci *out, struct mg_err *err)
{
	if (!override) {
		*out = mg_ci_detect();
		return 0;
	}
	for (int i = 0; mg_ci_names[i]; i++) {
		if (!strcmp(override, mg_ci_names[i])) {
			*out = (enum mg_ci)i;
			return 0;
		}
	}
	return mg_err_set(err, MG_EXIT_USAGE,
	                  "invalid value '%.64s' for --ci: expected none, github or azure",
	                  override);
}

const char *mg_ci_name(enum mg_ci ci)
{
	return mg_ci_names[ci];
}
