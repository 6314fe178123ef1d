"""Write a drift benchmark CSV: drift_gen.py OUT MB SEED.

Six columns (x, v: normal; k: four categories; m: gamma with 5% missing;
pred: a probability; label: 0/1), about 37 bytes a row. 400,000 rows are
generated with SEED and repeated until the file has MB megabytes (a
throughput benchmark: the repetition changes nothing a reader does).
"""

import sys

import numpy as np
import pandas as pd

out, mb, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(seed)
n = 400_000
x = rng.normal(0, 1, n)
v = rng.normal(5, 1, n)
k = rng.choice(["red", "green", "blue", "grey"], n, p=[0.4, 0.3, 0.2, 0.1])
m = np.round(rng.gamma(2.0, 3.0, n), 3)
pred = 1 / (1 + np.exp(-(0.8 * x + 0.3 * (v - 5))))
label = (rng.random(n) < pred).astype(int)
df = pd.DataFrame({"x": np.round(x, 5), "v": np.round(v, 5), "k": k, "m": m,
                   "pred": np.round(pred, 5), "label": label})
df.loc[rng.random(n) < 0.05, "m"] = np.nan
chunk = df.to_csv(index=False, header=False, na_rep="")
with open(out, "w") as f:
    f.write("x,v,k,m,pred,label\n")
    total = 0
    while total < mb * 1_000_000:
        f.write(chunk)
        total += len(chunk)
