"""MLflow's own view of a registry, for the SQLite backend's integration tests.

Run with the test venv's python ($MLGATE_TEST_PYTHON). Every command prints
JSON on stdout in the shape tests/integration/regtool.c prints, so a test can
compare what MLflow reads with what mlgate reads. URI is any MLflow tracking
URI: sqlite:///path.db for MLflow's SQL store, http://... for a real server.

    sqlite_mlflow.py seed URI                 create the test registry, print its names
    sqlite_mlflow.py many URI NAME N          register N versions of model NAME
    sqlite_mlflow.py version URI NAME VERSION
    sqlite_mlflow.py model URI NAME
    sqlite_mlflow.py alias URI NAME ALIAS
    sqlite_mlflow.py in-stage URI NAME STAGE  one object per line, highest version first
    sqlite_mlflow.py search URI FILTER PAGE_SIZE [ORDER]   one object per line, every page
    sqlite_mlflow.py run URI RUN_ID
    sqlite_mlflow.py history URI RUN_ID KEY   one object per line
    sqlite_mlflow.py experiment URI NAME      prints the id, or nothing
    sqlite_mlflow.py writes URI NAME EXP_NAME the write sequence of t_sqlite_write.sh,
                                              done by MLflow itself; prints the run id
    sqlite_mlflow.py tables DB [RUN_ID...]    MLflow's tables, normalised for comparing
                                              two databases (times and run ids masked)
    sqlite_mlflow.py compare WANT GOT WHAT    exit 1 with a diff unless the JSON lines match
    sqlite_mlflow.py batch SPEC               many of the above in one process (see batch())
    sqlite_mlflow.py lock DB SECONDS          hold BEGIN IMMEDIATE for SECONDS, saying
                                              "locked" on stdout once it holds it

Anything else MLflow prints goes to stderr.
"""

import json
import math
import sqlite3
import sys
import time

# Names a client must carry through untouched: spaces, '&', quotes, '%', '#',
# unicode ('/' and ':' are not allowed in model names by MLflow).
MODEL = "mlgate sq & co 'q' %#ü"
OTHER = "other model"
TAG_KEYS = ["owner", "key with spaces", "ü/path.like-key:x", "mlflow.source.git.commit"]
ALIASES = ["champion", "chällenger", "b-2_x"]


OUT = sys.__stdout__  # where results go: stdout, or one file per command in a batch


def out(obj):
    OUT.write(json.dumps(obj, sort_keys=True, ensure_ascii=False) + "\n")
    OUT.flush()


def say(text):
    OUT.write(text + "\n")
    OUT.flush()


def client(uri):
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def number(v):
    """A metric value as regtool prints it (cJSON through mg_json_add_double)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def version_json(mv):
    return {
        "name": mv.name,
        "version": str(mv.version),
        "current_stage": mv.current_stage or "",
        "description": mv.description or "",
        "source": mv.source or "",
        "run_id": mv.run_id or "",
        "run_link": mv.run_link or "",
        "status": mv.status or "",
        "status_message": mv.status_message or "",
        "user_id": mv.user_id or "",
        "model_id": getattr(mv, "model_id", None) or "",
        "creation_timestamp": int(mv.creation_timestamp or 0),
        "last_updated_timestamp": int(mv.last_updated_timestamp or 0),
        "tags": dict(sorted((mv.tags or {}).items())),
        "aliases": sorted(mv.aliases or []),
    }


def model_json(rm):
    return {
        "name": rm.name,
        "description": rm.description or "",
        "creation_timestamp": int(rm.creation_timestamp or 0),
        "last_updated_timestamp": int(rm.last_updated_timestamp or 0),
        "tags": dict(sorted((rm.tags or {}).items())),
        "aliases": {k: str(v) for k, v in sorted((rm.aliases or {}).items())},
    }


def run_json(run):
    info, data = run.info, run.data
    return {
        "run_id": info.run_id,
        "run_name": info.run_name or "",
        "experiment_id": str(info.experiment_id),
        "user_id": info.user_id or "",
        "status": info.status,
        "lifecycle_stage": info.lifecycle_stage,
        "artifact_uri": info.artifact_uri or "",
        "start_time": int(info.start_time or 0),
        "end_time": int(info.end_time or 0),
        "metrics": {k: number(v) for k, v in sorted(data.metrics.items())},
        "params": dict(sorted(data.params.items())),
        "tags": dict(sorted(data.tags.items())),
    }


def seed(uri):
    from mlflow.entities import Metric, Param, RunTag

    c = client(uri)
    exp = c.create_experiment("sq seed ü")
    run = c.create_run(exp, run_name="train ü")
    rid = run.info.run_id
    c.log_batch(
        rid,
        metrics=[
            Metric("accuracy", 0.91, 1000, 0),
            Metric("accuracy", 0.93, 2000, 1),
            Metric("accuracy", 0.92, 3000, 1),
            Metric("loss", float("nan"), 1000, 0),
            Metric("big", float("inf"), 1000, 0),
            Metric("small", float("-inf"), 1000, 0),
        ],
        params=[Param("max_depth", "5"), Param("name with space", "ü")],
        tags=[RunTag("mlflow.source.git.commit", "0123456789abcdef0123456789abcdef01234567")],
    )
    c.set_terminated(rid)
    for name in (MODEL, OTHER):
        c.create_registered_model(name, tags={"team": "ml", "k 2": "v ü"}, description="d")
    for i in range(1, 6):
        c.create_model_version(MODEL, source=f"{run.info.artifact_uri}/model{i}", run_id=rid)
    c.create_model_version(OTHER, source="s3://bucket/path/model", run_id=None)
    for key in TAG_KEYS:
        c.set_model_version_tag(MODEL, "1", key, f"value of {key}")
    c.set_model_version_tag(MODEL, "2", "owner", "someone else")
    c.set_model_version_tag(MODEL, "3", "empty", "")
    c.update_model_version(MODEL, "2", description="two\nlines \"quoted\" ü")
    c.transition_model_version_stage(MODEL, "2", "Production")
    c.transition_model_version_stage(MODEL, "3", "Staging")
    c.transition_model_version_stage(MODEL, "4", "Staging")
    c.set_registered_model_alias(MODEL, ALIASES[0], "2")
    c.set_registered_model_alias(MODEL, ALIASES[1], "3")
    c.set_registered_model_alias(MODEL, ALIASES[2], "3")
    c.delete_model_version(MODEL, "5")  # a deleted version must stay invisible
    out({"model": MODEL, "other": OTHER, "run_id": rid, "experiment_id": exp})


def many(uri, name, n):
    c = client(uri)
    c.create_registered_model(name)
    for i in range(int(n)):
        c.create_model_version(name, source=f"s3://b/{i % 7}/model", run_id=None,
                               tags={"parity": "even" if i % 2 else "odd", "i": str(i)})


def search(uri, flt, page_size, order=None):
    c = client(uri)
    token = None
    while True:
        page = c.search_model_versions(flt or None, max_results=int(page_size),
                                       order_by=[o.strip() for o in order.split(",")]
                                       if order else None, page_token=token)
        for mv in page:
            out(version_json(mv))
        token = page.token
        if not token:
            break


def in_stage(uri, name, stage):
    c = client(uri)
    mvs = [mv for mv in c.search_model_versions(f'name = "{name}"', max_results=200000)
           if mv.current_stage.lower() == stage.lower()]
    for mv in sorted(mvs, key=lambda mv: -int(mv.version)):
        # search results carry no aliases: read each version as get-version does
        out(version_json(c.get_model_version(name, mv.version)))


def writes(uri, name, exp_name):
    """The same writes t_sqlite_write.sh makes through regtool, made by MLflow."""
    from mlflow.entities import Metric, Param, RunTag

    c = client(uri)
    c.set_model_version_tag(name, "1", "key with spaces", "v1")
    c.set_model_version_tag(name, "1", "key with spaces", "v2")
    c.set_model_version_tag(name, "1", "new/ü.key", "x")
    c.set_model_version_tag(name, "4", "gate", "passed")
    c.delete_model_version_tag(name, "1", "owner")
    c.delete_model_version_tag(name, "1", "not-there")
    c.update_model_version(name, "4", description="checked by mlgate\nline 2 ü")
    c.transition_model_version_stage(name, "1", "staging", archive_existing_versions=False)
    c.transition_model_version_stage(name, "4", "Production", archive_existing_versions=True)
    c.transition_model_version_stage(name, "3", "Staging", archive_existing_versions=True)
    c.set_registered_model_alias(name, "champion", "4")
    c.set_registered_model_alias(name, "chällenger", "1")
    c.set_registered_model_alias(name, "new-alias", "2")
    c.delete_registered_model_alias(name, "b-2_x")
    c.delete_registered_model_alias(name, "never-set")
    exp = c.create_experiment(exp_name)
    run = c.create_run(exp, run_name="compare ü", tags={"mlflow.user": "gate", "k": "v"})
    rid = run.info.run_id
    c.log_batch(
        rid,
        metrics=[
            Metric("acc", 0.5, 1000, 0),
            Metric("acc", 0.7, 2000, 1),
            Metric("acc", 0.6, 3000, 1),
            Metric("nan", float("nan"), 1000, 0),
            Metric("inf", float("inf"), 1000, 0),
            Metric("ninf", float("-inf"), 1000, 0),
            Metric("zero", 0.0, 0, 0),
        ],
        params=[Param("p", "1"), Param("long", "x" * 7000)],
        tags=[RunTag("t", "v"), RunTag("mlflow.runName", "renamed ü")],
    )
    c.log_batch(
        rid,
        metrics=[Metric("acc", 0.7, 2000, 1), Metric("acc", 0.1, 500, 3)],
        params=[Param("p", "1")],
        tags=[RunTag("t", "v2")],
    )
    c.set_terminated(rid, "FINISHED")
    say(rid)


TIME_COLUMNS = {"creation_time", "last_updated_time", "last_update_time", "start_time",
                "end_time", "deleted_time"}
TABLES = ["registered_models", "registered_model_tags", "registered_model_aliases",
          "model_versions", "model_version_tags", "experiments", "experiment_tags", "runs",
          "tags", "params", "metrics", "latest_metrics", "alembic_version"]


def tables(db, run_ids):
    con = sqlite3.connect(db)
    dump = {}
    for table in TABLES:
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        rows = []
        for row in con.execute(f'SELECT * FROM "{table}"'):
            vals = []
            for col, v in zip(cols, row):
                if col in TIME_COLUMNS and v is not None:
                    v = "<time>"
                if isinstance(v, str):
                    for i, rid in enumerate(run_ids):
                        v = v.replace(rid, f"<run{i}>")
                if isinstance(v, float) and math.isinf(v):
                    v = "inf" if v > 0 else "-inf"
                vals.append([col, v, type(v).__name__])
            rows.append(vals)
        dump[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    out(dump)


def lock(db, seconds):
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    sys.__stdout__.write("locked\n")
    sys.__stdout__.flush()
    time.sleep(float(seconds))
    con.execute("ROLLBACK")


def compare(want_path, got_path, what):
    """Exit 1 with a readable diff unless the two files hold the same JSON lines."""
    import difflib

    def load(path):
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    want, got = load(want_path), load(got_path)
    if want == got:
        say(f"same: {what} ({len(want)} objects)")
        return True
    dump = lambda rows: [json.dumps(r, sort_keys=True, ensure_ascii=False, indent=1)
                         for r in rows]
    lines = "\n".join(dump(want)).splitlines(), "\n".join(dump(got)).splitlines()
    say(f"MISMATCH: {what}: MLflow (-) vs mlgate (+)")
    for line in difflib.unified_diff(*lines, want_path, got_path, lineterm="", n=2):
        say(line)
    return False


def batch(spec_path):
    """Run many commands in one process (MLflow takes a second to import).

    SPEC holds one JSON array per line: [OUTPUT_FILE, COMMAND, ARGS...].
    "compare" lines are checked after all others, and the batch fails if any
    comparison failed.
    """
    global OUT
    with open(spec_path, encoding="utf-8") as f:
        specs = [json.loads(line) for line in f if line.strip()]
    ok = True
    for spec in sorted(specs, key=lambda s: s[1] == "compare"):
        if spec[1] == "compare":
            ok = command(spec[1], spec[2:]) and ok
            continue
        with open(spec[0], "w", encoding="utf-8") as OUT:
            command(spec[1], spec[2:])
        OUT = sys.__stdout__
    if not ok:
        sys.exit(1)


def main():
    # MLflow prints to stdout (run links, warnings): keep stdout for results.
    sys.stdout = sys.stderr
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "batch":
        batch(*args)
    elif not command(cmd, args):
        sys.exit(1)


def command(cmd, args):
    """Run one command; False when a comparison failed."""
    if cmd == "seed":
        seed(*args)
    elif cmd == "many":
        many(*args)
    elif cmd == "version":
        out(version_json(client(args[0]).get_model_version(args[1], args[2])))
    elif cmd == "model":
        out(model_json(client(args[0]).get_registered_model(args[1])))
    elif cmd == "alias":
        out(version_json(client(args[0]).get_model_version_by_alias(args[1], args[2])))
    elif cmd == "in-stage":
        in_stage(*args)
    elif cmd == "search":
        search(*args)
    elif cmd == "run":
        out(run_json(client(args[0]).get_run(args[1])))
    elif cmd == "history":
        for m in client(args[0]).get_metric_history(args[1], args[2]):
            out({"key": m.key, "value": number(m.value), "timestamp": m.timestamp,
                 "step": m.step})
    elif cmd == "experiment":
        exp = client(args[0]).get_experiment_by_name(args[1])
        if exp:
            say(exp.experiment_id)
    elif cmd == "writes":
        writes(*args)
    elif cmd == "tables":
        tables(args[0], args[1:])
    elif cmd == "compare":
        return compare(*args)
    elif cmd == "lock":
        lock(*args)
    else:
        sys.exit(f"sqlite_mlflow.py: unknown command {cmd!r}")
    return True


if __name__ == "__main__":
    main()
