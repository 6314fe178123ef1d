"""Response-mutation test of the compare -> promote chain (issue: a malformed
registry answer must never be read as a value).

A proxy stands between mlgate and the harness's real MLflow server. The chain
(mlgate-compare --baseline-stage Production, then mlgate-promote to
Production on its evidence) is run once through it to record every answer it
reads before its first write. Then, for each recorded answer and each field
in it (recursively, array elements included), the answer is replayed with the
field dropped, set to null, or given another JSON type, and the chain is run
again. Expected for every mutation: exit 3, and no write request at all.

During the mutation runs the proxy answers write requests itself and counts
them: no mutation run may even try to write. A dropped field that MLflow
itself omits when it is empty (proto2 JSON leaves unset fields out: tags,
aliases, description, ...) is a legal answer, not a malformed one: those
runs are counted separately. A field mlgate does not read at all is one
whose mutation gives the same exit, output and write requests as the
unmutated run; those are listed.

At the end the whole registry (every version's stage, tags, aliases and
description, through MLflow's own client) must equal what it was before the
mutation runs. Prints the counts; exits 1 on the first violation.

Usage: registry_mutate.py TRACKING_URI BIN_DIR WORK_DIR POLICY
"""
import contextlib
import copy
import http.client
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
from mlflow import MlflowClient  # noqa: E402

upstream, bindir, work, policy = sys.argv[1:5]
up = urllib.parse.urlparse(upstream)

# The fields MLflow always sends in the answers the chain reads (it omits
# the others when unset or empty): dropping one of these makes a malformed
# answer. Matched as suffixes of the field's shape ("model_versions[].name").
ALWAYS = (
    "model_version", "registered_model", "run", "run.info", "model.info",
    "model_version.name", "model_version.version", "model_version.current_stage",
    "model_version.creation_timestamp", "model_versions[].name", "model_versions[].version",
    "model_versions[].current_stage", "model_versions[].creation_timestamp",
    "info.run_id", "info.model_id", "tags[].key", "params[].key", "metrics[].key",
    "metrics[].value", "registered_model.name", "aliases[].alias", "aliases[].version",
)


def shape(path):
    out = ""
    for part in path:
        out += "[]" if isinstance(part, int) else ("." if out else "") + part
    return out


def always_sent(path):
    """A field MLflow always sends; an array element never is (a list may be shorter)."""
    if isinstance(path[-1], int):
        return False
    s = shape(path)
    return any(s == a or s.endswith("." + a) for a in ALWAYS)


class State:
    lock = threading.Lock()
    mode = "record"      # record | replay
    recorded = {}        # (method, path, n) -> (status, body bytes)
    seen = {}            # (method, path) -> count, this run
    order = []           # keys of the recorded reads, in order, before the first write
    wrote = False        # the recorded run has written
    mutation = None      # (key, field path, kind)
    writes = []          # write requests seen in this run


def forward(method, path, body, headers):
    conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def mutate(doc, path, kind):
    doc = copy.deepcopy(doc)
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if kind == "drop":
        del parent[last]
    elif kind == "null":
        parent[last] = None
    else:  # another JSON type
        v = parent[last]
        parent[last] = ("x" if isinstance(v, (int, float)) and not isinstance(v, bool)
                        else 7 if isinstance(v, (str, bool)) or v is None else "x")
    return doc


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # one segment per answer, sent at once: no 40 ms delayed-ACK stall per request
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() in ("content-type", "authorization")}
        write = self.command != "GET"
        with State.lock:
            k2 = (self.command, self.path)
            State.seen[k2] = State.seen.get(k2, 0) + 1
            key = (self.command, self.path, State.seen[k2])
            if write:
                State.writes.append(key)
        if State.mode == "record":
            status, data = forward(self.command, self.path, body, headers)
            with State.lock:
                if write:
                    State.wrote = True
                elif status == 200:
                    # replayed answers: all; mutated ones: those read before the first write
                    State.recorded[key] = (status, data)
                    if not State.wrote:
                        State.order.append(key)
        elif write:
            # counted, answered here: a mutation run must not even try to write
            status, data = 200, b"{}"
        elif key in State.recorded:
            status, data = State.recorded[key]
            m = State.mutation
            if m and m[0] == key:
                data = json.dumps(mutate(json.loads(data), m[1], m[2])).encode()
        else:
            status, data = forward(self.command, self.path, body, headers)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    do_GET = do_POST = do_PATCH = do_DELETE = handle_one


def fields(doc, prefix=()):
    """Every field path of a JSON document (object members and array elements)."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield prefix + (k,)
            yield from fields(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield prefix + (i,)
            yield from fields(v, prefix + (i,))


def show(path):
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
threading.Thread(target=server.serve_forever, daemon=True).start()
proxy = f"http://127.0.0.1:{server.server_address[1]}"

with contextlib.redirect_stdout(sys.stderr):
    seed = json.loads(subprocess.run(
        [sys.executable, os.path.join(os.path.dirname(__file__), "compare_seed.py"), upstream],
        check=True, capture_output=True, text=True).stdout)
model = seed["model"]
client = MlflowClient(tracking_uri=upstream, registry_uri=upstream)
env = dict(os.environ, MLFLOW_HTTP_REQUEST_MAX_RETRIES="0")
evidence = os.path.join(work, "compare.xml")


def normal(text):
    """Output without what differs from run to run: times."""
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "T", text)


def chain(registry):
    """compare, then promote on its evidence: (exit code of the chain, output)."""
    State.seen = {}
    State.writes = []
    c = subprocess.run([f"{bindir}/mlgate-compare", "--registry", registry, "--model", model,
                        "--alias", "challenger", "--baseline-stage", "Production",
                        "--policy", policy, "--junit", evidence],
                       capture_output=True, text=True, env=env)
    if c.returncode != 0:
        return c.returncode, c.stdout + c.stderr
    p = subprocess.run([f"{bindir}/mlgate-promote", "--registry", registry, "--model", model,
                        "--alias", "challenger", "--to-stage", "Production", "--require",
                        "compare", "--evidence", evidence],
                       capture_output=True, text=True, env=env)
    return p.returncode, c.stdout + c.stderr + p.stdout + p.stderr


def snapshot():
    out = []
    for mv in client.search_model_versions(f"name='{model}'"):
        out.append((mv.version, mv.current_stage, sorted(mv.tags.items()),
                    sorted(mv.aliases), mv.description))
    rm = client.get_registered_model(model)
    return sorted(out), sorted(rm.aliases.items()), sorted(rm.tags.items())


# compare writes its verdict once, directly; a re-run through the proxy is then read-only
rc, out = chain(upstream)
if rc != 0:
    sys.exit(f"FAIL: the unmutated chain exited {rc}: {out}")
# move production back so promote has work to do, and record the chain's reads
client.transition_model_version_stage(model, "1", "Production", archive_existing_versions=True)
before = snapshot()
rc, out = chain(proxy)
if rc != 0 or not State.wrote:
    sys.exit(f"FAIL: the recorded chain exited {rc} (wrote: {State.wrote}): {out}")
client.transition_model_version_stage(model, "1", "Production", archive_existing_versions=True)
for k in ("mlgate.promote.verdict", "mlgate.promote.at", "mlgate.promote.commit",
          "mlgate.promote.run_url", "mlgate.promote.target"):
    with contextlib.suppress(Exception):
        client.delete_model_version_tag(model, "2", k)
client.update_model_version(model, "2", before[0][1][4])
client.transition_model_version_stage(model, "2", "Staging")
before = snapshot()

# replayed unmutated: the same chain, same result (the proxy replays faithfully)
State.mode = "replay"
rc, base_out = chain(proxy)
base_writes = State.writes
if rc != 0:
    sys.exit(f"FAIL: the replayed chain exited {rc}: {base_out}")

started = time.monotonic()
strict = legal_drops = 0
not_read = []
legal_codes = {}
for key in State.order:
    doc = json.loads(State.recorded[key][1])
    for path in fields(doc):
        for kind in ("drop", "null", "type"):
            State.mutation = (key, path, kind)
            legal = kind == "drop" and not always_sent(path)
            rc, out = chain(proxy)
            where = f"{key[0]} {key[1]} (#{key[2]}): {show(path)} {kind}"
            if legal:
                legal_drops += 1
                legal_codes[rc] = legal_codes.get(rc, 0) + 1
                if rc not in (0, 1, 2, 3):
                    sys.exit(f"FAIL: {where}: exit {rc}: {out}")
                continue
            if rc == 0 and normal(out) == normal(base_out) and State.writes == base_writes:
                not_read.append(f"{key[1].split('?')[0]} {show(path)} {kind}")
                continue
            strict += 1
            if rc != 3 or State.writes:  # not even an attempted write
                sys.exit(f"FAIL: {where}: exit {rc}, writes {State.writes}: {out}")
            if show(path) not in out:
                sys.exit(f"FAIL: {where}: the message does not name the field: {out}")
State.mutation = None

after = snapshot()
if after != before:
    sys.exit(f"FAIL: the registry changed:\n{before}\n{after}")
nfields = sum(1 for key in State.order for _ in fields(json.loads(State.recorded[key][1])))
print(f"{len(State.order)} answers, {nfields} fields x 3 mutations = {3 * nfields} runs: "
      f"{strict} exit 3 with zero writes; {legal_drops} drops of fields MLflow omits when empty "
      f"(legal answers; exits {dict(sorted(legal_codes.items()))}); {len(not_read)} of fields "
      f"mlgate does not read (same exit, output and writes as unmutated); registry unchanged "
      f"(MLflow's client); {time.monotonic() - started:.0f} s")
for f in sorted(set(n.rsplit(" ", 1)[0] for n in not_read)):
    print(f"  not read: {f}")
server.shutdown()
