/*
 * The history of the HTML report from the registry (html.h): a model's last
 * N versions, newest by version number, each with the latest value of every
 * metric of its run, and whether it reached production.
 */
#include "setup.h"
#include "html.h"
#include "alloc.h"
#include "registry.h"

#include <stdlib.h>

#define MIN_(a, b) ((a) < (b) ? (a) : (b))

struct found {
	struct mg_model_version *v;
	size_t n, alloc, keep;
};

static int each_version(void *arg, const struct mg_model_version *mv, struct mg_err *err)
{
	struct found *f = arg;
	struct mg_model_version *c;

	(void)err;
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? f->alloc * 2 : 16;
		f->v = mg_xrealloc(f->v, mg_st_mult(f->alloc, sizeof(*f->v)));
	}
	c = &f->v[f->n++];
	memset(c, 0, sizeof(*c));
	c->version = mg_xstrdup(mv->version);
	c->current_stage = mg_xstrdup(mv->current_stage);
	c->run_id = mg_xstrdup(mv->run_id);
	for (size_t i = 0; i < mv->tags.n; i++)
		if (!strncmp(mv->tags.items[i].key, "mlgate.promote.", 15))
			mg_kvlist_set(&c->tags, mv->tags.items[i].key, mv->tags.items[i].value);
	for (size_t i = 0; i < mv->aliases.n; i++)
		mg_kvlist_set(&c->aliases, mv->aliases.items[i].key, mv->aliases.items[i].value);
	return f->n >= f->keep ? 1 : 0;
}

static int newest_first(const void *a, const void *b)
{
	const struct mg_model_version *x = a, *y = b;
	unsigned long long vx = strtoull(x->version, NULL, 10), vy = strtoull(y->version, NULL, 10);

	return vx < vy ? 1 : vx > vy ? -1 : 0;
}

/* In production now, or promoted there by mlgate (the promote tags), or the champion alias. */
static bool reached_production(const struct mg_model_version *mv)
{
	const char *verdict = mg_kvlist_get(&mv->tags, "mlgate.promote.verdict");
	const char *target = mg_kvlist_get(&mv->tags, "mlgate.promote.target");

	if (!strcmp(mv->current_stage, "Production") || mg_kvlist_get(&mv->aliases, "champion"))
		return true;
	return verdict && target && !strcmp(verdict, "passed") &&
	       (!strcmp(target, "stage:Production") || !strcmp(target, "alias:champion"));
}

int mg_html_history_load(struct mg_ctx *ctx, const char *uri, const char *model, size_t last_n,
                         struct mg_html_history *h, struct mg_err *err)
{
	struct mg_registry *reg = NULL;
	struct found f = {NULL, 0, 0, last_n};
	struct mg_buf filter = MG_BUF_INIT(MG_TEXT_NAME_MAX + 32);
	struct mg_version_query q = {0};
	int ret = -1;

	if (strchr(model, '\'') && strchr(model, '"'))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "--model: a name with both quote characters "
		                  "cannot be searched for");
	mg_buf_addf(&filter, strchr(model, '\'') ? "name=\"%s\"" : "name='%s'", model);
	q.filter = filter.buf;
	q.order_by = "version_number DESC";
	q.page_size = (int)(last_n < 1000 ? last_n : 1000);
	if (mg_registry_open(ctx, uri, &reg, err))
		goto done;
	if (mg_registry_search_versions(reg, &q, each_version, &f, err)) {
		/* no ordering (Unity Catalog): every version, the newest N kept below */
		if (err->reason != MG_REASON_UNSUPPORTED || f.n)
			goto done;
		mg_err_clear(err);
		q.order_by = NULL;
		q.page_size = 0;
		f.keep = SIZE_MAX;
		if (mg_registry_search_versions(reg, &q, each_version, &f, err))
			goto done;
		qsort(f.v, f.n, sizeof(*f.v), newest_first);
		for (size_t i = last_n; i < f.n; i++)
			mg_model_version_release(&f.v[i]);
		f.n = MIN_(f.n, last_n);
	}
	/* oldest first on the page */
	for (size_t i = f.n; i-- > 0;) {
		const struct mg_model_version *mv = &f.v[i];
		size_t v = mg_html_history_add_version(h, mv->version, mv->current_stage,
		                                       reached_production(mv));
		struct mg_run run = {0};

		if (!*mv->run_id)
			continue;
		if (mg_registry_get_run(reg, mv->run_id, &run, err)) {
			if (err->reason != MG_REASON_NOT_FOUND)
				goto done;
			mg_err_clear(err); /* a deleted run: the version has no values */
			continue;
		}
		for (size_t m = 0; m < run.metrics.n; m++)
			mg_html_history_set(h, v,
			                    mg_html_history_metric(h, run.metrics.items[m].key),
			                    run.metrics.items[m].value);
		mg_run_release(&run);
	}
	ret = 0;
done:
	for (size_t i = 0; i < f.n; i++)
		mg_model_version_release(&f.v[i]);
	free(f.v);
	mg_buf_release(&filter);
	mg_registry_close(reg);
	return ret;
}
