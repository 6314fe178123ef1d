"""Seed the demo registry with MLflow's own Python client (run by
scripts/demo-fixture.sh, which dumps the result to fixtures/demo/mlflow.sql).

Usage: demo_seed.py DB_PATH MAIN_COMMIT SIDE_COMMIT

Model "fraud-detector":
  version 1  compliant: trained at the main-line commit, owner and risk tier
             tags, a real description, learning_rate and roc_auc logged
  version 2  not compliant: trained on an experiment branch never merged,
             a malformed owner, a debug tag, a one-word description, and no
             learning_rate
  version 3  compliant, but a worse model than version 1 (lower roc_auc)
"""
import contextlib
import logging
import sys
import warnings


def main(db, main_commit, side_commit):
    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    from mlflow import MlflowClient

    uri = f"sqlite:///{db}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    exp = client.create_experiment("fraud-detector-training",
                                   artifact_location="file:///mlgate-demo/artifacts")

    def run(name, commit, params, metrics):
        r = client.create_run(exp, run_name=name,
                              tags={"mlflow.source.git.commit": commit,
                                    "mlflow.source.name": "train.py",
                                    "mlflow.user": "demo"})
        for k, v in params.items():
            client.log_param(r.info.run_id, k, v)
        for k, v in metrics.items():
            client.log_metric(r.info.run_id, k, v)
        client.set_terminated(r.info.run_id, "FINISHED")
        return r

    good = run("gbm-2026-11", main_commit, {"learning_rate": "0.05", "max_depth": "6"},
               {"roc_auc": 0.934, "recall_at_1pct_fpr": 0.61})
    bad = run("quick-experiment", side_commit, {"max_depth": "12"},
              {"roc_auc": 0.951, "recall_at_1pct_fpr": 0.66})
    worse = run("gbm-2026-12", main_commit, {"learning_rate": "0.2", "max_depth": "4"},
                {"roc_auc": 0.902, "recall_at_1pct_fpr": 0.55})
    client.create_registered_model("fraud-detector", tags={"team": "risk-ml"},
                                   description="Card fraud scoring model.")
    client.create_model_version(
        "fraud-detector", f"{good.info.artifact_uri}/model", good.info.run_id,
        tags={"owner": "risk-ml@example.com", "risk_tier": "high"},
        description="Gradient-boosted trees on six months of EU card transactions.")
    client.create_model_version(
        "fraud-detector", f"{bad.info.artifact_uri}/model", bad.info.run_id,
        tags={"owner": "bob", "risk_tier": "high", "debug": "true"},
        description="try")
    client.create_model_version(
        "fraud-detector", f"{worse.info.artifact_uri}/model", worse.info.run_id,
        tags={"owner": "risk-ml@example.com", "risk_tier": "high"},
        description="Shallower trees with a higher learning rate, December retrain.")


if __name__ == "__main__":
    with contextlib.redirect_stdout(sys.stderr):
        main(*sys.argv[1:4])
