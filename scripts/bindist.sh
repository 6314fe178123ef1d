#!/usr/bin/env bash
# The binary release tarball the CI setup steps download (ci/lib/setup.sh):
#
#   scripts/bindist.sh [--version V] [--out DIR] [--build DIR]
#   (make bindist: the Makefile's VERSION, into dist/)
#
# writes DIR/mlgate-V-PLATFORM-ARCH.tar.gz and (re)writes DIR/SHA256SUMS over
# every mlgate-*.tar.gz and *.deb in DIR. PLATFORM is ID+VERSION_ID of
# /etc/os-release (ubuntu24.04, ubuntu22.04, debian12), ARCH `uname -m`
# (x86_64, aarch64): one tarball per OS release, because the libraries that
# stay dynamic are that release's (package names and sonames differ between
# releases: libcurl4 / libcurl4t64, libgit2 1.1 / 1.7).
#
# Inside, under mlgate-V-PLATFORM-ARCH/:
#   bin/mlgate, bin/mlgate-*              stripped executables
#   share/mlgate/policy.schema.json       the policy JSON schema (docs/)
#   share/mlgate/runtime-packages         the Debian packages the executables
#                                         load, one a line (the setup steps
#                                         install exactly these when missing)
#   share/mlgate/BUILDINFO                version, platform, which libraries
#                                         are linked statically, which not and why
#   share/doc/mlgate/README.md
#
# Static as possible: a library is linked statically when it and every
# library it needs have a .a on this system, except the ones that must stay
# shared: libcurl (its static closure includes GSSAPI/Kerberos and LDAP,
# which Debian and Ubuntu ship only as shared libraries), OpenSSL's libssl
# and libcrypto (libcurl loads them: a second, static copy in the same
# process would be two TLS/crypto states), libxml2 (static it drags in ICU,
# ~30 MB of libicudata in every executable) and the C library and its parts.
# Typically libgit2 (with mbedTLS, http-parser, PCRE2), SQLite and xxHash
# end up static, libcurl, libxml2, OpenSSL, cJSON (no libcjson.a in Debian)
# and glibc dynamic; BUILDINFO says what happened on the machine that built it.
#
# The tarball is reproducible for a given build: sorted names, owner 0,
# mtime SOURCE_DATE_EPOCH (default: the last commit's time), gzip -n.
# Exit codes: 0 written, 2 usage or set-up problem, 3 the build failed.
set -euo pipefail

prog=bindist.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

die() {
	echo "$prog: $1" >&2
	exit "${2:-2}"
}

version='' out=$repo/dist build=''
while (($#)); do
	case $1 in
	--version) version=${2:?--version needs a value}; shift 2 ;;
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	--build) build=${2:?--build needs a directory}; shift 2 ;;
	-h | --help)
		sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

if [ -z "$version" ]; then
	if [ -x "$repo/scripts/version.sh" ]; then
		version=$("$repo/scripts/version.sh") || die "scripts/version.sh failed"
	else
		version=$(git -C "$repo" describe --tags --always --match 'v[0-9]*' 2>/dev/null) ||
			die "cannot tell the version (no git, no --version)"
		version=${version#v}
	fi
fi
case $version in
'' | *[!A-Za-z0-9.+~_-]*) die "version '$version' is not usable in a file name" ;;
esac

[ -r /etc/os-release ] || die "no /etc/os-release: cannot name the platform"
# shellcheck source=/dev/null
platform=$(. /etc/os-release && printf '%s%s' "${ID:?}" "${VERSION_ID:-}")
case $platform in *[!a-z0-9.]*) die "odd platform name '$platform' from /etc/os-release" ;; esac
arch=$(uname -m)
name=mlgate-$version-$platform-$arch
build=${build:-$repo/build/bindist-$platform-$arch}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for tool in pkg-config readelf dpkg-query strip tar gzip sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || die "needs '$tool'"
done

# ---------------------------------------------------------------- link line
cc=${CC:-cc}
read -ra pkgs <<<"$(sed -n 's/^PKGS := //p' "$repo/Makefile")"
((${#pkgs[@]})) || die "no 'PKGS := ...' line in the Makefile"
# shared: see the header
always_shared=" c m dl pthread rt ssl crypto z curl xml2 icuuc icui18n icudata lzma gssapi_krb5 "
# what a static library needs that its .pc omits (Debian's libgit2.a calls
# GSSAPI for Negotiate auth; libgit2.pc's Libs.private does not say so)
# shellcheck disable=SC2034 # read as ${!extra}
extra_libgit2="-l:libgssapi_krb5.so.2"
is_shared() { # is_shared -lNAME: kept shared (-l:FILE names a shared object)
	case $1 in -l:*) return 0 ;; esac
	case $always_shared in *" ${1#-l} "*) return 0 ;; esac
	return 1
}
static_ok() { # every -l of the package's static closure has a .a (or is always shared)
	local l
	for l in $(pkg-config --static --libs-only-l "$1"); do
		is_shared "$l" && continue
		l=${l#-l}
		[ "$("$cc" -print-file-name="lib$l.a")" != "lib$l.a" ] || return 1
	done
}
static_libs=() shared_libs=() static_pkgs=() shared_pkgs=()
add_unique() { # add_unique ARRAY VALUE
	local -n arr=$1
	local x
	for x in "${arr[@]}"; do [ "$x" != "$2" ] || return 0; done
	arr+=("$2")
}
for p in "${pkgs[@]}"; do
	first=$(pkg-config --libs-only-l "$p" | awk '{print $1}')
	first=${first#-l}
	case $always_shared in
	*" $first "*)
		shared_pkgs+=("$p (kept shared)")
		for l in $(pkg-config --libs-only-l "$p"); do add_unique shared_libs "$l"; done
		continue
		;;
	esac
	if static_ok "$p"; then
		static_pkgs+=("$p")
		extra=extra_${p//[^A-Za-z0-9_]/_}
		for l in $(pkg-config --static --libs-only-l "$p") ${!extra:-}; do
			if is_shared "$l"; then add_unique shared_libs "$l"; else add_unique static_libs "$l"; fi
		done
	else
		shared_pkgs+=("$p (a library of its static closure has no .a here)")
		for l in $(pkg-config --libs-only-l "$p"); do add_unique shared_libs "$l"; done
	fi
done
libdirs=$(pkg-config --libs-only-L "${pkgs[@]}")
# shellcheck disable=SC2086 # word lists
link="$libdirs ${static_libs:+-Wl,-Bstatic ${static_libs[*]} -Wl,-Bdynamic} ${shared_libs[*]}"

# ---------------------------------------------------------------- build
stage=$(mktemp -d "${TMPDIR:-/tmp}/mlgate-bindist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/$name
mkdir -p "$root/bin" "$root/share/mlgate" "$root/share/doc/mlgate"
echo "$prog: building $name (static: ${static_pkgs[*]:-none})" >&2
build_with() { # build_with LINK-LINE
	make -C "$repo" --no-print-directory -j"$(nproc 2>/dev/null || echo 2)" \
		BUILD="$build" OUT="$root/bin" VERSION="$version" CFLAGS=-O2 PKG_LIBS="$1" all >&2
}
if ! build_with "$link"; then
	# a static library needing something nobody declared: link it all shared
	# (the objects are built; only the links run again), and say so
	((${#static_pkgs[@]})) || die "the build failed" 3
	echo "$prog: the static link failed; linking every library shared" >&2
	for p in "${static_pkgs[@]}"; do shared_pkgs+=("$p (its static link failed here)"); done
	static_pkgs=()
	build_with "$(pkg-config --libs "${pkgs[@]}")" || die "the build failed" 3
fi
strip --strip-unneeded "$root"/bin/*
"$root/bin/mlgate" --version >/dev/null || die "the built mlgate does not run" 3

# the Debian packages behind every shared library the executables load
sonames=$(readelf -d "$root"/bin/* | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | LC_ALL=C sort -u)
pkgs_rt=()
for so in $sonames; do
	path=$(ldd "$root/bin/mlgate"* 2>/dev/null | awk -v so="$so" '$1 == so && $3 ~ /^\// && !p {p = $3} END {print p}')
	[ -n "$path" ] || die "cannot find $so on this system"
	pkg=
	for cand in "$path" "$(readlink -f "$path")" "/usr${path#/usr}" "${path#/usr}"; do
		pkg=$(dpkg-query -S "$cand" 2>/dev/null | sed -n '1s/[:,].*//p') && [ -n "$pkg" ] && break
	done
	[ -n "$pkg" ] || die "no Debian package owns $path ($so)"
	add_unique pkgs_rt "$pkg"
done
printf '%s\n' "${pkgs_rt[@]}" | LC_ALL=C sort >"$root/share/mlgate/runtime-packages"
cp "$repo/docs/policy.schema.json" "$root/share/mlgate/"
cp "$repo/README.md" "$root/share/doc/mlgate/"
{
	echo "version: $version"
	echo "platform: $platform"
	echo "arch: $arch"
	echo "compiler: $("$cc" --version | head -n 1)"
	echo "glibc: $(ldd --version | head -n 1)"
	echo "static: ${static_pkgs[*]:-none}"
	for p in "${shared_pkgs[@]}"; do echo "shared: $p"; done
	echo "loads: $(echo "$sonames" | tr '\n' ' ')"
	echo "runtime packages: $(tr '\n' ' ' <"$root/share/mlgate/runtime-packages")"
} >"$root/share/mlgate/BUILDINFO"

# ---------------------------------------------------------------- tarball
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)}
tmp=$out/.$name.tar.gz.$$
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
	--mode='u+rwX,go+rX,go-w' -cf - "$name" | gzip -9n >"$tmp"
mv -f "$tmp" "$out/$name.tar.gz"
(
	cd "$out"
	shopt -s nullglob
	files=(mlgate-*.tar.gz ./*.deb)
	sha256sum -- "${files[@]#./}" >SHA256SUMS.new
	mv -f SHA256SUMS.new SHA256SUMS
)
sed 's/^/  /' "$root/share/mlgate/BUILDINFO" >&2
echo "$out/$name.tar.gz"
