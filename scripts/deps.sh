#!/usr/bin/env bash
# Make sure the Debian packages mlgate needs are present.
#
#   scripts/deps.sh [build] what `make` and `make demo` need (run by `make demo`
#                           and by the CI setup steps in ci/, which only build)
#   scripts/deps.sh test    that and what `make check` needs (run by `make check`)
#   scripts/deps.sh package the packaging tools `make check-package` needs on
#                           top of those: building the .deb (debhelper,
#                           dpkg-dev, fakeroot, and build-essential, which
#                           dpkg-buildpackage requires of every build: a bare
#                           Debian lacks it), checking it (lintian), and
#                           checking what `make install` ships: man pages
#                           (man-db, groff-base for `groff -ww`), the zsh
#                           completion (zsh -n)
#   scripts/deps.sh --list build|test|package   print the package names, install nothing
#
# When everything is there it only asks dpkg once (a few milliseconds), so no
# root is needed. When something is missing it installs it with apt-get:
# directly as root, through sudo otherwise, or it prints the exact command to
# run and exits 2. Why each package is needed: README "Dependencies".
set -euo pipefail

# Build: the compiler, make, pkg-config and the libraries the Makefile links
# (PKGS); the demo (scripts/demo.sh) loads its registry with sqlite3 and
# builds the model's repository with git.
build=(
	gcc libc6-dev make pkg-config
	libcurl4-openssl-dev libcjson-dev libgit2-dev libxml2-dev libsqlite3-dev
	libssl-dev libxxhash-dev
	libmicrohttpd-dev
	sqlite3 git
)
# Test-only: CUnit (unit tests), clang-format (make check-format), valgrind,
# xmllint (JUnit against docs/junit.xsd), Python's venv (the MLflow server of
# the integration tests, the CI checks' venv), curl and CA certificates (the
# harness; pip and the Go module proxy over TLS), GNU time (make bench),
# locales (the locale round-trip test), shellcheck (the scripts in ci/), Chromium and its
# WebDriver (the HTML report's browser test, driven by selenium from the test venv).
# Go for actionlint is scripts/actionlint.sh's business (any Go will do).
test=(
	libcunit1-dev clang-format valgrind libxml2-utils
	python3 python3-venv curl ca-certificates time locales shellcheck
	chromium chromium-driver
)

list=false
if [ "${1:-}" = --list ]; then
	list=true
	shift
fi
case ${1:-build} in
build) packages=("${build[@]}") ;;
test) packages=("${build[@]}" "${test[@]}") ;;
package) packages=(build-essential debhelper dpkg-dev fakeroot lintian man-db groff-base zsh) ;;
*)
	echo "usage: scripts/deps.sh [--list] [build|test|package]" >&2
	exit 2
	;;
esac
if $list; then
	printf '%s\n' "${packages[@]}"
	exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	if [ "${1:-build}" = package ]; then
		echo "deps: not a Debian system: the .deb cannot be built here" >&2
		exit 2
	fi
	missing=()
	pcs=(libcurl libcjson libgit2 libxml-2.0 sqlite3 libcrypto libxxhash libmicrohttpd)
	[ "${1:-build}" = build ] || pcs+=(cunit)
	for pc in "${pcs[@]}"; do
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
