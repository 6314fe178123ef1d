#!/usr/bin/env bash
# The release artifacts as a user gets them:
#   - `make dist` twice gives the same bytes (reproducible tarball), and the
#     tarball carries VERSION;
#   - the Debian package builds from that tarball (no git: the stamped
#     version) with dpkg-buildpackage, is lintian clean (errors, warnings and
#     info; overrides only as debian/mlgate.lintian-overrides justifies
#     them), and depends on runtime libraries only (${shlibs:Depends});
#   - unpacked with dpkg -x into a temporary root, its binaries run the
#     whole demo (scripts/demo.sh BIN), its --version is the tarball's, and
#     its man pages render without warnings.
# Prints the installed sizes. Needs the packages of scripts/deps.sh package.
#
#   tests/package/t_deb.sh        (run by make check-package)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlgate-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "t_deb: FAIL: $*" >&2
	exit 1
}

# 1. make dist, twice, the second time with another umask, a second later and
# README.md's mtime changed (put back after), as another checkout would have it
t1=$(make --no-print-directory -s dist DISTDIR="$tmp/dist1" | tail -n 1)
sleep 1
mtime=$(stat -c %Y README.md)
touch README.md
t2=$(umask 077 && make --no-print-directory -s dist DISTDIR="$tmp/dist2" | tail -n 1)
touch -d "@$mtime" README.md
[ -f "$t1" ] && [ -f "$t2" ] || fail "make dist did not print the tarball it made"
cmp "$t1" "$t2" || fail "make dist twice gave different bytes"
version=$(scripts/version.sh)
[ "${t1##*/}" = "mlgate-$version.tar.gz" ] || fail "tarball named ${t1##*/}, version $version"
tar -xzf "$t1" -C "$tmp"
src=$tmp/mlgate-$version
[ "$(cat "$src/VERSION")" = "$version" ] || fail "VERSION in the tarball is not $version"
[ ! -e "$src/.git" ] || fail "the tarball carries .git"
# without git: the stamped VERSION; without VERSION either: 0.0.0-unknown, said;
# a VERSION holding no version: an error
[ "$("$src/scripts/version.sh")" = "$version" ] || fail "version.sh in the tarball"
cp -r "$src" "$tmp/bare" && rm "$tmp/bare/VERSION"
[ "$("$tmp/bare/scripts/version.sh" 2>"$tmp/err")" = 0.0.0-unknown ] && grep -q unknown "$tmp/err" ||
	fail "version.sh without git or VERSION: not 0.0.0-unknown with a warning"
echo junk >"$tmp/bare/VERSION"
if "$tmp/bare/scripts/version.sh" >/dev/null 2>&1; then fail "version.sh accepted VERSION 'junk'"; fi
rm -rf "$tmp/bare"
echo "t_deb: make dist: ${t1##*/}, $(stat -c %s "$t1") bytes, identical twice"

# 2. the .deb, from the tarball
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) nocheck" \
	dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1) ||
	{ tail -n 40 "$tmp/build.log" >&2; fail "dpkg-buildpackage failed"; }
deb=$(ls "$tmp"/mlgate_*.deb)
debversion=$(dpkg-deb -f "$deb" Version)
[ "$debversion" = "$(echo "$version" | sed 's/-/+/; s/-/./g')" ] ||
	fail "package version $debversion does not follow $version"
lintian --fail-on error,warning,info --display-info "$deb" >"$tmp/lintian.log" 2>&1 ||
	{ cat "$tmp/lintian.log" >&2; fail "lintian"; }
depends=$(dpkg-deb -f "$deb" Depends)
for dep in ${depends//,/ }; do
	case $dep in
	lib* | "(" | ")" | "(>=" | [0-9]* | "|") ;;
	*) fail "Depends names something that is no runtime library: '$dep' in '$depends'" ;;
	esac
done
echo "t_deb: ${deb##*/}: lintian clean; Depends: $depends"

# 3. unpacked, run as a user would
root=$tmp/root
dpkg -x "$deb" "$root"
bin=$root/usr/bin
v=$("$bin/mlgate" --version)
[ "$v" = "mlgate $version" ] || fail "installed mlgate --version: '$v'"
for page in "$root"/usr/share/man/man1/*.1.gz; do
	warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	[ -z "$warn" ] || fail "${page##*/}: $warn"
done
MANWIDTH=80 man -l "$root/usr/share/man/man1/mlgate-promote.1.gz" 2>/dev/null |
	grep -q '^EXIT STATUS' || fail "mlgate-promote.1 has no EXIT STATUS"
[ -f "$root/usr/share/bash-completion/completions/mlgate-promote" ] || fail "no bash completion"
[ -f "$root/usr/share/zsh/vendor-completions/_mlgate" ] || fail "no zsh completion"
[ -f "$root/usr/share/mlgate/policy.schema.json" ] || fail "no policy schema"
"$src/scripts/demo.sh" "$bin" >"$tmp/demo.log" 2>&1 ||
	{ tail -n 30 "$tmp/demo.log" >&2; fail "the demo with the installed binaries"; }
grep -q 'every gate decided as expected' "$tmp/demo.log" || fail "the demo said something else"

installed=$(dpkg-deb -f "$deb" Installed-Size)
echo "t_deb: the demo passed with the unpacked package's binaries; installed size ${installed} KiB"
