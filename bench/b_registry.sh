#!/usr/bin/env bash
# Benchmark: the registry client, side by side with MLflow's own Python
# client, against the harness's real MLflow server (REST) and against a
# 100 000-version MLflow SQLite registry (streamed search, peak memory).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=$MLGATE_TEST_PYTHON
T=$MLGATE_TEST_TMP
regtool="$MLGATE_TEST_BIN/regtool"

echo "== REST"
"$py" "$here/registry_rest.py" --regtool "$regtool" --uri "$MLGATE_TEST_MLFLOW_URI" -n 300 2>/dev/null

echo "== SQLite: search over every version of a 100 000-version registry"
"$py" "$here/registry_gen.py" "$T/big.db" --versions 100000 2>/dev/null
/usr/bin/time -f "%e s, peak RSS %M KiB" -o "$T/time" "$regtool" "sqlite:///$T/big.db" count "" 1000 >"$T/count"
printf '%-34s %s versions, %s\n' "mlgate (C, libsqlite3):" "$(cat "$T/count")" "$(cat "$T/time")"
/usr/bin/time -f "%e s, peak RSS %M KiB" -o "$T/time" "$py" - "$T/big.db" >"$T/count" 2>/dev/null <<'PY'
import sys, warnings
warnings.filterwarnings("ignore")
from mlflow import MlflowClient
c = MlflowClient(tracking_uri=f"sqlite:///{sys.argv[1]}", registry_uri=f"sqlite:///{sys.argv[1]}")
n, token = 0, None
while True:
    page = c.search_model_versions(max_results=1000, page_token=token)
    n += len(page)
    token = page.token
    if not token:
        break
print(n)
PY
printf '%-34s %s versions, %s\n' "MLflow Python client 3.17.2:" "$(cat "$T/count")" "$(cat "$T/time")"
