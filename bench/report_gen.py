"""The inputs of the HTML report benchmark (bench/b_report.sh): a promotion
with M compared metrics and a registry with V versions of history.

    python3 bench/report_gen.py DIR [--metrics 50] [--versions 200]

DIR/registry.db is the demo registry (fixtures/demo/mlflow.sql, made by real
MLflow) grown with plain SQL: version 1's row and run copied to versions
2..V, each run with M metrics in MLflow's tables (runs, latest_metrics,
metrics); every 40th version reached Production (stage Archived and the
promote tags, the last of them in Production). DIR/compare.json is a compare
decision of version V against that production version over the M metrics,
DIR/comply.json and DIR/promote.json the demo's decisions renamed to
version V. Standard library only.
"""
import argparse
import json
import math
import os
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")


def value(m, v):
    """Metric m of version v: a slow trend with noise, some metrics lower-is-better."""
    base = 0.8 + 0.1 * math.sin(m) if m % 5 else 120.0 + 10 * m
    return round(base * (1 + 0.0005 * v + 0.01 * math.sin(v * 0.7 + m)), 6)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--metrics", type=int, default=50)
    ap.add_argument("--versions", type=int, default=200)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    db = os.path.join(a.dir, "registry.db")
    if os.path.exists(db):
        os.remove(db)
    con = sqlite3.connect(db)
    con.executescript(open(os.path.join(FIX, "demo", "mlflow.sql")).read())
    names = [f"metric_{m:02d}" for m in range(a.metrics)]
    mv = con.execute("SELECT * FROM model_versions WHERE name='fraud-detector' AND version=1").fetchone()
    cols = [d[0] for d in con.execute("SELECT * FROM model_versions LIMIT 0").description]
    run = con.execute("SELECT * FROM runs WHERE run_uuid=?", (mv[cols.index("run_id")],)).fetchone()
    rcols = [d[0] for d in con.execute("SELECT * FROM runs LIMIT 0").description]
    con.execute("DELETE FROM model_version_tags WHERE name='fraud-detector' AND version>1")
    con.execute("DELETE FROM model_versions WHERE name='fraud-detector' AND version>1")
    con.execute("DELETE FROM latest_metrics")
    con.execute("DELETE FROM metrics")
    prod = [v for v in range(1, a.versions + 1) if v % 40 == 1]
    for v in range(1, a.versions + 1):
        rid = f"{v:032x}"
        r = list(run)
        r[rcols.index("run_uuid")] = rid
        con.execute(f"INSERT INTO runs VALUES ({','.join('?' * len(r))})", r)
        row = list(mv)
        row[cols.index("version")] = v
        row[cols.index("run_id")] = rid
        row[cols.index("current_stage")] = ("Production" if v == prod[-1] else "Archived") \
            if v in prod else "None"
        if v > 1:
            con.execute(f"INSERT INTO model_versions VALUES ({','.join('?' * len(row))})", row)
        else:
            con.execute("UPDATE model_versions SET run_id=?, current_stage=? WHERE "
                        "name='fraud-detector' AND version=1", (rid, row[cols.index("current_stage")]))
        if v in prod:
            for k, val in (("mlgate.promote.verdict", "passed"),
                           ("mlgate.promote.target", "stage:Production")):
                con.execute("INSERT OR REPLACE INTO model_version_tags (key, value, name, version) "
                            "VALUES (?, ?, 'fraud-detector', ?)", (k, val, v))
        for m, name in enumerate(names):
            x = value(m, v)
            con.execute("INSERT INTO latest_metrics VALUES (?, ?, 1796020123465, 0, 0, ?)",
                        (name, x, rid))
            con.execute("INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                        "VALUES (?, ?, 1796020123465, ?, 0, 0)", (name, x, rid))
    con.commit()
    con.close()

    champion, cand = prod[-1], a.versions
    metrics, checks = [], []
    for m, name in enumerate(names):
        higher = bool(m % 5)
        c, b = value(m, cand), value(m, champion)
        reg = 0.01 if higher else 5.0
        ok = (c >= b - reg) if higher else (c <= b + reg)
        verdict = "passed" if ok else "failed"
        rule = ("higher is better; max_regression 0.01" if higher
                else "lower is better; threshold <= 400; max_regression 5")
        metrics.append({"name": name, "id": f"compare.metric.{name}", "candidate": c,
                        "baseline": b, "delta": round(c - b, 6), "rule": rule,
                        "verdict": verdict})
        checks.append({"id": f"compare.metric.{name}", "status": verdict,
                       "message": f"candidate {c}, production {b}, delta {round(c - b, 6)}"})
    common = {"model": "fraud-detector", "version": str(cand), "registry": "sqlite:///registry.db",
              "commit": "8b22f98e883742daa4f442804fa0450fb11d8521",
              "policy_sha256": "e4" * 32, "tool_version": "0.0.0",
              "started": "2026-12-05T08:00:37Z", "finished": "2026-12-05T08:00:37Z",
              "writeback": "written", "dry_run": False, "registry_change_failed": None}
    failed = sum(1 for x in checks if x["status"] == "failed")
    compare = dict(common, gate="compare", verdict="failed" if failed else "passed", checks=checks,
                   registry_changes=[f"set tag mlgate.compare.verdict on version {cand}"],
                   compare={"metric_source": "run",
                            "metric_source_text": "latest value of each metric on the version's run",
                            "first_deployment": False,
                            "candidate": {"selector": f"version {cand}", "version": str(cand)},
                            "baseline": {"selector": "stage Production", "version": str(champion)},
                            "metrics": metrics})
    json.dump(compare, open(os.path.join(a.dir, "compare.json"), "w"), indent=1)
    for gate in ("comply", "promote"):
        src = "comply-v3.json" if gate == "comply" else "promote-v3-production.json"
        d = json.load(open(os.path.join(FIX, "html", src)))
        d.update(version=str(cand))
        json.dump(d, open(os.path.join(a.dir, f"{gate}.json"), "w"), indent=1)
    print(json.dumps({"dir": a.dir, "metrics": a.metrics, "versions": a.versions,
                      "production": prod, "failed": failed}))


if __name__ == "__main__":
    sys.exit(main())
