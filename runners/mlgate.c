/*
 * mlgate: git-style front end. `mlgate comply ARGS` runs `mlgate-comply ARGS`.
 */
#include "setup.h"
#include "alloc.h"
#include "ctx.h"
#include "dispatch.h"
#include "opts.h"

#include <unistd.h>

static void help_commands(FILE *out)
{
	size_t n;
	const struct mg_command *cmds = mg_commands(&n);

	fputs("\nCommands (each is also its own executable, mlgate-COMMAND):\n", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\n'mlgate help COMMAND' shows the help of one command.\n", out);
}

static const struct mg_opt options[] = {
        MG_OPT_HELP_VERSION,
        MG_OPT_END_OF_TABLE,
};

static const struct mg_doc_item front_env[] = {
        {"PATH", "where mlgate-COMMAND is looked for when it is not next to mlgate"},
        {NULL, NULL},
};

static const struct mg_doc_item examples[] = {
        {"Run mlgate-comply through the front end", "mlgate comply --model fraud-detector "
                                                    "--version 3 --policy policy.json"},
        {"The help of one command", "mlgate help promote"},
        {NULL, NULL},
};

static const struct mg_doc_item *const env[] = {front_env, NULL};

static const struct mg_cmd_spec spec = {
        .prog = "mlgate",
        .usage = "COMMAND [ARGS...]",
        .summary = "Gate machine-learning model promotion in CI/CD pipelines.",
        .opts = options,
        .stop_at_positional = true,
        .help_extra = help_commands,
        .env = env,
        .examples = examples,
};

int main(int argc, char **argv)
{
	struct mg_ctx ctx;
	struct mg_strlist args = MG_STRLIST_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf self = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf exe = MG_BUF_INIT(MG_BUF_SMALL);
	const char **child_argv = NULL;
	const char *name;
	bool want_help = false;
	int rc;

	mg_ctx_init(&ctx, "mlgate");
	rc = mg_opts_main(&spec, argc, argv, &args, stdout, &ctx.log);
	if (rc != MG_OPTS_GO_ON)
		goto done;
	rc = MG_EXIT_USAGE;
	if (!args.n) {
		mg_error(&ctx.log, "no command given; try 'mlgate --help'");
		goto done;
	}
	name = args.items[0];
	if (!strcmp(name, "help")) {
		if (args.n == 1) {
			mg_opts_help(&spec, stdout);
			rc = MG_EXIT_PASS;
			goto done;
		}
		name = args.items[1];
		want_help = true;
	}
	if (!mg_command_find(name)) {
		mg_error(&ctx.log, "'%.64s' is not an mlgate command; try 'mlgate --help'", name);
		goto done;
	}
	mg_self_dir(argv[0], &self);
	if (mg_command_locate(name, self.len ? self.buf : NULL, getenv("PATH"), &exe, &err)) {
		rc = mg_log_err(&ctx.log, &err);
		goto done;
	}

	/* argv for the command: its own name, then what followed it */
	child_argv = mg_xcalloc(args.n + 2, sizeof(*child_argv));
	child_argv[0] = exe.buf;
	if (want_help) {
		child_argv[1] = "--help";
	} else {
		for (size_t i = 1; i < args.n; i++)
			child_argv[i] = args.items[i];
	}
	fflush(NULL);
	execv(exe.buf, (char *const *)child_argv);
	mg_error(&ctx.log, "cannot run '%s': %s", exe.buf, strerror(errno));
	rc = MG_EXIT_INFRA;
done:
	free(child_argv);
	mg_buf_release(&exe);
	mg_buf_release(&self);
	mg_strlist_release(&args);
	rc = mg_ctx_finish(&ctx, rc);
	mg_ctx_release(&ctx);
	return rc;
}
