#include "setup.h"
#include "dispatch.h"

#include <sys/stat.h>
#include <unistd.h>

static const struct mg_command commands[] = {
        {"smoke", "run a smoke suite on sample data (commands, data contracts, predictions)"},
        {"comply", "compliance checks of a model version: tags, description, model card, lineage"},
        {"compare", "compare a candidate model's metrics against the production model"},
        {"promote", "approve or reject a registry transition from gate evidence"},
        {"changes", "list the models a git change touches, as a CI matrix"},
        {"release", "check a release-branch cut: commit on main, passing evidence"},
        {"drift", "data and prediction drift of a window against the training reference"},
        {"report", "merge JUnit files, write summaries and CI annotations"},
        {"relay", "registry webhooks in, CI dispatches out, through a durable queue"},
};

const struct mg_command *mg_commands(size_t *n)
{
	*n = MG_ARRAY_SIZE(commands);
	return commands;
}

const struct mg_command *mg_command_find(const char *name)
{
	for (size_t i = 0; i < MG_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static bool is_executable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

/* Try DIR/mlgate-NAME; on success leave it in `out`. */
static bool try_dir(const char *dir, size_t dir_len, const char *name, struct mg_buf *out)
{
	size_t mark = out->len;

	if (!dir_len)
		mg_buf_addch(out, '.'); /* an empty PATH entry means the current directory */
	else
		mg_buf_add(out, dir, dir_len);
	mg_buf_addf(out, "/mlgate-%s", name);
	if (!mg_buf_overflowed(out) && is_executable(out->buf + mark))
		return true;
	mg_buf_truncate(out, mark);
	return false;
}

int mg_command_locate(const char *name, const char *self_dir, const char *path_env,
                      struct mg_buf *out, struct mg_err *err)
{
	size_t mark = out->len;
	struct mg_buf found = MG_BUF_INIT(out->max);
	int ret = -1;

	if (self_dir && try_dir(self_dir, strlen(self_dir), name, &found))
		goto ok;
	for (const char *p = path_env; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);

		if (try_dir(p, len, name, &found))
			goto ok;
		if (!colon)
			break;
		p = colon + 1;
	}
	mg_err_setr(err, MG_EXIT_INFRA, MG_REASON_NOT_FOUND,
	            "command '%s' is not installed: no executable mlgate-%s next to mlgate (%s) "
	            "or on PATH",
	            name, name, self_dir ? self_dir : "unknown directory");
	goto done;
ok:
	mg_buf_truncate(out, mark);
	ret = mg_buf_add(out, found.buf, found.len);
	if (ret)
		mg_err_set(err, MG_EXIT_INFRA, "path of mlgate-%s is too long", name);
done:
	mg_buf_release(&found);
	return ret;
}

void mg_self_dir(const char *argv0, struct mg_buf *out)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *path = argv0, *slash;

	if (n > 0) {
		exe[n] = '\0';
		path = exe;
	}
	slash = path ? strrchr(path, '/') : NULL;
	if (!slash)
		return; /* found through PATH: the PATH search covers it */
	mg_buf_add(out, path, slash == path ? 1 : (size_t)(slash - path));
}
