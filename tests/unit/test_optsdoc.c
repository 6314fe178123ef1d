#include "setup.h"
#include "unit.h"
#include "optsdoc.h"

static const char *reg, *policy, *ci, *name;
static bool dry;
static struct mg_strlist evidence;
static const char *const ci_kinds[] = {"none", "github", "azure", NULL};

static const struct mg_opt table[] = {
        MG_OPT_GROUP_("Model\nand registry"),
        MG_OPT_STR('r', "registry", "URI", &reg, "registry URI"),
        MG_OPT_STR('p', "policy", "FILE", &policy, "policy \\ document - JSON"),
        MG_OPT_MANY('e', "evidence", "FILE", &evidence, "evidence (repeatable)"),
        MG_OPT_STR(0, "name", "NAME", &name, ".starts with a dot, ends in \xe2\x80\x94"),
        MG_OPT_ONE_OF(0, "ci", ci_kinds, &ci, "CI output: [none]"),
        MG_OPT_BOOL('n', "dry-run", &dry, "it's only a test"),
        MG_OPT_HELP_VERSION,
        MG_OPT_END_OF_TABLE,
};
static const struct mg_opt_rule rules[] = {
        MG_RULE(MG_RULE_AT_MOST_ONE, "registry", "policy"),
        MG_RULE_END,
};
static const struct mg_doc_item env[] = {{"MLGATE_X", "what X does"}, {NULL, NULL}};
static const struct mg_doc_item examples[] = {{"Do it", "mlgate-t --dry-run"}, {NULL, NULL}};

static const struct mg_cmd_spec spec = {
        .prog = "mlgate-t",
        .usage = "[options]\n       FILE...",
        .summary = "A test command: does things.\n'quoted line start\n  an indented line\n",
        .opts = table,
        .rules = rules,
        .env = (const struct mg_doc_item *const[]){env, NULL},
        .examples = examples,
        .subcommands = (const char *const[]){"merge", "summary", NULL},
};

static char *render(void (*fn)(const struct mg_cmd_spec *, FILE *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fn(&spec, f);
	fclose(f);
	return text;
}

#define HAS(text, s) CU_ASSERT_PTR_NOT_NULL(strstr((text), (s)))

static void test_optsdoc__man_page_from_the_table(void)
{
	char *t = render(mg_opts_man);

	HAS(t, ".TH \"MLGATE\\-T\" 1 ");
	HAS(t, ".SH NAME\nmlgate\\-t \\- A test command\n");
	/* the usage's continuation joined */
	HAS(t, ".SH SYNOPSIS\n\\fBmlgate\\-t\\fR [options] FILE...\n");
	/* a line starting with ' is guarded, an indented one kept as it is */
	HAS(t, "\\&'quoted line start\n.nf\n  an indented line\n.fi\n");
	/* a group heading's newline is a space */
	HAS(t, ".SS Model and registry\n");
	HAS(t,
	    ".TP\n\\fB\\-p\\fR, \\fB\\-\\-policy\\fR \\fIFILE\\fR\npolicy \\e document \\- JSON\n");
	/* "(repeatable)" once, even when the help says it already */
	HAS(t, "evidence (repeatable)\n");
	CU_ASSERT_PTR_NULL(strstr(t, "(repeatable) (repeatable)"));
	/* a leading dot and UTF-8 */
	HAS(t, "\n\\&.starts with a dot, ends in \\[u2014]\n");
	HAS(t, "\\fB\\-\\-ci\\fR \\fBnone\\fR|\\fBgithub\\fR|\\fBazure\\fR\n");
	HAS(t, ".SS Rules\n.IP \\(bu 2\nat most one of \\fB\\-\\-registry\\fR or "
	       "\\fB\\-\\-policy\\fR\n");
	HAS(t, ".SH \"EXIT STATUS\"\n.TP\n.B 0\n");
	HAS(t, ".B 4\n");
	HAS(t, ".SH ENVIRONMENT\n.TP\n\\fBMLGATE_X\\fR\nwhat X does\n");
	HAS(t, ".SH EXAMPLES\n.PP\nDo it\n.PP\n.RS 4\n.nf\nmlgate\\-t \\-\\-dry\\-run\n.fi\n.RE\n");
	HAS(t, ".SH \"SEE ALSO\"\n.BR mlgate (1),\n");
	free(t);
}

static void test_optsdoc__bash_completion_from_the_table(void)
{
	char *t = render(mg_opts_bash);

	HAS(t, "__mlgate_t() {\n");
	HAS(t, "\t-p|--policy|-e|--evidence)\n\t\tcompopt -o filenames");
	HAS(t, "\t--ci)\n\t\tCOMPREPLY=($(compgen -W 'none github azure' -- \"$cur\"))\n");
	/* values that are no path complete nothing */
	HAS(t, "\t-r|--registry|--name)\n\t\tCOMPREPLY=()\n");
	HAS(t, "compgen -W '--registry --policy --evidence --name --ci --dry-run --help --version "
	       "-r -p -e -n -h'");
	HAS(t, "compgen -W 'merge summary'");
	HAS(t, "complete -F __mlgate_t mlgate-t\n");
	free(t);
}

static void test_optsdoc__zsh_completion_from_the_table(void)
{
	char *t = render(mg_opts_zsh);

	HAS(t, "__mlgate_t() {\n\t_arguments -s -S : \\\n");
	HAS(t, "'(-p --policy)'{-p+,--policy=}'[policy \\\\ document - JSON]:FILE:_files' \\\n");
	HAS(t, "'*'{-e+,--evidence=}'[evidence (repeatable)]:FILE:_files' \\\n");
	HAS(t, "'--ci=[CI output\\: \\[none\\]]:ci:(none github azure)' \\\n");
	HAS(t, "'(-n --dry-run)'{-n,--dry-run}'[it'\\''s only a test]' \\\n");
	HAS(t, "'--name=[.starts with a dot");
	HAS(t, "]:NAME: ' \\\n");
	HAS(t, "'1:command:(merge summary)' '*:file:_files'\n");
	free(t);
}

static void test_optsdoc__unknown_kind(void)
{
	struct mg_log log;
	char *text = NULL, *msg = NULL;
	size_t len = 0, msglen = 0;
	FILE *f = open_memstream(&text, &len), *errs = open_memstream(&msg, &msglen);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(errs);
	mg_log_init(&log, "mlgate-t", errs, NULL);
	CU_ASSERT_EQUAL(mg_opts_doc(&spec, "man", f, &log), MG_EXIT_PASS);
	CU_ASSERT_EQUAL(mg_opts_doc(&spec, "html", f, &log), MG_EXIT_USAGE);
	fclose(f);
	fclose(errs);
	ASSERT_STR(msg, "mlgate-t: unknown --mlgate-doc=html: expected man, bash or zsh\n");
	free(msg);
	free(text);
}

static int cleanup(void)
{
	mg_strlist_release(&evidence);
	return 0;
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_optsdoc__man_page_from_the_table),
        UNIT_TEST(test_optsdoc__bash_completion_from_the_table),
        UNIT_TEST(test_optsdoc__zsh_completion_from_the_table),
        UNIT_TEST(test_optsdoc__unknown_kind),
        UNIT_END,
};

const struct unit_suite unit_suite_optsdoc = {"optsdoc", NULL, cleanup, tests};
