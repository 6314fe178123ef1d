/*
 * dbauth_probe: Databricks authentication (lib/registry/dbauth.h) as a command
 * line, for t_dbauth.sh. Everything it prints goes through the secret registry,
 * so a token in its output is a masking failure.
 *
 *   dbauth_probe PROFILE|- STEP...
 *
 * Prints "kind=K host=H source=S", then one line per step:
 *   header     the Authorization value to send now, masked, and the number of
 *              token requests so far: "header: Bearer *** requests=1"
 *   force      the same after a forced refresh (what a caller does on a 401)
 *   api        GET {host}/api/2.0/me with that header: "api: HTTP 200 {...}";
 *              on a 401 with OAuth, one forced refresh and one retry
 *              ("api: retry after 401"), then a second 401 is exit 3
 *   sleep:N    wait N seconds
 * Errors: "dbauth_probe: message" on stderr, exit code = the error's code.
 */
#include "setup.h"
#include "buf.h"
#include "ctx.h"
#include "dbauth.h"
#include "http.h"
#include "parse.h"

#include <curl/curl.h>
#include <unistd.h>

static void say(struct mg_ctx *ctx, const char *fmt, ...) MG_PRINTF(2, 3);

/* One masked line on stdout. */
static void say(struct mg_ctx *ctx, const char *fmt, ...)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (!mg_secrets_redact(&ctx->secrets, &b))
		printf("%s\n", b.buf);
	mg_buf_release(&b);
}

static int api(struct mg_ctx *ctx, struct mg_dbauth *a, struct mg_http *http, struct mg_err *err)
{
	struct mg_buf value = MG_BUF_INIT(MG_BUF_SMALL), header = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf url = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_http_response resp;
	const char *headers[] = {NULL, NULL};
	struct mg_http_req req = {"GET", NULL, NULL, NULL, headers};
	int ret = -1;

	mg_http_response_init(&resp);
	mg_buf_addf(&url, "%s/api/2.0/me", mg_dbauth_host(a));
	req.url = url.buf;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (mg_dbauth_header(a, http, attempt > 0, &value, err))
			goto done;
		mg_buf_reset(&header);
		mg_buf_addf(&header, "Authorization: %s", value.buf);
		headers[0] = header.buf;
		if (mg_http_send(http, &req, &resp, err))
			goto done;
		say(ctx, "api: HTTP %ld %s", resp.status, resp.body.buf);
		if (resp.status != 401 || !mg_dbauth_refreshable(a))
			break;
		if (attempt) {
			mg_err_set(err, MG_EXIT_INFRA,
			           "GET %s: HTTP 401 again after refreshing the OAuth token",
			           url.buf);
			goto done;
		}
		say(ctx, "api: retry after 401");
	}
	ret = resp.status == 200
	              ? 0
	              : mg_err_set(err, MG_EXIT_INFRA, "GET %s: HTTP %ld", url.buf, resp.status);
done:
	mg_http_response_release(&resp);
	mg_buf_release(&value);
	mg_buf_release(&header);
	mg_buf_release(&url);
	return ret;
}

static int step(struct mg_ctx *ctx, struct mg_dbauth *a, struct mg_http *http, const char *s,
                struct mg_err *err)
{
	struct mg_buf value = MG_BUF_INIT(MG_BUF_SMALL);
	long long secs;
	int ret = 0;

	if (!strcmp(s, "header") || !strcmp(s, "force")) {
		ret = mg_dbauth_header(a, http, !strcmp(s, "force"), &value, err);
		if (!ret)
			say(ctx, "%s: %s requests=%d", s, value.buf, mg_dbauth_token_requests(a));
	} else if (!strcmp(s, "api")) {
		ret = api(ctx, a, http, err);
	} else if (!strncmp(s, "sleep:", 6)) {
		ret = mg_parse_ll("sleep", s + 6, 0, 600, &secs, err);
		if (!ret)
			sleep((unsigned)secs);
	} else {
		ret = mg_err_set(err, MG_EXIT_USAGE, "unknown step '%s'", s);
	}
	mg_buf_release(&value);
	return ret;
}

int main(int argc, char **argv)
{
	struct mg_ctx ctx;
	struct mg_err err = MG_ERR_INIT;
	struct mg_http_config cfg;
	struct mg_http *http = NULL;
	struct mg_dbauth *a = NULL;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: dbauth_probe PROFILE|- STEP...\n");
		return MG_EXIT_USAGE;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	mg_ctx_init(&ctx, "dbauth_probe");
	if (mg_ctx_from_env(&ctx, &err) || mg_http_config_from_env(&cfg, &err) ||
	    mg_dbauth_open(&ctx, strcmp(argv[1], "-") ? argv[1] : NULL, &a, &err))
		goto done;
	say(&ctx, "kind=%s host=%s source=%s", mg_dbauth_kind(a), mg_dbauth_host(a),
	    mg_dbauth_source(a));
	http = mg_http_new(&cfg, &ctx.log);
	for (int i = 2; i < argc; i++)
		if (step(&ctx, a, http, argv[i], &err))
			goto done;
done:
	if (mg_err_failed(&err)) {
		mg_error(&ctx.log, "%s", err.msg);
		rc = err.code;
	}
	mg_dbauth_free(a);
	mg_http_free(http);
	rc = mg_ctx_finish(&ctx, rc);
	mg_ctx_release(&ctx);
	curl_global_cleanup();
	return rc;
}
