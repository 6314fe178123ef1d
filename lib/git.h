/*
 * Git, through libgit2: what a gate needs to know about the repository a
 * model was trained from. Files are read from a commit's tree, never from
 * the working directory (the checkout may be newer than the model).
 * libgit2 itself is set up by mg_git_open and shut down by the last mg_git_close.
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

/* Whether the repository is a shallow clone (history cut at .git/shallow). */
bool mg_git_is_shallow(const struct mg_git *g);

/*
 * The best common ancestor of the full commit ids `a` and `b`, into `out`.
 * None (unrelated histories, or history missing from a shallow clone) is
 * MG_EXIT_USAGE with MG_REASON_NOT_FOUND; the caller words the advice.
 */
int mg_git_merge_base(struct mg_git *g, const char *a, const char *b, char out[MG_GIT_OID_HEX],
                      struct mg_err *err);

/*
 * What happened to a path between two trees. A rename is reported twice:
 * MG_GIT_RENAMED_FROM with the old path, MG_GIT_RENAMED_TO with the new.
 */
enum mg_git_change {
	MG_GIT_ADDED = 'A',
	MG_GIT_MODIFIED = 'M',
	MG_GIT_DELETED = 'D',
	MG_GIT_RENAMED_FROM = 'R',
	MG_GIT_RENAMED_TO = 'r',
	MG_GIT_COPIED = 'C',
	MG_GIT_TYPECHANGE = 'T',
};

/*
 * Call `each` for every path that differs between the trees of the full
 * commit ids `from` and `to` (repository-relative, '/'-separated), with
 * rename detection as `git diff -M` does. Deleted files are
 * reported with their old path. A non-zero return from `each` stops the
 * walk and is returned.
 */
int mg_git_changed_files(struct mg_git *g, const char *from, const char *to,
                         int (*each)(void *arg, const char *path, enum mg_git_change change),
                         void *arg, struct mg_err *err);

/*
 * The short name of the branch HEAD is on ("release/1.2"), into `out`;
 * MG_EXIT_USAGE with MG_REASON_NOT_FOUND when HEAD is detached or unborn.
 */
int mg_git_current_branch(struct mg_git *g, struct mg_buf *out, struct mg_err *err);

#endif
