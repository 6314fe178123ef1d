"""Seed the demo's model (scripts/demo_seed.py: version 1 good, version 2
non-compliant, version 3 compliant but worse) under a unique name on a
tracking server, with MLflow's own Python client, for t_report_html.sh.

Usage: html_seed.py TRACKING_URI MODEL MAIN_COMMIT SIDE_COMMIT
"""
import contextlib
import logging
import sys
import warnings


def main(uri, model, main_commit, side_commit):
    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    exp = client.create_experiment(f"{model}-training")

    def run(name, commit, params, metrics):
        r = client.create_run(exp, run_name=name,
                              tags={"mlflow.source.git.commit": commit,
                                    "mlflow.source.name": "train.py"})
        for k, v in params.items():
            client.log_param(r.info.run_id, k, v)
        for k, v in metrics.items():
            client.log_metric(r.info.run_id, k, v)
        client.set_terminated(r.info.run_id, "FINISHED")
        return r

    good = run("gbm-2026-11", main_commit, {"learning_rate": "0.05"},
               {"roc_auc": 0.934, "recall_at_1pct_fpr": 0.61})
    bad = run("quick-experiment", side_commit, {"max_depth": "12"},
              {"roc_auc": 0.951, "recall_at_1pct_fpr": 0.66})
    worse = run("gbm-2026-12", main_commit, {"learning_rate": "0.2"},
                {"roc_auc": 0.902, "recall_at_1pct_fpr": 0.55})
    client.create_registered_model(model, tags={"team": "risk-ml"})
    client.create_model_version(
        model, f"{good.info.artifact_uri}/model", good.info.run_id,
        tags={"owner": "risk-ml@example.com", "risk_tier": "high"},
        description="Gradient-boosted trees on six months of EU card transactions.")
    client.create_model_version(
        model, f"{bad.info.artifact_uri}/model", bad.info.run_id,
        tags={"owner": "bob", "risk_tier": "high", "debug": "true"}, description="try")
    client.create_model_version(
        model, f"{worse.info.artifact_uri}/model", worse.info.run_id,
        tags={"owner": "risk-ml@example.com", "risk_tier": "high"},
        description="Shallower trees with a higher learning rate, December retrain.")


if __name__ == "__main__":
    with contextlib.redirect_stdout(sys.stderr):
        main(*sys.argv[1:5])
