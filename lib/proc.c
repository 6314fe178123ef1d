/*
 * Process spawning with process-group timeouts. posix_spawnp (not fork)
 * because the smoke runner calls this from several threads: nothing runs
 * in the child between fork and exec but the spawn library's own code.
 */
#include "setup.h"
#include "proc.h"
#include "alloc.h"
#include "clock.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/*
 * glibc (>= 2.29) has it, declared only under _GNU_SOURCE, which mlgate does
 * not define; POSIX.1-2024 standardises it as posix_spawn_file_actions_addchdir.
 */
int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *restrict fa,
                                         const char *restrict path);

/*
 * Pipes are made and the child spawned under one lock: between pipe() and
 * fcntl(FD_CLOEXEC) another thread's child would inherit our pipe ends.
 */
static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;

static int cloexec_pipe(int p[2])
{
	if (pipe(p))
		return -1;
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Bounded capture: the first half of `max` as it came, then a ring of the tail. */
struct capture {
	struct mg_buf *head;
	size_t half;
	char *tail; /* ring of `half` bytes */
	size_t tail_pos, tail_len;
	uint64_t total;
};

static void capture_add(struct capture *c, const char *s, size_t n)
{
	c->total += n;
	if (c->head->len < c->half) {
		size_t take = c->half - c->head->len;

		if (take > n)
			take = n;
		mg_buf_add(c->head, s, take);
		s += take;
		n -= take;
	}
	for (size_t i = 0; i < n; i++) {
		c->tail[c->tail_pos] = s[i];
		c->tail_pos = (c->tail_pos + 1) % c->half;
		if (c->tail_len < c->half)
			c->tail_len++;
	}
}

static void capture_finish(struct capture *c)
{
	uint64_t cut = c->total - c->head->len - c->tail_len;
	size_t start = (c->tail_pos + c->half - c->tail_len) % c->half;

	if (cut)
		mg_buf_addf(c->head, "\n[... %llu bytes cut ...]\n", (unsigned long long)cut);
	for (size_t i = 0; i < c->tail_len; i++)
		mg_buf_addch(c->head, c->tail[(start + i) % c->half]);
}

void mg_proc_result_init(struct mg_proc_result *r)
{
	memset(r, 0, sizeof(*r));
	mg_buf_init(&r->out, MG_BUF_SMALL * 4);
	mg_buf_init(&r->err, MG_BUF_SMALL * 4);
}

void mg_proc_result_release(struct mg_proc_result *r)
{
	mg_buf_release(&r->out);
	mg_buf_release(&r->err);
}

static char **merged_env(const char *const *add)
{
	size_t n = 0, k = 0, nadd = 0;
	char **env;

	while (environ[n])
		n++;
	while (add && add[nadd])
		nadd++;
	env = mg_xcalloc(n + nadd + 1, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t nl = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
		bool replaced = false;

		for (size_t j = 0; j < nadd; j++)
			if (strncmp(add[j], environ[i], nl) == 0)
				replaced = true;
		if (!replaced)
			env[k++] = mg_xstrdup(environ[i]);
	}
	for (size_t j = 0; j < nadd; j++)
		env[k++] = mg_xstrdup(add[j]);
	env[k] = NULL;
	return env;
}

/*
 * Find the program as execvp would, before spawning: how posix_spawnp reports
 * a missing program differs between implementations (and under valgrind the
 * child just exits 127), and "cannot run" must be an error, not a failure.
 * Returns 0 with the path in `out`, or an errno value.
 */
static int find_program(const char *name, const char *cwd, struct mg_buf *out)
{
	const char *path = getenv("PATH");
	struct stat st;
	int last = ENOENT;

	if (strchr(name, '/')) {
		if (name[0] != '/' && cwd)
			mg_buf_addf(out, "%s/", cwd);
		mg_buf_adds(out, name);
		if (stat(out->buf, &st))
			return errno;
		return S_ISREG(st.st_mode) && !access(out->buf, X_OK) ? 0 : EACCES;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		mg_buf_reset(out);
		if (n)
			mg_buf_add(out, path, n);
		else
			mg_buf_addch(out, '.');
		mg_buf_addf(out, "/%s", name);
		if (!mg_buf_overflowed(out) && !stat(out->buf, &st)) {
			if (S_ISREG(st.st_mode) && !access(out->buf, X_OK))
				return 0;
			last = EACCES;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return last;
}

static void group_kill(pid_t pgid, int sig)
{
	if (pgid > 0)
		kill(-pgid, sig);
}

/* Wait for `pid` up to `secs`; true when reaped into *status. */
static bool wait_for(pid_t pid, int *status, double secs)
{
	uint64_t start = mg_clock_ns();

	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid)
			return true;
		if (w < 0 && errno != EINTR)
			return true;
		if (mg_clock_since(start) >= secs)
			return false;
		sleep_ms(10);
	}
}

/* A running command: its process group, the read ends of its pipes and what they gave. */
struct child {
	const struct mg_proc_spec *spec;
	struct mg_proc_result *res;
	pid_t pid;
	int out, err; /* read ends, -1 once closed */
	struct capture cout, cerr;
	uint64_t start;
	int status;
	bool reaped;
};

/* The spawn attributes: stdin from /dev/null, stdout/stderr to the pipes, own process group. */
static void spawn_setup(const struct mg_proc_spec *spec, int out_w, int err_w,
                        posix_spawn_file_actions_t *fa, posix_spawnattr_t *attr)
{
	sigset_t none, dfl;

	posix_spawn_file_actions_init(fa);
	posix_spawnattr_init(attr);
	posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(fa, out_w, 1);
	posix_spawn_file_actions_adddup2(fa, err_w, 2);
	if (spec->cwd)
		posix_spawn_file_actions_addchdir_np(fa, spec->cwd);
	posix_spawnattr_setpgroup(attr, 0);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(attr, &none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	posix_spawnattr_setsigdefault(attr, &dfl);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	                                       POSIX_SPAWN_SETSIGDEF);
}

/* Start the command with `argv` and `env` (no shell); ch->pid, ch->out, ch->err set on success. */
static int spawn(struct child *ch, char **argv, char **env, struct mg_err *err)
{
	const struct mg_proc_spec *spec = ch->spec;
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct mg_buf prog = MG_BUF_INIT(PATH_MAX);
	int rc;

	pthread_mutex_lock(&spawn_lock);
	if (cloexec_pipe(outp) || cloexec_pipe(errp)) {
		pthread_mutex_unlock(&spawn_lock);
		for (int i = 0; i < 2; i++) {
			if (outp[i] >= 0)
				close(outp[i]);
			if (errp[i] >= 0)
				close(errp[i]);
		}
		mg_buf_release(&prog);
		return mg_err_set(err, MG_EXIT_INFRA, "cannot create a pipe: %s", strerror(errno));
	}
	spawn_setup(spec, outp[1], errp[1], &fa, &attr);
	rc = find_program(argv[0], spec->cwd, &prog);
	if (!rc) /* a relative path with a slash is resolved after the chdir, by exec */
		rc = posix_spawn(&ch->pid, strchr(argv[0], '/') ? argv[0] : prog.buf, &fa, &attr,
		                 argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(outp[1]);
	close(errp[1]);
	pthread_mutex_unlock(&spawn_lock);
	mg_buf_release(&prog);
	ch->out = outp[0];
	ch->err = errp[0];
	if (!rc)
		return 0;
	ch->pid = -1;
	return mg_err_set(
	        err, rc == ENOENT || rc == EACCES || rc == ENOTDIR ? MG_EXIT_USAGE : MG_EXIT_INFRA,
	        "cannot run '%s'%s%s%s: %s", spec->argv[0], spec->cwd ? " in '" : "",
	        spec->cwd ? spec->cwd : "", spec->cwd ? "'" : "", strerror(rc));
}

/* Read both pipes until the command ends (and closes them) or the deadline passes. */
static void pump(struct child *ch)
{
	double timeout = ch->spec->timeout_s;

	while (ch->out >= 0 || ch->err >= 0) {
		struct pollfd pf[2];
		int np = 0, wait_ms = 100;
		char buf[16384];

		if (timeout > 0) {
			double left = timeout - mg_clock_since(ch->start);

			if (left <= 0) {
				ch->res->timed_out = true;
				break;
			}
			if (left * 1000 < wait_ms)
				wait_ms = (int)(left * 1000) + 1;
		}
		if (ch->out >= 0)
			pf[np++] = (struct pollfd){.fd = ch->out, .events = POLLIN};
		if (ch->err >= 0)
			pf[np++] = (struct pollfd){.fd = ch->err, .events = POLLIN};
		if (poll(pf, (nfds_t)np, wait_ms) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < np; i++) {
			int *fdp = pf[i].fd == ch->out ? &ch->out : &ch->err;
			struct capture *c = fdp == &ch->out ? &ch->cout : &ch->cerr;
			ssize_t got;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(*fdp, buf, sizeof(buf));
			if (got > 0) {
				capture_add(c, buf, (size_t)got);
			} else if (got == 0 || errno != EINTR) {
				close(*fdp);
				*fdp = -1;
			}
		}
		/* The command ended but something it started holds the pipes: end it. */
		if (!ch->reaped && waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid) {
			ch->reaped = true;
			group_kill(ch->pid, SIGKILL);
		}
	}
}

/* Wait for the command within its deadline, then end its whole process group; fill res. */
static void reap(struct child *ch)
{
	const struct mg_proc_spec *spec = ch->spec;
	struct mg_proc_result *res = ch->res;
	double grace = spec->grace_s > 0 ? spec->grace_s : 2.0;

	if (!ch->reaped && !res->timed_out) {
		double left =
		        spec->timeout_s > 0 ? spec->timeout_s - mg_clock_since(ch->start) : 1e12;

		if (left > 0 && wait_for(ch->pid, &ch->status, left))
			ch->reaped = true;
		else
			res->timed_out = true;
	}
	if (res->timed_out) {
		group_kill(ch->pid, SIGTERM);
		if (!ch->reaped && wait_for(ch->pid, &ch->status, grace))
			ch->reaped = true;
		group_kill(ch->pid, SIGKILL);
	}
	if (!ch->reaped)
		waitpid(ch->pid, &ch->status, 0);
	/* Whatever the command left in its group goes too (no orphans). */
	group_kill(ch->pid, SIGKILL);
	res->duration = mg_clock_since(ch->start);
	if (res->timed_out)
		return;
	if (WIFEXITED(ch->status)) {
		res->exited = true;
		res->exit_code = WEXITSTATUS(ch->status);
	} else if (WIFSIGNALED(ch->status)) {
		res->signal = WTERMSIG(ch->status);
	}
}

int mg_proc_run(const struct mg_proc_spec *spec, struct mg_proc_result *res, struct mg_err *err)
{
	size_t cap = spec->capture_max ? spec->capture_max : (size_t)64 * 1024;
	struct child ch = {
	        .spec = spec,
	        .res = res,
	        .pid = -1,
	        .out = -1,
	        .err = -1,
	        .cout = {.head = &res->out, .half = cap / 2},
	        .cerr = {.head = &res->err, .half = cap / 2},
	        .start = mg_clock_ns(),
	};
	char **env = merged_env(spec->env_add), **argv = NULL;
	size_t argc = 0;
	int ret = -1;

	ch.cout.tail = mg_xmalloc(ch.cout.half);
	ch.cerr.tail = mg_xmalloc(ch.cerr.half);
	while (spec->argv[argc])
		argc++;
	argv = mg_xcalloc(argc + 1, sizeof(*argv));
	for (size_t i = 0; i < argc; i++)
		argv[i] = mg_xstrdup(spec->argv[i]);
	if (spawn(&ch, argv, env, err))
		goto out;
	pump(&ch);
	reap(&ch);
	ret = 0;
out:
	capture_finish(&ch.cout);
	capture_finish(&ch.cerr);
	res->out_total = ch.cout.total;
	res->err_total = ch.cerr.total;
	free(ch.cout.tail);
	free(ch.cerr.tail);
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
	if (ch.out >= 0)
		close(ch.out);
	if (ch.err >= 0)
		close(ch.err);
	return ret;
}
