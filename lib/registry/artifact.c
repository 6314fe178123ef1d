/*
 * Run artifacts (registry.h, mg_registry_log_artifact): where a run keeps
 * them, and one file put there. REST servers take it through MLflow's
 * artifact proxy (mlflow server --serve-artifacts: PUT
 * /api/2.0/mlflow-artifacts/artifacts/<path>), the way MLflow's own
 * MlflowArtifactsRepository resolves an mlflow-artifacts: URI; a SQLite
 * store's runs keep theirs in local files. Everything else is refused,
 * saying what to do: mlgate never writes to object stores itself.
 */
#include "setup.h"
#include "rest.h"
#include "alloc.h"
#include "fileio.h"

#include <errno.h>
#include <strings.h>
#include <sys/stat.h>

#define PROXY_ROUTE "/api/2.0/mlflow-artifacts/artifacts"

/* The length of a URI scheme at the start of `s` (Python's urlsplit), or 0. */
static size_t scheme_len(const char *s)
{
	size_t n = 0;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while (s[n] && s[n] != ':') {
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '-' || c == '.'))
			return 0;
		n++;
	}
	return s[n] == ':' ? n : 0;
}

static bool has_scheme(const char *uri, const char *scheme)
{
	size_t n = strlen(scheme);

	return scheme_len(uri) == n && !strncasecmp(uri, scheme, n);
}

/* Append `s` (n bytes) to a URL path as requests sends it: unsafe bytes %-escaped, '/' and
 * escapes kept. */
static void add_url_path(struct mg_buf *out, const char *s, size_t n)
{
	static const char keep[] = "-._~/%:@!$&'()*+,;=";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c && strchr(keep, c)))
			mg_buf_addch(out, (char)c);
		else
			mg_buf_addf(out, "%%%02X", c);
	}
}

/* Drop repeated and trailing slashes of the path appended at `from`. */
static void squeeze_slashes(struct mg_buf *b, size_t from)
{
	size_t w = from;

	for (size_t r = from; r < b->len; r++)
		if (!(b->buf[r] == '/' && w > from && b->buf[w - 1] == '/'))
			b->buf[w++] = b->buf[r];
	while (w > from + 1 && b->buf[w - 1] == '/')
		w--;
	mg_buf_truncate(b, w);
}

static int unsupported_location(const char *artifact_uri, bool local_store, struct mg_err *err)
{
	size_t n = scheme_len(artifact_uri);

	if (local_store)
		return mg_err_setr(
		        err, MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
		        "its artifacts are at '%.300s' (scheme '%.*s'), not in "
		        "local files: with a sqlite: registry mlgate writes into a "
		        "local artifact directory only; give --registry the MLflow server "
		        "that serves these artifacts (mlflow server --serve-artifacts), or "
		        "publish the page as a CI artifact instead",
		        artifact_uri, (int)n, artifact_uri);
	if (!n || n == 1 || has_scheme(artifact_uri, "file"))
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
		                   "its artifacts are at '%.300s', a path on the MLflow "
		                   "server's own disk that mlgate cannot write over HTTP: run the "
		                   "server with --serve-artifacts and without a local "
		                   "--default-artifact-root (new experiments then get "
		                   "mlflow-artifacts:/ locations), or publish the page as a CI "
		                   "artifact instead",
		                   artifact_uri);
	return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
	                   "its artifacts are at '%.300s' (scheme '%.*s'), which mlgate "
	                   "does not write to: it uploads through the MLflow server's artifact "
	                   "proxy (mlflow server --serve-artifacts --artifacts-destination "
	                   "%.*s://..., experiments with mlflow-artifacts:/ locations), or "
	                   "publish the page as a CI artifact instead",
	                   artifact_uri, (int)n, artifact_uri, (int)n, artifact_uri);
}

int mg_artifact_proxy_url(const char *base, const char *artifact_uri, const char *path,
                          struct mg_buf *out, struct mg_err *err)
{
	size_t bs = scheme_len(base), start = out->len;
	const char *bnet, *bpath, *upath, *unet = NULL, *end;
	size_t unet_len = 0;

	if (!bs || strncmp(base + bs, "://", 3))
		return mg_err_set(err, MG_EXIT_USAGE, "registry '%.300s' is not an http(s) URL",
		                  base);
	bnet = base + bs + 3;
	bpath = bnet + strcspn(bnet, "/?#");
	if (has_scheme(artifact_uri, "mlflow-artifacts")) {
		upath = artifact_uri + strlen("mlflow-artifacts:");
		if (!strncmp(upath, "//", 2)) {
			unet = upath + 2;
			unet_len = strcspn(unet, "/?#");
			upath = unet + unet_len;
		}
		end = upath + strcspn(upath, "?#");
		/* urlunparse(tracking scheme, artifact host or tracking host, tracking path +
		 * route + artifact path) */
		mg_buf_add(out, base, bs + 3);
		if (unet_len)
			mg_buf_add(out, unet, unet_len);
		else
			mg_buf_add(out, bnet, (size_t)(bpath - bnet));
		start = out->len;
		mg_buf_add(out, bpath, strcspn(bpath, "?#"));
		mg_buf_adds(out, "/" PROXY_ROUTE "/");
		add_url_path(out, upath, (size_t)(end - upath));
	} else if ((has_scheme(artifact_uri, "http") || has_scheme(artifact_uri, "https")) &&
	           strstr(artifact_uri, PROXY_ROUTE)) {
		end = artifact_uri + strcspn(artifact_uri, "?#");
		start = out->len + scheme_len(artifact_uri) + 3;
		start += strcspn(artifact_uri + scheme_len(artifact_uri) + 3, "/");
		add_url_path(out, artifact_uri, (size_t)(end - artifact_uri));
	} else {
		return unsupported_location(artifact_uri, false, err);
	}
	squeeze_slashes(out, start);
	mg_buf_addch(out, '/');
	add_url_path(out, path, strlen(path));
	if (mg_buf_overflowed(out))
		return mg_err_set(err, MG_EXIT_USAGE, "artifact URL for '%.200s' is too long",
		                  artifact_uri);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mg_artifact_local_path(const char *artifact_uri, const char *path, struct mg_buf *out,
                           struct mg_err *err)
{
	const char *p = artifact_uri;

	if (has_scheme(p, "file")) {
		p += 5;
		if (!strncmp(p, "//", 2)) {
			size_t n = strcspn(p + 2, "/");

			if (n && !(n == 9 && !strncasecmp(p + 2, "localhost", 9)))
				return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
				                   "its artifacts are at '%.300s', on another "
				                   "host: mlgate writes local files only",
				                   artifact_uri);
			p += 2 + n;
		}
		/* file: URIs are %-escaped */
		for (; *p && *p != '?' && *p != '#'; p++) {
			int hi = *p == '%' ? hexval(p[1]) : -1, lo = hi >= 0 ? hexval(p[2]) : -1;

			if (lo >= 0 && (hi || lo)) {
				mg_buf_addch(out, (char)(hi * 16 + lo));
				p += 2;
			} else {
				mg_buf_addch(out, *p);
			}
		}
	} else if (scheme_len(p) > 1) {
		return unsupported_location(artifact_uri, true, err);
	} else {
		mg_buf_adds(out, p);
	}
	if (!out->len)
		return mg_err_set(err, MG_EXIT_USAGE, "no artifact location");
	if (out->buf[out->len - 1] != '/')
		mg_buf_addch(out, '/');
	mg_buf_adds(out, path);
	if (mg_buf_overflowed(out))
		return mg_err_set(err, MG_EXIT_USAGE, "artifact path under '%.200s' is too long",
		                  artifact_uri);
	return 0;
}

/* mkdir -p of the directories above the file `file`. */
static int make_parents(char *file, struct mg_err *err)
{
	for (char *s = strchr(file + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(file, 0777) && errno != EEXIST) {
			int e = errno;

			mg_err_set(err, MG_EXIT_INFRA, "cannot create directory '%s': %s", file,
			           strerror(e));
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

int mg_local_log_artifact(struct mg_registry *reg, const char *run_id, const char *artifact_uri,
                          const char *path, const void *data, size_t len, struct mg_err *err)
{
	struct mg_buf file = MG_BUF_INIT(MG_BUF_LARGE);
	int ret = -1;

	(void)reg, (void)run_id;
	if (mg_artifact_local_path(artifact_uri, path, &file, err) || make_parents(file.buf, err) ||
	    mg_file_write_atomic(file.buf, data, len, err))
		goto done;
	ret = 0;
done:
	mg_buf_release(&file);
	return ret;
}

/* The MIME type MLflow's client sends for a file of this name (mimetypes.guess_type). */
static const char *mime_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	        {".html", "text/html"},    {".htm", "text/html"},  {".json", "application/json"},
	        {".md", "text/markdown"},  {".txt", "text/plain"}, {".xml", "application/xml"},
	        {".svg", "image/svg+xml"},
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < MG_ARRAY_SIZE(types); i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

int mg_rest_log_artifact(struct mg_registry *reg, const char *run_id, const char *artifact_uri,
                         const char *path, const void *data, size_t len, struct mg_err *err)
{
	struct rest *r = REST(reg);
	struct mg_buf base = MG_BUF_INIT(MG_BUF_SMALL), url = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_buf body = MG_BUF_INIT(len);
	struct mg_http_response resp;
	struct mg_http_req req = {"PUT", NULL, NULL, mime_type(path), NULL};
	size_t api = strlen(r->api) - strlen("/api/2.0/mlflow");
	const char *where;
	int ret = -1;

	(void)run_id;
	mg_http_response_init(&resp);
	mg_buf_add(&base, r->api, api);
	if (mg_artifact_proxy_url(base.buf, artifact_uri, path, &url, err))
		goto done;
	mg_buf_add(&body, data, len); /* NUL-terminated: the request's body is a C string */
	req.url = url.buf;
	req.body = body.buf;
	if (mg_http_send(r->http, &req, &resp, err))
		goto done;
	if (resp.status != 200) {
		where = strstr(url.buf, PROXY_ROUTE);
		mg_secrets_redact(&reg->ctx->secrets, &resp.body);
		mg_rest_http_error(reg, "PUT", where ? where : url.buf, &resp, err);
		goto done;
	}
	ret = 0;
done:
	mg_http_response_release(&resp);
	mg_buf_release(&base);
	mg_buf_release(&url);
	mg_buf_release(&body);
	return ret;
}

/* A relative "/"-separated path without empty, "." or ".." parts. */
static int check_path(const char *path, struct mg_err *err)
{
	const char *p = path;

	if (!path || !*path)
		return mg_err_set(err, MG_EXIT_USAGE, "missing artifact path");
	do {
		size_t n = strcspn(p, "/");

		if (!n || (n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)) ||
		    memchr(p, '\\', n))
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "invalid artifact path '%.200s': relative, '/'-separated, "
			        "without empty, '.' or '..' parts",
			        path);
		p += n;
	} while (*p++);
	return 0;
}

int mg_registry_log_artifact(struct mg_registry *reg, const char *run_id, const char *path,
                             const void *data, size_t len, struct mg_err *err)
{
	struct mg_run run = {0};
	struct mg_err why = MG_ERR_INIT;
	int ret = -1, mode;

	if (!run_id || !*run_id)
		return mg_err_set(err, MG_EXIT_USAGE, "missing run id");
	if (check_path(path, err) || (mode = mg_registry_artifact_mode(reg, err)) < 0)
		return -1;
	if (memchr(data, '\0', len))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "artifact '%.200s' holds a NUL byte: only text is uploaded",
		                  path);
	if (mode != MG_ARTIFACT_UPLOAD)
		return mg_err_setr(
		        err, MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
		        "registry '%s' (%s backend) does not support uploading artifacts: "
		        "link the page from the version's comments instead",
		        reg->uri, reg->ops->name);
	if (mg_registry_get_run(reg, run_id, &run, err))
		goto done;
	if (!*run.artifact_uri) {
		mg_err_set(err, MG_EXIT_USAGE, "run '%s' has no artifact location", run_id);
		goto done;
	}
	ret = reg->ops->log_artifact(reg, run_id, run.artifact_uri, path, data, len, &why);
	if (ret)
		mg_err_setr(err, why.code, why.reason, "run '%s': %s", run_id, why.msg);
done:
	mg_run_release(&run);
	return ret;
}

int mg_registry_artifact_mode(struct mg_registry *reg, struct mg_err *err)
{
	if (reg->ops->log_artifact)
		return MG_ARTIFACT_UPLOAD;
	if (reg->ops->features & MG_REGISTRY_COMMENTS)
		return MG_ARTIFACT_LINK;
	return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
	                   "registry '%s' (%s backend) cannot hold the report: models in Unity "
	                   "Catalog have no comments to link it from, and mlgate does not write to "
	                   "DBFS or volumes; publish it as a CI artifact (the report action or "
	                   "template in ci/) instead",
	                   reg->uri, reg->ops->name);
}
