"""Seed a real MLflow server through MLflow's own Python client.

Run with the test venv's python ($MLGATE_TEST_PYTHON):

    mlflow_seed.py [--uri URI] [--name NAME]

Creates an experiment and a run (a param, a metric and the tag
mlflow.source.git.commit), a registered model with a unique name, a model
version from that run with two version tags, a description and the alias
"challenger", then prints on stdout one JSON object: what MLflow itself
returns for that version (client.get_model_version), in the shape the C
helper read_version prints. Anything else goes to stderr.
"""

import argparse
import json
import os
import sys
import uuid

# Characters a C client must percent-encode in a query string ('/' and ':'
# are not allowed in model names).
NAME_PREFIX = "mlgate it & co+=%?#ü"
GIT_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def version_json(mv):
    """The model version as a JSON-ready dict; missing fields get defaults."""
    return {
        "name": mv.name,
        "version": str(mv.version),
        "creation_timestamp": int(mv.creation_timestamp or 0),
        "last_updated_timestamp": int(mv.last_updated_timestamp or 0),
        "current_stage": mv.current_stage or "",
        "description": mv.description or "",
        "source": mv.source or "",
        "run_id": mv.run_id or "",
        "status": mv.status or "",
        "tags": dict(sorted((mv.tags or {}).items())),
        "aliases": sorted(mv.aliases or []),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uri", default=os.environ.get("MLGATE_TEST_MLFLOW_URI"))
    ap.add_argument("--name", help="registered model name (default: a unique one)")
    args = ap.parse_args()
    if not args.uri:
        ap.error("no tracking URI: pass --uri or set MLGATE_TEST_MLFLOW_URI")

    # MLflow prints to stdout ("View run ... at: URL" when a run ends):
    # keep stdout for the one JSON object.
    out = sys.stdout
    sys.stdout = sys.stderr

    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(args.uri)
    client = MlflowClient()
    unique = uuid.uuid4().hex[:12]
    name = args.name or f"{NAME_PREFIX} {unique}"

    exp_id = client.create_experiment(f"mlgate-it-{unique}")
    run = client.create_run(exp_id, run_name="train")
    run_id = run.info.run_id
    client.log_param(run_id, "max_depth", "5")
    client.log_metric(run_id, "accuracy", 0.91)
    client.set_tag(run_id, "mlflow.source.git.commit", GIT_COMMIT)
    client.set_terminated(run_id)

    client.create_registered_model(name)
    # No artifact needs to exist for the registry to record the version.
    mv = client.create_model_version(
        name, source=f"{run.info.artifact_uri}/model", run_id=run_id
    )
    client.set_model_version_tag(name, mv.version, "owner", "ml-platform@example.com")
    client.set_model_version_tag(name, mv.version, "validation_status", "pending")
    client.update_model_version(
        name, mv.version, description="Seeded by mlflow_seed.py.\nSecond line: \"quoted\"."
    )
    client.set_registered_model_alias(name, "challenger", mv.version)

    got = client.get_model_version(name, mv.version)
    json.dump(version_json(got), out, sort_keys=True)
    out.write("\n")
    out.flush()


if __name__ == "__main__":
    main()
