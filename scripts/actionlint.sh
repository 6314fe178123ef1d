#!/usr/bin/env bash
# Lint the example GitHub Actions workflows (ci/github/workflows/*.yml) with
# actionlint, built from the Go module proxy at a pinned version and checksum
# into build/tools (or $MLGATE_TOOLS). Run by `make check-ci`.
#
#   scripts/actionlint.sh                 install if needed, lint every workflow
#   scripts/actionlint.sh --install-only  install if needed, print the binary's path
#   scripts/actionlint.sh FILE...         lint these files
#
# actionlint runs shellcheck on every `run:` script when shellcheck is on PATH
# (Debian's shellcheck, installed by `scripts/deps.sh test`).
#
# Go: `go` on PATH, else /usr/local/go/bin/go, else Debian's golang-go is
# installed the way scripts/deps.sh installs packages (root, or sudo -n;
# otherwise the exact command is printed and the script exits 2). actionlint
# needs Go >= 1.25; an older Go (Debian 12 has 1.19) only downloads the pinned
# Go toolchain module golang.org/toolchain from the module proxy (the module
# GOTOOLCHAIN itself uses), checked against its pinned checksum, into
# build/tools/go1.25.N, which then builds actionlint. actionlint's own module
# is checked against its pinned checksum too, and its dependencies against
# its go.sum (and the checksum database), as `go install` does.
#
# Exit codes: 0 clean, 1 actionlint found problems, 2 set-up failed.
set -euo pipefail

prog=actionlint.sh
version=v1.7.12
module=github.com/rhysd/actionlint
# `go mod download -json MODULE@VERSION` prints these ("Sum")
module_sum=h1:vQ4GeJN86C0QH+gTUQcs8McmK62OLT3kmakPMtEWYnY=
go_need=1.25 # actionlint v1.7.12's go.mod: go 1.25.0
toolchain=go1.25.14
toolchain_sum_amd64=h1:XriDgll2yv4W2YeUo2X/WuUuy+iGJkXGH0CQloMBEXo=
toolchain_sum_arm64=h1:tccCYNAEolyjUyQVNxD/wJuly2Sx85m+OUkzGIhO1oY=
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
tools=${MLGATE_TOOLS:-$repo/build/tools}
case $tools in /*) ;; *) tools=$PWD/$tools ;; esac
bin=$tools/actionlint
# A user's GOFLAGS (e.g. -mod=vendor) must not change the build; the module
# cache is made writable so that `make clean` or rm -rf can remove it.
export GOFLAGS="-buildvcs=false -modcacherw" GO111MODULE=on

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
		die "no Go toolchain ('go') and no apt-get to install one: install Go and re-run"
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

# go_at_least GO MAJOR.MINOR: whether GO's version is MAJOR.MINOR or newer.
go_at_least() {
	local have want_major=${2%%.*} want_minor=${2#*.} major minor
	have=$(GOTOOLCHAIN=local "$1" env GOVERSION 2>/dev/null) || return 1
	[[ $have =~ ^go([0-9]+)\.([0-9]+) ]] || return 1
	major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
	((major > want_major || (major == want_major && minor >= want_minor)))
}

# json_field NAME: the string value of "NAME" in `go mod download -json` output.
json_field() {
	sed -n "s/^[[:space:]]*\"$1\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" | head -n 1
}

# download MODULE@VERSION WANT_SUM [GOMODCACHE]: download a module with the
# go command (GOPROXY, as the user set it up) and check it against WANT_SUM;
# prints the directory it was extracted to.
download() {
	local out sum dir envs=(GOTOOLCHAIN=local)
	if [ -n "${3:-}" ]; then envs+=("GOMODCACHE=$3"); fi
	out=$(cd "$tools" && env "${envs[@]}" "$go" mod download -json "$1") ||
		die "'go mod download $1' failed (needs the Go module proxy): $(echo "$out" | json_field Error)"
	sum=$(echo "$out" | json_field Sum)
	dir=$(echo "$out" | json_field Dir)
	[ "$sum" = "$2" ] || die "checksum of $1 is '$sum', pinned '$2': refusing it"
	[ -d "$dir" ] || die "'go mod download $1' named no directory"
	echo "$dir"
}

# ensure_toolchain: point $go at the pinned Go toolchain, fetching it once.
ensure_toolchain() {
	local arch sum root=$tools/$toolchain cache dir
	if [ -x "$root/bin/go" ] && [ "$(GOTOOLCHAIN=local "$root/bin/go" env GOVERSION 2>/dev/null)" = "$toolchain" ]; then
		go=$root/bin/go
		return 0
	fi
	arch=$(GOTOOLCHAIN=local "$go" env GOHOSTARCH) || die "'$go env' failed"
	case $arch in
	amd64) sum=$toolchain_sum_amd64 ;;
	arm64) sum=$toolchain_sum_arm64 ;;
	*) die "this is $("$go" version); actionlint needs Go >= $go_need and no toolchain is pinned for linux-$arch: install one" ;;
	esac
	echo "$prog: $("$go" version) is older than Go $go_need; fetching the pinned Go toolchain module ($toolchain, linux-$arch, ~65 MB) into $root" >&2
	rm -rf "$root" "$tools/.toolchain."*
	cache=$(mktemp -d "$tools/.toolchain.XXXXXX")
	dir=$(download "golang.org/toolchain@v0.0.1-$toolchain.linux-$arch" "$sum" "$cache")
	# Module zips carry no file modes: the commands get their execute bits
	# back as the go command itself does when GOTOOLCHAIN switches.
	chmod -R u+w "$dir"
	find "$dir/bin" "$dir/pkg/tool" -type f -exec chmod 755 {} +
	mv "$dir" "$root"
	rm -rf "$cache"
	[ "$(GOTOOLCHAIN=local "$root/bin/go" env GOVERSION 2>/dev/null)" = "$toolchain" ] ||
		die "the Go toolchain in $root does not run or is not $toolchain"
	go=$root/bin/go
}

installed_version() {
	[ -x "$bin" ] || return 1
	"$bin" -version 2>/dev/null | head -n 1
}

ensure_actionlint() {
	if [ "$(installed_version || true)" = "$version" ]; then
		return 0
	fi
	go=$(find_go) || {
		install_golang
		go=$(find_go) || die "golang-go was installed but 'go' is still not on PATH"
	}
	mkdir -p "$tools"
	go_at_least "$go" "$go_need" || ensure_toolchain
	download "$module@$version" "$module_sum" >/dev/null
	echo "$prog: installing actionlint $version with $(GOTOOLCHAIN=local "$go" version) into $tools" >&2
	if ! GOBIN=$tools GOTOOLCHAIN=local "$go" install "$module/cmd/actionlint@$version" >&2; then
		die "'go install $module/cmd/actionlint@$version' failed (needs the Go module proxy; this is $("$go" version))"
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
		awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
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
