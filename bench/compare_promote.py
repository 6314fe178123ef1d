"""Benchmark: one compare + promote pair (candidate in Staging against the
version in Production, then the move to Production on that evidence) done by
mlgate-compare + mlgate-promote, side by side with the same steps written with
MLflow's Python MlflowClient, against the same real MLflow server.

Each iteration gets a freshly seeded model (seeding is not timed): version 1 in
Production, version 2 in Staging, each from its own run with two metrics.
Reported: median and worst wall time of the pair, HTTP requests per pair
(mlgate: counted from MLGATE_DEBUG's one line per request; peer: counted by
wrapping requests.Session.send), and for the peer its process start-up
(import mlflow), paid once per CI step.

The peer does what the gates do, no more: resolve the Production and Staging
versions, read both runs, check each metric against its rule, tag the
candidate and append to its description (compare); re-read the version and
Production, transition with archive_existing_versions, re-read to detect a
conflicting writer, tag and describe (promote).

With --uri sqlite:///PATH the same pair runs on MLflow's SQLite store (the
embedded default): mlgate opens the file itself, the peer goes through
MLflow's SQLAlchemy store; there are no HTTP requests to count.

Usage: compare_promote.py --bin DIR --uri http://127.0.0.1:PORT|sqlite:///PATH --tmp DIR [-n N]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
import warnings

POLICY = {"version": 1, "compare": {"metrics": [
    {"name": "auc", "greater_is_better": True, "threshold": 0.7, "min_absolute_change": 0.01},
    {"name": "loss", "greater_is_better": False, "max_regression": 0.02}]}}

PEER = r"""
import json, statistics, sys, time, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
import requests
from mlflow import MlflowClient
startup = time.perf_counter() - t0
count = [0]
send = requests.Session.send
def counting_send(self, *a, **k):
    count[0] += 1
    return send(self, *a, **k)
requests.Session.send = counting_send
uri, models = sys.argv[1], json.loads(sys.argv[2])
rules = {"auc": (True, 0.7, 0.01, None), "loss": (False, None, None, 0.02)}
c = MlflowClient(tracking_uri=uri, registry_uri=uri)
walls, cpus, reqs = [], [], []
for name in models:
    count[0] = 0
    t = time.perf_counter()
    cpu = time.process_time()
    # compare
    cand = [v for v in c.search_model_versions(f"name='{name}'") if v.current_stage == "Staging"]
    prod = [v for v in c.search_model_versions(f"name='{name}'") if v.current_stage == "Production"]
    assert len(cand) == 1 and len(prod) == 1
    cm = c.get_run(cand[0].run_id).data.metrics
    pm = c.get_run(prod[0].run_id).data.metrics
    ok = True
    for k, (hib, thr, mac, mreg) in rules.items():
        cv, pv = cm[k], pm[k]
        if thr is not None: ok &= cv >= thr if hib else cv <= thr
        if mac is not None: ok &= cv >= pv + mac if hib else cv <= pv - mac
        if mreg is not None: ok &= cv >= pv - mreg if hib else cv <= pv + mreg
    verdict = "passed" if ok else "failed"
    v = cand[0].version
    for key, val in (("mlgate.compare.verdict", verdict), ("mlgate.compare.at", "now")):
        c.set_model_version_tag(name, v, key, val)
    c.update_model_version(name, v, (cand[0].description or "") + "\n[peer] compare " + verdict)
    # promote
    mv = c.get_model_version(name, v)
    holders = [x for x in c.search_model_versions(f"name='{name}'") if x.current_stage == "Production"]
    assert mv.tags.get("mlgate.compare.verdict") == "passed"
    assert [x.version for x in holders] == [prod[0].version]
    c.transition_model_version_stage(name, v, "Production", archive_existing_versions=True)
    after = [x for x in c.search_model_versions(f"name='{name}'") if x.current_stage == "Production"]
    assert [x.version for x in after] == [v]
    for key, val in (("mlgate.promote.verdict", "passed"), ("mlgate.promote.at", "now")):
        c.set_model_version_tag(name, v, key, val)
    c.update_model_version(name, v, (mv.description or "") + "\n[peer] promote passed")
    walls.append(time.perf_counter() - t)
    cpus.append(time.process_time() - cpu)
    reqs.append(count[0])
print(json.dumps({"startup_s": startup, "walls": walls, "cpus": cpus, "requests": reqs}))
"""


def seed(client, exp, n):
    names = []
    for _ in range(n):
        name = f"bench-cp-{uuid.uuid4().hex[:8]}"
        client.create_registered_model(name)
        for v, (auc, loss, stage) in enumerate([(0.80, 0.40, "Production"), (0.86, 0.39, "Staging")], 1):
            run = client.create_run(exp)
            client.log_metric(run.info.run_id, "auc", auc)
            client.log_metric(run.info.run_id, "loss", loss)
            client.set_terminated(run.info.run_id)
            client.create_model_version(name, f"{run.info.artifact_uri}/model", run.info.run_id)
            client.transition_model_version_stage(name, str(v), stage)
        names.append(name)
    return names


def mlgate_pair(bindir, uri, name, tmp, debug):
    env = dict(os.environ, MLGATE_DEBUG="1" if debug else "0")
    ev = os.path.join(tmp, f"{name}-compare.xml")
    pol = os.path.join(tmp, "policy.json")
    cmds = [[f"{bindir}/mlgate-compare", "--ci", "none", "-q", "--registry", uri, "--model", name,
             "--stage", "Staging", "--baseline-stage", "Production", "--policy", pol, "--junit", ev],
            [f"{bindir}/mlgate-promote", "--ci", "none", "-q", "--registry", uri, "--model", name,
             "--version", "2", "--to-stage", "Production", "--require", "compare", "--evidence", ev]]
    t = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    reqs = 0
    for cmd in cmds:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if p.returncode:
            sys.exit(f"{os.path.basename(cmd[0])} exited {p.returncode}: {p.stderr[-800:]}")
        reqs += sum(1 for line in p.stderr.splitlines() if " -> " in line)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, reqs, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--bin", required=True)
    a.add_argument("--uri", required=True)
    a.add_argument("--tmp", required=True)
    a.add_argument("-n", type=int, default=15)
    a = a.parse_args()
    warnings.filterwarnings("ignore")
    from mlflow import MlflowClient

    with open(os.path.join(a.tmp, "policy.json"), "w") as f:
        json.dump(POLICY, f)
    client = MlflowClient(tracking_uri=a.uri, registry_uri=a.uri)
    exp = client.create_experiment(f"bench-cp-{uuid.uuid4().hex[:8]}")
    # one warm-up model each, then n timed; request counts from one extra debug run
    ours = seed(client, exp, a.n + 2)
    mlgate_pair(a.bin, a.uri, ours[0], a.tmp, False)
    _, reqs, _ = mlgate_pair(a.bin, a.uri, ours[1], a.tmp, True)
    timed = [mlgate_pair(a.bin, a.uri, n, a.tmp, False) for n in ours[2:]]
    walls = [t[0] for t in timed]
    cpus = [t[2] for t in timed]
    for n in ours:
        mv = client.get_model_version(n, "2")
        assert mv.current_stage == "Production", (n, mv.current_stage)
    theirs = seed(client, exp, a.n + 1)
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", PEER, a.uri, json.dumps(theirs)],
                       capture_output=True, text=True)
    peer_process = time.perf_counter() - t0
    if p.returncode:
        sys.exit(f"peer failed: {p.stderr[-800:]}")
    peer = json.loads(p.stdout.splitlines()[-1])
    pw = peer["walls"][1:]  # the first pair warms the client

    where = "MLflow's SQLite store" if a.uri.startswith("sqlite:") else "a real MLflow server"
    print(f"compare + promote pair against {where} ({a.uri}), {a.n} pairs each")
    print(f"{'':34}{'mlgate (2 processes)':>22}{'MlflowClient (in-process)':>28}")
    print(f"{'wall per pair, median':34}{statistics.median(walls) * 1e3:>19.1f} ms"
          f"{statistics.median(pw) * 1e3:>25.1f} ms")
    print(f"{'wall per pair, worst':34}{max(walls) * 1e3:>19.1f} ms{max(pw) * 1e3:>25.1f} ms")
    print(f"{'client CPU per pair, median':34}{statistics.median(cpus) * 1e3:>19.1f} ms"
          f"{statistics.median(peer['cpus'][1:]) * 1e3:>25.1f} ms")
    if reqs:
        print(f"{'server time per request, median':34}"
              f"{statistics.median(walls) / reqs * 1e3:>19.1f} ms"
              f"{statistics.median(pw) / peer['requests'][1] * 1e3:>25.1f} ms  (wall / requests)")
        print(f"{'HTTP requests per pair':34}{reqs:>22}{peer['requests'][1]:>28}")
    print(f"{'start-up per CI step':34}{'(included above)':>22}"
          f"{peer['startup_s'] * 1e3:>25.1f} ms")
    print(f"{'peer process, all pairs + start-up':34}{'':>22}{peer_process * 1e3:>25.1f} ms")


if __name__ == "__main__":
    main()
