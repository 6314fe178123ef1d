#!/usr/bin/env python3
"""A loopback proxy in front of a real MLflow server that refuses artifact uploads: every
PUT is answered 500 with an MLflow JSON error (an artifact store that fails), everything
else is forwarded to the server as it came. For t_report_artifact.sh: the upload fails
while the registry behind it is real, so what was (not) written can be read back.

Usage: artifact_proxy.py UPSTREAM PORTFILE LOGFILE
Writes the port it listens on to PORTFILE and one line per request ("METHOD PATH") to LOGFILE.
Standard library only.
"""
import json
import os
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM, PORTFILE, LOGFILE = sys.argv[1:4]
HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, headers, body):
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        with open(LOGFILE, "a", encoding="utf-8") as f:
            f.write(f"{self.command} {self.path}\n")
        if self.command == "PUT":
            err = {"error_code": "INTERNAL_ERROR", "message": "the artifact store refused the upload"}
            self.reply(500, [("Content-Type", "application/json")], json.dumps(err).encode())
            return
        req = urllib.request.Request(UPSTREAM + self.path, data=body, method=self.command,
                                     headers={k: v for k, v in self.headers.items()
                                              if k.lower() not in HOP})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                self.reply(r.status, r.getheaders(), r.read())
        except urllib.error.HTTPError as e:
            self.reply(e.code, e.headers.items(), e.read())

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w", encoding="utf-8") as f:
    f.write(str(server.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
