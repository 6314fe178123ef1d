"""The drift benchmark's peer: pandas + scipy on the same files.

    drift_pandas.py REFERENCE.csv CURRENT.csv

What a team writes without a tool: read both files with pandas, then per
column what mlgate-drift computes (numeric: PSI on reference deciles, KS,
Wasserstein-1; categorical: PSI, chi-square, Jensen-Shannon; missing
rates), on every row (no sampling). Prints one line: throughput over the
current file's bytes, wall time, peak RSS, rows, drifted columns
(PSI > 0.2 or missing-rate change > 0.1, mlgate's default fail bands).
"""

import os
import resource
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon


def psi(r, c, eps=1e-4):
    r = r / r.sum()
    c = c / c.sum()
    r = np.where(r == 0, eps, r)
    c = np.where(c == 0, eps, c)
    return float(np.sum((r - c) * np.log(r / c)))


t0 = time.monotonic()
c0 = time.process_time()
ref = pd.read_csv(sys.argv[1])
cur = pd.read_csv(sys.argv[2])
drifted = 0
for col in ref.columns:
    a, b = ref[col], cur[col]
    miss = abs(b.isna().mean() - a.isna().mean())
    a, b = a.dropna(), b.dropna()
    if pd.api.types.is_numeric_dtype(a):
        a, b = a.to_numpy(), b.to_numpy()
        edges = np.unique(np.quantile(a, np.arange(1, 10) / 10))
        p = psi(np.bincount(np.searchsorted(edges, a, "right"), minlength=len(edges) + 1),
                np.bincount(np.searchsorted(edges, b, "right"), minlength=len(edges) + 1))
        stats.ks_2samp(a, b)
        stats.wasserstein_distance(a, b)
    else:
        cats = sorted(set(a) | set(b))
        rc = a.value_counts().reindex(cats, fill_value=0).to_numpy()
        cc = b.value_counts().reindex(cats, fill_value=0).to_numpy()
        p = psi(rc, cc)
        stats.chi2_contingency(np.array([rc, cc]), correction=False)
        jensenshannon(rc, cc)
    drifted += p > 0.2 or miss > 0.1
secs = time.monotonic() - t0
cpu = time.process_time() - c0
size = os.path.getsize(sys.argv[2])
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{size / secs / 1e6:.1f} MB/s ({secs:.1f} s; CPU {cpu:.1f} s: {size / cpu / 1e6:.1f} MB/s), "
      f"peak RSS {rss} KiB, "
      f"{len(cur)} rows, {drifted} drifted")
