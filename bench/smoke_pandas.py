"""The smoke benchmark's peer: pandas doing the ten checks of bench/smoke_suite.json on
the same CSV, read in chunks of 1M rows (reading 1 GB whole would need several GB of
RAM). Prints throughput, peak RSS and the violation count.

With --unique COLUMN (bench/smoke_suite_unique.json) it also counts duplicate values of
COLUMN across the whole file, as `df.duplicated` does: every chunk's column is kept (as
read, text, like mlgate's keys) and checked once at the end, so pandas holds all of them
in memory."""
import resource
import sys
import time

import pandas as pd

path = sys.argv[1]
unique = sys.argv[3] if len(sys.argv) == 4 and sys.argv[2] == "--unique" else None
keys = []
t0 = time.monotonic()
bad = rows = ratio_nulls = 0
nbytes = 0
with open(path, "rb") as f:
    f.seek(0, 2)
    nbytes = f.tell()


def num(s):
    return pd.to_numeric(s, errors="coerce")


for df in pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=1_000_000):
    rows += len(df)
    i = num(df["id"])
    bad += int(((i.isna()) | (i < 0) | (i % 1 != 0)).sum())
    a = num(df["amount"])
    bad += int((a.isna() | (a < 0) | (a > 1e6)).sum() - (df["amount"] == "").sum())
    bad += int((~df["country"].isin(["DE", "FR", "IT", "ES", "NL"]) & (df["country"] != "")).sum())
    d = pd.to_datetime(df["day"], format="%Y-%m-%d", errors="coerce")
    bad += int((d.isna() & (df["day"] != "")).sum())
    s = num(df["score"])
    bad += int(((s.isna() | (s < 0) | (s > 1)) & (df["score"] != "")).sum())
    bad += int((~df["flag"].str.lower().isin(["true", "false", "1", "0", "yes", "no"])
                & (df["flag"] != "")).sum())
    bad += int((~df["name"].str.fullmatch("[a-z]+") & (df["name"] != "")).sum())
    c = num(df["count"])
    bad += int(((c.isna() | (c < 0) | (c % 1 != 0)) & (df["count"] != "")).sum())
    r = num(df["ratio"])
    ratio_nulls += int((df["ratio"] == "").sum())
    bad += int((r.isna() & (df["ratio"] != "")).sum())
    bad += int((~df["category"].isin(["a", "b", "c"]) & (df["category"] != "")).sum())
    if unique:
        keys.append(df[unique])
if keys:
    bad += int(pd.concat(keys, ignore_index=True).duplicated().sum())
    del keys
if rows and ratio_nulls / rows > 0.05:
    bad += 1
el = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("%.1f MB/s (%.2f s), peak RSS %d KiB, %d rows, %d violations"
      % (nbytes / el / 1e6, el, rss, rows, bad))
