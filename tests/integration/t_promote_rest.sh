#!/usr/bin/env bash
# mlgate-promote against the harness's real MLflow server (REST backend): the
# scenarios of t_promote_sqlite.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PROMOTE_BACKEND=rest exec bash "$here/t_promote_sqlite.sh"
