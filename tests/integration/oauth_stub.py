#!/usr/bin/env python3
"""A loopback Databricks OAuth token endpoint and one authenticated API call, for
t_dbauth.sh (lib/registry/dbauth.c through tests/integration/dbauth_probe.c). It is
a mock of exactly two endpoints, standard library only; the full emulator is
dbemu.py.

The host given to mlgate is http://127.0.0.1:PORT/SCENARIO (Databricks hosts may
carry a path; the SDK keeps it), so the token endpoint is
/SCENARIO/oidc/v1/token and the API call /SCENARIO/api/2.0/me.

Token endpoint: the client-credentials grant as the Databricks SDK sends it (form
body grant_type=client_credentials&scope=all-apis, the client ID and secret as
HTTP Basic credentials); wrong credentials or a wrong body are 401/400 with an
OAuth error. Each token is "stub-<n>-<random>", n counting from 1.

  ok         tokens valid for 3600 s
  short      the first token valid for 61 s (one second outside mlgate's 60 s
             refresh margin), the next ones 3600 s
  revoke     like ok, but the API refuses token 1 (as if it expired mid-run)
  revokeall  like ok, but the API refuses every token
  denied     401 invalid_client from the token endpoint
  notoken    200 without access_token
  echo       401 whose error_description echoes the Basic credential, the
             decoded client secret and both URL-encoded (a careless server)

API: GET /SCENARIO/api/2.0/me answers 200 {"token": n} for the newest unexpired
token of the scenario, or the PAT given on the command line ({"token": "pat"}),
else 401.

Usage: oauth_stub.py PORTFILE LOGFILE CLIENT_ID CLIENT_SECRET PAT
LOGFILE gets one line per request ("METHOD PATH -> STATUS [detail]") and
"issued TOKEN" per token, so a test can check no token reached any output.
"""
import base64
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTFILE, LOGFILE, CLIENT_ID, CLIENT_SECRET, PAT = sys.argv[1:6]
lock = threading.Lock()
issued = {}  # scenario -> list of (token, expires_at)


def log(line):
    with lock, open(LOGFILE, "a") as f:
        f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, doc, detail=""):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        log(f"{self.command} {self.path} -> {status} {detail}".rstrip())

    def oauth_error(self, status, code, text):
        return self.send(status, {"error": code, "error_description": text}, code)

    def token(self, scenario):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0)).decode()
        form = urllib.parse.parse_qs(body, strict_parsing=True)
        auth = self.headers.get("Authorization", "")
        if scenario == "echo":
            said = f"rejected {auth}"
            if auth.startswith("Basic "):
                said += " secret " + base64.b64decode(auth[6:]).decode().split(":", 1)[1]
            said += " (" + urllib.parse.quote(said, safe="") + ")"
            return self.oauth_error(401, "invalid_client", said)
        if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return self.oauth_error(400, "invalid_request", "not a form body")
        if form != {"grant_type": ["client_credentials"], "scope": ["all-apis"]}:
            return self.oauth_error(400, "invalid_request", f"unexpected form {sorted(form)}")
        want = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if scenario == "denied" or auth != want:
            return self.oauth_error(401, "invalid_client", "Client authentication failed")
        if scenario == "notoken":
            return self.send(200, {"token_type": "Bearer", "expires_in": 3600}, "no token")
        with lock:
            tokens = issued.setdefault(scenario, [])
            n = len(tokens) + 1
            ttl = 61 if scenario == "short" and n == 1 else 3600
            tok = f"stub-{n}-{secrets.token_hex(16)}"
            tokens.append((tok, time.time() + ttl))
        log(f"issued {tok}")
        return self.send(200, {"access_token": tok, "token_type": "Bearer", "expires_in": ttl,
                               "scope": "all-apis"}, f"token {n} for {ttl} s")

    def me(self, scenario):
        auth = self.headers.get("Authorization", "")
        if PAT and auth == f"Bearer {PAT}":
            return self.send(200, {"token": "pat"}, "pat")
        with lock:
            tokens = list(issued.get(scenario, []))
        if tokens:
            n, (tok, expires) = len(tokens), tokens[-1]
            refused = scenario == "revokeall" or (scenario == "revoke" and n == 1)
            if auth == f"Bearer {tok}" and time.time() < expires and not refused:
                return self.send(200, {"token": n}, f"token {n}")
        return self.send(401, {"error_code": "UNAUTHENTICATED", "message": "Invalid access token."},
                         "refused")

    def do_POST(self):
        parts = self.path.split("/", 2)
        if len(parts) == 3 and parts[2] == "oidc/v1/token":
            return self.token(parts[1])
        return self.send(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": self.path})

    def do_GET(self):
        parts = self.path.split("/", 2)
        if len(parts) == 3 and parts[2] == "api/2.0/me":
            return self.me(parts[1])
        return self.send(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": self.path})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    with open(PORTFILE + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    # renamed whole: the test never reads half a port number
    os.rename(PORTFILE + ".tmp", PORTFILE)
    srv.serve_forever()


if __name__ == "__main__":
    main()
