#!/usr/bin/env bash
# The Debian packages `make check-package` needs on top of scripts/deps.sh:
# building the .deb (debhelper, dpkg-dev, fakeroot), checking it (lintian),
# and checking what `make install` ships: man pages (man-db, groff for
# `groff -ww`), the zsh completion (zsh -n). Kept apart from deps.sh, which
# lists what building and testing the executables needs.
# Like deps.sh: when everything is there it only asks dpkg once; otherwise it
# installs what is missing with apt-get as root, through sudo, or prints the
# exact command and exits 2.
set -euo pipefail

packages=(debhelper dpkg-dev fakeroot lintian man-db groff-base zsh)

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps-package: not a Debian system: the .deb cannot be built here" >&2
	exit 2
fi

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
echo "deps-package: missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" = 0 ]; then
	sh -c "$cmd" >&2
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo sh -c "$cmd" >&2
else
	echo "deps-package: cannot install as $(id -un) without sudo; run as root:" >&2
	echo "  $cmd" >&2
	exit 2
fi
