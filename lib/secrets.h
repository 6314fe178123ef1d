/*
 * The secret registry. Every value registered here is replaced by "***"
 * in everything mlgate prints or writes: log lines (log.h), output files
 * and stdout (fileio.h mg_write_output). Registered at start-up from the
 * credential environment variables, and by any module that derives a new
 * secret (an Authorization header, a URL with a password).
 *
 * A secret is masked in every form it can be echoed in, not only as
 * registered: JSON-escaped (as cJSON and as Python's json.dumps with
 * ensure_ascii write it), URL-encoded (upper- and lower-case hex, '+' for a
 * space), and base64 (the part of its encoding that does not depend on the
 * bytes around it, at each of the three alignments, standard and URL-safe
 * alphabets: a password inside "Authorization: Basic base64(user:password)"
 * whatever the user). And any fragment of 16 or more bytes of any form is
 * masked too, so a secret that something cut in half upstream (a server
 * echoing it, a bounded body) still leaks nothing that long. Callers that
 * cut or escape text mask first (mg_result_clean, log.h).
 */
#ifndef MG_SECRETS_H
#define MG_SECRETS_H

#include "setup.h"
#include "buf.h"

#define MG_SECRET_MASK "***"

/* A fragment of a secret this long or longer is masked wherever it appears. */
#define MG_SECRET_FRAGMENT 16

struct mg_secret_window; /* private: one MG_SECRET_FRAGMENT-byte window of a form */

struct mg_secrets {
	char **values; /* the registered values, owned copies, longest first */
	size_t n;      /* number of values */
	size_t alloc;  /* private */
	/* private: every form masked (values and their encodings), longest first */
	char **forms;
	size_t nforms, forms_alloc;
	/* private: the windows of the forms at least MG_SECRET_FRAGMENT long, sorted */
	struct mg_secret_window *windows;
	size_t nwindows, windows_alloc;
};

#define MG_SECRETS_INIT                            \
	{                                          \
		NULL, 0, 0, NULL, 0, 0, NULL, 0, 0 \
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
 * Mask every registered value in `b`, in place: each form of each value
 * (see above), then every run of text made of fragments of MG_SECRET_FRAGMENT
 * or more bytes of a form, each replaced by one mask. Returns 0, or -1 when
 * masking would pass the buffer's bound (then `b` is emptied rather than
 * left holding a secret).
 */
int mg_secrets_redact(const struct mg_secrets *s, struct mg_buf *b);

/* Whether `text` holds anything mg_secrets_redact() would mask. */
bool mg_secrets_found(const struct mg_secrets *s, const char *text, size_t len);

void mg_secrets_release(struct mg_secrets *s);

#endif
