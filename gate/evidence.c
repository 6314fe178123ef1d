#include "setup.h"
#include "evidence.h"
#include "junit.h"

const char *const mg_evidence_gates[] = {"smoke", "comply", "compare", NULL};

void mg_evidence_init(struct mg_evidence *ev, const char *path)
{
	memset(ev, 0, sizeof(*ev));
	ev->path = path;
	mg_result_init(&ev->result, "evidence");
	mg_err_clear(&ev->err);
}

void mg_evidence_release(struct mg_evidence *ev)
{
	mg_result_release(&ev->result);
}

size_t mg_evidence_read(struct mg_evidence *ev, size_t n, struct mg_buf *bad)
{
	size_t nbad = 0;

	for (size_t f = 0; f < n; f++) {
		mg_err_clear(&ev[f].err);
		ev[f].ok = !mg_junit_read(ev[f].path, 0, &ev[f].result, &ev[f].err);
		if (ev[f].ok)
			continue;
		nbad++;
		mg_buf_addf(bad, "%s%s", bad->len ? "; " : "", ev[f].err.msg);
	}
	return nbad;
}

const char *mg_evidence_gate(const char *name)
{
	for (size_t i = 0; mg_evidence_gates[i]; i++)
		if (!strcmp(mg_evidence_gates[i], name))
			return mg_evidence_gates[i];
	return NULL;
}

int mg_evidence_parse_gates(const char *spec, const char *what,
                            const char *gates[MG_EVIDENCE_MAX_GATES], size_t *n, struct mg_err *err)
{
	*n = 0;
	for (const char *p = spec;;) {
		size_t len = strcspn(p, ",");
		bool known = false;

		for (size_t i = 0; mg_evidence_gates[i]; i++) {
			if (strlen(mg_evidence_gates[i]) != len ||
			    strncmp(p, mg_evidence_gates[i], len))
				continue;
			known = true;
			for (size_t j = 0; j < *n; j++)
				if (gates[j] == mg_evidence_gates[i])
					return mg_err_set(err, MG_EXIT_USAGE, "%s names '%s' twice",
					                  what, mg_evidence_gates[i]);
			gates[(*n)++] = mg_evidence_gates[i];
		}
		if (!known)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "invalid gate '%.*s' in %s: expected smoke, comply or "
			                  "compare, separated by commas",
			                  (int)(len > 64 ? 64 : len), p, what);
		if (!p[len])
			break;
		p += len + 1;
	}
	return 0;
}
