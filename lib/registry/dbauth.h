/*
 * Databricks unified authentication, as the Databricks SDK for Python
 * (0.162, the one in the test environment; MLflow's databricks:// URIs go
 * through it) resolves it, for the two methods mlgate speaks: a personal
 * access token ("pat": a PAT, or an Azure AD token a pipeline step
 * obtained) and OAuth machine-to-machine ("oauth-m2m": a service
 * principal's client ID and secret).
 *
 * Where the configuration comes from, in the SDK's order:
 *  1. The profile: the PROFILE of a databricks://PROFILE or
 *     databricks-uc://PROFILE URI, else DATABRICKS_CONFIG_PROFILE.
 *  2. The environment: DATABRICKS_HOST, DATABRICKS_TOKEN,
 *     DATABRICKS_CLIENT_ID, DATABRICKS_CLIENT_SECRET, DATABRICKS_AUTH_TYPE
 *     (empty = unset). Environment values always win.
 *  3. The configuration file (DATABRICKS_CONFIG_FILE, default
 *     ~/.databrickscfg; format in dbcfg.h) fills only what the environment
 *     left unset, from one section: the profile when one is named (it must
 *     exist: exit 2 naming profile and file); without a profile,
 *     [__settings__] default_profile, else [DEFAULT]. Without a profile the
 *     file is not read at all when the environment sets a host or any
 *     credential (the SDK's rule: environment configuration is complete on
 *     its own). A named profile does NOT inherit [DEFAULT]'s keys (the SDK
 *     reads sections raw, unlike configparser's usual lookup).
 *  4. Both a token and client credentials set (from anywhere): the SDK
 *     refuses ("more than one authorization method configured: oauth and
 *     pat") unless DATABRICKS_AUTH_TYPE / auth_type picks one; so does
 *     mlgate (exit 2 naming where each came from, never a value). The same
 *     holds for the SDK's other methods (basic, Azure service principal
 *     ARM_*, Google, OIDC token files, metadata service): alone they are
 *     refused as unsupported by name, next to a token they are the SDK's
 *     conflict. Settings that change which token the SDK would obtain and
 *     mlgate does not implement (group_id, discovery_url, scopes,
 *     authorization_details) are refused rather than ignored.
 *
 * Stricter than the SDK, on purpose (fail closed): an explicitly named
 * profile whose file does not exist, and a file that exists but cannot be
 * read, are exit 2 (the SDK silently reads nothing); a value holding a
 * line break or control character is exit 2 (it would end up in a
 * header). A host is normalised as the SDK does: https:// added when there
 * is no scheme, trailing slashes and an https port 443 dropped. Plain
 * http:// is accepted, as by the SDK, for loopback test servers (the
 * emulator of tests/integration); nothing else.
 *
 * OAuth M2M: the client-credentials grant at {host}/oidc/v1/token, which
 * Databricks documents for workspace-level service principals, used
 * directly (the SDK first reads the OIDC discovery document at
 * {host}/oidc/.well-known/oauth-authorization-server, which names that
 * same endpoint for a workspace: one request less per run). As the SDK:
 * form body grant_type=client_credentials&scope=all-apis, the client ID
 * and secret as HTTP Basic credentials. The answer is read strictly
 * (access_token, token_type "Bearer", expires_in > 0: anything else is
 * exit 3 naming the field); the token is kept in memory only and fetched
 * again when it expires within MG_DBAUTH_REFRESH_MARGIN_S seconds
 * (monotonic clock), or when the caller forces it after a 401. A refused
 * token request (400/401 invalid_client) is exit 3 saying the client
 * credentials were refused.
 *
 * Secrets: the token, the client secret, the Basic credential form and
 * every access token are registered with ctx->secrets before any request
 * is sent or any message printed; every other credential-like value met
 * (passwords, Azure/Google secrets) is registered too.
 */
#ifndef MG_DBAUTH_H
#define MG_DBAUTH_H

#include "setup.h"
#include "buf.h"
#include "ctx.h"
#include "err.h"
#include "http.h"

/* An OAuth access token expiring within this many seconds is fetched again. */
#define MG_DBAUTH_REFRESH_MARGIN_S 60

/* Resolved Databricks configuration and credentials. */
struct mg_dbauth;

/*
 * Resolve from the environment and the configuration file. `profile` is
 * the PROFILE of a databricks[-uc]://PROFILE URI, or NULL. `ctx` is
 * borrowed (secrets, log) and must outlive the result. Nothing is sent:
 * an OAuth token is fetched on the first mg_dbauth_header(). Ambiguous,
 * incomplete or unsupported configuration is MG_EXIT_USAGE, one line
 * naming what and where, never a value.
 */
int mg_dbauth_open(struct mg_ctx *ctx, const char *profile, struct mg_dbauth **out,
                   struct mg_err *err);
void mg_dbauth_free(struct mg_dbauth *a);

/* "https://adb-1.2.azuredatabricks.net": normalised, no trailing slash. */
const char *mg_dbauth_host(const struct mg_dbauth *a);

/* "pat" or "oauth-m2m" (the SDK's names): for messages and evidence, never a secret. */
const char *mg_dbauth_kind(const struct mg_dbauth *a);

/* Where the configuration came from, for messages: "the environment",
 * "profile 'p' of '/home/u/.databrickscfg'", or both joined by "and". */
const char *mg_dbauth_source(const struct mg_dbauth *a);

/* Whether mg_dbauth_header(force) can get a different credential (OAuth); a
 * PAT cannot be refreshed, so retrying a 401 with it is pointless. */
bool mg_dbauth_refreshable(const struct mg_dbauth *a);

/*
 * The Authorization header value to send now ("Bearer ..."), into `out`
 * (reset first; it holds a secret: never print it). OAuth M2M: the access
 * token, fetched with `http` on first use and again when it expires within
 * MG_DBAUTH_REFRESH_MARGIN_S, or when `force` is set (the caller got a 401
 * and wants exactly one refresh; it must not loop). A failed token request
 * is MG_EXIT_INFRA.
 */
int mg_dbauth_header(struct mg_dbauth *a, struct mg_http *http, bool force, struct mg_buf *out,
                     struct mg_err *err);

/* Token requests sent so far (tests, request counts). */
int mg_dbauth_token_requests(const struct mg_dbauth *a);

#endif
