"""Print MLflow's own view of a registered model (versions, tags,
descriptions, stages, aliases) and of the experiments (names, runs) as
canonical JSON, for before/after comparisons; or, with RUN_ID, one run.

Usage: compare_view.py TRACKING_URI MODEL
       compare_view.py TRACKING_URI --run EXPERIMENT_NAME
"""
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import ViewType  # noqa: E402

client = MlflowClient(tracking_uri=sys.argv[1], registry_uri=sys.argv[1])
if sys.argv[2] == "--run":
    exp = client.get_experiment_by_name(sys.argv[3])
    runs = client.search_runs([exp.experiment_id]) if exp else []
    print(json.dumps([{"name": r.info.run_name, "status": r.info.status,
                       "params": r.data.params, "metrics": r.data.metrics,
                       "tags": {k: v for k, v in r.data.tags.items()
                                if k.startswith("mlgate.")}} for r in runs],
                     sort_keys=True))
    sys.exit(0)
rm = client.get_registered_model(sys.argv[2])
view = {"model": {"tags": rm.tags, "aliases": rm.aliases,
                  "last_updated": rm.last_updated_timestamp},
        "versions": sorted([{"version": mv.version, "stage": mv.current_stage, "tags": mv.tags,
                             "description": mv.description, "aliases": mv.aliases,
                             "last_updated": mv.last_updated_timestamp}
                            for mv in client.search_model_versions(f"name='{sys.argv[2]}'")],
                           key=lambda v: int(v["version"])),
        "experiments": sorted(e.name for e in client.search_experiments(view_type=ViewType.ALL))}
print(json.dumps(view, sort_keys=True))
