/*
 * Running a command: posix_spawnp with an argv (no shell in between), in a
 * process group of its own, stdin from /dev/null, stdout and stderr
 * captured bounded (head and tail kept), a deadline after which the whole
 * group gets SIGTERM and, after a grace period, SIGKILL. When the command
 * itself exits, whatever it left running in its group is killed too, so a
 * run never leaves a process behind. Safe to call from several threads at
 * once (posix_spawn, close-on-exec pipes).
 */
#ifndef MG_PROC_H
#define MG_PROC_H
#include "setup.h"
#include "buf.h"
#include "err.h"

struct mg_proc_spec {
	const char *const *argv;    /* argv[0] looked up in PATH; NULL-terminated; borrowed */
	const char *const *env_add; /* "NAME=VALUE" added to the environment; may be NULL */
	const char *cwd;            /* NULL: the current directory */
	double timeout_s;           /* <= 0: none */
	double grace_s;             /* SIGTERM to SIGKILL; <= 0: 2 s */
	size_t capture_max;         /* bytes kept per stream (head + tail); 0: 64 KiB */
};

struct mg_proc_result {
	int exit_code;      /* when exited */
	int signal;         /* when killed by a signal (not ours), else 0 */
	bool exited;        /* ended normally with exit_code */
	bool timed_out;     /* we killed it at the deadline */
	double duration;    /* seconds */
	struct mg_buf out;  /* captured stdout (head, a cut marker, tail) */
	struct mg_buf err;  /* captured stderr */
	uint64_t out_total; /* bytes the command wrote to stdout */
	uint64_t err_total;
};

void mg_proc_result_init(struct mg_proc_result *r);
void mg_proc_result_release(struct mg_proc_result *r);

/*
 * Run the command to its end (or its deadline). Returns 0 when it ran
 * (whatever its exit), -1 when it could not be started: a missing or
 * non-executable program or a bad cwd is MG_EXIT_USAGE, anything else
 * (pipes, fork) MG_EXIT_INFRA.
 */
int mg_proc_run(const struct mg_proc_spec *spec, struct mg_proc_result *res, struct mg_err *err);
#endif
