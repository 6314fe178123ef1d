#include "setup.h"
#include "unit.h"
#include "git.h"

#include <git2.h>

static char *dir;
static char first[MG_GIT_OID_HEX], second[MG_GIT_OID_HEX], side[MG_GIT_OID_HEX];

/* Suite set-up runs outside any test, where CU_ASSERT cannot be used. */
#define TRY(x)                     \
	do {                       \
		if ((x) < 0)       \
			return -1; \
	} while (0)

/* Commit `content` as `path` on top of `parent` (NULL: root), moving `ref`. */
static int commit_file(git_repository *repo, const char *ref, const char *parent_hex,
                       const char *path, const char *content, char out[MG_GIT_OID_HEX])
{
	git_treebuilder *tb = NULL, *sub = NULL;
	git_oid blob, tree, subtree, commit, parent_oid;
	git_tree *t = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	const git_commit *parents[1];

	TRY(git_blob_create_from_buffer(&blob, repo, content, strlen(content)));
	/* "models/m/CARD.md": one level of directories is enough for these tests */
	TRY(git_treebuilder_new(&sub, repo, NULL));
	TRY(git_treebuilder_insert(NULL, sub, strrchr(path, '/') + 1, &blob, GIT_FILEMODE_BLOB));
	TRY(git_treebuilder_write(&subtree, sub));
	TRY(git_treebuilder_new(&tb, repo, NULL));
	{
		char top[256];

		snprintf(top, sizeof(top), "%.*s", (int)(strrchr(path, '/') - path), path);
		TRY(git_treebuilder_insert(NULL, tb, top, &subtree, GIT_FILEMODE_TREE));
	}
	TRY(git_treebuilder_write(&tree, tb));
	TRY(git_tree_lookup(&t, repo, &tree));
	TRY(git_signature_new(&sig, "t", "t@example.com", 1700000000, 0));
	if (parent_hex) {
		TRY(git_oid_fromstr(&parent_oid, parent_hex));
		TRY(git_commit_lookup(&parent, repo, &parent_oid));
	}
	parents[0] = parent;
	TRY(git_commit_create(&commit, repo, ref, sig, sig, NULL, "c", t, parent ? 1 : 0, parents));
	git_oid_tostr(out, MG_GIT_OID_HEX, &commit);
	git_commit_free(parent);
	git_signature_free(sig);
	git_tree_free(t);
	git_treebuilder_free(tb);
	git_treebuilder_free(sub);
	return 0;
}

static int setup(void)
{
	git_repository *repo = NULL;

	git_libgit2_init();
	dir = unit_tmpdir();
	if (!dir || git_repository_init(&repo, dir, false))
		return -1;
	/* a commit only on a side branch, not reachable from main */
	TRY(commit_file(repo, "refs/heads/main", NULL, "models/CARD.md", "# Intended use\nold\n",
	                first));
	TRY(commit_file(repo, "refs/heads/main", first, "models/CARD.md", "# Intended use\nnew\n",
	                second));
	TRY(commit_file(repo, "refs/heads/side", first, "models/CARD.md", "side\n", side));
	git_repository_free(repo);
	return 0;
}

static int teardown(void)
{
	unit_rmtree(dir);
	free(dir);
	git_libgit2_shutdown();
	return 0;
}

static void test_git__files_come_from_the_commit(void)
{
	struct mg_git *g = NULL;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	CU_ASSERT_EQUAL_FATAL(mg_git_open(dir, &g, &err), 0);
	CU_ASSERT_EQUAL(mg_git_read_file(g, first, "models/CARD.md", &b, &err), 0);
	ASSERT_STR(b.buf, "# Intended use\nold\n");
	mg_buf_reset(&b);
	CU_ASSERT_EQUAL(mg_git_read_file(g, second, "models/CARD.md", &b, &err), 0);
	ASSERT_STR(b.buf, "# Intended use\nnew\n");
	mg_buf_reset(&b);
	CU_ASSERT_EQUAL(mg_git_read_file(g, first, "models/NOPE.md", &b, &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "does not exist at commit"));
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_git_read_file(g, first, "models", &b, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is not a file"));
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_git_read_file(g, "0123456789012345678901234567890123456789",
	                                 "models/CARD.md", &b, &err),
	                -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	mg_buf_release(&b);
	mg_git_close(g);
}

static void test_git__commits_and_reachability(void)
{
	struct mg_git *g = NULL;
	struct mg_err err = MG_ERR_INIT;
	char id[MG_GIT_OID_HEX], tip[MG_GIT_OID_HEX];
	bool reach = false;

	CU_ASSERT_EQUAL_FATAL(mg_git_open(dir, &g, &err), 0);
	CU_ASSERT_EQUAL(mg_git_commit_id(g, "main", id, &err), 0);
	ASSERT_STR(id, second);
	CU_ASSERT_EQUAL(mg_git_commit_id(g,
	                                 (char[]){first[0], first[1], first[2], first[3], first[4],
	                                          first[5], first[6], 0},
	                                 id, &err),
	                0);
	ASSERT_STR(id, first);
	CU_ASSERT_EQUAL(mg_git_branch_tip(g, "main", tip, &err), 0);
	ASSERT_STR(tip, second);
	CU_ASSERT_EQUAL(mg_git_is_reachable(g, first, tip, &reach, &err), 0);
	CU_ASSERT_TRUE(reach);
	CU_ASSERT_EQUAL(mg_git_is_reachable(g, second, tip, &reach, &err), 0);
	CU_ASSERT_TRUE(reach);
	CU_ASSERT_EQUAL(mg_git_is_reachable(g, side, tip, &reach, &err), 0);
	CU_ASSERT_FALSE(reach);
	CU_ASSERT_FALSE(mg_err_failed(&err));
	CU_ASSERT_EQUAL(mg_git_branch_tip(g, "release", tip, &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_git_commit_id(g, "deadbeefdeadbeef", id, &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	mg_git_close(g);
}

struct seen {
	char paths[4][64];
	char kinds[4];
	size_t n;
};

static int collect(void *arg, const char *path, enum mg_git_change change)
{
	struct seen *s = arg;

	if (s->n < 4) {
		snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", path);
		s->kinds[s->n] = (char)change;
	}
	s->n++;
	return 0;
}

static int stop_at_first(void *arg, const char *path, enum mg_git_change change)
{
	(void)arg;
	(void)path;
	(void)change;
	return 7;
}

static void test_git__merge_base_and_changed_files(void)
{
	struct mg_git *g = NULL;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	struct seen s = {0};
	char base[MG_GIT_OID_HEX];

	CU_ASSERT_EQUAL_FATAL(mg_git_open(dir, &g, &err), 0);
	CU_ASSERT_FALSE(mg_git_is_shallow(g));
	CU_ASSERT_EQUAL(mg_git_merge_base(g, second, side, base, &err), 0);
	ASSERT_STR(base, first);
	CU_ASSERT_EQUAL(mg_git_merge_base(g, second, first, base, &err), 0);
	ASSERT_STR(base, first);
	CU_ASSERT_EQUAL(mg_git_merge_base(g, "nothex", first, base, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	mg_err_clear(&err);

	CU_ASSERT_EQUAL(mg_git_changed_files(g, first, second, collect, &s, &err), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	ASSERT_STR(s.paths[0], "models/CARD.md");
	CU_ASSERT_EQUAL(s.kinds[0], MG_GIT_MODIFIED);
	s.n = 0;
	CU_ASSERT_EQUAL(mg_git_changed_files(g, second, second, collect, &s, &err), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(mg_git_changed_files(g, first, side, stop_at_first, NULL, &err), 7);
	CU_ASSERT_EQUAL(mg_git_changed_files(g, "0123456789012345678901234567890123456789", second,
	                                     collect, &s, &err),
	                -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	mg_err_clear(&err);

	/* HEAD of this repository points at an unborn branch */
	CU_ASSERT_EQUAL(mg_git_current_branch(g, &b, &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	mg_buf_release(&b);
	mg_git_close(g);
}

static void test_git__open_errors(void)
{
	struct mg_git *g = NULL;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(mg_git_open("/nonexistent/repo", &g, &err), -1);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(err.msg, "cannot open git repository at '/nonexistent/repo'"));
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_git__files_come_from_the_commit),
        UNIT_TEST(test_git__commits_and_reachability),
        UNIT_TEST(test_git__merge_base_and_changed_files),
        UNIT_TEST(test_git__open_errors),
        UNIT_END,
};

const struct unit_suite unit_suite_git = {"git", setup, teardown, tests};
