"""Make a large MLflow registry in a SQLite file, quickly, for benchmarks.

    .venv/bin/python bench/registry_gen.py DB [--versions 100000] [--models 10]
                                              [--tags 2] [--force]

MLflow itself creates the database (schema and alembic revision), the
registered models, and version 1 of each model with its tags, an alias and
a stage; every other version is a copy of that version-1 row made with plain
SQL inserts (one transaction), differing only where MLflow's own rows would
differ: version, times, source and tag values. So the rows are MLflow's in
every column (workspace, current_stage 'None', status 'READY',
storage_location = source, NULL description/user_id/run_link), and 100 000
versions take seconds instead of the hour MLflow's client would need.

Prints one JSON line: the database, counts and the time taken.
"""

import argparse
import json
import os
import sqlite3
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", help="the SQLite file to create")
    ap.add_argument("--versions", type=int, default=100_000, help="versions in all")
    ap.add_argument("--models", type=int, default=10, help="registered models")
    ap.add_argument("--tags", type=int, default=2, help="tags per version")
    ap.add_argument("--force", action="store_true", help="replace an existing file")
    args = ap.parse_args()
    if args.models < 1 or args.versions < args.models or args.tags < 0:
        ap.error("need --models >= 1, --versions >= --models and --tags >= 0")
    if os.path.exists(args.db):
        if not args.force:
            ap.error(f"{args.db} exists (use --force to replace it)")
        os.remove(args.db)
    db = os.path.abspath(args.db)
    start = time.monotonic()

    # MLflow prints to stdout; keep it for the result line.
    out, sys.stdout = sys.stdout, sys.stderr
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    from mlflow import MlflowClient

    uri = f"sqlite:///{db}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    names = [f"bench model {m:03d}" for m in range(args.models)]
    tag_keys = [f"bench.tag{k}" for k in range(args.tags)]
    for name in names:
        client.create_registered_model(name, description="benchmark model")
        client.create_model_version(
            name, source=f"s3://bench/{name}/1", run_id=None,
            tags={k: f"{k} of 1" for k in tag_keys},
        )
        client.set_registered_model_alias(name, "champion", "1")
        client.transition_model_version_stage(name, "1", "Production")

    con = sqlite3.connect(db)
    cols = [r[1] for r in con.execute("PRAGMA table_info(model_versions)")]
    per_model = args.versions // args.models
    extra = args.versions - per_model * args.models
    now = int(time.time() * 1000)
    with con:
        for m, name in enumerate(names):
            template = dict(zip(cols, con.execute(
                "SELECT * FROM model_versions WHERE name = ? AND version = 1", (name,)
            ).fetchone()))
            count = per_model + (1 if m < extra else 0)

            def rows():
                for v in range(2, count + 1):
                    row = dict(template)
                    row.update(version=v, creation_time=now + v, last_updated_time=now + v,
                               current_stage="None", source=f"s3://bench/{name}/{v}",
                               storage_location=f"s3://bench/{name}/{v}")
                    yield tuple(row[c] for c in cols)

            con.executemany(
                f"INSERT INTO model_versions ({', '.join(cols)}) "
                f"VALUES ({', '.join('?' * len(cols))})", rows())
            con.executemany(
                "INSERT INTO model_version_tags (key, value, name, version, workspace) "
                "VALUES (?, ?, ?, ?, ?)",
                ((k, f"{k} of {v}", name, v, template["workspace"])
                 for v in range(2, count + 1) for k in tag_keys))
    total = con.execute("SELECT count(*) FROM model_versions").fetchone()[0]
    tags = con.execute("SELECT count(*) FROM model_version_tags").fetchone()[0]
    con.close()
    out.write(json.dumps({"db": db, "uri": uri, "models": args.models, "versions": total,
                          "tags": tags, "seconds": round(time.monotonic() - start, 2)}) + "\n")


if __name__ == "__main__":
    main()
