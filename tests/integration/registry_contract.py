"""The registry contract, run against one backend of mlgate's registry client.

Data is created with MLflow's own Python client at --tracking-uri; mlgate's
client (tests/integration/regtool, a command line over lib/registry/registry.h) reads
and writes it at --uri; every result is compared with what MLflow itself
reads. For the REST backend both URIs are the test server; for the SQLite
backend both are the same sqlite:/// database file.

Usage: registry_contract.py --regtool PATH --uri URI --tracking-uri URI
"""
import argparse
import json
import logging
import math
import os
import subprocess
import sys
import uuid
import warnings

import mlflow
from mlflow import MlflowClient

# MLflow objects as regtool prints them: one conversion, shared with the SQLite tests
from sqlite_mlflow import run_json as mlflow_run  # noqa: E402
from sqlite_mlflow import version_json as mlflow_version  # noqa: E402

SECRET = os.environ.get("MLFLOW_TRACKING_TOKEN", "")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"  FAIL {what}", file=sys.stderr)


def regtool(args, expect_rc=0):
    proc = subprocess.run([ARGS.regtool, ARGS.uri, *args], capture_output=True, text=True)
    for stream in (proc.stdout, proc.stderr):
        if SECRET and SECRET in stream:
            failures.append(f"secret printed by regtool {args[0]}")
    if proc.returncode != expect_rc:
        raise AssertionError(f"regtool {' '.join(args)}: exit {proc.returncode}, expected "
                             f"{expect_rc}\nstdout: {proc.stdout[:2000]}\nstderr: {proc.stderr[:2000]}")
    return proc


def regtool_json(args):
    return json.loads(regtool(args).stdout)


def regtool_lines(args):
    return [json.loads(line) for line in regtool(args).stdout.splitlines() if line.strip()]


def same(ours, theirs, what):
    if ours != theirs:
        diff = {k: (ours.get(k), theirs.get(k)) for k in set(ours) | set(theirs)
                if ours.get(k) != theirs.get(k)} if isinstance(ours, dict) else (ours, theirs)
        check(False, f"{what} differs (mlgate, mlflow): {diff}")


def main():
    warnings.filterwarnings("ignore", category=FutureWarning)
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    client = MlflowClient(tracking_uri=ARGS.tracking_uri, registry_uri=ARGS.tracking_uri)
    mlflow.set_tracking_uri(ARGS.tracking_uri)
    tag = uuid.uuid4().hex[:8]
    name = f"contract model α & co {tag}"

    # --- seed with MLflow itself ---------------------------------------------
    exp = client.create_experiment(f"contract-{tag}")
    run = client.create_run(exp, run_name="train", tags={"mlflow.source.git.commit": "a" * 40})
    client.log_param(run.info.run_id, "learning rate", "0.1")
    for step, v in enumerate([0.71, 0.78, 0.83]):
        client.log_metric(run.info.run_id, "roc_auc", v, step=step, timestamp=1700000000000 + step)
    client.log_metric(run.info.run_id, "undefined", float("nan"))
    client.set_terminated(run.info.run_id, "FINISHED")
    client.create_registered_model(name, tags={"team": "risk & fraud"}, description="contract")
    versions = [client.create_model_version(name, f"{run.info.artifact_uri}/model", run.info.run_id)
                for _ in range(23)]
    client.set_model_version_tag(name, "1", "owner key with spaces/é", "a@b.c & d")
    client.set_registered_model_alias(name, "champion", "2")
    client.set_registered_model_alias(name, "chall_α-1", "3")
    client.transition_model_version_stage(name, "2", "Production")
    client.transition_model_version_stage(name, "3", "Staging")

    # --- reads ---------------------------------------------------------------
    rm = regtool_json(["get-model", name])
    theirs = client.get_registered_model(name)
    same({k: rm[k] for k in ("name", "description", "tags", "aliases")},
         {"name": theirs.name, "description": theirs.description or "",
          "tags": dict(sorted(theirs.tags.items())),
          "aliases": dict(sorted((a, str(v)) for a, v in theirs.aliases.items()))},
         "registered model")
    check(rm["creation_timestamp"] == theirs.creation_timestamp, "model creation_timestamp")

    for v in ("1", "2", "3", "23"):
        same(regtool_json(["get-version", name, v]), mlflow_version(client.get_model_version(name, v)),
             f"version {v}")
    same(regtool_json(["by-alias", name, "chall_α-1"]),
         mlflow_version(client.get_model_version_by_alias(name, "chall_α-1")), "alias chall_α-1")
    prod = regtool_lines(["in-stage", name, "production"])
    check([p["version"] for p in prod] == ["2"], f"in-stage Production: {[p['version'] for p in prod]}")

    listed = regtool_lines(["search", f"name='{name}'", "3"])
    check(sorted(int(v["version"]) for v in listed) == list(range(1, 24)),
          f"search with page size 3 returned {len(listed)} versions")
    theirs_all = {str(mv.version): mlflow_version(mv)
                  for mv in client.search_model_versions(f"name='{name}'")}
    for v in listed:
        same(v, theirs_all[v["version"]], f"searched version {v['version']}")
    tagged = regtool_lines(["search", f"name='{name}' AND tags.`owner key with spaces/é`='a@b.c & d'", "3"])
    check([v["version"] for v in tagged] == ["1"], f"tag filter found {[v['version'] for v in tagged]}")
    check(regtool(["count", f"name='{name}' AND version_number > 20", "2"]).stdout.strip() == "3",
          "version_number filter")

    same(regtool_json(["get-run", run.info.run_id]), mlflow_run(client.get_run(run.info.run_id)), "run")
    hist = regtool_lines(["history", run.info.run_id, "roc_auc"])
    theirs_hist = client.get_metric_history(run.info.run_id, "roc_auc")
    check(sorted((h["step"], h["value"], h["timestamp"]) for h in hist) ==
          sorted((m.step, m.value, m.timestamp) for m in theirs_hist), "metric history")

    # --- not found ------------------------------------------------------------
    for args in (["get-version", name, "999"], ["by-alias", name, "nobody"],
                 ["get-model", name + " missing"], ["get-run", "0" * 32]):
        proc = regtool(args, expect_rc=2)
        check("[not_found]" in proc.stderr, f"{args[0]} of a missing thing: {proc.stderr.strip()}")

    # --- writes, read back by MLflow -------------------------------------------
    regtool(["set-tag", name, "4", "mlgate.comply.verdict", "passed", "--",
             "set-tag", name, "4", "key with spaces/ü:x", "välue & more", "--",
             "describe", name, "4", "first line\nsecond line ✓", "--",
             "transition", name, "4", "Production", "archive", "--",
             "set-alias", name, "champion", "4", "--",
             "delete-alias", name, "chall_α-1", "--",
             "delete-tag", name, "1", "owner key with spaces/é"])
    mv4 = client.get_model_version(name, "4")
    check(mv4.tags.get("mlgate.comply.verdict") == "passed", "tag written")
    check(mv4.tags.get("key with spaces/ü:x") == "välue & more", "encoded tag written")
    check(mv4.description == "first line\nsecond line ✓", f"description written: {mv4.description!r}")
    check(mv4.current_stage == "Production", "stage written")
    check(client.get_model_version(name, "2").current_stage == "Archived", "old Production archived")
    check(client.get_model_version(name, "3").current_stage == "Staging", "Staging left alone")
    check(str(client.get_model_version_by_alias(name, "champion").version) == "4", "alias moved")
    check("chall_α-1" not in client.get_registered_model(name).aliases, "alias deleted")
    check("owner key with spaces/é" not in client.get_model_version(name, "1").tags, "tag deleted")
    same(regtool_json(["get-version", name, "4"]), mlflow_version(mv4), "version 4 after writes")
    # deleting what is not there is a no-op, as in MLflow
    regtool(["delete-tag", name, "1", "never-set", "--", "delete-alias", name, "never-set"])

    exp_id = regtool(["experiment", f"mlgate-comparisons-{tag}", "create"]).stdout.strip()
    check(client.get_experiment_by_name(f"mlgate-comparisons-{tag}").experiment_id == exp_id,
          "experiment created")
    check(regtool(["experiment", f"mlgate-comparisons-{tag}", "get"]).stdout.strip() == exp_id,
          "experiment found again")
    regtool(["experiment", f"missing-{tag}", "get"], expect_rc=2)
    run_id = regtool(["create-run", exp_id, "compare v4", "mlgate.gate=compare"]).stdout.strip()
    regtool(["log-batch", run_id, "param:model=" + name, "param:candidate=4",
             "metric:roc_auc=0.8312345678901234@1700000000123@0", "metric:delta=-0.015",
             "metric:missing=NaN", "tag:mlgate.verdict=passed", "--", "end-run", run_id, "FINISHED"])
    theirs_run = client.get_run(run_id)
    check(theirs_run.info.status == "FINISHED" and theirs_run.info.end_time, "run ended")
    check(theirs_run.data.params == {"model": name, "candidate": "4"}, f"params {theirs_run.data.params}")
    check(theirs_run.data.metrics.get("roc_auc") == 0.8312345678901234, "metric value exact")
    check(math.isnan(theirs_run.data.metrics.get("missing", 0.0)), "NaN metric")
    check(theirs_run.data.tags.get("mlgate.verdict") == "passed", "run tag")
    check(theirs_run.data.tags.get("mlgate.gate") == "compare", "create-run tag")
    check(theirs_run.info.run_name == "compare v4", "run name")
    same(regtool_json(["get-run", run_id]), mlflow_run(theirs_run), "logged run")

    # --- bad arguments never reach the registry --------------------------------
    for args, msg in ((["get-version", name, "0"], "invalid model version"),
                      (["get-version", name, "1.5"], "invalid model version"),
                      (["transition", name, "4", "Prod", "keep"], "invalid stage"),
                      (["transition", name, "4", "Archived", "archive"], "cannot archive")):
        proc = regtool(args, expect_rc=2)
        check(msg in proc.stderr, f"{args}: {proc.stderr.strip()}")

    if failures:
        print(f"registry contract ({ARGS.uri}): {len(failures)} failures", file=sys.stderr)
        sys.exit(1)
    print(f"registry contract ({ARGS.uri}): all checks passed")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--regtool", required=True)
    p.add_argument("--uri", required=True)
    p.add_argument("--tracking-uri", required=True)
    ARGS = p.parse_args()
    main()
