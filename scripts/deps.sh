#!/usr/bin/env bash
# Make sure the Debian packages mlgate needs to build and test are present.
# Run first by `make check` and `make demo`. When everything is there it
# only asks dpkg once (a few milliseconds). When something is missing it
# installs it with apt-get: directly as root, through sudo otherwise, or it
# prints the exact command to run and exits 2.
set -euo pipefail

# Build: compiler, make, pkg-config and the libraries the Makefile names.
# Tests: CUnit, clang-format, valgrind, Python's venv (for the MLflow server
# the integration tests start), curl and git; shellcheck for the scripts in
# ci/ (make check-ci).
packages=(
	gcc make pkg-config
	libcurl4-openssl-dev libcjson-dev libgit2-dev libxml2-dev libsqlite3-dev
	libssl-dev libxxhash-dev libcunit1-dev clang-format valgrind libxml2-utils sqlite3
	python3 python3-venv curl git ca-certificates time locales shellcheck
)

if ! command -v dpkg-query >/dev/null 2>&1; then
	missing=()
	for pc in libcurl libcjson libgit2 libxml-2.0 sqlite3 libxxhash cunit; do
		pkg-config --exists "$pc" 2>/dev/null || missing+=("$pc")
	done
	if ((${#missing[@]})); then
		echo "deps: not a Debian system and these pkg-config modules are missing: ${missing[*]}" >&2
		exit 2
	fi
	exit 0
fi

# One dpkg-query for all: installed ones print "NAME installed"; ones dpkg
# has never seen print "dpkg-query: no packages found matching NAME".
declare -A ok=()
while read -r name status _; do
	[ "$status" = "installed" ] && ok[${name%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
	[ -n "${ok[$p]:-}" ] || missing+=("$p")
done
((${#missing[@]})) || exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
echo "deps: missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" = 0 ]; then
	sh -c "$cmd" >&2
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo sh -c "$cmd" >&2
else
	echo "deps: cannot install as $(id -un) without sudo; run as root:" >&2
	echo "  $cmd" >&2
	exit 2
fi
