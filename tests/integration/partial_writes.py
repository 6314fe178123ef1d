"""A promotion whose registry writes fail half-way (issue: partial writes are
reported as such, and a plain re-run recovers).

A proxy stands between mlgate-promote and the harness's real MLflow server.
The promotion of a compared candidate to Production is run once through it
to count its write requests (N) and to record the registry it leaves. Then,
for each k in 1..N and each fault:

  500   the k-th write is answered 500 by the proxy (MLflow never sees it)
  lost  the k-th write reaches MLflow, then the connection is closed with no
        answer (applied, but mlgate cannot know it)

the registry is reset, promote runs with MLFLOW_HTTP_REQUEST_MAX_RETRIES=0
and must (unless a lost answer is found applied by the compare-and-set
move's read-back, when the run must finish as the uninterrupted one): exit 3; say on stderr "stopped half-way", the k-1 changes applied
and the one that failed; list exactly k-1 changes in the JSON
registry_changes with registry_change_failed naming the k-th; put the same in
the JUnit error check; and make no write after the failed one. For 500 the
registry (through MLflow's client) holds exactly the first k-1 writes. Then a
plain re-run without faults exits 0 and leaves the registry as the
uninterrupted run did (times aside).

Usage: partial_writes.py TRACKING_URI BIN_DIR WORK_DIR POLICY
"""
import contextlib
import http.client
import json
import logging
import os
import re
import subprocess
import sys
import threading
import urllib.parse
import warnings
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
from mlflow import MlflowClient  # noqa: E402

upstream, bindir, work, policy = sys.argv[1:5]
up = urllib.parse.urlparse(upstream)


class State:
    lock = threading.Lock()
    fail_at = 0      # the write to fail (1-based), 0: none
    fault = "500"
    writes = []      # write requests seen, in order


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        write = self.command != "GET"
        with State.lock:
            if write:
                State.writes.append(self.path)
            nth = len(State.writes) if write else 0
        fail = write and nth == State.fail_at
        if fail and State.fault == "500":
            data = b'{"error_code": "INTERNAL_ERROR", "message": "injected"}'
            status = 500
        else:
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() == "content-type"}
            conn.request(self.command, self.path, body=body, headers=headers)
            r = conn.getresponse()
            status, data = r.status, r.read()
            conn.close()
            if fail:  # lost: applied upstream, the answer never arrives
                self.close_connection = True
                self.connection.shutdown(2)
                return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = handle_one


server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
threading.Thread(target=server.serve_forever, daemon=True).start()
proxy = f"http://127.0.0.1:{server.server_address[1]}"

with contextlib.redirect_stdout(sys.stderr):
    seed = json.loads(subprocess.run(
        [sys.executable, os.path.join(os.path.dirname(__file__), "compare_seed.py"), upstream],
        check=True, capture_output=True, text=True).stdout)
model = seed["model"]
client = MlflowClient(tracking_uri=upstream, registry_uri=upstream)
env = dict(os.environ, MLFLOW_HTTP_REQUEST_MAX_RETRIES="0", MLFLOW_HTTP_REQUEST_TIMEOUT="20")
evidence = os.path.join(work, "compare.xml")
out_json = os.path.join(work, "promote.json")
out_junit = os.path.join(work, "promote.xml")

c = subprocess.run([f"{bindir}/mlgate-compare", "--registry", upstream, "--model", model,
                    "--alias", "challenger", "--baseline-stage", "Production",
                    "--policy", policy, "--junit", evidence], capture_output=True, text=True)
if c.returncode != 0:
    sys.exit(f"FAIL: compare exited {c.returncode}: {c.stdout}{c.stderr}")
original_description = client.get_model_version(model, "2").description


def promote(registry):
    for f in (out_json, out_junit):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f)
    return subprocess.run([f"{bindir}/mlgate-promote", "--registry", registry, "--model", model,
                           "--alias", "challenger", "--to-stage", "Production", "--require",
                           "compare", "--evidence", evidence, "--json", out_json,
                           "--junit", out_junit], capture_output=True, text=True, env=env)


def reset():
    client.transition_model_version_stage(model, "1", "Production",
                                          archive_existing_versions=True)
    client.transition_model_version_stage(model, "2", "Staging")
    for k in list(client.get_model_version(model, "2").tags):
        if k.startswith("mlgate.promote."):
            client.delete_model_version_tag(model, "2", k)
    client.update_model_version(model, "2", original_description)


def timeless(text):
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "T", text)


def snapshot():
    """Stages, tags and descriptions of every version, times left out."""
    out = []
    for mv in sorted(client.search_model_versions(f"name='{model}'"), key=lambda v: v.version):
        tags = {k: ("T" if k.endswith(".at") else v) for k, v in mv.tags.items()}
        desc = "\n".join(line.split(" at ")[0] for line in (mv.description or "").split("\n"))
        out.append((mv.version, mv.current_stage, sorted(tags.items()), desc))
    return out


# the uninterrupted run: its writes and the registry it leaves
reset()
before = snapshot()
State.writes = []
r = promote(proxy)
if r.returncode != 0:
    sys.exit(f"FAIL: the uninterrupted promotion exited {r.returncode}: {r.stdout}{r.stderr}")
full = snapshot()
n = len(State.writes)
changes = json.load(open(out_json))["registry_changes"]
if len(changes) != n:
    sys.exit(f"FAIL: {n} write requests but {len(changes)} registry_changes: {changes}")

want = [timeless(c) for c in changes]
runs = read_back = 0
for fault in ("500", "lost"):
    for k in range(1, n + 1):
        reset()
        State.fault, State.fail_at, State.writes = fault, k, []
        r = promote(proxy)
        where = f"fault {fault} at write {k} of {n} ({want[k - 1]})"
        out = r.stdout + r.stderr
        if fault == "lost" and r.returncode == 0:
            # a compare-and-set move reads the registry back after a failed write:
            # finding it made, it goes on, and the run ends as the uninterrupted one
            if snapshot() != full:
                sys.exit(f"FAIL: {where}: exit 0 but the registry is\n{snapshot()}\n{out}")
            read_back += 1
            continue
        if r.returncode != 3:
            sys.exit(f"FAIL: {where}: exit {r.returncode}, want 3: {out}")
        if len(State.writes) != k:
            sys.exit(f"FAIL: {where}: {len(State.writes)} writes tried, want {k}")
        doc = json.load(open(out_json))
        got = [timeless(c) for c in doc["registry_changes"]]
        failed = doc.get("registry_change_failed") or {}
        if got != want[:k - 1] or timeless(failed.get("change", "")) != want[k - 1]:
            sys.exit(f"FAIL: {where}: JSON lists {got}, failed {failed}")
        said = f"stopped half-way: {k - 1} registry change{'' if k == 2 else 's'} applied"
        if said not in r.stderr or f"Failed: {want[k - 1]}" not in timeless(r.stderr):
            sys.exit(f"FAIL: {where}: stderr does not say what was applied and not: {out}")
        errors = [e.get("message", "") for e in ET.parse(out_junit).iter("error")]
        if not any(said in e and want[k - 1] in timeless(e) for e in errors):
            sys.exit(f"FAIL: {where}: the JUnit error does not say it: {errors}")
        if fault == "500" and k == 1 and snapshot() != before:
            sys.exit(f"FAIL: {where}: the registry changed though nothing was applied")
        # recovery is a plain re-run
        State.fail_at, State.writes = 0, []
        r = promote(proxy)
        if r.returncode != 0 or snapshot() != full:
            sys.exit(f"FAIL: {where}: the re-run exited {r.returncode} and left\n{snapshot()}\n"
                     f"not\n{full}\n{r.stdout}{r.stderr}")
        runs += 1
print(f"{n} writes in a promotion, each failed (500, answer lost): {runs} runs exit 3 saying "
      f"what was applied and a plain re-run finished each; {read_back} lost answers found "
      f"applied by the move's read-back and finished in the same run")
server.shutdown()
