/*
 * Load generator for mlgate-relay and its Python peer (bench/b_relay.sh):
 * CONNS keep-alive connections, each sending signed MLflow deliveries
 * (X-MLflow-Signature over "ID.TS.BODY", a fresh delivery id each) one after
 * the other, until N have been acknowledged in all.
 *
 *   relay_load PORT PATH SECRET N CONNS [RSS_PID]
 *
 * Prints one line: deliveries per second, p50/p99/max acknowledgement
 * latency, answers other than 202 and, with RSS_PID, that process's resident
 * memory after the first 10% and at the end (VmRSS, /proc).
 */
#include "setup.h"
#include "clock.h"
#include "parse.h"

#include <arpa/inet.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct load {
	int port;
	const char *path, *secret;
	long n, conns;
	atomic_long next;
	atomic_long bad;
	double *lat; /* seconds, per delivery */
	long rss_pid;
	long rss_early;
};

static long rss_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static int connect_to(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		exit(3);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* One response: headers, then Content-Length bytes. Returns the status, -1 on EOF. */
static int read_response(int fd, char *buf, size_t size)
{
	size_t have = 0;
	char *end = NULL;
	long clen = 0;
	int status;

	for (;;) {
		ssize_t r = read(fd, buf + have, size - have - 1);

		if (r <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")))
			break;
	}
	status = (int)strtol(buf + 9, NULL, 10);
	{
		for (char *line = strstr(buf, "\r\n"); line && line < end;
		     line = strstr(line + 2, "\r\n"))
			if (!strncasecmp(line + 2, "Content-Length:", 15))
				clen = strtol(line + 17, NULL, 10);
	}
	while ((long)(have - (size_t)(end + 4 - buf)) < clen) {
		ssize_t r = read(fd, buf + have, size - have - 1);

		if (r <= 0)
			return -1;
		have += (size_t)r;
	}
	return status;
}

static void *client(void *arg)
{
	struct load *l = arg;
	int fd = connect_to(l->port);
	char body[512], req[2048], resp[4096], id[64], ts[24], sig[64] = "v1,";
	char *msg = malloc(4096);
	long i;
	unsigned long long mine = (unsigned long long)pthread_self();

	while ((i = atomic_fetch_add(&l->next, 1)) < l->n) {
		unsigned char mac[EVP_MAX_MD_SIZE];
		unsigned maclen = 0;
		int blen, mlen, rlen, status;
		uint64_t t0;

		snprintf(id, sizeof(id), "%08llx-0000-4000-8000-%012ld", mine & 0xffffffffULL, i);
		snprintf(ts, sizeof(ts), "%ld", (long)time(NULL));
		blen = snprintf(
		        body, sizeof(body),
		        "{\"entity\": \"model_version_alias\", \"action\": \"created\", "
		        "\"timestamp\": \"2026-12-05T00:00:00+00:00\", \"data\": {\"name\": "
		        "\"bench-model\", \"alias\": \"champion\", \"version\": \"%ld\"}}",
		        i % 1000 + 1);
		mlen = snprintf(msg, 4096, "%s.%s.%s", id, ts, body);
		HMAC(EVP_sha256(), l->secret, (int)strlen(l->secret), (unsigned char *)msg,
		     (size_t)mlen, mac, &maclen);
		EVP_EncodeBlock((unsigned char *)sig + 3, mac, (int)maclen);
		rlen = snprintf(req, sizeof(req),
		                "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
		                "application/json\r\nContent-Length: %d\r\nX-MLflow-Delivery-Id: "
		                "%s\r\nX-MLflow-Timestamp: %s\r\nX-MLflow-Signature: %s\r\n\r\n%s",
		                l->path, blen, id, ts, sig, body);
		t0 = mg_clock_ns();
		if (write(fd, req, (size_t)rlen) != rlen) {
			perror("write");
			exit(3);
		}
		status = read_response(fd, resp, sizeof(resp));
		if (status < 0) { /* the server closed a keep-alive connection: reconnect, resend */
			close(fd);
			fd = connect_to(l->port);
			if (write(fd, req, (size_t)rlen) != rlen ||
			    (status = read_response(fd, resp, sizeof(resp))) < 0) {
				fprintf(stderr, "relay_load: no answer\n");
				exit(3);
			}
		}
		l->lat[i] = mg_clock_since(t0);
		if (status != 202)
			atomic_fetch_add(&l->bad, 1);
		if (l->rss_pid && i == l->n / 10)
			l->rss_early = rss_kb(l->rss_pid);
	}
	free(msg);
	close(fd);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct load l = {0};
	struct mg_err err = MG_ERR_INIT;
	long long port, n, conns, pid = 0;
	pthread_t *th;
	uint64_t t0;
	double secs;

	if (argc < 6 || mg_parse_ll("PORT", argv[1], 1, 65535, &port, &err) ||
	    mg_parse_ll("N", argv[4], 1, 100000000, &n, &err) ||
	    mg_parse_ll("CONNS", argv[5], 1, 1000, &conns, &err) ||
	    (argc > 6 && mg_parse_ll("RSS_PID", argv[6], 1, INT32_MAX, &pid, &err))) {
		fprintf(stderr, "usage: relay_load PORT PATH SECRET N CONNS [RSS_PID] %s\n",
		        err.msg);
		return 2;
	}
	l.port = (int)port;
	l.path = argv[2];
	l.secret = argv[3];
	l.n = (long)n;
	l.conns = (long)conns;
	l.rss_pid = (long)pid;
	l.lat = calloc((size_t)n, sizeof(double));
	th = calloc((size_t)conns, sizeof(*th));
	t0 = mg_clock_ns();
	for (long i = 0; i < l.conns; i++)
		pthread_create(&th[i], NULL, client, &l);
	for (long i = 0; i < l.conns; i++)
		pthread_join(th[i], NULL);
	secs = mg_clock_since(t0);
	qsort(l.lat, (size_t)n, sizeof(double), cmp);
	printf("%ld deliveries, %ld connections: %.0f/s, ack p50 %.2f ms, p99 %.2f ms, max %.1f "
	       "ms, "
	       "non-202 %ld",
	       l.n, l.conns, (double)l.n / secs, l.lat[l.n / 2] * 1e3,
	       l.lat[(size_t)((double)l.n * 0.99)] * 1e3, l.lat[l.n - 1] * 1e3,
	       atomic_load(&l.bad));
	if (pid)
		printf(", RSS %.1f MB after %ld, %.1f MB after %ld", (double)l.rss_early / 1024,
		       l.n / 10, (double)rss_kb(l.rss_pid) / 1024, l.n);
	printf("\n");
	free(l.lat);
	free(th);
	return 0;
}
