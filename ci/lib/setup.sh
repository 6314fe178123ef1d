#!/usr/bin/env bash
# Install a released mlgate for a CI job: the binary tarball of the runner's
# OS release and architecture, verified against the release's SHA256SUMS.
# The one script behind both setup wrappers (their source-build path does
# not use it):
#
#   ci/github/setup/action.yml   bash "$GITHUB_ACTION_PATH/../../lib/setup.sh" github resolve|install
#   ci/azure/steps/setup.yml     bash "$MLGATE_SRC/ci/lib/setup.sh" azure resolve|install
#
# resolve  which release, where from, where to: sets version, asset, url,
#          sums-url, dest, cache-path (= dest), cache-key and installed (true when dest
#          already holds that release: a restored cache, a self-hosted
#          runner's tool cache). Reads:
#            MLGATE_IN_VERSION   the release (0.2.0 or v0.2.0); default: the
#                                VERSION file of the action's tree, else the
#                                vX.Y.Z tag the action / template is pinned to
#                                (MLGATE_REF: GitHub's action path or Azure's
#                                resources.repositories.mlgate.ref)
#            MLGATE_IN_BASE_URL  where releases are (https://; http:// only to
#                                a loopback address); default the GitHub
#                                releases of the repository the action comes
#                                from (MLGATE_REPO: OWNER/NAME)
#          The asset is BASE/vVERSION/mlgate-VERSION-PLATFORM-ARCH.tar.gz and
#          its checksum a line of BASE/vVERSION/SHA256SUMS; PLATFORM is
#          ID+VERSION_ID of /etc/os-release (ubuntu24.04), ARCH `uname -m`.
# install  MLGATE_VERSION, MLGATE_ASSET, MLGATE_URL, MLGATE_SUMS_URL,
#          MLGATE_DEST from resolve: unless dest already holds the release,
#          download the asset and SHA256SUMS, check the asset with
#          `sha256sum -c` against its line, unpack it into dest (all or
#          nothing: a temporary directory renamed at the end); then install
#          the Debian packages of share/mlgate/runtime-packages that are
#          missing (apt-get as root or through sudo -n; MLGATE_IN_INSTALL_DEPS
#          false: fail instead), run `mlgate --version` from dest, and put
#          dest/bin on PATH. Sets bin-dir and version.
#
# Every failure is one error line naming what and where, and nothing is
# installed. Exit: 0 done; 2 a bad input or nothing to go on; 3 a download,
# checksum or install failure.
set -euo pipefail

platform=${1:-}
cmd=${2:-}
case $platform:$cmd in
github:resolve | github:install | azure:resolve | azure:install) ;;
*)
	echo "usage: setup.sh github|azure resolve|install (the inputs come from the environment)" >&2
	exit 2
	;;
esac

# ---------------------------------------------------------------- hooks

camel() { # base-url -> baseUrl (Azure's parameter names)
	local s=$1 out=
	while [[ $s == *-* ]]; do
		out+=${s%%-*}
		s=${s#*-}
		s=${s^}
	done
	printf '%s' "$out$s"
}

pname() { # input 'base-url' / parameter 'baseUrl'
	case $platform in
	github) printf "input '%s'" "$1" ;;
	azure) printf "parameter '%s'" "$(camel "$1")" ;;
	esac
}

fail() { # fail EXIT MESSAGE: one error line, nothing installed
	case $platform in
	github) printf '::error title=mlgate setup::%s\n' "${2//%/%25}" ;;
	azure) printf '##vso[task.logissue type=error]mlgate setup: %s\n' "${2//%/%AZP25}" ;;
	esac
	exit "$1"
}

put() { # put NAME VALUE: a step output (GitHub) / a job variable MLGATE_NAME (Azure)
	case $platform in
	github) printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT" ;;
	azure)
		local v=${1^^}
		printf '##vso[task.setvariable variable=MLGATE_%s]%s\n' "${v//-/_}" "$2"
		;;
	esac
}

on_path() {
	case $platform in
	github)
		echo "$1" >>"$GITHUB_PATH"
		echo "MLGATE_BIN_DIR=$1" >>"$GITHUB_ENV"
		;;
	azure) echo "##vso[task.prependpath]$1" ;;
	esac
}

# Where the action / template comes from, when the wrapper does not say:
# GitHub unpacks `uses: OWNER/REPO/ci/github/setup@REF` into
# .../_actions/OWNER/REPO/REF/ci/github/setup (github.action_ref and
# github.action_repository are empty inside composite actions); Azure's
# macros $(resources.repositories.mlgate.*) stay unexpanded when the
# repository resource has another alias.
origin() {
	case ${MLGATE_REF:-} in \$\(*) MLGATE_REF= ;; esac
	case ${MLGATE_REPO_NAME:-} in \$\(*) MLGATE_REPO_NAME= ;; esac
	case $platform in
	github)
		local p=${GITHUB_ACTION_PATH:-}
		if [[ $p =~ /_actions/([^/]+)/([^/]+)/([^/]+)/ci/github/setup/?$ ]]; then
			: "${MLGATE_REF:=${BASH_REMATCH[3]}}"
			: "${MLGATE_REPO:=${BASH_REMATCH[1]}/${BASH_REMATCH[2]}}"
		fi
		: "${MLGATE_SERVER:=${GITHUB_SERVER_URL:-https://github.com}}"
		;;
	azure)
		if [ "${MLGATE_REPO_TYPE:-}" = github ] || [ "${MLGATE_REPO_TYPE:-}" = GitHub ]; then
			: "${MLGATE_REPO:=${MLGATE_REPO_NAME:-}}"
		fi
		;;
	esac
}

# ---------------------------------------------------------------- resolve

marker=.mlgate-release # in dest: "VERSION ASSET SHA256" of what was unpacked there

holds() { # holds DEST VERSION ASSET: dest is a complete install of that release
	local v a _
	[ -r "$1/$marker" ] && [ -x "$1/bin/mlgate" ] || return 1
	read -r v a _ <"$1/$marker" || return 1
	[ "$v" = "$2" ] && [ "$a" = "$3" ]
}

resolve() {
	local version src ref base os_id arch asset root dest
	case ${MLGATE_IN_FROM_SOURCE:-false} in
	false) ;;
	*) fail 2 "$(pname from-source) must be true or false, got '${MLGATE_IN_FROM_SOURCE:-}'" ;;
	esac
	origin
	version=${MLGATE_IN_VERSION:-}
	src=${MLGATE_SRC:-}
	if [ -z "$src" ] && [ "$platform" = github ] && [ -n "${GITHUB_ACTION_PATH:-}" ]; then
		src=$GITHUB_ACTION_PATH/../../.. # the action's own tree
	fi
	ref=${MLGATE_REF:-}
	if [ -z "$version" ] && [ -n "$src" ] && [ -f "$src/VERSION" ]; then
		version=$(head -n 1 "$src/VERSION")
	fi
	if [ -z "$version" ]; then
		case ${ref#refs/tags/} in
		v[0-9]*) version=${ref#refs/tags/} ;;
		esac
	fi
	[ -n "$version" ] ||
		fail 2 "cannot tell which release to install: set $(pname version) (e.g. 0.2.0), pin the $( [ "$platform" = github ] && echo action || echo repository resource) to a vX.Y.Z tag (it is '${ref:-unknown}'), or set $(pname from-source) to true"
	version=${version#v}
	[[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] ||
		fail 2 "$(pname version) must be a release like 0.2.0, got '$version'"

	base=${MLGATE_IN_BASE_URL:-}
	if [ -z "$base" ] && [ -n "${MLGATE_REPO:-}" ]; then
		base=${MLGATE_SERVER:-https://github.com}/$MLGATE_REPO/releases/download
	fi
	[ -n "$base" ] ||
		fail 2 "cannot tell where the releases are (the action does not come from a GitHub repository): set $(pname base-url)"
	base=${base%/}
	# the checksum file comes from the same server as the asset: only TLS
	# (or a loopback / local address) keeps a third party from changing both
	case $base in
	https://* | file:///* | http://127.0.0.1[:/]* | http://localhost[:/]* | http://\[::1\][:/]*) ;;
	*) fail 2 "$(pname base-url) must be an https:// URL (http:// only to a loopback address), got '$base'" ;;
	esac

	[ -r /etc/os-release ] || fail 2 "no /etc/os-release: cannot tell which release asset fits this runner"
	# shellcheck source=/dev/null
	os_id=$(. /etc/os-release && printf '%s%s' "${ID:-unknown}" "${VERSION_ID:-}")
	arch=$(uname -m)
	asset=mlgate-$version-$os_id-$arch.tar.gz
	case $platform in
	github) root=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?}} ;;
	azure) root=${AGENT_TOOLSDIRECTORY:-${AGENT_TEMPDIRECTORY:?}} ;;
	esac
	dest=$root/mlgate/$version/$os_id-$arch
	put version "$version"
	put asset "$asset"
	put url "$base/v$version/$asset"
	put sums-url "$base/v$version/SHA256SUMS"
	put dest "$dest"
	put cache-path "$dest"
	put cache-key "mlgate-$version-$os_id-$arch"
	if holds "$dest" "$version" "$asset"; then put installed true; else put installed false; fi
	echo "mlgate setup: release $version, $asset from $base"
}

# ---------------------------------------------------------------- install

tmp=
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

fetch() { # fetch URL FILE [asset]: one error line naming the URL when it fails
	local code rc=0
	code=$(curl -sL --proto '=https,http,file' --proto-redir '=https' --retry 2 --connect-timeout 20 --max-time 300 \
		-o "$2" -w '%{http_code}' -- "$1") || rc=$?
	if [ "$rc" != 0 ] || { [ "$code" != 200 ] && [ "$code" != 000 ]; }; then
		case $code in
		404) fail 3 "$1: not found (HTTP 404): no such release${3:+ asset}; nothing installed (set $(pname from-source) to true to build from source)" ;;
		000 | '') fail 3 "$1: download failed (curl exit $rc); nothing installed" ;;
		*) fail 3 "$1: download failed (HTTP $code); nothing installed" ;;
		esac
	fi
}

runtime_packages() { # install what share/mlgate/runtime-packages lists and dpkg lacks
	local list=$1 p missing=() st
	[ -r "$list" ] || fail 3 "the release has no share/mlgate/runtime-packages"
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "mlgate setup: no dpkg here; not checking the runtime packages ($(tr '\n' ' ' <"$list"))"
		return 0
	fi
	while read -r p; do
		[ -n "$p" ] || continue
		[[ $p =~ ^[a-z0-9][a-z0-9.+-]+$ ]] || fail 3 "runtime-packages: bad package name '$p'"
		st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		[ "${st:0:2}" = ii ] || missing+=("$p")
	done <"$list"
	((${#missing[@]})) || return 0
	[ "${MLGATE_IN_INSTALL_DEPS:-true}" = true ] ||
		fail 3 "missing runtime packages: ${missing[*]} ($(pname install-deps) is false)"
	local sudo=()
	if [ "$(id -u)" != 0 ]; then
		sudo -n true 2>/dev/null || fail 3 "missing runtime packages: ${missing[*]}, and no root or sudo -n to install them"
		sudo=(sudo -n)
	fi
	echo "mlgate setup: installing ${missing[*]}"
	{ "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2 ||
		fail 3 "apt-get could not install the runtime packages ${missing[*]}"
}

install() {
	case ${MLGATE_IN_INSTALL_DEPS:-true} in
	true | false) ;;
	*) fail 2 "$(pname install-deps) must be true or false, got '${MLGATE_IN_INSTALL_DEPS:-}'" ;;
	esac
	local version=${MLGATE_VERSION:?} asset=${MLGATE_ASSET:?} url=${MLGATE_URL:?}
	local sums_url=${MLGATE_SUMS_URL:?} dest=${MLGATE_DEST:?} line sum got top
	if holds "$dest" "$version" "$asset"; then
		echo "mlgate setup: $asset already in $dest"
	else
		command -v curl >/dev/null 2>&1 || fail 3 "needs curl to download $url"
		mkdir -p "$(dirname "$dest")" || fail 3 "cannot create $(dirname "$dest")"
		tmp=$(mktemp -d "$(dirname "$dest")/.mlgate-dl.XXXXXX") || fail 3 "cannot write in $(dirname "$dest")"
		fetch "$sums_url" "$tmp/SHA256SUMS"
		line=$(awk -v a="$asset" '$2 == a || $2 == "*" a' "$tmp/SHA256SUMS")
		if [ -z "$line" ] || [ "$(printf '%s\n' "$line" | wc -l)" != 1 ]; then
			fail 3 "$sums_url has no (single) line for $asset; nothing installed"
		fi
		sum=${line%% *}
		[[ $sum =~ ^[0-9a-f]{64}$ ]] || fail 3 "$sums_url: the line for $asset is not a SHA-256 checksum"
		fetch "$url" "$tmp/$asset" asset
		if ! (cd "$tmp" && printf '%s  %s\n' "$sum" "$asset" | sha256sum -c --status -); then
			got=$(sha256sum "$tmp/$asset" | cut -c1-64)
			fail 3 "$url: checksum mismatch (SHA256SUMS says $sum, the download is $got); nothing installed"
		fi
		mkdir "$tmp/x"
		tar -xzf "$tmp/$asset" -C "$tmp/x" --no-same-owner 2>/dev/null ||
			fail 3 "$url: not a readable tar.gz; nothing installed"
		top=$tmp/x/${asset%.tar.gz}
		[ -x "$top/bin/mlgate" ] || fail 3 "$url: no ${asset%.tar.gz}/bin/mlgate inside; nothing installed"
		printf '%s %s %s\n' "$version" "$asset" "$sum" >"$top/$marker"
		rm -rf "$dest"
		mv "$top" "$dest" || fail 3 "cannot move the release into $dest"
		echo "mlgate setup: $asset verified (sha256 $sum) and unpacked into $dest"
	fi
	runtime_packages "$dest/share/mlgate/runtime-packages"
	local said
	said=$("$dest/bin/mlgate" --version 2>&1 | head -n 1) ||
		fail 3 "$dest/bin/mlgate does not run: $said"
	[ "$said" = "mlgate $version" ] || fail 3 "$dest/bin/mlgate says '$said', expected 'mlgate $version'"
	on_path "$dest/bin"
	put bin-dir "$dest/bin"
	echo "mlgate: $said in $dest/bin"
}

"$cmd"
