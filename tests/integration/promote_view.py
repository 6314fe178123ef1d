"""MLflow's own view of a registered model for the mlgate-promote tests:
canonical JSON of the model (aliases) and every version (stage, tags,
description, aliases), for before/after comparisons, or one fact.

Usage: promote_view.py TRACKING_URI MODEL              whole model
       promote_view.py TRACKING_URI MODEL stage V       the stage of version V
       promote_view.py TRACKING_URI MODEL alias A       the version alias A points at, or "-"
       promote_view.py TRACKING_URI MODEL tag V KEY     a tag of version V, or "-"
       promote_view.py TRACKING_URI MODEL in STAGE      versions in STAGE, comma-separated
"""
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.getLogger("mlflow").setLevel(logging.ERROR)
from mlflow import MlflowClient  # noqa: E402

uri, model = sys.argv[1], sys.argv[2]
c = MlflowClient(tracking_uri=uri, registry_uri=uri)
what = sys.argv[3] if len(sys.argv) > 3 else None
if what == "stage":
    print(c.get_model_version(model, sys.argv[4]).current_stage)
elif what == "alias":
    print(c.get_registered_model(model).aliases.get(sys.argv[4], "-"))
elif what == "tag":
    print(c.get_model_version(model, sys.argv[4]).tags.get(sys.argv[5], "-"))
elif what == "in":
    vs = sorted(int(mv.version) for mv in c.search_model_versions(f"name='{model}'")
                if mv.current_stage == sys.argv[4])
    print(",".join(str(v) for v in vs))
else:
    rm = c.get_registered_model(model)
    view = {"model": {"aliases": rm.aliases, "tags": rm.tags,
                      "description": rm.description, "last_updated": rm.last_updated_timestamp},
            "versions": sorted(({"version": mv.version, "stage": mv.current_stage,
                                 "tags": mv.tags, "description": mv.description,
                                 "aliases": sorted(mv.aliases),
                                 "last_updated": mv.last_updated_timestamp}
                                for mv in c.search_model_versions(f"name='{model}'")),
                               key=lambda v: int(v["version"]))}
    print(json.dumps(view, sort_keys=True))
