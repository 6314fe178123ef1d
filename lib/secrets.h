/*
 * The secret registry. Every value registered here is replaced by "***"
 * in everything mlgate prints or writes: log lines (log.h), output files
 * and stdout (fileio.h mg_write_output). Registered at start-up from the
 * credential environment variables, and by any module that derives a new
 * secret (an Authorization header, a URL with a password).
 */
#ifndef MG_SECRETS_H
#define MG_SECRETS_H

#include "setup.h"
#include "buf.h"

#define MG_SECRET_MASK "***"

struct mg_secrets {
	char **values; /* owned copies, longest first, so overlaps mask fully */
	size_t n;      /* number of values */
	size_t alloc;  /* private */
};

#define MG_SECRETS_INIT    \
	{                  \
		NULL, 0, 0 \
	}

/* Register a copy of `value`; empty values and duplicates are ignored. */
void mg_secrets_add(struct mg_secrets *s, const char *value);

/*
 * Register the value of each credential environment variable that is set
 * (MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_PASSWORD, DATABRICKS_TOKEN, ...).
 * Returns how many were registered.
 */
size_t mg_secrets_add_from_env(struct mg_secrets *s);

/* The environment variables mg_secrets_add_from_env() reads, NULL-ended. */
const char *const *mg_secrets_env_names(void);

/*
 * Mask every registered value in `b`, in place. Returns 0, or -1 when
 * masking would pass the buffer's bound (then `b` is emptied rather than
 * left holding a secret).
 */
int mg_secrets_redact(const struct mg_secrets *s, struct mg_buf *b);

void mg_secrets_release(struct mg_secrets *s);

#endif
