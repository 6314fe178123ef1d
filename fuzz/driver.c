/*
 * Stand-alone fuzz driver (see fuzz.h): fuzz_X CORPUS_DIR [ITERATIONS [SEED]]
 * runs every file of CORPUS_DIR, then ITERATIONS mutants (bit flips, byte
 * changes, insertions, deletions, duplicated chunks, splices of two seeds,
 * truncations), reproducibly from SEED: the same SEED and ITERATIONS
 * replay the same inputs, so a crash (reported by the sanitizer or the
 * signal) can be reproduced and debugged.
 */
#include "setup.h"
#include "alloc.h"
#include "buf.h"
#include "fileio.h"
#include "fuzz.h"
#include "parse.h"

#include <dirent.h>
#include <unistd.h>

#define FUZZ_MAX_INPUT (64 * 1024)

char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = mg_xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

struct seeds {
	struct mg_buf *items;
	size_t n, alloc;
};

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void load(const char *dir, struct seeds *seeds)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		fprintf(stderr, "fuzz: cannot open corpus '%s': %s\n", dir, strerror(errno));
		exit(2);
	}
	while ((e = readdir(d))) {
		struct mg_err err = MG_ERR_INIT;
		struct mg_buf b = MG_BUF_INIT(FUZZ_MAX_INPUT);
		char path[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (mg_file_read(path, &b, &err)) {
			fprintf(stderr, "fuzz: %s\n", err.msg);
			exit(2);
		}
		if (seeds->n == seeds->alloc) {
			seeds->alloc = seeds->alloc ? seeds->alloc * 2 : 16;
			seeds->items =
			        mg_xrealloc(seeds->items, seeds->alloc * sizeof(*seeds->items));
		}
		seeds->items[seeds->n++] = b;
	}
	closedir(d);
	if (!seeds->n) {
		fprintf(stderr, "fuzz: no seed in '%s'\n", dir);
		exit(2);
	}
}

static void mutate(struct mg_buf *b, const struct seeds *seeds, uint64_t *rng)
{
	int rounds = 1 + (int)(next(rng) % 4);

	for (int r = 0; r < rounds; r++) {
		size_t at = b->len ? next(rng) % b->len : 0;
		static const char specials[] = "\"\\{}[]<>&;:,'`=\n\r\t\x00\xff\xc3\xa9";

		switch (next(rng) % 8) {
		case 0: /* flip a bit */
			if (b->len)
				b->buf[at] ^= (char)(1u << (next(rng) % 8));
			break;
		case 1: /* a byte that parsers care about */
			if (b->len)
				b->buf[at] = specials[next(rng) % (sizeof(specials) - 1)];
			break;
		case 2: { /* insert */
			char c = (char)(next(rng) & 0xff);
			struct mg_buf t = MG_BUF_INIT(FUZZ_MAX_INPUT);

			mg_buf_add(&t, b->buf, at);
			mg_buf_addch(&t, c);
			mg_buf_add(&t, b->buf + at, b->len - at);
			mg_buf_reset(b);
			mg_buf_add(b, t.buf, t.len);
			mg_buf_release(&t);
			break;
		}
		case 3: /* delete a run */
			if (b->len) {
				size_t n = 1 + next(rng) % 16;

				if (n > b->len - at)
					n = b->len - at;
				memmove(b->buf + at, b->buf + at + n, b->len - at - n);
				mg_buf_truncate(b, b->len - n);
			}
			break;
		case 4: { /* duplicate a chunk */
			size_t n = b->len ? 1 + next(rng) % 64 : 0;

			if (n > b->len - at)
				n = b->len - at;
			if (n) {
				char *chunk = mg_xmalloc(n);

				memcpy(chunk, b->buf + at, n); /* b->buf may move as it grows */
				mg_buf_add(b, chunk, n);
				free(chunk);
			}
			break;
		}
		case 5: { /* splice in part of another seed */
			const struct mg_buf *o = &seeds->items[next(rng) % seeds->n];
			size_t from = o->len ? next(rng) % o->len : 0;

			mg_buf_truncate(b, at);
			mg_buf_add(b, o->buf + from, o->len - from);
			break;
		}
		case 6: /* truncate */
			mg_buf_truncate(b, at);
			break;
		default: { /* a run of one byte: deep nesting, long tokens */
			char c = specials[next(rng) % (sizeof(specials) - 1)];
			size_t n = 1 + next(rng) % 512;

			for (size_t i = 0; i < n; i++)
				mg_buf_addch(b, c);
			break;
		}
		}
	}
}

int main(int argc, char **argv)
{
	struct seeds seeds = {0};
	long long iterations = 0, seed = 1;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf input = MG_BUF_INIT(FUZZ_MAX_INPUT);
	uint64_t rng;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS [SEED]]\n", argv[0]);
		return 2;
	}
	if ((argc > 2 && mg_parse_ll("ITERATIONS", argv[2], 0, 100000000, &iterations, &err)) ||
	    (argc > 3 && mg_parse_ll("SEED", argv[3], 1, LLONG_MAX, &seed, &err))) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		return 2;
	}
	load(argv[1], &seeds);
	for (size_t i = 0; i < seeds.n; i++)
		LLVMFuzzerTestOneInput((const uint8_t *)seeds.items[i].buf, seeds.items[i].len);
	rng = (uint64_t)seed * 0x9e3779b97f4a7c15ULL;
	for (long long i = 0; i < iterations; i++) {
		const struct mg_buf *s = &seeds.items[next(&rng) % seeds.n];

		mg_buf_reset(&input);
		mg_buf_add(&input, s->buf, s->len);
		mutate(&input, &seeds, &rng);
		LLVMFuzzerTestOneInput((const uint8_t *)input.buf, input.len);
	}
	printf("%s: %zu seeds and %lld mutants, no crash\n", argv[0], seeds.n, iterations);
	for (size_t i = 0; i < seeds.n; i++)
		mg_buf_release(&seeds.items[i]);
	free(seeds.items);
	mg_buf_release(&input);
	return 0;
}
