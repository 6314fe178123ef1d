/*
 * A loopback HTTP server for unit tests, in a forked child: connection i
 * gets one request read whole and answers[i] (Connection: close), and every
 * request is appended as received to a log file the test reads back.
 */
#include "setup.h"
#include "unit.h"
#include "alloc.h"
#include "buf.h"
#include "fileio.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Read one request: the head up to the blank line, then Content-Length bytes. */
static void read_request(int fd, struct mg_buf *req)
{
	char chunk[4096];
	size_t head = 0, want = 0;

	for (;;) {
		ssize_t n;
		char *end, *cl;

		if (head && req->len >= head + want)
			return;
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			return;
		mg_buf_add(req, chunk, (size_t)n);
		if (head || !(end = strstr(req->buf, "\r\n\r\n")))
			continue;
		head = (size_t)(end - req->buf) + 4;
		cl = strstr(req->buf, "Content-Length: ");
		if (cl && cl < end)
			want = (size_t)strtoul(cl + 16, NULL, 10);
	}
}

static void serve(int lfd, const struct unit_http_answer *answers, size_t n, const char *log)
{
	alarm(30); /* never outlive a test that forgot to stop the server */
	for (size_t i = 0; i < n; i++) {
		struct mg_buf req = MG_BUF_INIT(MG_BUF_SMALL), out = MG_BUF_INIT(MG_BUF_SMALL);
		int fd = accept(lfd, NULL, NULL);
		FILE *f;
		size_t len = strlen(answers[i].body);

		if (fd < 0)
			_exit(1);
		read_request(fd, &req);
		f = fopen(log, "a");
		if (f) {
			fprintf(f, "%s\n----\n", req.buf);
			fclose(f);
		}
		mg_buf_addf(&out,
		            "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		            "Connection: close\r\n\r\n%s",
		            answers[i].status, answers[i].content_type, len, answers[i].body);
		if (write(fd, out.buf, out.len) < 0)
			_exit(1);
		close(fd);
		mg_buf_release(&req);
		mg_buf_release(&out);
	}
	_exit(0);
}

int unit_http_stub_start(struct unit_http_stub *s, const struct unit_http_answer *answers, size_t n)
{
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	memset(s, 0, sizeof(*s));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 8) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen)) {
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	s->dir = unit_tmpdir();
	mg_buf_addf(&b, "%s/requests.log", s->dir);
	s->log = mg_buf_take(&b, NULL);
	mg_buf_addf(&b, "http://127.0.0.1:%d", ntohs(addr.sin_port));
	s->url = mg_buf_take(&b, NULL);
	fflush(NULL);
	s->pid = fork();
	if (s->pid == 0)
		serve(lfd, answers, n, s->log);
	close(lfd);
	return s->pid < 0 ? -1 : 0;
}

char *unit_http_stub_requests(const struct unit_http_stub *s)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_err err = MG_ERR_INIT;

	mg_file_read(s->log, &b, &err); /* no request yet: no file, "" */
	return mg_buf_take(&b, NULL);
}

void unit_http_stub_stop(struct unit_http_stub *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	unit_rmtree(s->dir);
	free(s->dir);
	free(s->log);
	free(s->url);
	memset(s, 0, sizeof(*s));
}
