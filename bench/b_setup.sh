#!/usr/bin/env bash
# Benchmark: what a CI job pays to get mlgate — the GitHub setup action in the
# simulated runner (tests/integration/ci_sim.py): from source with a cold
# build, from source on a cache hit, the release tarball downloaded from a
# loopback server and verified (sha256sum -c), the release on a cache hit —
# next to what a Python gate pays: `pip install mlflow` into a fresh venv
# from PyPI (--no-cache-dir; MLGATE_BENCH_PIP=0 skips it, e.g. offline).
# Targets: cache hit < 2 s, download + verify < 10 s.
# MLGATE_BINDIST_DIR: a directory already holding the tarball (skips building it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/integration/testlib.sh"
. "$here/../tests/integration/ci_sim.sh"

ver=0.0.0-bench
# shellcheck source=/dev/null
plat=$(. /etc/os-release && printf '%s%s' "$ID" "${VERSION_ID:-}")
asset=mlgate-$ver-$plat-$(uname -m).tar.gz
dist=${MLGATE_BINDIST_DIR:-$T_DIR/dist}
if [ ! -f "$dist/$asset" ]; then
	"$CI_REPO/scripts/bindist.sh" --version "$ver" --out "$dist" \
		--build "$CI_REPO/build/bindist-bench" >"$T_DIR/bindist.log" 2>&1 ||
		{ tail -n 20 "$T_DIR/bindist.log" >&2; fail "scripts/bindist.sh failed"; }
fi
mkdir -p "$T_DIR/srv/v$ver"
cp "$dist/$asset" "$T_DIR/srv/v$ver/"
(cd "$T_DIR/srv/v$ver" && sha256sum "$asset" >SHA256SUMS)
python3 "$CI_REPO/tests/integration/ci_sim_http.py" "$T_DIR/srv" "$T_DIR/port" "$T_DIR/http.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$T_DIR/port" ] && break; sleep 0.1; done
base=http://127.0.0.1:$(cat "$T_DIR/port")
export GITHUB_WORKSPACE=$T_DIR/ws
mkdir -p "$GITHUB_WORKSPACE"
unset GITHUB_OUTPUT GITHUB_ENV GITHUB_PATH

secs() { # secs NAME INPUT...: a fresh runner, the setup action, wall seconds
	local name=$1 t0 t1
	shift
	export RUNNER_TEMP=$T_DIR/$name/temp RUNNER_TOOL_CACHE=$T_DIR/$name/tools
	mkdir -p "$RUNNER_TEMP" "$RUNNER_TOOL_CACHE"
	t0=$(date +%s.%N)
	gh_run "$name" setup "$@"
	t1=$(date +%s.%N)
	[ "$RC" = 0 ] || { tail -n 20 "$T_DIR/$name.log" >&2; fail "$name: the setup action failed"; }
	echo "$t1 - $t0" | bc
}
row() { printf '%-46s %8.2f s\n' "$1" "$2"; }

echo "== the setup step of a CI job (simulated runner; a fresh runner each)"
export CI_SIM_CACHE_DIR=$T_DIR/cache-src
mkdir -p "$CI_SIM_CACHE_DIR"
row "from source, cold (deps check + make -j$(nproc)):" \
	"$(secs src from-source=true source="$CI_REPO" install-deps=false)"
row "from source, cache hit:" "$(secs srchit from-source=true source="$CI_REPO" install-deps=false)"
export CI_SIM_CACHE_DIR=$T_DIR/cache-rel
mkdir -p "$CI_SIM_CACHE_DIR"
row "release: download + sha256sum -c + unpack:" "$(secs rel version="$ver" base-url="$base")"
row "release: cache hit:" "$(secs relhit version="$ver" base-url="$base")"
echo "  (tarball $(du -k "$dist/$asset" | cut -f1) KiB; runtime packages: $(tar -xzOf "$dist/$asset" \
	"${asset%.tar.gz}/share/mlgate/runtime-packages" | tr '\n' ' '))"

if [ "${MLGATE_BENCH_PIP:-1}" != 0 ]; then
	python3 -m venv "$T_DIR/pipvenv"
	t0=$(date +%s.%N)
	if "$T_DIR/pipvenv/bin/pip" install --no-cache-dir -q mlflow >"$T_DIR/pip.log" 2>&1; then
		t1=$(date +%s.%N)
		row "Python gate: pip install mlflow (fresh venv, PyPI):" "$(echo "$t1 - $t0" | bc)"
		echo "  (venv $(du -sm "$T_DIR/pipvenv" | cut -f1) MB, mlflow $("$T_DIR/pipvenv/bin/python" -c 'import importlib.metadata as m; print(m.version("mlflow"))'))"
	else
		echo "pip install mlflow failed (offline?): $(tail -n 1 "$T_DIR/pip.log")"
	fi
	rm -rf "$T_DIR/pipvenv"
fi
