"""Seed an MLflow registry with MLflow 3 LoggedModels carrying model metrics,
for mlgate-compare's "model_metrics" source, with MLflow's own client.

Usage: compare_model_seed.py TRACKING_URI

Prints {"model": NAME, "ids": {"1": model_id, ...}, "expected": {"1": {...}}}
where "expected" is, per version, what MLflow itself reports as the latest
value of each metric of its LoggedModel (client.get_logged_model(...).metrics,
latest by step, then timestamp, then value): the oracle the test compares
mlgate's numbers with.

Model <model>:
  1  LoggedModel: auc 0.70 then 0.80 (later step), loss 0.40; Production, alias champion
  2  LoggedModel: auc 0.86, loss 0.35, logged by a separate evaluation run; alias challenger
  3  LoggedModel: auc logged for datasets "eval" (0.90) and "holdout" (0.60), loss 0.30
  4  registered from a run (runs:/...): no LoggedModel
"""
import contextlib
import json
import logging
import sys
import uuid
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
import mlflow  # noqa: E402
import pandas as pd  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

uri = sys.argv[1]
real_stdout = sys.stdout
contextlib.redirect_stdout(sys.stderr).__enter__()
mlflow.set_tracking_uri(uri)
mlflow.set_registry_uri(uri)
client = MlflowClient(tracking_uri=uri, registry_uri=uri)
exp = client.create_experiment("model-metrics-" + uuid.uuid4().hex[:8])
model = "mm-" + uuid.uuid4().hex[:8]
client.create_registered_model(model)
frame = pd.DataFrame({"x": [1.0, 2.0]})
datasets = {n: mlflow.data.from_pandas(frame, name=n) for n in ("eval", "holdout")}


def logged_model(values):
    """values: [(key, value, step, dataset-or-None, separate-run?)]"""
    with mlflow.start_run(experiment_id=exp) as run:
        lm = mlflow.initialize_logged_model(name="clf", experiment_id=exp, source_run_id=run.info.run_id)
        for key, value, step, ds, separate in values:
            if separate:
                continue
            mlflow.log_metric(key, value, step=step, model_id=lm.model_id,
                              dataset=datasets[ds] if ds else None)
    if any(v[4] for v in values):
        with mlflow.start_run(experiment_id=exp, run_name="evaluation"):
            for key, value, step, ds, separate in values:
                if separate:
                    mlflow.log_metric(key, value, step=step, model_id=lm.model_id,
                                      dataset=datasets[ds] if ds else None)
    mlflow.finalize_logged_model(lm.model_id, "READY")
    return lm.model_id


ids = {
    "1": logged_model([("auc", 0.70, 0, None, False), ("auc", 0.80, 1, None, False), ("loss", 0.40, 0, None, False)]),
    "2": logged_model([("auc", 0.86, 0, None, True), ("loss", 0.35, 0, None, True)]),
    "3": logged_model([("auc", 0.90, 0, "eval", False), ("auc", 0.60, 0, "holdout", False),
                       ("loss", 0.30, 0, "eval", False)]),
}
for v in ("1", "2", "3"):
    client.create_model_version(model, f"models:/{ids[v]}", model_id=ids[v])
run = client.create_run(exp)
client.set_terminated(run.info.run_id)
client.create_model_version(model, f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
client.transition_model_version_stage(model, "1", "Production")
client.set_registered_model_alias(model, "champion", "1")
client.set_registered_model_alias(model, "challenger", "2")

expected = {}
for v, mid in ids.items():
    best = {}
    for m in client.get_logged_model(mid).metrics:
        k = (m.step, m.timestamp, m.value)
        if m.key not in best or k > best[m.key][0]:
            best[m.key] = (k, m.value, m.run_id, m.dataset_name)
    expected[v] = {key: {"value": b[1], "run_id": b[2], "dataset": b[3]} for key, b in best.items()}
json.dump({"model": model, "ids": ids, "expected": expected}, real_stdout)
real_stdout.write("\n")
