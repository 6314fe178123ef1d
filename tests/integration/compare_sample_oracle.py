"""Oracle for mlgate-compare on a pinned sample (t_compare_sample.sh).

  compare_sample_oracle.py gen DIR SEED        write DIR/cls.csv, DIR/reg.csv, DIR/small.csv,
                                               DIR/large.csv and DIR/policy*.json
  compare_sample_oracle.py check DIR OUT.json  compare mlgate's JSON decision with
                                               scikit-learn, statsmodels, scipy and a DeLong
                                               written here from the 1988 definition

Point metrics and closed-form tests must agree to 1e-9; bootstrap interval
endpoints (mlgate's paired BCa vs scipy.stats.bootstrap(paired=True,
method='BCa') at the same B) within 5 Monte-Carlo standard errors of an
endpoint, estimated from scipy's bootstrap distribution. The large sample
(12,000 rows, above MG_STATS_POISSON_MIN: mlgate draws Poisson(1) row counts
there, scipy resamples indices) uses percentile intervals on both sides.
"""
import json
import sys
import warnings

import numpy as np
from scipy import stats
from sklearn import metrics as skm
from statsmodels.stats.contingency_tables import mcnemar

warnings.filterwarnings("ignore")
B = 2000
CONF = 0.95


def write(path, cols, header):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for row in zip(*cols):
            f.write(",".join(f"{v:.6g}" for v in row) + "\n")


def gen(d, seed):
    r = np.random.default_rng(seed)
    n = 1200
    y = (r.random(n) < 0.35).astype(int)
    z, e = r.standard_normal(n), r.standard_normal(n)
    a = 1 / (1 + np.exp(-(1.3 * y - 0.65 + z)))
    b = 1 / (1 + np.exp(-(1.4 * y - 0.7 + 0.8 * z + 0.6 * e)))
    a, b = np.round(a, 3), np.round(b, 3)  # ties within and across classes
    write(f"{d}/cls.csv", (y, a, b), ("y", "p_prod", "p_cand"))
    t = np.round(r.normal(40, 8, 900), 2)
    write(f"{d}/reg.csv", (t, t + r.normal(0.5, 4, 900), t + r.normal(0.2, 3.8, 900)),
          ("t", "prod", "cand"))
    m = 40
    ys = (r.random(m) < 0.5).astype(int)
    zs = r.standard_normal(m)
    write(f"{d}/small.csv", (ys, 1 / (1 + np.exp(-(ys - 0.5 + zs))),
                             1 / (1 + np.exp(-(ys - 0.5 + 0.9 * zs + 0.3 * r.standard_normal(m))))),
          ("y", "p_prod", "p_cand"))
    sig = {"method": "bootstrap", "replicates": B, "seed": 7, "confidence": CONF}
    cls = {"version": 1, "compare": {
        "sample": {"path": "cls.csv", "label": "y", "production": "p_prod", "candidate": "p_cand"},
        "significance": sig,
        "metrics": [{"name": k, "greater_is_better": g, "non_inferiority_margin": 0.02}
                    for k, g in (("roc_auc", True), ("pr_auc", True), ("accuracy", True),
                                 ("precision", True), ("recall", True), ("f1", True),
                                 ("log_loss", False), ("brier", False))]}}
    json.dump(cls, open(f"{d}/policy_cls.json", "w"))
    reg = {"version": 1, "compare": {
        "sample": {"path": "reg.csv", "label": "t", "production": "prod", "candidate": "cand"},
        "significance": sig,
        "metrics": [{"name": k, "greater_is_better": g, "non_inferiority_margin": 0.05}
                    for k, g in (("rmse", False), ("mae", False), ("mse", False),
                                 ("mape", False), ("r2", True))]}}
    json.dump(reg, open(f"{d}/policy_reg.json", "w"))
    small = json.loads(json.dumps(cls))
    small["compare"]["sample"]["path"] = "small.csv"
    small["compare"]["significance"]["min_rows"] = 10
    small["compare"]["significance"]["min_class"] = 5
    small["compare"]["metrics"] = small["compare"]["metrics"][:1]
    json.dump(small, open(f"{d}/policy_small.json", "w"))
    n = 12000
    y = (r.random(n) < 0.3).astype(int)
    z, e = r.standard_normal(n), r.standard_normal(n)
    a = np.round(1 / (1 + np.exp(-(1.2 * y - 0.6 + z))), 3)
    b = np.round(1 / (1 + np.exp(-(1.3 * y - 0.65 + 0.9 * z + 0.4 * e))), 3)
    write(f"{d}/large.csv", (y, a, b), ("y", "p_prod", "p_cand"))
    large = json.loads(json.dumps(cls))
    large["compare"]["sample"]["path"] = "large.csv"
    large["compare"]["significance"]["method"] = "percentile"
    large["compare"]["metrics"] = [m for m in large["compare"]["metrics"]
                                   if m["name"] in ("roc_auc", "accuracy", "log_loss")]
    json.dump(large, open(f"{d}/policy_large.json", "w"))


def delong_1988(y, a, b):
    """DeLong, DeLong & Clarke-Pearson (1988), from the kernel matrix: O(m n)."""
    out = []
    for s in (a, b):
        x, w = s[y == 1][:, None], s[y == 0][None, :]
        psi = (x > w) + 0.5 * (x == w)
        out.append((psi.mean(), psi.mean(axis=1), psi.mean(axis=0)))
    (t1, v10a, v01a), (t2, v10b, v01b) = out
    s10 = np.cov(np.vstack([v10a, v10b]))
    s01 = np.cov(np.vstack([v01a, v01b]))
    S = s10 / len(v10a) + s01 / len(v01a)
    var = S[0, 0] + S[1, 1] - 2 * S[0, 1]
    d = t2 - t1
    zq = stats.norm.ppf(1 - (1 - CONF) / 2)
    return {"delta": d, "se": np.sqrt(var), "z": d / np.sqrt(var),
            "p": 2 * stats.norm.sf(abs(d / np.sqrt(var))),
            "ci_low": d - zq * np.sqrt(var), "ci_high": d + zq * np.sqrt(var)}


def cls_metric(name, y, p):
    pred = (p >= 0.5).astype(int)
    return {"roc_auc": lambda: skm.roc_auc_score(y, p),
            "pr_auc": lambda: skm.average_precision_score(y, p),
            "accuracy": lambda: skm.accuracy_score(y, pred),
            "precision": lambda: skm.precision_score(y, pred),
            "recall": lambda: skm.recall_score(y, pred),
            "f1": lambda: skm.f1_score(y, pred),
            "log_loss": lambda: skm.log_loss(y, np.clip(p, 2.220446049250313e-16,
                                                         1 - 2.220446049250313e-16)),
            "brier": lambda: skm.brier_score_loss(y, p)}[name]()


def reg_metric(name, y, p):
    return {"rmse": lambda: np.sqrt(skm.mean_squared_error(y, p)),
            "mse": lambda: skm.mean_squared_error(y, p),
            "mae": lambda: skm.mean_absolute_error(y, p),
            "mape": lambda: skm.mean_absolute_percentage_error(y, p),
            "r2": lambda: skm.r2_score(y, p)}[name]()


def _auc(y, p):
    """Mann-Whitney AUC along the last axis (midranks), for scipy's vectorized bootstrap."""
    r = stats.rankdata(p, axis=-1)
    m = y.sum(axis=-1)
    return ((r * y).sum(axis=-1) - m * (m + 1) / 2) / (m * (y.shape[-1] - m))


def _r2(y, p):
    return 1 - ((y - p) ** 2).sum(axis=-1) / ((y - y.mean(axis=-1, keepdims=True)) ** 2).sum(axis=-1)


def _ll(y, p):
    p = np.clip(p, 2.220446049250313e-16, 1 - 2.220446049250313e-16)
    return -(y * np.log(p) + (1 - y) * np.log1p(-p)).mean(axis=-1)


# vectorized statistics for the scipy bootstrap (oriented: positive = candidate better)
VEC = {"roc_auc": lambda y, a, b: _auc(y, b) - _auc(y, a),
       "accuracy": lambda y, a, b: (((b >= 0.5) == (y == 1)).mean(axis=-1)
                                    - ((a >= 0.5) == (y == 1)).mean(axis=-1)),
       "log_loss": lambda y, a, b: _ll(y, a) - _ll(y, b),
       "rmse": lambda y, a, b: (np.sqrt(((a - y) ** 2).mean(axis=-1))
                                - np.sqrt(((b - y) ** 2).mean(axis=-1))),
       "mae": lambda y, a, b: np.abs(a - y).mean(axis=-1) - np.abs(b - y).mean(axis=-1),
       "r2": lambda y, a, b: _r2(y, b) - _r2(y, a)}


def close(got, want, tol, what, bad):
    if not abs(got - want) <= tol * max(1.0, abs(want)):
        bad.append(f"{what}: mlgate {got!r}, oracle {want!r}")


def check(d, out_path, kind):
    out = json.load(open(out_path))["compare"]
    pol = json.load(open(f"{d}/policy_{kind}.json"))["compare"]
    data = np.loadtxt(f"{d}/{pol['sample']['path']}", delimiter=",", skiprows=1)
    y, a, b = data[:, 0], data[:, 1], data[:, 2]
    fn = reg_metric if kind == "reg" else cls_metric
    method = "percentile" if pol["significance"]["method"] == "percentile" else "BCa"
    bad, lines = [], []
    for m in out["metrics"]:
        name, st = m["name"], m["statistics"]
        sign = 1 if next(r for r in pol["metrics"] if r["name"] == name)["greater_is_better"] else -1
        va, vb = fn(name, y, a), fn(name, y, b)
        close(m["baseline"], va, 1e-9, f"{name} production", bad)
        close(m["candidate"], vb, 1e-9, f"{name} candidate", bad)
        close(st["delta"], sign * (vb - va), 1e-9, f"{name} delta", bad)
        if name == "roc_auc":
            ref = delong_1988(y.astype(int), a, b)
            for k in ("delta", "se", "z", "p", "ci_low", "ci_high"):
                close(st["delong"][k], ref[k], 1e-9, f"DeLong {k}", bad)
        if name == "accuracy":
            ca, cb = (a >= 0.5) == (y == 1), (b >= 0.5) == (y == 1)
            tab = [[np.sum(ca & cb), np.sum(ca & ~cb)], [np.sum(~ca & cb), np.sum(~ca & ~cb)]]
            ref = mcnemar(tab, exact=True).pvalue
            close(st["mcnemar"]["p_exact"], ref, 1e-9, "McNemar exact p", bad)
        if name not in VEC:
            continue
        res = stats.bootstrap((y, a, b), lambda *v, axis=-1, f=VEC[name]: f(*v), paired=True, vectorized=True, n_resamples=B,
                              method=method, confidence_level=CONF, batch=500,
                              random_state=np.random.default_rng(11))
        sd = np.std(res.bootstrap_distribution)
        # an endpoint's Monte-Carlo SE ~ sd * sqrt(q (1-q) / B) / phi(z_q); two independent runs
        q = (1 - CONF) / 2
        mc = np.sqrt(2) * sd * np.sqrt(q * (1 - q) / B) / stats.norm.pdf(stats.norm.ppf(q))
        lo, hi = res.confidence_interval
        for k, want in (("ci_low", lo), ("ci_high", hi)):
            if not abs(st[k] - want) <= 5 * mc:
                bad.append(f"{name} {k}: mlgate {st[k]:.6g}, scipy {want:.6g}, MC SE {mc:.3g}")
        lines.append(f"  {name:9s} delta {st['delta']:+.5f}  mlgate [{st['ci_low']:+.5f}, {st['ci_high']:+.5f}]"
                     f"  scipy [{lo:+.5f}, {hi:+.5f}]  MC SE {mc:.5f}")
    print("\n".join(lines))
    for x in bad:
        print(x, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
