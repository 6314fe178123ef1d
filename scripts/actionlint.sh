#!/usr/bin/env bash
# Lint the example GitHub Actions workflows (ci/github/workflows/*.yml) with
# actionlint, installed from the Go module proxy at a pinned version into
# build/tools (or $MLGATE_TOOLS). Run by `make check-ci`.
#
#   scripts/actionlint.sh                 install if needed, lint every workflow
#   scripts/actionlint.sh --install-only  install if needed, print the binary's path
#   scripts/actionlint.sh FILE...         lint these files
#
# actionlint runs shellcheck on every `run:` script when shellcheck is on PATH
# (Debian's shellcheck, installed by scripts/deps.sh).
#
# Go: `go` on PATH, else /usr/local/go/bin/go, else Debian's golang-go is
# installed the way scripts/deps.sh installs packages (root, or sudo -n);
# otherwise the exact command is printed and the script exits 2.
#
# Exit codes: 0 clean, 1 actionlint found problems, 2 set-up failed.
set -euo pipefail

prog=actionlint.sh
version=v1.7.12
module=github.com/rhysd/actionlint/cmd/actionlint
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
tools=${MLGATE_TOOLS:-$repo/build/tools}
case $tools in /*) ;; *) tools=$PWD/$tools ;; esac
bin=$tools/actionlint

die() {
	echo "$prog: $1" >&2
	exit "${2:-2}"
}

find_go() {
	if command -v go >/dev/null 2>&1; then
		command -v go
	elif [ -x /usr/local/go/bin/go ]; then
		echo /usr/local/go/bin/go
	else
		return 1
	fi
}

install_golang() {
	local cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends golang-go"
	command -v apt-get >/dev/null 2>&1 ||
		die "no Go toolchain ('go') and no apt-get to install one: install Go >= 1.24 and re-run"
	echo "$prog: no Go toolchain found; installing Debian's golang-go" >&2
	if [ "$(id -u)" = 0 ]; then
		sh -c "$cmd" >&2 || die "installing golang-go failed"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo sh -c "$cmd" >&2 || die "installing golang-go failed"
	else
		echo "$prog: cannot install Go as $(id -un) without sudo; run as root:" >&2
		echo "  $cmd" >&2
		exit 2
	fi
}

installed_version() {
	[ -x "$bin" ] || return 1
	"$bin" -version 2>/dev/null | head -n 1
}

ensure_actionlint() {
	local go
	if [ "$(installed_version || true)" = "$version" ]; then
		return 0
	fi
	go=$(find_go) || {
		install_golang
		go=$(find_go) || die "golang-go was installed but 'go' is still not on PATH"
	}
	mkdir -p "$tools"
	echo "$prog: installing actionlint $version with $("$go" version) into $tools" >&2
	# GOFLAGS pinned: a user's GOFLAGS (e.g. -mod=vendor) must not change the build
	if ! GOBIN=$tools GOFLAGS=-buildvcs=false GO111MODULE=on "$go" install "$module@$version" >&2; then
		die "'go install $module@$version' failed (needs the Go module proxy and Go >= 1.24; this is $("$go" version))"
	fi
	[ "$(installed_version || true)" = "$version" ] ||
		die "installed $bin but it reports '$(installed_version || echo nothing)', not $version"
}

install_only=false
files=()
for arg in "$@"; do
	case $arg in
	--install-only) install_only=true ;;
	-h | --help)
		sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) die "unknown option '$arg' (see --help)" ;;
	*) files+=("$arg") ;;
	esac
done

ensure_actionlint
if $install_only; then
	echo "$bin"
	exit 0
fi

if ((${#files[@]} == 0)); then
	shopt -s nullglob
	files=("$repo"/ci/github/workflows/*.yml "$repo"/ci/github/workflows/*.yaml)
	shopt -u nullglob
	((${#files[@]})) || die "no workflow in $repo/ci/github/workflows"
fi
command -v shellcheck >/dev/null 2>&1 ||
	echo "$prog: note: shellcheck is not installed, so run: scripts are not shellchecked" >&2
# The example workflows live outside .github/, so each file is named.
rc=0
(cd "$repo" && "$bin" -no-color "${files[@]}") || rc=$?
case $rc in
0) echo "actionlint: ${#files[@]} workflows clean ($version)" ;;
1) exit 1 ;;
*) die "actionlint failed to run (exit $rc)" ;;
esac
