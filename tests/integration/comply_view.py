"""Print MLflow's own view of a registered model and all its versions as
canonical JSON (for before/after comparisons), or one version's tags.

Usage: comply_view.py TRACKING_URI MODEL            whole model
       comply_view.py TRACKING_URI MODEL VERSION    {"tags":..., "description":...}
"""
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.getLogger("mlflow").setLevel(logging.ERROR)
from mlflow import MlflowClient  # noqa: E402

client = MlflowClient(tracking_uri=sys.argv[1], registry_uri=sys.argv[1])
if len(sys.argv) == 4:
    mv = client.get_model_version(sys.argv[2], sys.argv[3])
    print(json.dumps({"tags": mv.tags, "description": mv.description or "",
                      "stage": mv.current_stage}, sort_keys=True))
    sys.exit(0)
rm = client.get_registered_model(sys.argv[2])
view = {"model": {"name": rm.name, "description": rm.description, "tags": rm.tags,
                  "aliases": rm.aliases, "last_updated": rm.last_updated_timestamp},
        "versions": [{"version": mv.version, "stage": mv.current_stage, "tags": mv.tags,
                      "description": mv.description, "aliases": mv.aliases,
                      "last_updated": mv.last_updated_timestamp}
                     for mv in client.search_model_versions(f"name='{sys.argv[2]}'")]}
print(json.dumps(view, sort_keys=True))
