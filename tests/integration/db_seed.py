#!/usr/bin/env python3
"""Load the demo registry (fixtures/demo/mlflow.sql, made by real MLflow) into a running
Databricks emulator (tests/integration/dbemu.py) through its control API, POST /_emu/seed.

    db_seed.py URL --model NAME [--uc] [--sql FILE]
               [--request VERSION:STAGE[:USER[:COMMENT]]]... [--stage VERSION:STAGE]...
               [--alias VERSION:ALIAS]... [--only VERSION,...]

The fixture's model "fraud-detector" becomes NAME: a workspace registry model (stages), or
with --uc a Unity Catalog model (NAME is catalog.schema.model; aliases instead of stages).
Each version keeps its description, tags, status and training run; each run keeps its
metrics (value, step, timestamp), params, tags (mlflow.source.git.commit, the commits
scripts/demo-repo.sh makes) and status, under a run id derived from NAME and the fixture's,
so every model seeded into one emulator has its own runs. The model keeps its description
and tags. --request opens a transition request (workspace registry), --stage and --alias
place a version, --only seeds only those versions. Prints the emulator's answer and the run
ids as one JSON object: {"model", "versions", "runs": {fixture run id: seeded run id}}.
Standard library only.
"""
import argparse
import hashlib
import json
import os
import sqlite3
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "..", "fixtures", "demo", "mlflow.sql")
DEMO_MODEL = "fraud-detector"


def pairs(values, what, parts=2):
    out = []
    for s in values:
        p = s.split(":", parts - 1) if parts > 2 else s.split(":", 1)
        if len(p) < 2 or not p[0].isdigit():
            sys.exit(f"db_seed.py: {what} wants VERSION:..., got '{s}'")
        out.append(p)
    return out


def load(sql_file):
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    with open(sql_file, encoding="utf-8") as f:
        db.executescript(f.read())
    return db


def build(db, args):
    rid = {}

    def run_id(orig):
        if orig not in rid:
            rid[orig] = hashlib.sha256(f"{args.model}\0{orig}".encode()).hexdigest()[:32]
        return rid[orig]

    model = db.execute("SELECT * FROM registered_models WHERE name = ?", (DEMO_MODEL,)).fetchone()
    if model is None:
        sys.exit(f"db_seed.py: {args.sql} has no model '{DEMO_MODEL}'")
    only = {int(v) for v in args.only.split(",")} if args.only else None
    requests = {}
    for v, rest in pairs(args.request, "--request"):
        p = rest.split(":", 2)
        rq = {"stage": p[0]}
        if len(p) > 1 and p[1]:
            rq["user"] = p[1]
        if len(p) > 2:
            rq["comment"] = p[2]
        requests.setdefault(int(v), []).append(rq)
    stages = {int(v): s for v, s in pairs(args.stage, "--stage")}
    aliases = {}
    for v, a in pairs(args.alias, "--alias"):
        aliases.setdefault(int(v), []).append(a)
    if args.uc and (requests or stages):
        sys.exit("db_seed.py: Unity Catalog models have no stages or transition requests")
    if not args.uc and aliases:
        sys.exit("db_seed.py: workspace registry models have no aliases")

    versions, runs_used = [], []
    for mv in db.execute("SELECT * FROM model_versions WHERE name = ? ORDER BY version",
                         (DEMO_MODEL,)):
        n = mv["version"]
        if only is not None and n not in only:
            continue
        tags = {r["key"]: r["value"] for r in db.execute(
            "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ?",
            (DEMO_MODEL, n))}
        vd = {"version": str(n), "description": mv["description"] or "", "tags": tags,
              "status": mv["status"] or "READY", "user": "demo@example.com"}
        if mv["run_id"]:
            vd["run_id"] = run_id(mv["run_id"])
            runs_used.append(mv["run_id"])
            vd["source"] = f"dbfs:/databricks/mlflow-tracking/demo/{vd['run_id']}/artifacts/model"
        if args.uc:
            vd["aliases"] = aliases.get(n, [])
        else:
            vd["stage"] = stages.get(n, "None")
            vd["requests"] = requests.get(n, [])
        versions.append(vd)
    if only is not None and len(versions) != len(only):
        sys.exit(f"db_seed.py: --only {args.only}: the fixture has no such version")

    runs = []
    for orig in dict.fromkeys(runs_used):
        r = db.execute("SELECT * FROM runs WHERE run_uuid = ?", (orig,)).fetchone()
        metrics = {}
        for m in db.execute("SELECT key, value, timestamp, step FROM metrics WHERE run_uuid = ? "
                            "ORDER BY timestamp, step", (orig,)):
            metrics.setdefault(m["key"], []).append(
                {"value": m["value"], "step": m["step"], "timestamp": m["timestamp"]})
        params = {p["key"]: p["value"] for p in db.execute(
            "SELECT key, value FROM params WHERE run_uuid = ?", (orig,))}
        tags = {t["key"]: t["value"] for t in db.execute(
            "SELECT key, value FROM tags WHERE run_uuid = ?", (orig,))}
        runs.append({"run_id": run_id(orig), "experiment": f"/Shared/{args.model}-training",
                     "name": r["name"], "status": r["status"], "user": "demo@example.com",
                     "start_time": r["start_time"], "metrics": metrics, "params": params,
                     "tags": tags})
    mtags = {t["key"]: t["value"] for t in db.execute(
        "SELECT key, value FROM registered_model_tags WHERE name = ?", (DEMO_MODEL,))}
    doc = {"runs": runs, "models": [{"name": args.model, "uc": args.uc,
                                     "description": model["description"] or "",
                                     "tags": mtags, "user": "demo@example.com",
                                     "versions": versions}]}
    return doc, rid


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("url")
    ap.add_argument("--model", required=True)
    ap.add_argument("--uc", action="store_true")
    ap.add_argument("--sql", default=FIXTURE)
    ap.add_argument("--request", action="append", default=[])
    ap.add_argument("--stage", action="append", default=[])
    ap.add_argument("--alias", action="append", default=[])
    ap.add_argument("--only")
    args = ap.parse_args()
    doc, rid = build(load(args.sql), args)
    req = urllib.request.Request(args.url.rstrip("/") + "/_emu/seed", method="POST",
                                 data=json.dumps(doc).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = json.load(resp)
    except urllib.error.HTTPError as e:
        sys.exit(f"db_seed.py: the emulator refused the seed: {e.code} {e.read()[:500]!r}")
    print(json.dumps({"model": args.model, "versions": answer["versions"].get(args.model, []),
                      "runs": rid}))


if __name__ == "__main__":
    main()
