"""Benchmark: the requests of one compare + promote pair on Databricks, mlgate
next to the same steps written with the real Databricks clients, both against
the loopback Databricks emulator (tests/integration/dbemu.py), whose request
log counts every request of both sides the same way.

Workspace registry: version 1 in Production, version 2 in Staging with an
open request to move to Production (training asked for it). The pair:
compare (the two versions' runs, each metric against its rule, the verdict
as tags and a comment) then promote (re-read the version and the stage, the
open request, approve it with a comment carrying the evidence, re-read).
The peer does the same with MlflowClient(registry_uri="databricks") for the
MLflow endpoints and WorkspaceClient().model_registry for comments and
transition requests (what a Databricks user would write).

Unity Catalog: versions 1 (champion) and 2 (challenger) of
main.bench.<model>; the pair compares challenger with champion and moves the
champion alias (compare-and-set: read, set, re-read, drop challenger); the
peer uses MlflowClient(registry_uri="databricks-uc").

Usage: databricks_pair.py --bin DIR --emu PATH/dbemu.py --tmp DIR [-n N]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

TOKEN = "dapi-bench-token"
POLICY = {"version": 1, "compare": {"metrics": [
    {"name": "auc", "greater_is_better": True, "threshold": 0.7, "min_absolute_change": 0.01},
    {"name": "loss", "greater_is_better": False, "max_regression": 0.02}]}}

PEER = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
from mlflow import MlflowClient
from databricks.sdk import WorkspaceClient
startup = time.perf_counter() - t0
flavour, models = sys.argv[1], json.loads(sys.argv[2])
rules = {"auc": (True, 0.7, 0.01, None), "loss": (False, None, None, 0.02)}
c = MlflowClient(tracking_uri="databricks", registry_uri=flavour)
w = WorkspaceClient()
def judge(cm, pm):
    ok = True
    for k, (hib, thr, mac, mreg) in rules.items():
        cv, pv = cm[k], pm[k]
        if thr is not None: ok &= cv >= thr if hib else cv <= thr
        if mac is not None: ok &= cv >= pv + mac if hib else cv <= pv - mac
        if mreg is not None: ok &= cv >= pv - mreg if hib else cv <= pv + mreg
    return "passed" if ok else "failed"
walls = []
for name in models:
    t = time.perf_counter()
    if flavour == "databricks":
        vs = c.search_model_versions(f"name='{name}'")
        cand = [v for v in vs if v.current_stage == "Staging"][0]
        prod = [v for v in vs if v.current_stage == "Production"][0]
        verdict = judge(c.get_run(cand.run_id).data.metrics, c.get_run(prod.run_id).data.metrics)
        for key, val in (("mlgate.compare.verdict", verdict), ("mlgate.compare.at", "now")):
            c.set_model_version_tag(name, cand.version, key, val)
        w.model_registry.create_comment(name, cand.version, "compare " + verdict)
        mv = c.get_model_version(name, cand.version)
        assert mv.tags.get("mlgate.compare.verdict") == "passed"
        holders = [x for x in c.search_model_versions(f"name='{name}'") if x.current_stage == "Production"]
        assert [x.version for x in holders] == [prod.version]
        reqs = [r for r in w.model_registry.list_transition_requests(name, cand.version)
                if r.to_stage == "Production"]
        assert reqs
        w.model_registry.approve_transition_request(name, cand.version, "Production", True,
                                                    comment="approved: compare passed")
        after = [x for x in c.search_model_versions(f"name='{name}'") if x.current_stage == "Production"]
        assert [x.version for x in after] == [cand.version]
        for key, val in (("mlgate.promote.verdict", "passed"), ("mlgate.promote.at", "now")):
            c.set_model_version_tag(name, cand.version, key, val)
        w.model_registry.create_comment(name, cand.version, "promote passed")
    else:
        cand = c.get_model_version_by_alias(name, "challenger")
        prod = c.get_model_version_by_alias(name, "champion")
        verdict = judge(c.get_run(cand.run_id).data.metrics, c.get_run(prod.run_id).data.metrics)
        for key, val in (("mlgate.compare.verdict", verdict), ("mlgate.compare.at", "now")):
            c.set_model_version_tag(name, cand.version, key, val)
        c.update_model_version(name, cand.version, (cand.description or "") + "\ncompare " + verdict)
        mv = c.get_model_version(name, cand.version)
        assert mv.tags.get("mlgate.compare.verdict") == "passed"
        assert c.get_model_version_by_alias(name, "champion").version == prod.version
        c.set_registered_model_alias(name, "champion", cand.version)
        c.delete_registered_model_alias(name, "challenger")
        assert c.get_model_version_by_alias(name, "champion").version == cand.version
        for key, val in (("mlgate.promote.verdict", "passed"), ("mlgate.promote.at", "now")):
            c.set_model_version_tag(name, cand.version, key, val)
        c.update_model_version(name, cand.version, (mv.description or "") + "\npromote passed")
    walls.append(time.perf_counter() - t)
print(json.dumps({"startup_s": startup, "walls": walls}))
"""


def call(base, path, body=None):
    req = urllib.request.Request(base + path, method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"{}")


def seed(base, flavour, n):
    names, runs, models = [], [], []
    for _ in range(n):
        tag = uuid.uuid4().hex[:8]
        name = f"bench-db-{tag}" if flavour == "databricks" else f"main.bench.m{tag}"
        r1, r2 = f"r1{tag}", f"r2{tag}"
        runs += [{"run_id": r1, "experiment": "bench", "metrics": {"auc": 0.80, "loss": 0.40}},
                 {"run_id": r2, "experiment": "bench", "metrics": {"auc": 0.86, "loss": 0.39}}]
        if flavour == "databricks":
            vs = [{"stage": "Production", "run_id": r1},
                  {"stage": "Staging", "run_id": r2,
                   "requests": [{"stage": "Production", "user": "trainer@example.com"}]}]
        else:
            vs = [{"aliases": ["champion"], "run_id": r1}, {"aliases": ["challenger"], "run_id": r2}]
        models.append({"name": name, "uc": flavour != "databricks", "versions": vs})
        names.append(name)
    call(base, "/_emu/seed", {"models": models, "runs": runs})
    return names


def requests_since(base):
    n = len(call(base, "/_emu/log"))
    call(base, "/_emu/log/clear", {})
    return n


def mlgate_pair(bindir, flavour, name, tmp):
    ev = os.path.join(tmp, "compare.xml")
    pol = os.path.join(tmp, "policy.json")
    if flavour == "databricks":
        sel = (["--stage", "Staging", "--baseline-stage", "Production"],
               ["--version", "2", "--to-stage", "Production"])
    else:
        sel = (["--alias", "challenger", "--baseline-alias", "champion"],
               ["--version", "2", "--to-alias", "champion", "--from-alias", "challenger"])
    cmds = [[f"{bindir}/mlgate-compare", "--ci", "none", "-q", "--registry", flavour, "--model",
             name, *sel[0], "--policy", pol, "--junit", ev],
            [f"{bindir}/mlgate-promote", "--ci", "none", "-q", "--registry", flavour, "--model",
             name, *sel[1], "--require", "compare", "--evidence", ev]]
    t = time.perf_counter()
    for cmd in cmds:
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode:
            sys.exit(f"{os.path.basename(cmd[0])} exited {p.returncode}: {p.stderr[-800:]}")
    return time.perf_counter() - t


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--bin", required=True)
    a.add_argument("--emu", required=True)
    a.add_argument("--tmp", required=True)
    a.add_argument("-n", type=int, default=5)
    a = a.parse_args()
    with open(os.path.join(a.tmp, "policy.json"), "w") as f:
        json.dump(POLICY, f)
    port_file = os.path.join(a.tmp, "emu.port")
    emu = subprocess.Popen([sys.executable, a.emu, "--port", "0", "--port-file", port_file,
                            "--token", f"bench@example.com={TOKEN}"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        base = "http://127.0.0.1:" + open(port_file).read().strip()
        os.environ.update(DATABRICKS_HOST=base, DATABRICKS_TOKEN=TOKEN)
        for flavour in ("databricks", "databricks-uc"):
            ours = seed(base, flavour, a.n)
            requests_since(base)
            walls, reqs = [], []
            for name in ours:
                walls.append(mlgate_pair(a.bin, flavour, name, a.tmp))
                reqs.append(requests_since(base))
            theirs = seed(base, flavour, a.n + 1)
            requests_since(base)
            p = subprocess.run([sys.executable, "-c", PEER, flavour, json.dumps(theirs)],
                               capture_output=True, text=True)
            if p.returncode:
                sys.exit(f"peer failed: {p.stderr[-1500:]}")
            peer = json.loads(p.stdout.splitlines()[-1])
            peer_reqs = requests_since(base) / len(theirs)
            pw = peer["walls"][1:]
            print(f"compare + promote pair on the Databricks emulator, registry '{flavour}', "
                  f"{a.n} pairs each")
            print(f"{'':34}{'mlgate (2 processes)':>22}{'MLflow + Databricks SDK':>28}")
            print(f"{'requests per pair':34}{statistics.median(reqs):>22.0f}{peer_reqs:>28.1f}")
            print(f"{'wall per pair, median':34}{statistics.median(walls) * 1e3:>19.1f} ms"
                  f"{statistics.median(pw) * 1e3:>25.1f} ms")
            print(f"{'start-up per CI step':34}{'(included above)':>22}"
                  f"{peer['startup_s'] * 1e3:>25.1f} ms")
            print()
    finally:
        emu.terminate()
        emu.wait()


if __name__ == "__main__":
    main()
