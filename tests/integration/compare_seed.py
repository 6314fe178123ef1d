"""Seed an MLflow registry for the mlgate-compare scenarios with MLflow's own
client. Prints {"model": ..., "first": ..., "runs": {"1": run_id, ...}}.

Usage: compare_seed.py TRACKING_URI

Model <model>, each version from its own run:
  1  accuracy 0.80, loss 0.50, f1 0.70             Production, alias champion
  2  accuracy 0.85, loss 0.45, f1 0.69, recall 0.6  Staging, alias challenger
  3  accuracy 0.70, loss 0.60, f1 NaN (no recall)
  4  registered from no run
Model <first>: version 1 (accuracy 0.90, loss 0.30), nothing in production.
"""
import contextlib
import json
import logging
import sys
import uuid
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric  # noqa: E402

uri = sys.argv[1]
# MLflow prints "View run ..." links on stdout: keep stdout for the result
real_stdout = sys.stdout
contextlib.redirect_stdout(sys.stderr).__enter__()
client = MlflowClient(tracking_uri=uri, registry_uri=uri)
exp = client.create_experiment("compare-seed-" + uuid.uuid4().hex[:8])
model = "cmp-" + uuid.uuid4().hex[:8]
first = "cmp-first-" + uuid.uuid4().hex[:8]


def version(name, metrics, git=None):
    run = client.create_run(exp, tags={"mlflow.source.git.commit": git} if git else None)
    # an older value first: the gate reads the latest one
    client.log_batch(run.info.run_id, metrics=[Metric(k, -1.0, 1, 0) for k in metrics])
    client.log_batch(run.info.run_id, metrics=[Metric(k, v, 2, 1) for k, v in metrics.items()])
    client.set_terminated(run.info.run_id)
    mv = client.create_model_version(name, f"runs:/{run.info.run_id}/model", run.info.run_id)
    return mv.version, run.info.run_id


client.create_registered_model(model)
runs = {}
for metrics, git in (({"accuracy": 0.80, "loss": 0.50, "f1": 0.70}, None),
                     ({"accuracy": 0.85, "loss": 0.45, "f1": 0.69, "recall": 0.6}, "ab" * 20),
                     ({"accuracy": 0.70, "loss": 0.60, "f1": float("nan")}, None)):
    v, r = version(model, metrics, git)
    runs[v] = r
client.create_model_version(model, "s3://bucket/no-run/model")
client.transition_model_version_stage(model, "1", "Production")
client.transition_model_version_stage(model, "2", "Staging")
client.set_registered_model_alias(model, "champion", "1")
client.set_registered_model_alias(model, "challenger", "2")
client.create_registered_model(first)
version(first, {"accuracy": 0.90, "loss": 0.30})
print(json.dumps({"model": model, "first": first, "runs": runs}), file=real_stdout)
