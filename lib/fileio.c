/* realpath() is an XSI extension */
#define _XOPEN_SOURCE 700
#include "setup.h"
#include "fileio.h"
#include "alloc.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int mg_file_read(const char *path, struct mg_buf *out, struct mg_err *err)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = -1;
	struct stat st;

	if (fd < 0)
		return mg_err_set(err, MG_EXIT_USAGE, "cannot open '%s': %s", path,
		                  strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		mg_err_set(err, MG_EXIT_USAGE, "cannot read '%s': is a directory", path);
		goto done;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mg_err_set(err, MG_EXIT_INFRA, "cannot read '%s': %s", path,
			           strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if (mg_buf_add(out, chunk, (size_t)n)) {
			mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
			            "cannot read '%s': larger than the limit of %zu bytes", path,
			            out->max);
			goto done;
		}
	}
	ret = 0;
done:
	close(fd);
	return ret;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Split `path` into its directory ("." when none) in `dir`. */
static void dir_of(const char *path, struct mg_buf *dir)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		mg_buf_adds(dir, ".");
	else if (slash == path)
		mg_buf_adds(dir, "/");
	else
		mg_buf_add(dir, path, (size_t)(slash - path));
}

/* The last component of `path` ("" when it ends in '/'). */
static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Longest chain of symbolic links followed (the kernel's own limit). */
#define LINKS_MAX 40

/* Where one output goes. */
enum out_kind {
	OUT_FD,      /* a descriptor already open: stdout, /dev/fd/N */
	OUT_THROUGH, /* a character device or a FIFO: opened and written through */
	OUT_FILE,    /* a regular file: replaced atomically, or created */
};

struct out_target {
	enum out_kind kind;
	int fd;             /* OUT_FD */
	bool exists;        /* `st` describes it (links followed) */
	struct stat st;     /* valid when `exists` */
	struct mg_buf dest; /* OUT_THROUGH: the path to open; OUT_FILE: the file, links followed */
	struct mg_buf key;  /* OUT_FILE that does not exist yet: its absolute name */
};

static void target_init(struct out_target *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	mg_buf_init(&t->dest, MG_BUF_SMALL);
	mg_buf_init(&t->key, MG_BUF_SMALL);
}

static void target_release(struct out_target *t)
{
	mg_buf_release(&t->dest);
	mg_buf_release(&t->key);
}

/* The descriptor `path` names ("-", /dev/stdout, /dev/fd/N...), or -1. */
static int fd_number(const char *path)
{
	const char *p = NULL;
	int n = 0;

	if (!strcmp(path, "-") || !strcmp(path, "/dev/stdout"))
		return STDOUT_FILENO;
	if (!strcmp(path, "/dev/stderr"))
		return STDERR_FILENO;
	if (!strncmp(path, "/dev/fd/", 8))
		p = path + 8;
	else if (!strncmp(path, "/proc/self/fd/", 14))
		p = path + 14;
	if (!p || !*p || strlen(p) > 6)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n;
}

/*
 * `path` with the symbolic links at its end followed, into `out`: the
 * file a write replaces (or creates, for a dangling link). -1 with errno
 * set when a link cannot be read or there are too many.
 */
static int follow_links(const char *path, struct mg_buf *out)
{
	char target[PATH_MAX];
	struct stat st;

	mg_buf_reset(out);
	mg_buf_adds(out, path);
	for (int i = 0; i <= LINKS_MAX; i++) {
		const char *slash;
		ssize_t n;

		if (lstat(out->buf, &st) || !S_ISLNK(st.st_mode))
			return 0; /* not a link (or not there): this is the name */
		n = readlink(out->buf, target, sizeof(target) - 1);
		if (n < 0)
			return -1;
		target[n] = '\0';
		slash = strrchr(out->buf, '/');
		if (target[0] == '/' || !slash)
			mg_buf_reset(out); /* absolute, or relative to "." */
		else
			mg_buf_truncate(out, (size_t)(slash - out->buf) + 1);
		mg_buf_adds(out, target);
		if (mg_buf_overflowed(out)) {
			errno = ENAMETOOLONG;
			return -1;
		}
	}
	errno = ELOOP;
	return -1;
}

/*
 * Decide where `path` goes (see fileio.h). Errors are `code`, as
 * "cannot write 'PATH': why". An appended output has no descriptor names.
 */
static int resolve(const char *path, bool append, struct out_target *t, int code,
                   struct mg_err *err)
{
	int fd = append ? -1 : fd_number(path), fl;

	if (!*path)
		return mg_err_set(err, code, "cannot write '': empty file name");
	if (fd >= 0) {
		fl = fcntl(fd, F_GETFL);
		if (fl < 0)
			return mg_err_set(err, code, "cannot write '%s': descriptor %d is not open",
			                  path, fd);
		if ((fl & O_ACCMODE) == O_RDONLY)
			return mg_err_set(
			        err, code,
			        "cannot write '%s': descriptor %d is open for reading only", path,
			        fd);
		t->kind = OUT_FD;
		t->fd = fd;
		t->exists = !fstat(fd, &t->st);
		return 0;
	}
	if (!stat(path, &t->st)) {
		t->exists = true;
		if (S_ISCHR(t->st.st_mode) || S_ISFIFO(t->st.st_mode)) {
			t->kind = OUT_THROUGH;
			mg_buf_adds(&t->dest, path);
			return 0;
		}
		if (S_ISBLK(t->st.st_mode) || S_ISSOCK(t->st.st_mode))
			return mg_err_set(err, code, "cannot write '%s': a %s, not a file", path,
			                  S_ISBLK(t->st.st_mode) ? "block device" : "socket");
	} else if (errno != ENOENT && errno != ENOTDIR) {
		return mg_err_set(err, code, "cannot write '%s': %s", path, strerror(errno));
	}
	/* a regular file (or a directory, refused by the check; rename fails on it) */
	t->kind = OUT_FILE;
	if (follow_links(path, &t->dest))
		return mg_err_set(err, code, "cannot write '%s': %s", path, strerror(errno));
	if (!t->exists && !*base_of(t->dest.buf))
		return mg_err_set(err, code, "cannot write '%s': not a file name", path);
	return 0;
}

void mg_atomic_init(struct mg_atomic_file *f)
{
	f->fd = -1;
	f->path = "";
	f->own_fd = false;
	mg_buf_init(&f->dest, MG_BUF_SMALL);
	mg_buf_init(&f->tmp, MG_BUF_SMALL);
}

int mg_atomic_open(struct mg_atomic_file *f, const char *path, struct mg_err *err)
{
	struct out_target t;
	struct mg_buf dir = MG_BUF_INIT(MG_BUF_SMALL);
	int ret = -1;
	mode_t mask;

	mg_atomic_init(f);
	f->path = path;
	target_init(&t);
	if (resolve(path, false, &t, MG_EXIT_INFRA, err))
		goto done;
	if (t.kind == OUT_FD) {
		/* what stdio holds goes first */
		fflush(stdout);
		fflush(stderr);
		f->fd = t.fd;
		ret = 0;
		goto done;
	}
	if (t.kind == OUT_THROUGH) {
		/* never O_CREAT or O_TRUNC: the device or FIFO stays what it is */
		f->fd = open(t.dest.buf, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (f->fd < 0) {
			mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", path,
			           strerror(errno));
			goto done;
		}
		f->own_fd = true;
		ret = 0;
		goto done;
	}
	mg_buf_add(&f->dest, t.dest.buf, t.dest.len);
	dir_of(f->dest.buf, &dir);
	/* hidden temp name in the same directory, so rename() stays atomic */
	mg_buf_addf(&f->tmp, "%s/.%.200s.tmp-XXXXXX", dir.buf, base_of(f->dest.buf));
	if (mg_buf_overflowed(&dir) || mg_buf_overflowed(&f->tmp) || mg_buf_overflowed(&f->dest)) {
		mg_buf_reset(&f->tmp);
		mg_err_set(err, MG_EXIT_USAGE, "cannot write '%.200s...': path too long", path);
		goto done;
	}
	f->fd = mkstemp(f->tmp.buf);
	if (f->fd < 0) {
		mg_buf_reset(&f->tmp); /* nothing was created */
		mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	f->own_fd = true;
	mask = umask(0);
	umask(mask);
	/* a new file as any program creates one; a replaced one keeps its permissions */
	if (fchmod(f->fd, t.exists && S_ISREG(t.st.st_mode) ? t.st.st_mode & 0777 : 0666 & ~mask)) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	ret = 0;
done:
	if (ret)
		mg_atomic_abort(f);
	mg_buf_release(&dir);
	target_release(&t);
	return ret;
}

int mg_atomic_write(struct mg_atomic_file *f, const void *data, size_t len, struct mg_err *err)
{
	if (f->fd < 0 || write_all(f->fd, data, len))
		return mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", f->path,
		                  f->fd < 0 ? "file not open" : strerror(errno));
	return 0;
}

int mg_atomic_commit(struct mg_atomic_file *f, struct mg_err *err)
{
	struct mg_buf dir = MG_BUF_INIT(MG_BUF_SMALL);
	int dfd, ret = -1;

	if (f->fd < 0)
		return mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': file not open", f->path);
	if (!f->tmp.len) {
		/* written through: a descriptor stays open, a device or FIFO is closed */
		ret = f->own_fd ? close(f->fd) : 0;
		f->fd = -1;
		if (ret)
			mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", f->path,
			           strerror(errno));
		goto done;
	}
	if (fsync(f->fd)) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", f->path, strerror(errno));
		goto done;
	}
	ret = close(f->fd);
	f->fd = -1;
	if (ret) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", f->path, strerror(errno));
		goto done;
	}
	ret = -1;
	if (rename(f->tmp.buf, f->dest.buf)) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot replace '%s': %s", f->path, strerror(errno));
		goto done;
	}
	mg_buf_reset(&f->tmp); /* renamed: nothing left to remove */
	/* make the rename itself durable */
	dir_of(f->dest.buf, &dir);
	dfd = open(dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	ret = 0;
done:
	mg_buf_release(&dir);
	mg_atomic_abort(f);
	return ret;
}

void mg_atomic_abort(struct mg_atomic_file *f)
{
	if (f->fd >= 0 && f->own_fd)
		close(f->fd);
	f->fd = -1;
	f->own_fd = false;
	if (f->tmp.len)
		unlink(f->tmp.buf);
	mg_buf_release(&f->tmp);
	mg_buf_release(&f->dest);
}

bool mg_output_is_file(const char *path)
{
	struct out_target t;
	struct mg_err err = MG_ERR_INIT;
	bool file;

	target_init(&t);
	file = resolve(path, false, &t, MG_EXIT_INFRA, &err) || t.kind == OUT_FILE;
	target_release(&t);
	return file;
}

bool mg_output_replaces_input(const char *out, const char *in)
{
	struct stat a, b;

	if (!out || !in || !strcmp(out, "-") || !strcmp(in, "-") || stat(out, &a) || stat(in, &b))
		return false;
	return S_ISREG(a.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int mg_outputs_spare_inputs(const struct mg_output *outs, size_t nout, const struct mg_output *ins,
                            size_t nin, struct mg_err *err)
{
	for (size_t i = 0; i < nout; i++)
		for (size_t j = 0; j < nin; j++)
			if (mg_output_replaces_input(outs[i].path, ins[j].path))
				return mg_err_set(err, MG_EXIT_USAGE,
				                  "%s '%s' would replace the %s file '%s': give it "
				                  "another name",
				                  outs[i].option, outs[i].path, ins[j].option,
				                  ins[j].path);
	return 0;
}

/* --- checking outputs before a run -------------------------------------------------- */

/* Check one output, `t` resolved; "OPTION: cannot write 'PATH': why" otherwise. */
static int check_one(const struct mg_output *o, struct out_target *t, struct mg_err *err)
{
	struct mg_err e = MG_ERR_INIT;
	struct mg_buf dir = MG_BUF_INIT(MG_BUF_SMALL);
	struct stat st;
	char *abs = NULL;
	int ret = -1;

	if (resolve(o->path, o->append, t, MG_EXIT_USAGE, &e))
		goto done;
	if (t->kind == OUT_FD)
		goto ok;
	if (t->kind == OUT_THROUGH) {
		if (access(t->dest.buf, W_OK))
			mg_err_set(&e, MG_EXIT_USAGE, "cannot write '%s': %s", o->path,
			           strerror(errno));
		else
			goto ok;
		goto done;
	}
	if (t->exists && S_ISDIR(t->st.st_mode)) {
		mg_err_set(&e, MG_EXIT_USAGE, "cannot write '%s': is a directory", o->path);
		goto done;
	}
	if (t->exists && access(t->dest.buf, W_OK)) {
		mg_err_set(&e, MG_EXIT_USAGE, "cannot write '%s': %s", o->path, strerror(errno));
		goto done;
	}
	dir_of(t->dest.buf, &dir);
	if (stat(dir.buf, &st)) {
		mg_err_set(&e, MG_EXIT_USAGE, "cannot write '%s': directory '%s': %s", o->path,
		           dir.buf, strerror(errno));
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		mg_err_set(&e, MG_EXIT_USAGE, "cannot write '%s': '%s' is not a directory", o->path,
		           dir.buf);
		goto done;
	}
	/* a replaced or created file needs its directory; an appended one only itself */
	if ((!o->append || !t->exists) && access(dir.buf, W_OK | X_OK)) {
		mg_err_set(&e, MG_EXIT_USAGE, "cannot write '%s': directory '%s': %s", o->path,
		           dir.buf, strerror(errno));
		goto done;
	}
	if (!t->exists) {
		abs = realpath(dir.buf, NULL);
		mg_buf_addf(&t->key, "%s/%s", abs ? abs : dir.buf, base_of(t->dest.buf));
	}
ok:
	ret = 0;
done:
	if (ret)
		mg_err_set(err, MG_EXIT_USAGE, "%s: %s", o->option, e.msg);
	free(abs);
	mg_buf_release(&dir);
	return ret;
}

/* Do two checked outputs go to the same place? */
static bool same_place(const struct out_target *a, const struct out_target *b)
{
	if (a->kind == OUT_FD && b->kind == OUT_FD && a->fd == b->fd)
		return true;
	/* the same file, FIFO or descriptor's file; a device (/dev/null) may take both */
	if (a->exists && b->exists && a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino)
		return !S_ISCHR(a->st.st_mode);
	return a->key.len && b->key.len && !strcmp(a->key.buf, b->key.buf);
}

static void place_name(struct mg_buf *out, const struct mg_output *o, const struct out_target *t)
{
	if (t->kind == OUT_FD && t->fd == STDOUT_FILENO)
		mg_buf_adds(out, "standard output");
	else
		mg_buf_addf(out, "'%s'", o->path);
}

int mg_outputs_check(const struct mg_output *outs, size_t n, struct mg_err *err)
{
	struct out_target *t = mg_xcalloc(n ? n : 1, sizeof(*t));
	struct mg_buf where = MG_BUF_INIT(MG_BUF_SMALL);
	int ret = -1;

	for (size_t i = 0; i < n; i++)
		target_init(&t[i]);
	for (size_t i = 0; i < n; i++)
		if (outs[i].path && check_one(&outs[i], &t[i], err))
			goto done;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; outs[i].path && j < i; j++) {
			if (!outs[j].path || !same_place(&t[j], &t[i]))
				continue;
			place_name(&where, &outs[j], &t[j]);
			mg_err_set(err, MG_EXIT_USAGE,
			           "%s and %s both write to %s: give each its own", outs[j].option,
			           outs[i].option, where.buf);
			goto done;
		}
	}
	ret = 0;
done:
	for (size_t i = 0; i < n; i++)
		target_release(&t[i]);
	free(t);
	mg_buf_release(&where);
	return ret;
}

int mg_file_write_atomic(const char *path, const void *data, size_t len, struct mg_err *err)
{
	struct mg_atomic_file f;

	if (mg_atomic_open(&f, path, err))
		return -1;
	if (mg_atomic_write(&f, data, len, err) || mg_atomic_commit(&f, err)) {
		mg_atomic_abort(&f);
		return -1;
	}
	return 0;
}

int mg_write_output(const struct mg_secrets *secrets, const char *path, struct mg_buf *content,
                    struct mg_err *err)
{
	if (mg_buf_overflowed(content))
		return mg_err_set(err, MG_EXIT_INFRA,
		                  "output for '%s' passed its size limit of %zu bytes", path,
		                  content->max);
	if (secrets && mg_secrets_redact(secrets, content))
		return mg_err_set(err, MG_EXIT_INFRA,
		                  "output for '%s' passed its size limit while masking secrets",
		                  path);
	if (strcmp(path, "-"))
		return mg_file_write_atomic(path, content->buf, content->len, err);
	if (fwrite(content->buf, 1, content->len, stdout) != content->len || fflush(stdout))
		return mg_err_set(err, MG_EXIT_INFRA, "cannot write to standard output: %s",
		                  strerror(errno));
	return 0;
}
