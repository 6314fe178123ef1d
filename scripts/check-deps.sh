#!/usr/bin/env bash
# `make` and `make demo` must build with only the build packages
# (scripts/deps.sh build): a dry run of `make all` (every compile and link
# line expanded, nothing built) with a pkg-config that knows none of the
# test-only modules (the Makefile's TEST_PKGS, passed in the environment)
# must never ask for one. Run by `make check` (make check-deps).
#
# Exit codes: 0 the build asks for no test-only module, 1 it does, 2 set-up.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
[ -n "${TEST_PKGS:-}" ] || { echo "check-deps: TEST_PKGS is not set (run me through make check-deps)" >&2; exit 2; }
real=$(command -v "${PKG_CONFIG:-pkg-config}") || { echo "check-deps: no pkg-config" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/pkg-config" <<WRAP
#!/bin/sh
for a in "\$@"; do
	for t in $TEST_PKGS; do
		if [ "\$a" = "\$t" ]; then
			echo "check-deps: the build asked pkg-config for test-only module \$t: \$*" >&2
			exit 1
		fi
	done
done
exec "$real" "\$@"
WRAP
chmod +x "$tmp/pkg-config"
out=$(make -C "$repo" --no-print-directory -n -B BUILD="$tmp/build" OUT="$tmp/bin" \
	PKG_CONFIG="$tmp/pkg-config" all 2>&1) || {
	echo "$out" | tail -n 5 >&2
	echo "check-deps: 'make -n all' failed" >&2
	exit 2
}
if grep 'check-deps: the build asked' <<<"$out" | sort -u | grep .; then
	echo "check-deps: \`make\` needs a test-only package; the build list is scripts/deps.sh build"
	exit 1
fi
echo "check-deps: make all asks pkg-config for no test-only module ($TEST_PKGS)"
