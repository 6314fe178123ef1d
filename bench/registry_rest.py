"""Benchmark: mlgate's REST registry client against MLflow's own Python client,
side by side, on the same real MLflow server and the same requests.

Each side reads the same model version N times in one process (mlgate:
tests/integration/regtool with N chained get-version commands; peer:
MlflowClient.get_model_version in a loop). Reported per request: wall time
(includes the server's own time, identical for both) and client CPU time
(user + system of the client process: the client's own overhead), and the
whole run's peak RSS (GNU time).

Usage: registry_rest.py --regtool PATH --uri http://127.0.0.1:PORT [-n N]
"""
import argparse
import json
import subprocess
import tempfile
import sys
import time
import uuid
import warnings

PEER = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter(); c0 = time.process_time()
from mlflow import MlflowClient
client = MlflowClient(sys.argv[1])
t1 = time.perf_counter(); c1 = time.process_time()
for _ in range(int(sys.argv[4])):
    client.get_model_version(sys.argv[2], sys.argv[3])
t2 = time.perf_counter(); c2 = time.process_time()
print(json.dumps({"startup_s": t1 - t0, "loop_s": t2 - t1, "loop_cpu_s": c2 - c1}))
"""


def child_run(cmd):
    """Run cmd under GNU time: (process, wall s, user+sys CPU s, peak RSS KiB)."""
    with tempfile.NamedTemporaryFile("r") as f:
        t0 = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-o", f.name, "-f", "%U %S %M", *cmd],
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode:
            sys.exit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[:500]}")
        user, system, rss = f.read().split()
    return proc, wall, float(user) + float(system), int(rss)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--regtool", required=True)
    p.add_argument("--uri", required=True)
    p.add_argument("-n", type=int, default=300)
    a = p.parse_args()
    warnings.filterwarnings("ignore")
    from mlflow import MlflowClient

    client = MlflowClient(a.uri)
    name = f"bench-{uuid.uuid4().hex[:8]}"
    run = client.create_run(client.create_experiment(name))
    client.create_registered_model(name)
    client.create_model_version(name, f"{run.info.artifact_uri}/model", run.info.run_id)

    cmd = [a.regtool, a.uri]
    for i in range(a.n):
        cmd += (["--"] if i else []) + ["get-version", name, "1"]
#warm the server's caches once with each client
    child_run([a.regtool, a.uri, "get-version", name, "1"])
    _, wall, cpu, rss = child_run(cmd)
    proc, _, _, peer_rss = child_run([sys.executable, "-c", PEER, a.uri, name, "1", str(a.n)])
    peer = json.loads(proc.stdout)

    print(f"registry client, {a.n} x get-version against a real MLflow server ({a.uri})")
    print(f"{'':34}{'mlgate (C, libcurl)':>22}{'MLflow Python client':>24}")
    print(f"{'wall per request (incl. server)':34}{wall / a.n * 1e3:>19.3f} ms"
          f"{peer['loop_s'] / a.n * 1e3:>21.3f} ms")
    print(f"{'client CPU per request':34}{cpu / a.n * 1e6:>19.1f} us"
          f"{peer['loop_cpu_s'] / a.n * 1e6:>21.1f} us")
    print(f"{'process start-up':34}{'(included above)':>22}{peer['startup_s'] * 1e3:>21.1f} ms")
    print(f"{'whole run, wall':34}{wall * 1e3:>19.1f} ms"
          f"{(peer['startup_s'] + peer['loop_s']) * 1e3:>21.1f} ms")
    print(f"{'peak RSS':34}{rss / 1024:>19.1f} MB{peer_rss / 1024:>21.1f} MB")


if __name__ == "__main__":
    main()
