"""Data and oracles for t_drift.sh (mlgate-drift).

    drift_oracle.py gen DIR                 reference and windows with known shifts
    drift_oracle.py check REF CUR JSON      mlgate-drift's statistics against scipy's

`gen` writes DIR/ref.csv and one window per scenario: none (same
distribution), mean (x shifted by 0.4 sd), var (v's sd 1 -> 1.6), newcat
(k gets a category the reference never had), missing (m's missing rate
5% -> 30%), plus null-00.csv ... null-19.csv (no shift, for the false
alarm rate). Every window has fewer rows than the reservoir, so the
C tool's samples are the whole columns and the oracles are exact.

`check` recomputes every column of the JSON decision ("drift" member)
with scipy.stats.ks_2samp (method auto: exact p here),
scipy.stats.wasserstein_distance, scipy.stats.chi2_contingency
(correction=False), scipy.spatial.distance.jensenshannon (natural log) and
a PSI written here with the tool's binning (np.quantile at j/10, repeated
edges dropped, np.searchsorted side='right', 1e-4 for an empty bin), and
exits 1 on the first disagreement.
"""

import json
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

N_REF, N_CUR, EPS, BINS = 2000, 1500, 1e-4, 10


def window(path, n, seed, mean=0.0, sd=1.0, newcat=0.0, miss=0.05):
    rng = np.random.default_rng(seed)
    x = rng.normal(mean, 1.0, n)
    v = rng.normal(5.0, sd, n)
    k = rng.choice(["red", "green", "blue", "grey"], n, p=[0.4, 0.3, 0.2, 0.1])
    k = np.where(rng.random(n) < newcat, "violet", k)
    m = np.round(rng.gamma(2.0, 3.0, n), 3)
    pred = 1 / (1 + np.exp(-(0.8 * x + 0.3 * (v - 5))))
    label = (rng.random(n) < pred).astype(int)
    df = pd.DataFrame({"x": np.round(x, 5), "v": np.round(v, 5), "k": k, "m": m,
                       "pred": np.round(pred, 5), "label": label})
    df.loc[rng.random(n) < miss, "m"] = np.nan
    df.to_csv(path, index=False, na_rep="")


def gen(d):
    window(f"{d}/ref.csv", N_REF, 1)
    window(f"{d}/none.csv", N_CUR, 2)
    window(f"{d}/mean.csv", N_CUR, 3, mean=0.4)
    window(f"{d}/var.csv", N_CUR, 4, sd=1.6)
    window(f"{d}/newcat.csv", N_CUR, 5, newcat=0.12)
    window(f"{d}/missing.csv", N_CUR, 6, miss=0.30)
    for i in range(20):
        window(f"{d}/null-{i:02d}.csv", N_CUR, 100 + i)


def psi(r, c):
    r = r / r.sum()
    c = c / c.sum()
    r = np.where(r == 0, EPS, r)
    c = np.where(c == 0, EPS, c)
    return float(np.sum((r - c) * np.log(r / c)))


def close(what, got, want, rel=1e-9, absolute=1e-12):
    if got is None or not np.isclose(got, want, rtol=rel, atol=absolute):
        sys.exit(f"{what}: mlgate-drift {got!r}, oracle {want!r}")


def check(ref_path, cur_path, json_path):
    ref = pd.read_csv(ref_path)
    cur = pd.read_csv(cur_path)
    doc = json.load(open(json_path))["drift"]
    n = 0
    for col in doc["columns"]:
        name = col["name"]
        a, b = ref[name], cur[name]
        close(f"{name} missing_reference", col["missing_reference"], a.isna().mean())
        close(f"{name} missing_current", col["missing_current"], b.isna().mean())
        a, b = a.dropna(), b.dropna()
        if col["type"] == "numeric":
            ks = stats.ks_2samp(a, b)  # method='auto': exact for these sizes
            assert col["ks_exact"], name
            close(f"{name} ks", col["ks"], ks.statistic)
            close(f"{name} ks_p", col["ks_p"], ks.pvalue, rel=1e-7, absolute=1e-12)
            close(f"{name} wasserstein", col["wasserstein"], stats.wasserstein_distance(a, b))
            edges = np.unique(np.quantile(a, np.arange(1, BINS) / BINS))
            rb = np.bincount(np.searchsorted(edges, a, side="right"), minlength=len(edges) + 1)
            cb = np.bincount(np.searchsorted(edges, b, side="right"), minlength=len(edges) + 1)
            close(f"{name} psi", col["psi"], psi(rb, cb))
        else:
            cats = sorted(set(a.astype(str)) | set(b.astype(str)))
            rc = a.astype(str).value_counts().reindex(cats, fill_value=0).to_numpy()
            cc = b.astype(str).value_counts().reindex(cats, fill_value=0).to_numpy()
            chi2, p, dof, _ = stats.chi2_contingency(np.array([rc, cc]), correction=False)
            close(f"{name} chi2", col["chi2"], chi2)
            close(f"{name} chi2_df", col["chi2_df"], dof)
            close(f"{name} chi2_p", col["chi2_p"], p, rel=1e-7, absolute=1e-14)
            close(f"{name} js", col["js"], jensenshannon(rc, cc))
            close(f"{name} psi", col["psi"], psi(rc, cc))
        n += 1
    print(f"{json_path}: {n} columns agree with scipy")


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4])
