#!/usr/bin/env python3
"""dbemu: a loopback Databricks workspace emulator (model registry, Unity Catalog models,
tracking, authentication) for mlgate's tests. Standard library only; one process, state in
memory behind one lock. Written from the published API and the request/response shapes that
databricks-sdk 0.162 (service/ml.py, config.py, oauth.py) and MLflow 3.17 (rest stores, protos)
send and read; tests/integration/dbemu_contract.py proves it against both real clients.
The code: this file (HTTP, authentication, faults, main), dbemu_registry.py (state,
permissions, model registry handlers), dbemu_tracking.py (tracking, route table, control API).

    dbemu.py --port 0 --port-file FILE [--host 127.0.0.1] [--tls-cert C --tls-key K]
             [--token [PRINCIPAL=]TOKEN ...] [--client ID:SECRET ...] [--token-ttl SECONDS]
             [--page-size N] [--workspace-id ID]

--token: a personal access token; its principal is PRINCIPAL, default user@example.com (a
token with "=" in it must be given with its principal). --client: an OAuth service principal
(its principal is ID). --token-ttl: life of an OAuth access token (default 3600). --page-size:
the most rows any search/list page answers (default 1000), whatever max_results asks.

Authentication (every /api/ path)
  Authorization: Bearer T, T a --token or an OAuth access token issued here and not expired.
  None or unknown: 401 {"error_code":"UNAUTHENTICATED","message":"Invalid access token."};
  expired: 401 {"error_code":"UNAUTHENTICATED","message":"Token is expired."} (older
  workspaces answered 403 {"error_code":403,...}: reproduce it with a fault, below).
  GET  /.well-known/databricks-config            host metadata (the SDK reads it first:
       oidc_endpoint, workspace_id; the SDK then sends X-Databricks-Workspace-Id)
  GET  /oidc/.well-known/oauth-authorization-server   OIDC discovery (token_endpoint)
  POST /oidc/v1/token   grant_type=client_credentials, scope=all-apis, client id/secret as
       HTTP Basic or form fields -> {"access_token","token_type":"Bearer","expires_in","scope"};
       errors as an OAuth server: {"error":"invalid_client"|"unsupported_grant_type"|
       "invalid_scope","error_description":...} with 401/400.
  Every answer carries x-databricks-org-id (MLflow's UC client reads it from runs/get).

Errors: {"error_code": CODE, "message": TEXT}: RESOURCE_DOES_NOT_EXIST 404,
INVALID_PARAMETER_VALUE 400, MALFORMED_REQUEST 400, RESOURCE_ALREADY_EXISTS 400 (workspace
registry, tracking), ALREADY_EXISTS 409 (Unity Catalog), PERMISSION_DENIED 403 naming the
permission, REQUEST_LIMIT_EXCEEDED 429 with Retry-After (faults), ENDPOINT_NOT_FOUND 404.

Permissions: each (principal, model) has a level, NONE < CAN_READ < CAN_EDIT <
CAN_MANAGE_STAGING_VERSIONS < CAN_MANAGE_PRODUCTION_VERSIONS < CAN_MANAGE; default CAN_MANAGE
(NONE: no permission at all; searches leave such models out, everything else is 403).
Reads, transition requests and comments need CAN_READ; tags, descriptions, new versions
CAN_EDIT; a transition or an approval/rejection that touches Staging/None/Archived needs
CAN_MANAGE_STAGING_VERSIONS, one from or to Production CAN_MANAGE_PRODUCTION_VERSIONS.
Unity Catalog privileges are approximated the same way (aliases need CAN_MANAGE: owner/MANAGE).

Workspace registry (/api/2.0/mlflow/): registered-models/create|get|search|set-tag|delete-tag|
update, get-latest-versions, model-versions/create|get|search|update|set-tag|delete-tag|
transition-stage|get-download-uri, databricks/model-versions/transition-stage (comment;
answers model_version_databricks), databricks/registered-models/get
(registered_model_databricks with permission_level), transition-requests/create|list|approve|
reject|delete, comments/create|update|delete. Versions: version a string, timestamps numbers,
tags [{key,value}], no aliases (the workspace registry has none). Choices where the docs say
nothing: approving or rejecting when no request for that version and stage is open is 404
RESOURCE_DOES_NOT_EXIST (the request named by name+version+stage is a missing resource, the
code Databricks uses for every missing registry object); a direct transition leaves open
requests open; list answers only OPEN requests of that version; archive_existing_versions is
required by approve and the Databricks transition (the SDK's required arguments), optional
(default false) elsewhere; a comment is updated only by its author, deleted by its author or
CAN_MANAGE. Search filters: name = / LIKE / ILIKE,
run_id =, tags.KEY = (KEY plain or in backquotes), version_number with = != < <= > >=, joined
by AND; pages carry next_page_token.

Unity Catalog (/api/2.0/mlflow/unity-catalog/): registered-models/create|get|search|update|
set-tag|delete-tag|alias (GET by alias, POST set, DELETE), model-versions/get|search|update|
set-tag|delete-tag|get-download-uri. Names catalog.schema.model (else 400 INVALID_PARAMETER_VALUE
"... specify all three levels ..."); no stages; aliases [{alias,version}] on versions and
models; search answers no tags/aliases (as the real service; MLflow drops them anyway) and
takes one condition, name = or run_id =. Creating versions needs storage credentials: not
emulated, seed them.

Tracking (both flavours): experiments/get-by-name|get|create, runs/create|get|update|log-batch|
log-metric|log-parameter|set-tag, metrics/get-history. NaN/Infinity metrics travel as the
strings "NaN"/"Infinity"/"-Infinity" (protobuf JSON, as MLflow's server sends them).

Control API (no authentication, JSON in and out)
  POST /_emu/seed     {"models":[{"name","uc":bool,"description","tags":{k:v},"user",
                        "versions":[{"version"?,"stage","tags":{},"aliases":[],"run_id","source",
                        "description","user","status",
                        "requests":[{"stage","user","comment"}],
                        "comments":[{"user","comment"}]}]}],
                       "runs":[{"run_id"?,"experiment"(name),"name","status","user",
                        "metrics":{k: v | [v,...] | [{"value","step","timestamp"}]},
                        "params":{},"tags":{}}],
                       "tokens":{"TOKEN":"principal"}, "clients":{"ID":"SECRET"},
                       "token_ttl": seconds (for OAuth tokens issued from now on),
                       "permissions":[{"principal","model","level"}]}
                      -> {"runs":[run_id...], "versions":{"model":[version...]}}
  GET  /_emu/state    models, versions (with open_requests, activities, comments), requests,
                      comments, experiments, runs, permissions, issued token count
  GET  /_emu/log      [{"seq","time","method","path","query","body","principal","auth","status",
                        "fault","workspace_id_header","org_id_header"}] every request but /_emu/;
                      auth is pat|oauth|expired|invalid|none|basic|form; no token or secret is
                      ever logged
  POST /_emu/log/clear
  POST /_emu/faults   {"path": P or "*", "method"?, "count": N (default 1), "status": S,
                       "retry_after"?: R, "body"?: object|string, "error_code"?, "message"?,
                       "delay"?: seconds before answering normally (with status 0)}
                      the next N matching requests answer so, before authentication;
                      {"clear": true} drops all faults
  POST /_emu/expire-tokens   every issued OAuth token is expired from now on
  POST /_emu/permission      {"principal","model"("*" = every model),"level"}
"""
import argparse
import base64
import hmac
import json
import os
import secrets
import ssl
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True  # the sibling modules below: no __pycache__ in the tree
import dbemu_registry as reg  # noqa: E402
from dbemu_registry import ApiError  # noqa: E402
from dbemu_tracking import ROUTES, control  # noqa: E402

# --- HTTP ----------------------------------------------------------------------------------

FAULT_CODES = {400: "INVALID_PARAMETER_VALUE", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
               404: "RESOURCE_DOES_NOT_EXIST", 429: "REQUEST_LIMIT_EXCEEDED",
               500: "INTERNAL_ERROR", 503: "TEMPORARILY_UNAVAILABLE"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "dbemu"
    # headers and body go out as two writes: without TCP_NODELAY the body waits for the
    # client's delayed ACK (~40 ms a request on a kept-alive connection)
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def answer(self, status, obj, headers=None):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-databricks-org-id", reg.ST.workspace_id)
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        self.wfile.write(data)

    def base_url(self):
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        return f"{scheme}://{self.headers.get('Host', '127.0.0.1')}"

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return data
                data += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        raw_query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        query = {k: v if len(v) > 1 or k in ("order_by", "stages") else v[0]
                 for k, v in raw_query.items()}
        raw = self.read_body()
        if path.startswith("/_emu/"):
            try:
                body = json.loads(raw or b"{}")
                with reg.ST.lock:
                    return self.answer(200, control(self.command, path, body))
            except ApiError as e:
                return self.answer(e.status, {"error_code": e.code, "message": e.message})
            except (ValueError, KeyError, TypeError) as e:
                return self.answer(400, {"error_code": "MALFORMED_REQUEST", "message": repr(e)})
        ctype = self.headers.get("Content-Type", "")
        form = None
        body = {}
        body_error = None
        if raw:
            if ctype.startswith("application/x-www-form-urlencoded"):
                form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                body = {k: ("***" if k == "client_secret" else v) for k, v in form.items()}
            else:
                try:
                    body = json.loads(raw)
                except ValueError as e:
                    body_error = str(e)
                    body = {"_unparsed": raw[:200].decode("utf-8", "replace")}
        entry = {"time": round(time.time(), 3), "method": self.command, "path": path,
                 "query": query, "body": body,
                 "principal": None, "auth": "none", "status": None, "fault": None,
                 "workspace_id_header": self.headers.get("X-Databricks-Workspace-Id"),
                 "org_id_header": self.headers.get("x-databricks-org-id")}
        with reg.ST.lock:
            reg.ST.seq += 1
            entry["seq"] = reg.ST.seq
            reg.ST.log.append(entry)
            fault = self.take_fault(path)
        status, obj, headers = self.dispatch(path, query, body, body_error, form, entry, fault)
        entry["status"] = status
        self.answer(status, obj, headers)

    def take_fault(self, path):
        for f in reg.ST.faults:
            if f["count"] > 0 and f["path"] in ("*", path) and \
                    f["method"] in (None, self.command):
                f["count"] -= 1
                return dict(f)
        return None

    def dispatch(self, path, query, body, body_error, form, entry, fault):
        if fault:
            entry["fault"] = fault["status"]
            if fault.get("delay"):
                time.sleep(float(fault["delay"]))
            if fault["status"]:
                st = int(fault["status"])
                hdr = {"Retry-After": fault["retry_after"]} if fault.get("retry_after") is not \
                    None else {}
                if fault.get("body") is not None:
                    b = fault["body"]
                    return st, (b.encode() if isinstance(b, str) else b), hdr
                return st, {"error_code": fault.get("error_code") or FAULT_CODES.get(st, "ERROR"),
                            "message": fault.get("message") or f"injected fault {st}"}, hdr
        try:
            if path == "/.well-known/databricks-config" and self.command == "GET":
                return 200, {"oidc_endpoint": self.base_url() + "/oidc",
                             "workspace_id": reg.ST.workspace_id, "cloud": "AWS"}, {}
            if path == "/oidc/.well-known/oauth-authorization-server" and self.command == "GET":
                b = self.base_url()
                return 200, {"issuer": b + "/oidc",
                             "authorization_endpoint": b + "/oidc/v1/authorize",
                             "token_endpoint": b + "/oidc/v1/token",
                             "grant_types_supported": ["client_credentials",
                                                       "authorization_code", "refresh_token"],
                             "scopes_supported": ["all-apis", "offline_access"],
                             "token_endpoint_auth_methods_supported":
                                 ["client_secret_basic", "client_secret_post"]}, {}
            if path == "/oidc/v1/token" and self.command == "POST":
                return self.token_endpoint(form or {}, entry)
            if body_error is not None:
                raise ApiError(400, "MALFORMED_REQUEST", f"Invalid JSON in request: {body_error}")
            principal = self.authenticate(entry)
            handler = ROUTES.get((self.command, path))
            if handler is None:
                raise ApiError(404, "ENDPOINT_NOT_FOUND",
                               f"No API found for '{self.command} {path}'")
            params = dict(query)
            if isinstance(body, dict):
                params.update(body)
            with reg.ST.lock:
                return 200, handler(params, principal), {}
        except ApiError as e:
            return e.status, {"error_code": e.code, "message": e.message}, e.headers

    def authenticate(self, entry):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:]:
            raise ApiError(401, "UNAUTHENTICATED", "Invalid access token.")
        tok = auth[7:]
        with reg.ST.lock:
            for known, principal in reg.ST.tokens.items():
                if hmac.compare_digest(known.encode(), tok.encode()):
                    entry.update(principal=principal, auth="pat")
                    return principal
            issued = reg.ST.issued.get(tok)
            if issued is not None:
                entry["principal"] = issued[0]
                if time.time() >= issued[1]:
                    entry["auth"] = "expired"
                    raise ApiError(401, "UNAUTHENTICATED", "Token is expired.")
                entry["auth"] = "oauth"
                return issued[0]
        entry["auth"] = "invalid"
        raise ApiError(401, "UNAUTHENTICATED", "Invalid access token.")

    def token_endpoint(self, form, entry):
        cid = csec = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                cid, csec = base64.b64decode(auth[6:]).decode().split(":", 1)
                entry["auth"] = "basic"
            except ValueError:
                pass
        elif form.get("client_id"):
            cid, csec = form.get("client_id"), form.get("client_secret", "")
            entry["auth"] = "form"
        entry["principal"] = cid
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type",
                         "error_description": "grant_type must be client_credentials"}, {}
        with reg.ST.lock:
            want = reg.ST.clients.get(cid or "")
            if want is None or not hmac.compare_digest(want.encode(), (csec or "").encode()):
                return 401, {"error": "invalid_client",
                             "error_description": "Client authentication failed"}, {}
            scope = form.get("scope", "all-apis")
            if "all-apis" not in scope.split():
                return 400, {"error": "invalid_scope",
                             "error_description": f"scope '{scope}' is not allowed"}, {}
            tok = "dbemu-" + secrets.token_urlsafe(24)
            reg.ST.issued[tok] = [cid, time.time() + reg.ST.ttl]
        return 200, {"access_token": tok, "token_type": "Bearer", "expires_in": reg.ST.ttl,
                     "scope": scope}, {}

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="loopback Databricks emulator")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--client", action="append", default=[])
    ap.add_argument("--token-ttl", type=int, default=3600)
    ap.add_argument("--page-size", type=int, default=1000)
    ap.add_argument("--workspace-id", default="1234567890123456")
    args = ap.parse_args()
    for c in args.client:
        if ":" not in c:
            ap.error(f"--client wants ID:SECRET, got '{c.split(':')[0]}...'")
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.page_size < 1 or args.token_ttl < 1:
        ap.error("--page-size and --token-ttl must be positive")
    reg.ST = reg.State(args)
    srv = Server((args.host, args.port), Handler)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        # the handshake happens in the handler thread, so a stalled client blocks nobody
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
