"""The MLflow oracle for mlgate-compare: generate many MetricThreshold cases
(random values, zero and negative baselines, equal values, exact boundaries,
both directions), log them as metrics m0..mN of two runs registered as
versions 1 (alias champion) and 2 of a fresh model, and decide every case
with MLflow's own mlflow.validate_evaluation_results on the values MLflow
reads back. Writes DIR/policy.json (the compare section, one rule per case)
and DIR/expected.json ({"model": ..., "verdicts": {metric: passed|failed}}).

Usage: compare_oracle.py TRACKING_URI DIR N SEED
"""
import json
import logging
import math
import random
import sys
import uuid
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric  # noqa: E402
from mlflow.models import MetricThreshold  # noqa: E402
from mlflow.models.evaluation import EvaluationResult  # noqa: E402
from mlflow.models.evaluation.validation import ModelValidationFailedException  # noqa: E402

uri, out, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)


def value():
    kind = rnd.random()
    if kind < 0.15:
        return 0.0
    if kind < 0.3:
        return rnd.choice([1.0, -1.0, 0.5, 2.0, -0.25, 100.0])
    if kind < 0.45:
        return round(rnd.uniform(-5, 5), 2)
    return rnd.uniform(-2, 2) * 10 ** rnd.randint(-3, 3)


def case():
    gib = rnd.random() < 0.5
    b = value()
    r = rnd.random()
    thr = mabs = mrel = None
    if rnd.random() < 0.5:
        thr = value() if rnd.random() < 0.7 else b
    if rnd.random() < 0.5:
        mabs = rnd.choice([0.01, 0.1, 0.5, 1, 2, rnd.uniform(1e-6, 3)])
    if rnd.random() < 0.5:
        mrel = rnd.choice([0.0, 0.05, 0.1, 0.5, 1.0, rnd.uniform(0, 1)])
    if thr is None and mabs is None and mrel is None:
        thr = b
    sign = 1 if gib else -1
    if r < 0.15:
        c = b  # equal
    elif r < 0.3 and mabs is not None:
        c = b + sign * mabs  # exactly on the absolute bound (inclusive)
    elif r < 0.4 and mabs is not None:
        c = math.nextafter(b + sign * mabs, -sign * math.inf)  # just short of it
    elif r < 0.5 and mrel is not None:
        c = b + sign * mrel * abs(b)  # on the relative bound, as floats make it
    elif r < 0.55 and thr is not None:
        c = thr
    elif r < 0.6:
        c = b + sign * 1e-10  # the zero-baseline fallback's bound
    else:
        c = value() if rnd.random() < 0.5 else b + rnd.uniform(-1, 1) * max(abs(b), 0.1)
    return gib, thr, mabs, mrel, b, c


client = MlflowClient(tracking_uri=uri, registry_uri=uri)
exp = client.create_experiment("oracle-" + uuid.uuid4().hex[:8])
model = "oracle-" + uuid.uuid4().hex[:8]
client.create_registered_model(model)
cases = [case() for _ in range(n)]
# a few metrics the candidate lacks: MLflow and mlgate both fail them
missing = set(rnd.sample(range(n), max(1, n // 50)))
runs = []
for side in (4, 5):  # index of b and c in a case
    run = client.create_run(exp)
    ms = [Metric(f"m{i}", cs[side], 0, 0) for i, cs in enumerate(cases)
          if not (side == 5 and i in missing)]
    for k in range(0, len(ms), 1000):
        client.log_batch(run.info.run_id, metrics=ms[k:k + 1000])
    client.set_terminated(run.info.run_id)
    mv = client.create_model_version(model, f"runs:/{run.info.run_id}/model", run.info.run_id)
    runs.append(run.info.run_id)
client.set_registered_model_alias(model, "champion", "1")

base = client.get_run(runs[0]).data.metrics
cand = client.get_run(runs[1]).data.metrics
rules, verdicts = [], {}
for i, (gib, thr, mabs, mrel, b, c) in enumerate(cases):
    name = f"m{i}"
    rule = {"name": name, "greater_is_better": gib}
    kw = {"greater_is_better": gib}
    if thr is not None:
        rule["threshold"] = kw["threshold"] = thr
    if mabs is not None:
        rule["min_absolute_change"] = kw["min_absolute_change"] = mabs
    if mrel is not None:
        rule["min_relative_change"] = kw["min_relative_change"] = float(mrel)
    rules.append(rule)
    cm = {name: cand[name]} if name in cand else {}
    try:
        mlflow.validate_evaluation_results({name: MetricThreshold(**kw)},
                                           EvaluationResult(cm, {}),
                                           EvaluationResult({name: base[name]}, {}))
        verdicts[name] = "passed"
    except ModelValidationFailedException:
        verdicts[name] = "failed"

with open(f"{out}/policy.json", "w") as f:
    json.dump({"version": 1, "compare": {"metrics": rules}}, f)
with open(f"{out}/expected.json", "w") as f:
    json.dump({"model": model, "verdicts": verdicts,
               "passed": sum(v == "passed" for v in verdicts.values())}, f)
print(json.dumps({"model": model, "cases": n,
                  "passed": sum(v == "passed" for v in verdicts.values())}))
