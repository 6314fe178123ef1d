/*
 * Benchmark of the CSV reader alone (lib/csvstream.c): tokenising, bounds
 * and UTF-8 checks, with a callback that only counts fields, so the numbers
 * leave out the data contract's rules (bench/b_smoke.sh times those too).
 *
 *   smoke_tokenize FILE.csv
 *
 * Prints throughput, wall time and the process's peak RSS (getrusage).
 */
#include "setup.h"
#include "clock.h"
#include "csvstream.h"

#include <inttypes.h>
#include <sys/resource.h>
#include <sys/stat.h>

static int count_fields(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                        struct mg_err *err)
{
	uint64_t *fields = arg;

	(void)row;
	(void)f;
	(void)err;
	*fields += n;
	return 0;
}

int main(int argc, char **argv)
{
	struct mg_err err = MG_ERR_INIT;
	struct rusage ru;
	struct stat st;
	uint64_t fields = 0, rows = 0, t0;
	double secs;

	if (argc != 2) {
		fprintf(stderr, "usage: smoke_tokenize FILE.csv\n");
		return 2;
	}
	if (stat(argv[1], &st)) {
		fprintf(stderr, "smoke_tokenize: cannot stat '%s': %s\n", argv[1], strerror(errno));
		return 2;
	}
	t0 = mg_clock_ns();
	if (mg_csv_read_file(argv[1], NULL, count_fields, &fields, &rows, &err)) {
		fprintf(stderr, "smoke_tokenize: %s\n", err.msg);
		return err.code;
	}
	secs = mg_clock_since(t0);
	getrusage(RUSAGE_SELF, &ru);
	printf("%.1f MB/s (%.2f s), peak RSS %ld KiB, %" PRIu64 " rows, %" PRIu64 " fields\n",
	       (double)st.st_size / secs / 1e6, secs, ru.ru_maxrss, rows, fields);
	return 0;
}
