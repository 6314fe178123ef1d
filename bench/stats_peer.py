"""Peers of bench/b_stats.sh: the paired bootstrap of the ROC AUC difference on
the same CSV, with scipy.stats.bootstrap and with a plain numpy loop.

  stats_peer.py scipy|numpy FILE B   prints wall and CPU seconds for B replicates and the 95 %
                                     percentile interval

scipy: bootstrap((y, a, b), statistic, paired=True, vectorized=True) with the
percentile method (BCa's jackknife would add n = 10^6 more evaluations); the
statistic is the Mann-Whitney AUC from scipy.stats.rankdata, batch of 1.
numpy: resample indices with Generator.integers, then the same AUC.
"""
import sys
import time

import numpy as np
from scipy import stats


def auc(y, s):
    r = stats.rankdata(s, axis=-1)
    m = y.sum(axis=-1)
    return ((r * y).sum(axis=-1) - m * (m + 1) / 2) / (m * (y.shape[-1] - m))


def main():
    kind, path, B = sys.argv[1], sys.argv[2], int(sys.argv[3])
    d = np.loadtxt(path, delimiter=",", skiprows=1)
    y, a, b = d[:, 0], d[:, 1], d[:, 2]
    rng = np.random.default_rng(1)
    t0, c0 = time.perf_counter(), time.process_time()
    if kind == "scipy":
        res = stats.bootstrap((y, a, b), lambda yy, aa, bb, axis=-1: auc(yy, bb) - auc(yy, aa),
                              paired=True, vectorized=True, n_resamples=B, batch=1,
                              method="percentile", random_state=rng)
        lo, hi = res.confidence_interval
    else:
        reps = np.empty(B)
        n = len(y)
        for r in range(B):
            i = rng.integers(0, n, n)
            reps[r] = auc(y[i], b[i]) - auc(y[i], a[i])
        lo, hi = np.percentile(reps, [2.5, 97.5])
    print(f"{time.perf_counter() - t0:.2f} {time.process_time() - c0:.2f} {lo:.6f} {hi:.6f}")


main()
