/*
 * Benchmark of the JUnit writer and reader (reporters/junit.c).
 *
 *   junit_write write N OUT.xml         stream N test cases to OUT.xml
 *   junit_write gen OUT.xml MB          a JUnit file of about MB megabytes
 *   junit_write merge OUT.xml IN.xml... read every input, write one file
 *
 * Prints wall time and the process's peak RSS (getrusage). Build against
 * a built library, e.g.:
 *
 *   make BUILD=build/r OUT=build/r/bin all
 *   cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Ilib -Ireporters \
 *      $(pkg-config --cflags libxml-2.0) bench/junit_write.c build/r/libmlgate.a \
 *      $(pkg-config --libs libcurl libcjson libgit2 libxml-2.0 sqlite3) -o build/r/junit_write
 */
#include "setup.h"
#include "clock.h"
#include "junit.h"
#include "parse.h"

#include <sys/resource.h>

static long peak_rss_kb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_maxrss;
}

/* Case i: every 100th fails, with a message and details, like a real gate. */
static void make_case(struct mg_check *k, long i, char *id, size_t idlen, const char *out)
{
	snprintf(id, idlen, "bench.case.%ld", i);
	memset(k, 0, sizeof(*k));
	k->id = id;
	k->classname = (char *)"bench";
	k->duration = 0.001;
	k->status = i % 100 == 99 ? MG_STATUS_FAILED : MG_STATUS_PASSED;
	if (k->status == MG_STATUS_FAILED) {
		k->message = (char *)"metric auc 0.81 is below 0.84";
		k->details = (char *)"candidate=0.81 production=0.84 margin=0.01";
	}
	k->output = (char *)out;
}

static int stream(const char *path, long n, const char *out, struct mg_err *err)
{
	struct mg_junit_writer w;
	struct mg_suite s;
	struct mg_counts c = {0};
	char id[64];
	int ret = -1;

	mg_suite_init(&s, "bench");
	c.tests = (size_t)n;
	c.failures = (size_t)(n / 100);
	c.passed = c.tests - c.failures;
	c.time = (double)n * 0.001;
	if (mg_junit_open(&w, path, NULL, err) || mg_junit_begin(&w, "bench", &c, NULL, err) ||
	    mg_junit_suite_begin(&w, &s, &c, err))
		goto done;
	for (long i = 0; i < n; i++) {
		struct mg_check k;

		make_case(&k, i, id, sizeof(id), out);
		if (mg_junit_case(&w, &s, &k, err))
			goto done;
	}
	if (mg_junit_suite_end(&w, &s, err) || mg_junit_finish(&w, err))
		goto done;
	ret = 0;
done:
	mg_junit_release(&w);
	mg_suite_release(&s);
	return ret;
}

static int merge(const char *out, int nin, char **in, struct mg_err *err)
{
	struct mg_result r;
	int ret = -1;

	mg_result_init(&r, "merged");
	for (int i = 0; i < nin; i++)
		if (mg_junit_read(in[i], 0, &r, err))
			goto done;
	ret = mg_junit_write(&r, out, NULL, err);
done:
	mg_result_release(&r);
	return ret;
}

int main(int argc, char **argv)
{
	struct mg_err err = MG_ERR_INIT;
	uint64_t start = mg_clock_ns();
	long long n = 0;
	int rc = -1;

	if (argc == 4 && !strcmp(argv[1], "write")) {
		if (!mg_parse_ll("N", argv[2], 1, 100000000, &n, &err))
			rc = stream(argv[3], (long)n, NULL, &err);
	} else if (argc == 4 && !strcmp(argv[1], "gen")) {
		/* ~100 bytes of markup + 100 bytes of output per case */
		if (!mg_parse_ll("MB", argv[3], 1, 4096, &n, &err))
			rc = stream(argv[2], (long)(n * 1024 * 1024 / 200),
			            "captured output line of "
			            "the command under test, with numbers 0123456789 and words",
			            &err);
	} else if (argc >= 4 && !strcmp(argv[1], "merge")) {
		rc = merge(argv[2], argc - 3, argv + 3, &err);
	} else {
		fprintf(stderr, "usage: junit_write write N OUT | gen OUT MB | merge OUT IN...\n");
		return 2;
	}
	if (rc) {
		fprintf(stderr, "junit_write: %s\n", err.msg);
		return 1;
	}
	printf("%s: %.3f s, peak RSS %ld KiB\n", argv[1], mg_clock_since(start), peak_rss_kb());
	return 0;
}
