#!/usr/bin/env bash
# The setup steps' release path (ci/lib/setup.sh behind ci/github/setup and
# ci/azure/steps/setup.yml) in the simulated runner, against a loopback HTTP
# server (ci_sim_http.py) serving a real binary tarball built from this tree
# (scripts/bindist.sh) and its SHA256SUMS:
#   - install: download, sha256sum -c, unpack; mlgate --version runs from
#     the installed path, which is on PATH;
#   - a second job (fresh runner, the simulated cache service) restores it
#     from the cache without a request; a runner whose tool cache holds it
#     skips the cache too;
#   - the version and the releases' address default to the tag and the
#     repository the action is pinned to (.../_actions/OWNER/REPO/vX.Y.Z);
#   - fails closed, with one error line and nothing installed: a wrong
#     checksum, a missing asset (404, naming the URL), SHA256SUMS without the
#     asset's line, a missing runtime package with install-deps false, no
#     version to go on;
#   - the Azure template: install, cache hit, wrong checksum.
# (from-source builds: t_ci_github.sh and t_ci_azure.sh.)
# MLGATE_BINDIST_DIR: a directory already holding the tarball (skips the build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
. "$here/ci_sim.sh"

ver=0.0.0-test
# shellcheck source=/dev/null
plat=$(. /etc/os-release && printf '%s%s' "$ID" "${VERSION_ID:-}")
asset=mlgate-$ver-$plat-$(uname -m).tar.gz

# ------------------------------------------------------------ the release
dist=${MLGATE_BINDIST_DIR:-$T_DIR/dist}
if [ ! -f "$dist/$asset" ]; then
	"$CI_REPO/scripts/bindist.sh" --version "$ver" --out "$dist" \
		--build "$CI_REPO/build/bindist-test" >"$T_DIR/bindist.log" 2>&1 || {
		tail -n 30 "$T_DIR/bindist.log" >&2
		fail "scripts/bindist.sh failed"
	}
fi
srv=$T_DIR/srv
rel() { mkdir -p "$srv/$1/v$ver" && echo "$srv/$1/v$ver"; }
good=$(rel good)
cp "$dist/$asset" "$good/"
(cd "$good" && sha256sum "$asset" >SHA256SUMS)
sum=$(cut -c1-64 "$good/SHA256SUMS")
# the published layout of GitHub releases, for the defaults
mkdir -p "$srv/acme/mlgate/releases/download"
ln -s "$good" "$srv/acme/mlgate/releases/download/v$ver"
# a checksum that does not match (the last hex digit changed)
bad=$(rel bad)
cp "$dist/$asset" "$bad/"
last=${sum: -1}
[ "$last" = 0 ] && flip=1 || flip=0
echo "${sum%?}$flip  $asset" >"$bad/SHA256SUMS"
# SHA256SUMS names the asset, which is not there
gone=$(rel gone)
cp "$good/SHA256SUMS" "$gone/"
# SHA256SUMS of another platform only
noline=$(rel noline)
echo "$sum  mlgate-$ver-otheros1-$(uname -m).tar.gz" >"$noline/SHA256SUMS"
# a tarball whose runtime-packages names a package this machine lacks
pk=$(rel pkgs)
mkdir "$T_DIR/repack"
tar -xzf "$dist/$asset" -C "$T_DIR/repack"
echo mlgate-test-absent-package >>"$T_DIR/repack/${asset%.tar.gz}/share/mlgate/runtime-packages"
tar -C "$T_DIR/repack" -czf "$pk/$asset" "${asset%.tar.gz}"
(cd "$pk" && sha256sum "$asset" >SHA256SUMS)

python3 "$here/ci_sim_http.py" "$srv" "$T_DIR/port" "$T_DIR/http.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$T_DIR/port" ] && break; sleep 0.1; done
[ -s "$T_DIR/port" ] || fail "ci_sim_http.py did not start"
base=http://127.0.0.1:$(cat "$T_DIR/port")
requests() { wc -l <"$T_DIR/http.log" 2>/dev/null || echo 0; }
touch "$T_DIR/http.log"

export GITHUB_WORKSPACE=$T_DIR/ws GITHUB_REPOSITORY=acme/models
export CI_SIM_CACHE_DIR=$T_DIR/cache
mkdir -p "$GITHUB_WORKSPACE" "$CI_SIM_CACHE_DIR"
unset GITHUB_OUTPUT GITHUB_ENV GITHUB_PATH MLGATE_BIN_DIR
# a fresh runner per job: its own RUNNER_TEMP and tool cache
runner() {
	export RUNNER_TEMP=$T_DIR/$1/temp RUNNER_TOOL_CACHE=$T_DIR/$1/tools
	mkdir -p "$RUNNER_TEMP" "$RUNNER_TOOL_CACHE"
	dest=$RUNNER_TOOL_CACHE/mlgate/$ver/$plat-$(uname -m)
}
timed() { # timed VAR CMD...: run, wall seconds in VAR
	local t0 t1
	t0=$(date +%s.%N)
	"${@:2}"
	t1=$(date +%s.%N)
	printf -v "$1" '%.2f' "$(echo "$t1 - $t0" | bc)"
}
# one_error NAME REGEX: the run failed with exactly one error line, matching
one_error() {
	local n
	n=$(grep -c '^::error' "$T_DIR/$1.log" || true)
	[ "$n" = 1 ] || { cat "$T_DIR/$1.log" >&2; fail "$1: $n error lines, expected 1"; }
	assert_match "$T_DIR/$1.log" "^::error title=mlgate setup::$2"
}
nothing_installed() { # under the runner's tool cache: no file, not on PATH
	local files
	files=$(find "$RUNNER_TOOL_CACHE" -type f | head -n 3)
	[ -z "$files" ] || fail "$1: files left behind: $files"
	expect_res "$1" path.# 0
	expect_res "$1" env.MLGATE_BIN_DIR ""
}

# ------------------------------------------------------------ 1. install
runner job1
timed t_download gh_run dl setup version="$ver" base-url="$base/good"
[ "$RC" = 0 ] || { cat "$T_DIR/dl.log" >&2; fail "the release install failed"; }
expect_res dl outputs.bin-dir "$dest/bin"
expect_res dl outputs.version "$ver"
expect_res dl outputs.cache-hit false
expect_res dl path.0 "$dest/bin"
expect_res dl env.MLGATE_BIN_DIR "$dest/bin"
[ "$("$dest/bin/mlgate" --version)" = "mlgate $ver" ] || fail "installed mlgate says '$("$dest/bin/mlgate" --version)'"
PATH=$dest/bin:$PATH mlgate-report --version | grep -qx "mlgate-report $ver" || fail "mlgate-report from PATH"
assert_match "$T_DIR/dl.log" "^mlgate setup: $asset verified \(sha256 $sum\) and unpacked into $dest$"
assert_match "$T_DIR/dl.log" "^::sim:: actions/cache@v4: cache miss for key mlgate-$ver-$plat-$(uname -m)$"
assert_match "$T_DIR/dl.log" "^::sim:: actions/cache@v4 post: saved $dest as key"
[ -f "$dest/share/mlgate/policy.schema.json" ] || fail "no share/mlgate/policy.schema.json"
assert_match "$T_DIR/http.log" "^GET /good/v$ver/SHA256SUMS -> 200$"
assert_match "$T_DIR/http.log" "^GET /good/v$ver/$asset -> 200$"
[ "$(requests)" = 2 ] || fail "the install made $(requests) requests, expected 2"
assert_no_match "$T_DIR/dl.log" '^::error'

# ------------------------------------------------------------ 2. cache hit
runner job2
timed t_hit gh_run hit setup version="$ver" base-url="$base/good"
[ "$RC" = 0 ] || { cat "$T_DIR/hit.log" >&2; fail "the cached install failed"; }
expect_res hit outputs.cache-hit true
expect_res hit outputs.bin-dir "$dest/bin"
assert_match "$T_DIR/hit.log" "^::sim:: actions/cache@v4: cache hit for key mlgate-$ver-"
assert_match "$T_DIR/hit.log" "^mlgate setup: $asset already in $dest$"
[ "$(requests)" = 2 ] || fail "a cache hit made a request: $(tail -n 1 "$T_DIR/http.log")"
"$dest/bin/mlgate" --version >/dev/null || fail "the restored mlgate does not run"
# the same runner again (a self-hosted runner's tool cache): not even the cache
gh_run again setup version="$ver" base-url="$base/good"
[ "$RC" = 0 ] || { cat "$T_DIR/again.log" >&2; fail "the re-run failed"; }
expect_res again outputs.cache-hit true
assert_match "$T_DIR/again.log" '^::sim:: skip step cache$'
[ "$(requests)" = 2 ] || fail "a tool-cache hit made a request"

# ------------------------------------------------------------ 3. defaults from the pin
# uses: acme/mlgate/ci/github/setup@v0.0.0-test -> .../_actions/acme/mlgate/v0.0.0-test/
runner job3
pinned=$T_DIR/_actions/acme/mlgate/v$ver
mkdir -p "$pinned"
cp -r "$CI_REPO/ci" "$pinned/"
set +e
GITHUB_SERVER_URL=$base CI_SIM_CACHE_DIR='' "$MLGATE_TEST_PYTHON" "$CI_SIM" github \
	"$pinned/ci/github/setup" --result "$T_DIR/pin.json" --log "$T_DIR/pin.log" 2>"$T_DIR/pin.err"
RC=$?
set -e
[ "$RC" = 0 ] || { cat "$T_DIR/pin.log" "$T_DIR/pin.err" >&2; fail "the pinned action did not install"; }
expect_res pin outputs.version "$ver"
assert_match "$T_DIR/http.log" "^GET /acme/mlgate/releases/download/v$ver/$asset -> 200$"

# pinned to a commit: the VERSION file of the action's tree (a stamped release tree) says which
runner job3b
pinned=$T_DIR/_actions/acme/mlgate/0123456789abcdef
mkdir -p "$pinned"
cp -r "$CI_REPO/ci" "$pinned/"
echo "$ver" >"$pinned/VERSION"
set +e
GITHUB_SERVER_URL=$base CI_SIM_CACHE_DIR='' "$MLGATE_TEST_PYTHON" "$CI_SIM" github \
	"$pinned/ci/github/setup" --result "$T_DIR/pin2.json" --log "$T_DIR/pin2.log" 2>"$T_DIR/pin2.err"
RC=$?
set -e
[ "$RC" = 0 ] || { cat "$T_DIR/pin2.log" "$T_DIR/pin2.err" >&2; fail "the SHA-pinned action with a VERSION file did not install"; }
expect_res pin2 outputs.version "$ver"
rm "$pinned/VERSION"
set +e
GITHUB_SERVER_URL=$base CI_SIM_CACHE_DIR='' "$MLGATE_TEST_PYTHON" "$CI_SIM" github \
	"$pinned/ci/github/setup" --result "$T_DIR/pin3.json" --log "$T_DIR/pin3.log" 2>"$T_DIR/pin3.err"
set -e
expect_res pin3 exit_code 2
one_error pin3 "cannot tell which release to install: .*\(it is '0123456789abcdef'\)"

# ------------------------------------------------------------ 4. fails closed
# (no cache service: the key is the version and platform, whatever the mirror)
export CI_SIM_CACHE_DIR=
runner job4
n0=$(requests)
gh_run sum setup version="$ver" base-url="$base/bad"
[ "$RC" = 1 ] || fail "a wrong checksum did not fail the action"
expect_res sum exit_code 3
one_error sum "$base/bad/v$ver/$asset: checksum mismatch \(SHA256SUMS says [0-9a-f]{64}, the download is $sum\); nothing installed$"
nothing_installed sum
assert_no_match "$T_DIR/sum.log" 'post: saved'
[ "$(requests)" = $((n0 + 2)) ] || fail "a wrong checksum: $(requests) requests"

gh_run gone setup version="$ver" base-url="$base/gone"
[ "$RC" = 1 ] || fail "a missing asset did not fail the action"
expect_res gone exit_code 3
one_error gone "$base/gone/v$ver/$asset: not found \(HTTP 404\): no such release asset; nothing installed \(set input 'from-source' to true to build from source\)$"
nothing_installed gone

gh_run norel setup version=0.0.0-nosuch base-url="$base/good"
[ "$RC" = 1 ] || fail "a missing release did not fail the action"
one_error norel "$base/good/v0.0.0-nosuch/SHA256SUMS: not found \(HTTP 404\)"
nothing_installed norel

gh_run noline setup version="$ver" base-url="$base/noline"
[ "$RC" = 1 ] || fail "SHA256SUMS without the asset did not fail the action"
one_error noline "$base/noline/v$ver/SHA256SUMS has no \(single\) line for $asset; nothing installed$"
nothing_installed noline

gh_run pkgs setup version="$ver" base-url="$base/pkgs" install-deps=false
[ "$RC" = 1 ] || fail "a missing runtime package did not fail the action"
one_error pkgs "missing runtime packages: mlgate-test-absent-package \(input 'install-deps' is false\)$"
expect_res pkgs path.# 0

gh_run nover setup base-url="$base/good"
[ "$RC" = 1 ] || fail "no version to go on did not fail the action"
expect_res nover exit_code 2
one_error nover "cannot tell which release to install: set input 'version' \(e.g. 0.2.0\), pin the action to a vX.Y.Z tag"

gh_run plain setup version="$ver" base-url=http://releases.example/mlgate
expect_res plain exit_code 2
one_error plain "input 'base-url' must be an https:// URL \(http:// only to a loopback address\), got 'http://releases.example/mlgate'$"

gh_run badin setup version="$ver" base-url="$base/good" from-source=maybe
expect_res badin exit_code 2
one_error badin "input 'from-source' must be true or false, got 'maybe'$"

# ------------------------------------------------------------ 5. Azure
export CI_SIM_CACHE_DIR=$T_DIR/azcache
mkdir -p "$CI_SIM_CACHE_DIR"
export AGENT_TEMPDIRECTORY=$T_DIR/az1/temp AGENT_TOOLSDIRECTORY=$T_DIR/az1/tools
export PIPELINE_WORKSPACE=$T_DIR/az1/pw BUILD_SOURCESDIRECTORY=$T_DIR/ws
mkdir -p "$AGENT_TEMPDIRECTORY" "$AGENT_TOOLSDIRECTORY" "$PIPELINE_WORKSPACE"
azdest=$AGENT_TOOLSDIRECTORY/mlgate/$ver/$plat-$(uname -m)
az_run azdl setup.yml source="$CI_REPO" version="$ver" baseUrl="$base/good"
[ "$RC" = 0 ] || { cat "$T_DIR/azdl.log" >&2; fail "the Azure release install failed"; }
expect_res azdl result Succeeded
expect_res azdl variables.MLGATE_BIN_DIR "$azdest/bin"
expect_res azdl variables.MLGATE_SRC_DIR "$CI_REPO"
expect_res azdl variables.MLGATE_CACHE_RESTORED false
expect_res azdl path.0 "$azdest/bin"
[ "$("$azdest/bin/mlgate" --version)" = "mlgate $ver" ] || fail "Azure: installed mlgate does not run"
assert_match "$T_DIR/azdl.log" "^::sim:: Cache@2 post: saved $azdest as key"
export AGENT_TEMPDIRECTORY=$T_DIR/az2/temp AGENT_TOOLSDIRECTORY=$T_DIR/az2/tools
mkdir -p "$AGENT_TEMPDIRECTORY" "$AGENT_TOOLSDIRECTORY"
azdest=$AGENT_TOOLSDIRECTORY/mlgate/$ver/$plat-$(uname -m)
n0=$(requests)
az_run azhit setup.yml source="$CI_REPO" version="$ver" baseUrl="$base/good"
[ "$RC" = 0 ] || { cat "$T_DIR/azhit.log" >&2; fail "the Azure cached install failed"; }
expect_res azhit variables.MLGATE_CACHE_RESTORED true
[ "$(requests)" = "$n0" ] || fail "an Azure cache hit made a request"
export AGENT_TEMPDIRECTORY=$T_DIR/az3/temp AGENT_TOOLSDIRECTORY=$T_DIR/az3/tools CI_SIM_CACHE_DIR=
mkdir -p "$AGENT_TEMPDIRECTORY" "$AGENT_TOOLSDIRECTORY"
az_run azsum setup.yml source="$CI_REPO" version="$ver" baseUrl="$base/bad"
[ "$RC" = 1 ] || fail "Azure: a wrong checksum did not fail the template"
expect_res azsum result Failed
n=$(grep -c '^##vso\[task.logissue type=error\]' "$T_DIR/azsum.log" || true)
[ "$n" = 1 ] || fail "Azure: $n error lines for a wrong checksum"
assert_match "$T_DIR/azsum.log" "^##vso\[task.logissue type=error\]mlgate setup: $base/bad/v$ver/$asset: checksum mismatch"
[ -z "$(find "$AGENT_TOOLSDIRECTORY" -type f)" ] || fail "Azure: a wrong checksum left files"
expect_res azsum path.# 0

echo "t_ci_setup_download: setup step in the simulated runner: release download + verify ${t_download} s, cache hit ${t_hit} s"
echo "t_ci_setup_download: ok"
