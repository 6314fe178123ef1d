"""Seed a git repository and an MLflow registry for the mlgate-comply tests,
with MLflow's own Python client. Prints a JSON object describing what was
made (model name, versions, commits).

Usage: comply_seed.py --tracking-uri URI --repo DIR

The repository (made with the git command line):
  c1 on main   models/<model>/MODEL_CARD.md with every required section
  c2 on main   the card loses its "Limitations" text (after the model's commit)
  s1 on side   a commit that main never reaches
The model, each version from its own run:
  1  compliant: trained at c1, tags, description, params and metrics in order
  2  non-compliant: trained at s1; owner tag malformed, risk_tier not allowed,
     a forbidden tag, a short description, a missing param, a NaN metric
  3  trained at c1, but its run FAILED and it lacks the owner tag
"""
import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
import uuid
import warnings

CARD = """# {model}

## Intended use
Scoring card transactions for fraud review.

## Limitations
Not calibrated for merchants outside the EU.

## Training data
Six months of labelled transactions.

## Evaluation
ROC AUC on a held-out month.
"""


def git(repo, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True,
                          text=True, env=env).stdout.strip()


def commit_card(repo, model, text, message):
    path = os.path.join(repo, "models", model)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "MODEL_CARD.md"), "w") as f:
        f.write(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def main():
    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    p = argparse.ArgumentParser()
    p.add_argument("--tracking-uri", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--model", default=f"fraud-model-{uuid.uuid4().hex[:6]}")
    a = p.parse_args()

    import mlflow
    from mlflow import MlflowClient

    os.makedirs(a.repo, exist_ok=True)
    git(a.repo, "init", "-q", "-b", "main")
    card = CARD.format(model=a.model)
    c1 = commit_card(a.repo, a.model, card, "model card")
    c2 = commit_card(a.repo, a.model,
                     card.replace("Not calibrated for merchants outside the EU.\n", ""),
                     "card: drop limitations")
    git(a.repo, "checkout", "-q", "-b", "side", c1)
    s1 = commit_card(a.repo, a.model, card + "\nside\n", "side work")
    git(a.repo, "checkout", "-q", "main")

    client = MlflowClient(tracking_uri=a.tracking_uri, registry_uri=a.tracking_uri)
    exp = client.create_experiment(f"train-{a.model}")

    def run(commit, params, metrics, status="FINISHED"):
        r = client.create_run(exp, tags={"mlflow.source.git.commit": commit})
        for k, v in params.items():
            client.log_param(r.info.run_id, k, v)
        for k, v in metrics.items():
            client.log_metric(r.info.run_id, k, v)
        client.set_terminated(r.info.run_id, status)
        return r

    client.create_registered_model(a.model, tags={"team": "risk"})
    good = run(c1, {"learning_rate": "0.05"}, {"roc_auc": 0.91})
    bad = run(s1, {}, {"roc_auc": float("nan")})
    failed = run(c1, {"learning_rate": "0.1"}, {"roc_auc": 0.88}, status="FAILED")
    v1 = client.create_model_version(a.model, f"{good.info.artifact_uri}/model", good.info.run_id,
                                     tags={"owner": "ml-team@example.com", "risk_tier": "medium"},
                                     description="Gradient-boosted fraud scorer, v1, reviewed.")
    v2 = client.create_model_version(a.model, f"{bad.info.artifact_uri}/model", bad.info.run_id,
                                     tags={"owner": "not-an-email", "risk_tier": "extreme",
                                           "debug": "true"},
                                     description="wip")
    v3 = client.create_model_version(a.model, f"{failed.info.artifact_uri}/model",
                                     failed.info.run_id, tags={"risk_tier": "low"},
                                     description="Retrained scorer whose training run failed.")
    return {"model": a.model, "versions": [v1.version, v2.version, v3.version],
            "c1": c1, "c2": c2, "s1": s1}


if __name__ == "__main__":
    # MLflow prints "View run ..." lines on stdout; stdout is for the JSON only
    with contextlib.redirect_stdout(sys.stderr):
        info = main()
    print(json.dumps(info))
