/*
 * The paired bootstrap of stats.h: each replicate is the vector of counts of
 * n row indices drawn with replacement (a multinomial draw), from its own
 * generator, so threads only split the work: replicate r is the same with
 * -j 1 and -j 8. Both models are evaluated with the same counts (paired).
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

static void replicate(const struct mg_stats_prep *p, uint8_t *w, uint64_t seed, size_t r,
                      double **reps)
{
	size_t n = p->s->n;
	struct mg_rng seeded, g;
	uint64_t total = 0;

	memset(w, 0, n * sizeof(*w));
	mg_rng_replicate(&seeded, seed, r);
	g = seeded; /* a local copy the compiler can keep in registers */
	for (size_t j = 0; j < n; j++)
		w[mg_rng_bounded(&g, n)]++;
	/* a count over 255 wraps and loses 256 from the total: then the replicate is
	 * undefined (never seen above a few rows: P(count > 255) is below 1e-500) */
	for (size_t j = 0; j < n; j++)
		total += w[j];
	for (size_t k = 0; k < p->nm; k++) {
		double va, vb;
		double d = mg_stats_eval(p, k, w, &va, &vb);

		reps[k][r] = total != n ? NAN : d;
	}
}

static void *worker(void *arg)
{
	struct job *j = arg;
	uint8_t *w = mg_xmalloc(mg_st_mult(j->p->s->n ? j->p->s->n : 1, sizeof(*w)));

	for (size_t r = j->r0; r < j->r1; r++)
		replicate(j->p, w, j->seed, r, j->reps);
	free(w);
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
