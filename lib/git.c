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

/*
 * The commits of a shallow clone, walked by hand: libgit2 1.5 does not read
 * .git/shallow, and its merge-base and graph walks leak when they reach a
 * parent the clone does not have. These walks stop there instead.
 */
#define SHALLOW_WALK_MAX 200000

struct oidset {
	git_oid *v;
	size_t n, alloc;
};

static bool oidset_has(const struct oidset *s, const git_oid *o)
{
	for (size_t i = 0; i < s->n; i++)
		if (git_oid_equal(&s->v[i], o))
			return true;
	return false;
}

static void oidset_add(struct oidset *s, const git_oid *o)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 64;
		s->v = mg_xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	git_oid_cpy(&s->v[s->n++], o);
}

/*
 * Every commit reachable from `start` that the repository has, into `out`
 * (breadth first, `start` first); *complete is false when a parent was
 * missing or the walk was cut at SHALLOW_WALK_MAX commits.
 */
static void walk_available(git_repository *repo, const git_oid *start, struct oidset *out,
                           bool *complete)
{
	*complete = true;
	oidset_add(out, start);
	for (size_t i = 0; i < out->n; i++) {
		git_commit *c = NULL;
		git_oid id;

		git_oid_cpy(&id, &out->v[i]);
		if (git_commit_lookup(&c, repo, &id) < 0) {
			/* not in the clone: forgotten (zero), so it never counts as common */
			memset(&out->v[i], 0, sizeof(out->v[i]));
			*complete = false;
			continue;
		}
		for (unsigned int k = 0; k < git_commit_parentcount(c); k++) {
			const git_oid *parent = git_commit_parent_id(c, k);

			if (out->n >= SHALLOW_WALK_MAX) {
				*complete = false;
				break;
			}
			if (!oidset_has(out, parent))
				oidset_add(out, parent);
		}
		git_commit_free(c);
	}
}

/*
 * libgit2 is set up by the first open and shut down by the last close
 * (git_libgit2_init counts): a gate that never opens a repository never pays
 * for it (Debian's libgit2 parses the system CA bundle when it starts).
 */
int mg_git_open(const char *path, struct mg_git **out, struct mg_err *err)
{
	git_repository *repo = NULL;
	int rc;

	*out = NULL;
	git_libgit2_init();
	rc = git_repository_open_ext(&repo, path, 0, NULL);
	if (rc < 0) {
		mg_err_set(err, MG_EXIT_USAGE, "cannot open git repository at '%s': %s", path,
		           git_msg());
		git_libgit2_shutdown();
		return -1;
	}
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
	git_libgit2_shutdown();
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
	if (git_repository_is_shallow(g->repo) == 1) {
		struct oidset seen = {0};
		bool complete;

		walk_available(g->repo, &t, &seen, &complete);
		*out = oidset_has(&seen, &c);
		free(seen.v);
		if (*out || complete)
			return 0;
		return mg_err_setr(
		        err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
		        "cannot tell whether %.12s is reachable from %.12s: the clone is "
		        "shallow",
		        commit, tip);
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

bool mg_git_is_shallow(const struct mg_git *g)
{
	return git_repository_is_shallow(g->repo) == 1;
}

int mg_git_merge_base(struct mg_git *g, const char *a, const char *b, char out[MG_GIT_OID_HEX],
                      struct mg_err *err)
{
	git_oid x, y, base;
	int rc;

	if (git_oid_fromstr(&x, a) < 0 || git_oid_fromstr(&y, b) < 0)
		return mg_err_set(err, MG_EXIT_USAGE, "not a full commit id: '%s' or '%s'", a, b);
	if (git_repository_is_shallow(g->repo) == 1) {
		struct oidset ax = {0}, ay = {0};
		bool cx, cy, common = false;

		walk_available(g->repo, &x, &ax, &cx);
		walk_available(g->repo, &y, &ay, &cy);
		for (size_t i = 0; i < ay.n && !common; i++)
			common = !git_oid_is_zero(&ay.v[i]) && oidset_has(&ax, &ay.v[i]);
		free(ax.v);
		free(ay.v);
		if (!common)
			return mg_err_setr(
			        err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
			        "no merge base between %.12s and %.12s in the history the "
			        "shallow clone has",
			        a, b);
	}
	rc = git_merge_base(&base, g->repo, &x, &y);
	if (rc == GIT_ENOTFOUND)
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
		                   "no merge base between %.12s and %.12s", a, b);
	if (rc < 0) {
		/* a shallow clone's history ends in commits whose parents are missing */
		if (mg_git_is_shallow(g))
			return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
			                   "no merge base between %.12s and %.12s: %s", a, b,
			                   git_msg());
		return fail(rc, err, "cannot find the merge base of", a);
	}
	git_oid_tostr(out, MG_GIT_OID_HEX, &base);
	return 0;
}

/* The tree of the commit with full id `hex`. */
static int tree_of(struct mg_git *g, const char *hex, git_tree **out, struct mg_err *err)
{
	git_oid oid;
	git_commit *c = NULL;
	int rc;

	*out = NULL;
	if (git_oid_fromstr(&oid, hex) < 0)
		return mg_err_set(err, MG_EXIT_USAGE, "not a full commit id: '%s'", hex);
	rc = git_commit_lookup(&c, g->repo, &oid);
	if (rc < 0)
		return fail(rc, err, "cannot find commit", hex);
	rc = git_commit_tree(out, c);
	git_commit_free(c);
	if (rc < 0)
		return fail(rc, err, "cannot read the tree of commit", hex);
	return 0;
}

int mg_git_changed_files(struct mg_git *g, const char *from, const char *to,
                         int (*each)(void *arg, const char *path, enum mg_git_change change),
                         void *arg, struct mg_err *err)
{
	git_diff_options opts;
	git_diff_find_options find;
	git_tree *a = NULL, *b = NULL;
	git_diff *diff = NULL;
	int rc, ret = -1;

	/* the _INIT macros leave fields out, which -Wextra refuses */
	if (git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION) < 0 ||
	    git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION) < 0)
		return mg_err_set(err, MG_EXIT_INFRA, "cannot set up a diff: %s", git_msg());
	if (tree_of(g, from, &a, err) || tree_of(g, to, &b, err))
		goto done;
	rc = git_diff_tree_to_tree(&diff, g->repo, a, b, &opts);
	if (rc < 0) {
		fail(rc, err, "cannot diff against", from);
		goto done;
	}
	find.flags = GIT_DIFF_FIND_RENAMES;
	rc = git_diff_find_similar(diff, &find);
	if (rc < 0) {
		fail(rc, err, "cannot detect renames against", from);
		goto done;
	}
	for (size_t i = 0, n = git_diff_num_deltas(diff); i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		int stop = 0;

		switch (d->status) {
		case GIT_DELTA_ADDED:
			stop = each(arg, d->new_file.path, MG_GIT_ADDED);
			break;
		case GIT_DELTA_DELETED:
			stop = each(arg, d->old_file.path, MG_GIT_DELETED);
			break;
		case GIT_DELTA_MODIFIED:
			stop = each(arg, d->new_file.path, MG_GIT_MODIFIED);
			break;
		case GIT_DELTA_TYPECHANGE:
			stop = each(arg, d->new_file.path, MG_GIT_TYPECHANGE);
			break;
		case GIT_DELTA_COPIED:
			stop = each(arg, d->new_file.path, MG_GIT_COPIED);
			break;
		case GIT_DELTA_RENAMED:
			stop = each(arg, d->old_file.path, MG_GIT_RENAMED_FROM);
			if (!stop)
				stop = each(arg, d->new_file.path, MG_GIT_RENAMED_TO);
			break;
		default:
			break; /* unmodified, ignored, untracked: not in a tree-to-tree diff */
		}
		if (stop) {
			ret = stop;
			goto done;
		}
	}
	ret = 0;
done:
	git_diff_free(diff);
	git_tree_free(a);
	git_tree_free(b);
	return ret;
}

int mg_git_current_branch(struct mg_git *g, struct mg_buf *out, struct mg_err *err)
{
	git_reference *head = NULL;
	int rc = git_repository_head(&head, g->repo);

	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND ||
	    (rc == 0 && !git_reference_is_branch(head))) {
		git_reference_free(head);
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
		                   "HEAD is not on a branch");
	}
	if (rc < 0)
		return fail(rc, err, "cannot read", "HEAD");
	mg_buf_adds(out, git_reference_shorthand(head));
	git_reference_free(head);
	return 0;
}
