/*
 * The paired bootstrap of stats.h: each replicate is a vector of row counts
 * from its own generator, so threads only split the work: replicate r is the
 * same with -j 1 and -j 8. Both models are evaluated with the same counts
 * (paired). Up to MG_STATS_POISSON_MIN rows the counts are those of n row
 * indices drawn with replacement (a multinomial draw); above, every row gets
 * an independent Poisson(1) count (the Poisson bootstrap, docs/compare.md),
 * drawn in row order by integer inversion: no scatter into random places.
 */
#include "setup.h"
#include "stats.h"
#include "alloc.h"

#include <math.h>
#include <pthread.h>

struct job {
	const struct mg_stats_prep *p;
	double **reps;
	uint64_t seed;
	size_t r0, r1;
};

/*
 * floor(2^32 P(X <= k)) for X ~ Poisson(1), k = 0..11, then 2^32: a uniform
 * 32-bit u has count k when P1[k-1] <= u < P1[k]. Counts stop at 12 (the
 * 4 largest u; P(X >= 12) = 8.3e-10), so they never wrap a byte.
 */
static const uint64_t P1[13] = {
        1580030168, 3160060337, 3950075421, 4213413783, 4279248373, 4292415291, 4294609777,
        4294923276, 4294962463, 4294966817, 4294967252, 4294967292, 4294967296,
};

/*
 * The count of u: that of the lowest value with u's top byte (lo), then a
 * step up past each threshold above it (about 1 % of the time).
 */
static inline uint8_t poisson1(const uint8_t *lo, uint32_t u)
{
	unsigned k = lo[u >> 24];

	while (u >= P1[k])
		k++;
	return (uint8_t)k;
}

/* two counts from each 64-bit output, low half first */
void mg_stats_poisson1(struct mg_rng *g, uint8_t *w, size_t n)
{
	struct mg_rng r = *g; /* a local copy: the stores into w cannot alias it */
	uint8_t lo[256];
	size_t j = 0;

	for (unsigned b = 0, k = 0; b < 256; b++) {
		while (((uint64_t)b << 24) >= P1[k])
			k++;
		lo[b] = (uint8_t)k;
	}
	for (; j + 2 <= n; j += 2) {
		uint64_t x = mg_rng_next(&r);

		w[j] = poisson1(lo, (uint32_t)x);
		w[j + 1] = poisson1(lo, (uint32_t)(x >> 32));
	}
	if (j < n)
		w[j] = poisson1(lo, (uint32_t)mg_rng_next(&r));
	*g = r;
}

static void replicate(const struct mg_stats_prep *p, uint8_t *w, uint8_t *tmp, uint64_t seed,
                      size_t r, double **reps)
{
	size_t n = p->s->n;
	struct mg_rng seeded, g;
	bool wrapped = false;

	mg_rng_replicate(&seeded, seed, r);
	g = seeded; /* a local copy the compiler can keep in registers */
	if (n > MG_STATS_POISSON_MIN) {
		mg_stats_poisson1(&g, w, n); /* counts of at most 12: none wraps */
	} else {
		uint64_t total = 0;

		memset(w, 0, n * sizeof(*w));
		for (size_t j = 0; j < n; j++)
			w[mg_rng_bounded(&g, n)]++;
		/* a count over 255 wraps and loses 256 from the total: then the replicate
		 * is undefined (never seen above a few rows: P(count > 255) < 1e-500) */
		for (size_t j = 0; j < n; j++)
			total += w[j];
		wrapped = total != n;
	}
	for (size_t k = 0; k < p->nm; k++) {
		double va, vb;
		double d = mg_stats_eval_tmp(p, k, w, tmp, &va, &vb);

		reps[k][r] = wrapped ? NAN : d;
	}
}

static void *worker(void *arg)
{
	struct job *j = arg;
	size_t n = j->p->s->n ? j->p->s->n : 1;
	uint8_t *w = mg_xmalloc(n), *tmp = mg_xmalloc(n);

	for (size_t r = j->r0; r < j->r1; r++)
		replicate(j->p, w, tmp, j->seed, r, j->reps);
	free(w);
	free(tmp);
	return NULL;
}

int mg_stats_bootstrap(const struct mg_stats_prep *p, size_t B, uint64_t seed, unsigned threads,
                       double **reps, struct mg_err *err)
{
	struct job *jobs;
	pthread_t *tid;
	unsigned started = 0;
	int ret = 0;

	if (threads < 1)
		threads = 1;
	if (threads > B)
		threads = B ? (unsigned)B : 1;
	jobs = mg_xcalloc(threads, sizeof(*jobs));
	tid = mg_xcalloc(threads, sizeof(*tid));
	for (unsigned t = 0; t < threads; t++) {
		jobs[t] = (struct job){p, reps, seed, (size_t)t * B / threads,
		                       (size_t)(t + 1) * B / threads};
	}
	if (threads == 1) {
		worker(&jobs[0]);
	} else {
		for (; started < threads; started++) {
			int e = pthread_create(&tid[started], NULL, worker, &jobs[started]);

			if (e) {
				ret = mg_err_set(err, MG_EXIT_INFRA,
				                 "cannot start a bootstrap thread: %s",
				                 strerror(e));
				break;
			}
		}
		for (unsigned t = 0; t < started; t++)
			pthread_join(tid[t], NULL);
	}
	free(jobs);
	free(tid);
	return ret;
}
