#!/usr/bin/env bash
# axe-core (the accessibility rules engine, MPL-2.0) for the HTML report's
# browser test, fetched once from the npm registry at a pinned version, its
# tarball checked against the pinned integrity, and kept in build/ (not
# committed). Prints the path of axe.min.js.
#
#   tests/integration/axe_fetch.sh [DIR]   (default: build/axe-core-VERSION)
set -euo pipefail
version=4.14.1
integrity=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$repo/build/axe-core-$version}
if [ ! -s "$dir/axe.min.js" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# the registry's tarball URL, fetched with curl (a bare Debian has no npm);
	# npm's registry setting is honoured where one is configured
	registry=${npm_config_registry:-https://registry.npmjs.org/}
	curl -fsS --retry 3 -o "$tmp/axe-core-$version.tgz" \
		"${registry%/}/axe-core/-/axe-core-$version.tgz" || {
		echo "axe_fetch.sh: could not download axe-core $version from $registry" >&2
		exit 2
	}
	tgz=$tmp/axe-core-$version.tgz
	got=sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)
	[ "$got" = "$integrity" ] || {
		echo "axe_fetch.sh: axe-core-$version.tgz has $got, expected $integrity" >&2
		exit 3
	}
	tar -xzf "$tgz" -C "$tmp" package/axe.min.js package/LICENSE
	mkdir -p "$dir"
	cp "$tmp/package/LICENSE" "$dir/LICENSE"
	cp "$tmp/package/axe.min.js" "$dir/axe.min.js.new"
	mv "$dir/axe.min.js.new" "$dir/axe.min.js"
fi
echo "$dir/axe.min.js"
