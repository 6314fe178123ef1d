"""A loopback stand-in for the GitHub API and an Azure DevOps incoming webhook,
for the relay's tests (tests/integration/t_relay_*.sh).

    python relay_stub.py DIR [--token T] [--azure-secret S] [--azure-header H]

Listens on 127.0.0.1 (a free port, written to DIR/port) and appends one JSON
line per request to DIR/requests.jsonl: the path, the body (parsed), whether
the GitHub token (Authorization: Bearer T) or the Azure checksum (hex
HMAC-SHA1 of the body with S in header H, bare or after "sha1=") was right, the delivery key
(X-Mlgate-Delivery), the answer and whether it was an acknowledgement (2xx
written out). What it answers is planned per model in DIR/plan.json, read
at each request: {"MODEL": ["500", "429:1", "hang:5", "204"], ...}: each
request for that model takes the next entry ("429:N" adds Retry-After: N,
"hang:N" touches DIR/hanging, waits N s and answers 500; a 3xx carries
Location: /followed); when a model's list
is used up (or absent) it answers 204 (GitHub) or 200 (Azure).
"""

import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
used = {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--token", default="")
    ap.add_argument("--azure-secret", default="")
    ap.add_argument("--azure-header", default="X-Webhook-Checksum")
    args = ap.parse_args()

    def plan_for(model):
        try:
            with open(os.path.join(args.dir, "plan.json")) as f:
                plan = json.load(f)
        except FileNotFoundError:
            plan = {}
        with lock:
            steps = plan.get(model, [])
            i = used.get(model, 0)
            used[model] = i + 1
            return steps[i] if i < len(steps) else None

    def record(entry):
        with lock, open(os.path.join(args.dir, "requests.jsonl"), "a") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(n)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            azure = self.path.startswith("/_apis/") or "/webhooks/" in self.path
            entry = {
                "t": time.time(),
                "path": self.path,
                "body": body,
                "key": self.headers.get("X-Mlgate-Delivery"),
                "content_type": self.headers.get("Content-Type"),
            }
            if azure:
                mac = hmac.new(args.azure_secret.encode(), raw, hashlib.sha1).hexdigest()
                given = self.headers.get(args.azure_header, "")
                entry["sig_prefixed"] = given.startswith("sha1=")
                entry["sig_ok"] = hmac.compare_digest(given.removeprefix("sha1="), mac)
            else:
                entry["auth_ok"] = self.headers.get("Authorization") == "Bearer " + args.token
                entry["api_version"] = self.headers.get("X-GitHub-Api-Version")
                entry["accept"] = self.headers.get("Accept")
            model = ""
            if isinstance(body, dict):
                payload = body.get("client_payload") or body.get("inputs") or body
                model = payload.get("model", "") if isinstance(payload, dict) else ""
            step = plan_for(model)
            status, extra = (200 if azure else 204), {}
            if step:
                kind, _, arg = step.partition(":")
                if kind == "hang":
                    open(os.path.join(args.dir, "hanging"), "w").close()
                    time.sleep(float(arg or 5))
                    status = 500
                else:
                    status = int(kind)
                    if status == 429 and arg:
                        extra["Retry-After"] = arg
                    if 300 <= status < 400:
                        extra["Location"] = "/followed"  # the relay must not follow it
            entry["answer"] = status
            try:
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.wfile.flush()
                entry["acked"] = 200 <= status < 300
            except OSError:
                entry["acked"] = False
            record(entry)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(os.path.join(args.dir, "port.tmp"), "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(os.path.join(args.dir, "port.tmp"), os.path.join(args.dir, "port"))
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
