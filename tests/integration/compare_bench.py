"""Time one mlgate-compare dry run (its reads: 2 version lookups, 2 runs)
beside the same reads and the same rule arithmetic done with MLflow's
Python MlflowClient, against the same server. Prints medians.

Usage: compare_bench.py TRACKING_URI MODEL POLICY MLGATE_COMPARE [N]
"""
import json
import os
import statistics
import subprocess
import sys
import time

uri, model, policy, binary = sys.argv[1:5]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 10

PY = r'''
import sys, time, json, warnings, logging
t0 = time.perf_counter()
warnings.filterwarnings("ignore"); logging.disable(logging.CRITICAL)
from mlflow import MlflowClient
t1 = time.perf_counter()
uri, model, policy = sys.argv[1:4]
rules = json.load(open(policy))["compare"]["metrics"]
c = MlflowClient(tracking_uri=uri, registry_uri=uri)
cand = c.get_model_version_by_alias(model, "challenger")
base = c.get_model_version_by_alias(model, "champion")
cm = c.get_run(cand.run_id).data.metrics
bm = c.get_run(base.run_id).data.metrics
deltas = {r["name"]: cm[r["name"]] - bm[r["name"]] for r in rules}
t2 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1e3, "work_ms": (t2 - t1) * 1e3}))
'''


def ms(cmd, env=None):
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return (time.perf_counter() - t) * 1e3, out


env = dict(os.environ, MLGATE_DEBUG="true")
c_ms, py_ms, py_work = [], [], []
for _ in range(n + 1):
    t, out = ms([binary, "-r", uri, "-m", model, "-a", "challenger", "-p", policy, "-n", "-q"],
                env)
    reqs = sum(" -> " in line for line in out.stderr.splitlines())
    c_ms.append(t)
    t, out = ms([sys.executable, "-c", PY, uri, model, policy])
    py_ms.append(t)
    py_work.append(json.loads(out.stdout.strip().splitlines()[-1])["work_ms"])
c_ms, py_ms, py_work = c_ms[1:], py_ms[1:], py_work[1:]  # the first run warms caches
print(f"mlgate-compare --dry-run: median {statistics.median(c_ms):.1f} ms wall "
      f"(min {min(c_ms):.1f}), {reqs} HTTP requests")
print(f"python MlflowClient, same 4 reads: median {statistics.median(py_ms):.1f} ms wall "
      f"(min {min(py_ms):.1f}) per process; {statistics.median(py_work):.1f} ms after "
      f"'import mlflow'")
