"""The drift benchmark's second peer: Evidently's data drift preset.

    drift_evidently.py REFERENCE.csv CURRENT.csv

Run with a Python that has Evidently (b_drift.sh: $MLGATE_EVIDENTLY_PYTHON;
Evidently 0.7 needs pandas < 3, so not the test venv). Reads both files
with pandas and runs DataDriftPreset (its default test per column); prints
the line drift_pandas.py prints, "drifted" being Evidently's count.
"""

import os
import resource
import sys
import time

import pandas as pd
from evidently import Dataset, DataDefinition, Report
from evidently.presets import DataDriftPreset

t0 = time.monotonic()
c0 = time.process_time()
ref = pd.read_csv(sys.argv[1])
cur = pd.read_csv(sys.argv[2])
definition = DataDefinition(numerical_columns=["x", "v", "m", "pred"],
                            categorical_columns=["k", "label"])
snapshot = Report([DataDriftPreset()]).run(
    Dataset.from_pandas(cur, data_definition=definition),
    Dataset.from_pandas(ref, data_definition=definition))
drifted = 0
for metric in snapshot.dict()["metrics"]:
    value = metric.get("value")
    if isinstance(value, dict) and "count" in value:
        drifted = int(value["count"])
        break
secs = time.monotonic() - t0
cpu = time.process_time() - c0
size = os.path.getsize(sys.argv[2])
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{size / secs / 1e6:.1f} MB/s ({secs:.1f} s; CPU {cpu:.1f} s: {size / cpu / 1e6:.1f} MB/s), "
      f"peak RSS {rss} KiB, "
      f"{len(cur)} rows, {drifted} drifted")
