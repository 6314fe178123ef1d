#include "setup.h"
#include "fileio.h"

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

int mg_atomic_open(struct mg_atomic_file *f, const char *path, struct mg_err *err)
{
	struct mg_buf dir = MG_BUF_INIT(MG_BUF_SMALL);
	const char *base = strrchr(path, '/');
	int ret = -1;
	mode_t mask;

	f->fd = -1;
	f->path = path;
	mg_buf_init(&f->tmp, MG_BUF_SMALL);
	if (!strcmp(path, "-")) {
		fflush(stdout);
		f->fd = STDOUT_FILENO;
		return 0;
	}
	base = base ? base + 1 : path;
	if (!*base) {
		mg_err_set(err, MG_EXIT_USAGE, "cannot write '%s': not a file name", path);
		goto done;
	}
	dir_of(path, &dir);
	/* hidden temp name in the same directory, so rename() stays atomic */
	mg_buf_addf(&f->tmp, "%s/.%s.tmp-XXXXXX", dir.buf, base);
	if (mg_buf_overflowed(&dir) || mg_buf_overflowed(&f->tmp)) {
		mg_err_set(err, MG_EXIT_USAGE, "cannot write '%.200s...': path too long", path);
		goto done;
	}
	f->fd = mkstemp(f->tmp.buf);
	if (f->fd < 0) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(f->fd, 0666 & ~mask)) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	ret = 0;
done:
	if (ret && f->fd >= 0) {
		mg_atomic_abort(f);
	} else if (ret) {
		mg_buf_reset(&f->tmp); /* nothing was created */
		mg_atomic_abort(f);
	}
	mg_buf_release(&dir);
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

	if (f->fd == STDOUT_FILENO && !f->tmp.len) {
		f->fd = -1;
		return 0;
	}
	if (f->fd < 0)
		return mg_err_set(err, MG_EXIT_INFRA, "cannot write '%s': file not open", f->path);
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
	if (rename(f->tmp.buf, f->path)) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot replace '%s': %s", f->path, strerror(errno));
		goto done;
	}
	mg_buf_reset(&f->tmp); /* renamed: nothing left to remove */
	/* make the rename itself durable */
	dir_of(f->path, &dir);
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
	if (f->fd >= 0 && f->fd != STDOUT_FILENO)
		close(f->fd);
	f->fd = -1;
	if (f->tmp.len)
		unlink(f->tmp.buf);
	mg_buf_release(&f->tmp);
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
