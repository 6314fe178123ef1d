#!/usr/bin/env bash
# mlgate-comply on the SQLite backend: MLflow's own store, created and seeded
# by MLflow's Python client, read back by MLflow after every write.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
URI="sqlite:///$T_DIR/registry.db"
TRACKING=$URI
. "$here/comply_suite.sh"
echo "comply (SQLite): all scenarios passed"
