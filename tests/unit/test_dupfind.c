#include "setup.h"
#include "unit.h"
#include "dupfind.h"
#include "alloc.h"

#include <dirent.h>
#include <unistd.h>

/* A fingerprint per key number (any injective map will do). */
static void fp_of(uint64_t key, uint64_t fp[2])
{
	fp[0] = key * 0x9e3779b97f4a7c15ULL;
	fp[1] = ~key;
}

/*
 * Find the duplicates among keys[0..n), key i at row i + 2 (as a CSV's data
 * rows), holding `buffer` entries in memory (0: the default). Returns the
 * number of duplicates, the first ones copied into out[0..*kept), or -1
 * (*code, when not NULL, gets err.code; `msg`, when not NULL, its message).
 */
static long long find(const uint64_t *keys, size_t n, size_t buffer, struct mg_dup *out,
                      size_t *kept, int *code, char *msg, size_t msg_len)
{
	struct mg_dupfind *d = mg_dupfind_new(buffer, "data.csv");
	struct mg_err err = MG_ERR_INIT;
	long long ret = -1;

	*kept = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t fp[2];

		fp_of(keys[i], fp);
		if (mg_dupfind_add(d, fp, i + 2, &err))
			goto done;
	}
	if (!mg_dupfind_finish(d, &err)) {
		const struct mg_dup *first;

		*kept = mg_dupfind_first(d, &first);
		memcpy(out, first, *kept * sizeof(*first));
		ret = (long long)mg_dupfind_count(d);
	}
done:
	if (code)
		*code = err.code;
	if (msg)
		snprintf(msg, msg_len, "%s", err.msg);
	mg_dupfind_free(d);
	return ret;
}

/* Whether the kept duplicates are exactly want[0..n) (row, first). */
static bool same_dups(const struct mg_dup *got, size_t kept, const struct mg_dup *want, size_t n)
{
	if (kept != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (got[i].row != want[i].row || got[i].first != want[i].first)
			return false;
	return true;
}

/* 200 rows, 4 to 9 fingerprints in memory: up to 50 runs merged over several levels. */
static void test_dupfind__across_runs(void)
{
	static const struct mg_dup want[] = {{7, 6}, {152, 5}, {201, 102}};
	uint64_t keys[200];
	struct mg_dup got[MG_DUPFIND_KEEP];
	size_t kept;

	for (int i = 0; i < 200; i++)
		keys[i] = (uint64_t)(i == 5 ? 4 : i == 150 ? 3 : i == 199 ? 100 : i);
	for (size_t buffer = 4; buffer <= 9; buffer++) {
		CU_ASSERT_EQUAL(find(keys, 200, buffer, got, &kept, NULL, NULL, 0), 3);
		CU_ASSERT(same_dups(got, kept, want, 3));
	}
}

/* No duplicates, whatever the buffer. */
static void test_dupfind__none(void)
{
	static const size_t buffers[] = {4, 100, 0};
	uint64_t *keys = mg_xcalloc(5000, sizeof(*keys));
	struct mg_dup got[MG_DUPFIND_KEEP];
	size_t kept;

	for (int i = 0; i < 5000; i++)
		keys[i] = (uint64_t)(i * 7919 % 5000);
	for (size_t b = 0; b < MG_ARRAY_SIZE(buffers); b++) {
		CU_ASSERT_EQUAL(find(keys, 5000, buffers[b], got, &kept, NULL, NULL, 0), 0);
		CU_ASSERT_EQUAL(kept, 0);
	}
	CU_ASSERT_EQUAL(find(keys, 0, 4, got, &kept, NULL, NULL, 0), 0);
	CU_ASSERT_EQUAL(find(keys, 1, 4, got, &kept, NULL, NULL, 0), 0);
	free(keys);
}

/* 900 duplicates: counted, the first 10 by row kept. */
static void test_dupfind__many_capped(void)
{
	static const size_t buffers[] = {0, 4, 7, 64, 1000};
	uint64_t keys[1000];
	struct mg_dup got[MG_DUPFIND_KEEP], want[MG_DUPFIND_KEEP];
	size_t kept;

	for (int i = 0; i < 1000; i++)
		keys[i] = (uint64_t)(i % 100);
	for (int i = 0; i < 10; i++)
		want[i] = (struct mg_dup){(uint64_t)(102 + i), (uint64_t)(2 + i)};
	for (size_t b = 0; b < MG_ARRAY_SIZE(buffers); b++) {
		CU_ASSERT_EQUAL(find(keys, 1000, buffers[b], got, &kept, NULL, NULL, 0), 900);
		CU_ASSERT(same_dups(got, kept, want, 10));
	}
}

/* The results of a brute-force reference, on keys drawn with repeats. */
static void test_dupfind__same_as_reference(void)
{
	static const size_t buffers[] = {0, 4, 5, 33, 1000, 2999, 3000, 3001};
	uint64_t keys[3000];
	struct mg_dup got[MG_DUPFIND_KEEP], want[MG_DUPFIND_KEEP];
	int first[2000], lines = 0, dups = 0;
	uint32_t x = 12345;
	size_t kept;

	for (int k = 0; k < 2000; k++)
		first[k] = 0;
	for (int i = 0; i < 3000; i++) {
		int k, row = i + 2;

		x = x * 1103515245u + 12345u;
		k = (int)(x >> 8) % 2000;
		keys[i] = (uint64_t)k;
		if (!first[k]) {
			first[k] = row;
		} else {
			dups++;
			if (lines < 10)
				want[lines++] = (struct mg_dup){(uint64_t)row, (uint64_t)first[k]};
		}
	}
	CU_ASSERT(dups > 10);
	for (size_t b = 0; b < MG_ARRAY_SIZE(buffers); b++) {
		CU_ASSERT_EQUAL(find(keys, 3000, buffers[b], got, &kept, NULL, NULL, 0), dups);
		CU_ASSERT(same_dups(got, kept, want, 10));
	}
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/*
 * The runs go to $TMPDIR and leave nothing there, nor an open descriptor;
 * what fits in memory needs no temporary file; a temporary file that cannot
 * be created is an infrastructure error.
 */
static void test_dupfind__temp_files(void)
{
	char dir[] = "/tmp/mlgate-unit-uniq.XXXXXX", *old = getenv("TMPDIR");
	char msg[MG_ERR_MSG_MAX], *saved = old ? mg_xstrdup(old) : NULL;
	uint64_t keys[300];
	struct mg_dup got[MG_DUPFIND_KEEP];
	size_t kept;
	int fds, code = 0;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	for (int i = 0; i < 300; i++)
		keys[i] = (uint64_t)(i % 250);
	setenv("TMPDIR", dir, 1);
	fds = count_entries("/proc/self/fd");
	CU_ASSERT_EQUAL(find(keys, 300, 4, got, &kept, NULL, NULL, 0), 50);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	CU_ASSERT_EQUAL(count_entries("/proc/self/fd"), fds);
	CU_ASSERT_EQUAL(rmdir(dir), 0);

	/* fits in memory: no temporary file, so a missing TMPDIR does not matter */
	CU_ASSERT_EQUAL(find(keys, 300, 0, got, &kept, NULL, NULL, 0), 50);
	CU_ASSERT_EQUAL(find(keys, 300, 4, got, &kept, &code, msg, sizeof(msg)), -1);
	CU_ASSERT_EQUAL(code, MG_EXIT_INFRA);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "'data.csv': cannot create a temporary file in "
	                                   "'/tmp/mlgate-unit-uniq."));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "for the unique check: No such file or directory"));
	CU_ASSERT_EQUAL(count_entries("/proc/self/fd"), fds);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_dupfind__across_runs), UNIT_TEST(test_dupfind__none),
        UNIT_TEST(test_dupfind__many_capped), UNIT_TEST(test_dupfind__same_as_reference),
        UNIT_TEST(test_dupfind__temp_files),  UNIT_END,
};

const struct unit_suite unit_suite_dupfind = {"dupfind", NULL, NULL, tests};
