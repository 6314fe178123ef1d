#!/usr/bin/env python3
"""A loopback HTTP server that misbehaves on purpose, for the REST backend's
fault-injection tests. It is a mock: it stands in for failures a real MLflow
server cannot be made to produce on demand. Standard library only.

The first path segment picks the behaviour (the registry URI given to mlgate
is http://127.0.0.1:PORT/SCENARIO):

  ok          a valid model version for every GET, {} for writes
  s503once    503 on the first request of the run, then like ok
  s429        429 with Retry-After: 1 on the first request, then like ok
  s429date    429 with Retry-After as an HTTP date 2 s ahead on the first request, then like ok
  s500        always 500 with an MLflow JSON error
  truncated   200 with a body cut in the middle of the JSON
  shortbody   200 announcing more bytes than it sends, then closing
  html502     always 502 with an HTML page (a proxy)
  hostguard   403 text/plain, MLflow's DNS-rebinding guard
  big         200 with a 1 MiB JSON body
  hang        accept, read the request, never answer
  drop        close the connection without answering
  auth        200 only with the expected Authorization header, else 401
  echo        401 whose JSON message echoes the credential: the Authorization header, a Basic
              password decoded, and both URL-encoded (a careless server or proxy)
  echotext    403 text/plain echoing the Authorization header after 37 bytes of text

Usage: faultserver.py PORTFILE LOGFILE
Writes the port it listens on to PORTFILE, and one line per request
("METHOD PATH conn=N auth=...") to LOGFILE.
"""
import base64
import email.utils
import json
import socketserver
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = {
    "model_version": {
        "name": "m",
        "version": "7",
        "creation_timestamp": "1700000000000",
        "last_updated_timestamp": 1700000000001,
        "current_stage": "Production",
        "source": "models:/m/7",
        "run_id": "r1",
        "status": "READY",
        "tags": [{"key": "owner", "value": "a@b.c"}],
        "aliases": ["champion"],
    }
}

state = {"first": {}, "connections": 0, "lock": threading.Lock()}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with state["lock"]:
            state["connections"] += 1
            self.conn_id = state["connections"]

    def log_message(self, *args):
        pass

    def record(self):
        with open(sys.argv[2], "a") as f:
            auth = self.headers.get("Authorization", "-")
            ctype = self.headers.get("Content-Type", "-")
            f.write(f"{self.command} {self.path} conn={self.conn_id} auth={auth} ctype={ctype}\n")

    def send(self, status, body, ctype="application/json", extra=None, length=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def first_time(self, scenario):
        with state["lock"]:
            seen = state["first"].get(scenario, False)
            state["first"][scenario] = True
        return not seen

    def handle_any(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        if length:
            self.rfile.read(length)
        self.record()
        scenario = self.path.split("/")[1]
        ok = json.dumps(VERSION if self.command == "GET" else {})
        if scenario == "ok":
            return self.send(200, ok)
        if scenario == "s503once":
            if self.first_time(scenario):
                return self.send(503, '{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}')
            return self.send(200, ok)
        if scenario == "s429":
            if self.first_time(scenario):
                return self.send(429, '{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}',
                                 extra={"Retry-After": "1"})
            return self.send(200, ok)
        if scenario == "s429date":
            if self.first_time(scenario):
                when = email.utils.formatdate(time.time() + 2, usegmt=True)
                return self.send(429, '{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}',
                                 extra={"Retry-After": when})
            return self.send(200, ok)
        if scenario == "s500":
            return self.send(500, '{"error_code":"INTERNAL_ERROR","message":"database is on fire"}')
        if scenario == "truncated":
            return self.send(200, ok[: len(ok) // 2])
        if scenario == "shortbody":
            self.send(200, ok[:10], length=len(ok))
            self.close_connection = True
            return
        if scenario == "html502":
            return self.send(502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>\r\n",
                             ctype="text/html")
        if scenario == "hostguard":
            return self.send(403, "Invalid Host header - possible DNS rebinding attack detected",
                             ctype="text/plain")
        if scenario == "big":
            return self.send(200, '{"model_version":{"name":"' + "x" * (1 << 20) + '"}}')
        if scenario == "hang":
            time.sleep(3600)
            return None
        if scenario == "drop":
            self.close_connection = True
            return None
        if scenario == "auth":
            if self.headers.get("Authorization") == "Bearer s3cr3t-t0ken-123":
                return self.send(200, ok)
            return self.send(401, '{"error_code":"UNAUTHENTICATED","message":"bad token"}')
        if scenario == "echo":
            auth = self.headers.get("Authorization", "")
            said = f"rejected {auth}"
            if auth.startswith("Basic "):
                said += " with password " + base64.b64decode(auth[6:]).decode().split(":", 1)[1]
            said += " (" + urllib.parse.quote(said, safe="") + ")"
            return self.send(401, json.dumps({"error_code": "UNAUTHENTICATED", "message": said}))
        if scenario == "echotext":
            auth = self.headers.get("Authorization", "")
            return self.send(403, "access denied, credentials received: " + auth, ctype="text/plain")
        return self.send(404, '{"detail":"Not Found"}')

    do_GET = do_POST = do_PATCH = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up mid-answer is what these tests do


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(srv.server_address[1]))
    srv.serve_forever()


if __name__ == "__main__":
    main()
