#include "setup.h"
#include "git.h"
#include "alloc.h"

#include <git2.h>

struct mg_git {
	git_repository *repo;
};

/* libgit2's own message for the last failure, or a fallback. */
static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

/* Record a libgit2 failure: "not found" kinds are the user's, the rest infrastructure. */
static int fail(int rc, struct mg_err *err, const char *what, const char *subject)
{
	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC || rc == GIT_EAMBIGUOUS)
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND, "%s '%s': %s", what,
		                   subject, git_msg());
	return mg_err_set(err, MG_EXIT_INFRA, "%s '%s': %s", what, subject, git_msg());
}

int mg_git_open(const char *path, struct mg_git **out, struct mg_err *err)
{
	git_repository *repo = NULL;
	int rc = git_repository_open_ext(&repo, path, 0, NULL);

	*out = NULL;
	if (rc < 0)
		return mg_err_set(err, MG_EXIT_USAGE, "cannot open git repository at '%s': %s",
		                  path, git_msg());
	*out = mg_xcalloc(1, sizeof(**out));
	(*out)->repo = repo;
	return 0;
}

void mg_git_close(struct mg_git *g)
{
	if (!g)
		return;
	git_repository_free(g->repo);
	free(g);
}

const char *mg_git_workdir(const struct mg_git *g)
{
	const char *w = git_repository_workdir(g->repo);

	return w ? w : git_repository_path(g->repo);
}

/* Peel `obj` to a commit and write its id. */
static int commit_of(git_object *obj, char out[MG_GIT_OID_HEX], const char *spec,
                     struct mg_err *err)
{
	git_object *commit = NULL;
	int rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);

	if (rc < 0)
		return fail(rc == GIT_EINVALIDSPEC ? GIT_ENOTFOUND : rc, err, "no commit for",
		            spec);
	git_oid_tostr(out, MG_GIT_OID_HEX, git_object_id(commit));
	git_object_free(commit);
	return 0;
}

int mg_git_commit_id(struct mg_git *g, const char *spec, char out[MG_GIT_OID_HEX],
                     struct mg_err *err)
{
	git_object *obj = NULL;
	int rc, ret;

	if (!*spec)
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND, "empty commit name");
	rc = git_revparse_single(&obj, g->repo, spec);
	if (rc < 0)
		return fail(rc, err, "cannot find commit", spec);
	ret = commit_of(obj, out, spec, err);
	git_object_free(obj);
	return ret;
}

int mg_git_branch_tip(struct mg_git *g, const char *name, char out[MG_GIT_OID_HEX],
                      struct mg_err *err)
{
	static const char *const prefixes[] = {"refs/heads/", "refs/remotes/origin/", ""};
	char ref[1024];

	for (size_t i = 0; i < MG_ARRAY_SIZE(prefixes); i++) {
		git_object *obj = NULL;
		int ret;

		snprintf(ref, sizeof(ref), "%s%s", prefixes[i], name);
		if (git_revparse_single(&obj, g->repo, ref) < 0)
			continue;
		ret = commit_of(obj, out, name, err);
		git_object_free(obj);
		return ret;
	}
	return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
	                   "branch '%s' is not in the repository (neither refs/heads/%s nor "
	                   "refs/remotes/origin/%s)",
	                   name, name, name);
}

int mg_git_is_reachable(struct mg_git *g, const char *commit, const char *tip, bool *out,
                        struct mg_err *err)
{
	git_oid c, t;
	int rc;

	if (git_oid_fromstr(&c, commit) < 0 || git_oid_fromstr(&t, tip) < 0)
		return mg_err_set(err, MG_EXIT_USAGE, "not a full commit id: '%s' or '%s'", commit,
		                  tip);
	if (git_oid_equal(&c, &t)) {
		*out = true;
		return 0;
	}
	rc = git_graph_descendant_of(g->repo, &t, &c);
	if (rc < 0)
		return fail(rc, err, "cannot walk the history of", tip);
	*out = rc == 1;
	return 0;
}

int mg_git_read_file(struct mg_git *g, const char *commit, const char *path, struct mg_buf *out,
                     struct mg_err *err)
{
	git_oid oid;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int rc, ret = -1;

	if (git_oid_fromstr(&oid, commit) < 0)
		return mg_err_set(err, MG_EXIT_USAGE, "not a full commit id: '%s'", commit);
	rc = git_commit_lookup(&c, g->repo, &oid);
	if (rc < 0) {
		fail(rc, err, "cannot find commit", commit);
		goto done;
	}
	rc = git_commit_tree(&tree, c);
	if (rc < 0) {
		fail(rc, err, "cannot read the tree of commit", commit);
		goto done;
	}
	rc = git_tree_entry_bypath(&entry, tree, path);
	if (rc < 0) {
		if (rc == GIT_ENOTFOUND)
			mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
			            "'%s' does not exist at commit %.12s", path, commit);
		else
			fail(rc, err, "cannot look up", path);
		goto done;
	}
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
		            "'%s' at commit %.12s is not a file", path, commit);
		goto done;
	}
	rc = git_blob_lookup(&blob, g->repo, git_tree_entry_id(entry));
	if (rc < 0) {
		fail(rc, err, "cannot read", path);
		goto done;
	}
	if (mg_buf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob))) {
		mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
		            "'%s' at commit %.12s is larger than %zu bytes", path, commit,
		            out->max);
		goto done;
	}
	ret = 0;
done:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(c);
	return ret;
}
