/*
 * Git, through libgit2: what a gate needs to know about the repository a
 * model was trained from. Files are read from a commit's tree, never from
 * the working directory (the checkout may be newer than the model).
 * git_libgit2_init()/shutdown() are main()'s job.
 *
 * Errors: a repository that cannot be opened is MG_EXIT_USAGE (the user
 * pointed --repo at it); a commit, branch or file that does not exist is
 * MG_EXIT_USAGE with MG_REASON_NOT_FOUND (a check turns that into a
 * failed check); anything else libgit2 reports is MG_EXIT_INFRA.
 */
#ifndef MG_GIT_H
#define MG_GIT_H

#include "setup.h"
#include "buf.h"
#include "err.h"

#define MG_GIT_OID_HEX 41 /* 40 hex digits and a NUL */

struct mg_git;

/* Open the repository containing `path` (searching upwards, like git). */
int mg_git_open(const char *path, struct mg_git **out, struct mg_err *err);
void mg_git_close(struct mg_git *g);

/* The repository's work directory (or git dir when bare); borrowed. */
const char *mg_git_workdir(const struct mg_git *g);

/*
 * The full id of the commit `spec` names (a full or abbreviated hex id, a
 * branch, a tag, HEAD...), into `out`.
 */
int mg_git_commit_id(struct mg_git *g, const char *spec, char out[MG_GIT_OID_HEX],
                     struct mg_err *err);

/*
 * The tip of branch `name`: refs/heads/NAME, else refs/remotes/origin/NAME
 * (CI checkouts often only have the remote one), else `name` as a ref.
 */
int mg_git_branch_tip(struct mg_git *g, const char *name, char out[MG_GIT_OID_HEX],
                      struct mg_err *err);

/* Whether `commit` is `tip` or one of its ancestors. */
int mg_git_is_reachable(struct mg_git *g, const char *commit, const char *tip, bool *out,
                        struct mg_err *err);

/*
 * Append the content of `path` (repository-relative, '/'-separated) as it
 * is in `commit`'s tree. At most out->max bytes (else MG_REASON_TOO_LARGE).
 */
int mg_git_read_file(struct mg_git *g, const char *commit, const char *path, struct mg_buf *out,
                     struct mg_err *err);

#endif
