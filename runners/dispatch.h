/*
 * The `mlgate <command> ...` front end: which commands exist, and where
 * the executable for one is (git-style: `mlgate comply` runs
 * `mlgate-comply` from mlgate's own directory, else from PATH).
 */
#ifndef MG_DISPATCH_H
#define MG_DISPATCH_H

#include "setup.h"
#include "buf.h"
#include "err.h"

struct mg_command {
	const char *name;    /* "comply": runs mlgate-comply */
	const char *summary; /* one line for --help */
};

/* The commands of DESIGN §2, in help order; *n receives the count. */
const struct mg_command *mg_commands(size_t *n);

/* The command called `name`, or NULL. */
const struct mg_command *mg_command_find(const char *name);

/*
 * Find the executable "mlgate-<name>": first in `self_dir` (the directory
 * of the running mlgate, may be NULL), then in each directory of `path_env`
 * (a PATH value, may be NULL). Appends the path found to `out`. Not found
 * is MG_EXIT_INFRA with reason MG_REASON_NOT_FOUND: the installation is
 * incomplete.
 */
int mg_command_locate(const char *name, const char *self_dir, const char *path_env,
                      struct mg_buf *out, struct mg_err *err);

/* The directory of the running executable (from /proc/self/exe, else argv0). */
void mg_self_dir(const char *argv0, struct mg_buf *out);

#endif
