#!/usr/bin/env bash
# `make dist`: the source tarball mlgate-VERSION.tar.gz in OUTDIR (default
# build/), made reproducibly: the same tracked files give the same bytes
# (file order by name, every mtime SOURCE_DATE_EPOCH — default the last
# commit's time —, owner 0:0 numeric, modes normalised, gzip without a
# name or time). It holds the tracked files as they are in the work tree
# plus VERSION (scripts/version.sh), which a build without git reads.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
outdir=$(mkdir -p "${1:-$repo/build}" && cd "${1:-$repo/build}" && pwd)
cd "$repo"
git rev-parse --git-dir >/dev/null 2>&1 || {
	echo "dist: $repo is not a git checkout: make dist packs the tracked files" >&2
	exit 2
}
version=$(scripts/version.sh)
name=mlgate-$version
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlgate-dist.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/$name"
git ls-files -z | tar --create --null --files-from=- --file=- | tar --extract --directory="$tmp/$name"
printf '%s\n' "$version" >"$tmp/$name/VERSION"
tar --create --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
	--mode='u+rwX,go=rX' --format=gnu --directory="$tmp" --file=- "$name" |
	gzip -n -9 >"$tmp/$name.tar.gz"
mv -f "$tmp/$name.tar.gz" "$outdir/$name.tar.gz"
echo "$outdir/$name.tar.gz"
