#!/usr/bin/env bash
# mlgate-comply against the harness's real MLflow server (REST backend).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
URI=$MLGATE_TEST_MLFLOW_URI
TRACKING=$MLGATE_TEST_MLFLOW_URI
. "$here/comply_suite.sh"
echo "comply (REST): all scenarios passed"
