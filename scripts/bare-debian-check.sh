#!/usr/bin/env bash
# Prove the README's commands on a bare Debian 12: debootstrap a minimal
# bookworm root (variant minbase: no compiler, no Python, no sudo), clone
# this repository's HEAD into it, and run inside it, each step timed:
#
#   0. root:    apt-get install git make   what a user has who cloned and reads the README
#   1. root:    make demo       installs the other build packages only, builds, runs the demo
#   2. a user:  make demo       in a fresh clone: nothing to install, no root needed
#   3. a user:  make check-ci   test packages missing: exits 2 with the apt-get command
#   4. root:    make check-ci   installs the test packages, Go, actionlint, the CI venv
#   5. root:    make check      with --full only (the MLflow venv, every layer: ~30 min)
#
# After each step it prints the exit code, the time and what the step added
# to the root's installed Debian packages (count, installed size).
#
#   scripts/bare-debian-check.sh [--full] [--root DIR] [--keep] [--reuse]
#
#   --root DIR  where the root is made (default: a new directory under /tmp;
#               an existing DIR must be empty)
#   --keep      keep the root afterwards (it is removed by default)
#   --reuse     with --root: run again in a root an earlier --keep left (quicker,
#               but no proof: what the earlier run installed is still there)
#
# Needs root on a Debian-like host (debootstrap is installed with apt-get when
# missing) and Debian's mirror, taken from this host's apt sources (the entry
# for bookworm; MLGATE_DEBIAN_MIRROR overrides). The host's network set-up is
# carried into the root as an administrator would set it: its resolv.conf,
# the /etc/hosts Debian's installer writes (debootstrap writes none, and
# without it "localhost" does not resolve), the CA certificates it added locally (/usr/local/share/ca-certificates) and
# /etc/pip.conf; nothing of the project is installed by hand.
#
# Mounts (/proc, /sys, /dev, /dev/pts, /dev/shm) live in a private mount
# namespace (unshare): they vanish with it, even when the script is killed.
#
# Exit codes: 0 every step as expected, 1 a step was not, 2 set-up failed.
set -euo pipefail

prog=bare-debian-check
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
suite=bookworm
user=builder

die() {
	echo "$prog: $1" >&2
	exit "${2:-2}"
}

full=false keep=false reuse=false root=
while (($#)); do
	case $1 in
	--full) full=true ;;
	--keep) keep=true ;;
	--reuse) reuse=true ;;
	--root)
		(($# > 1)) || die "--root needs a directory"
		root=$2
		shift
		;;
	-h | --help)
		awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0
		;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"

# --- in the private mount namespace -------------------------------------
if [ -z "${MLGATE_BDC_NS:-}" ]; then
	command -v unshare >/dev/null 2>&1 || die "needs unshare (util-linux)"
	args=()
	$full && args+=(--full)
	$keep && args+=(--keep)
	$reuse && args+=(--reuse)
	[ -z "$root" ] || args+=(--root "$root")
	MLGATE_BDC_NS=1 exec unshare --mount --propagation private "$0" "${args[@]}"
fi

mirror=${MLGATE_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
	# one-line entries (deb [opts] URI SUITE ...) and deb822 .sources files
	mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v s="$suite" '{ sub(/\[[^]]*\]/, "") } $1 == "deb" && $3 == s { print $2; exit }' || true)
fi
if [ -z "$mirror" ]; then
	mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk -v s="$suite" 'BEGIN { RS = "" } { u = ""; ok = 0; n = split($0, l, "\n")
			for (j = 1; j <= n; j++) { if (l[j] ~ /^URIs:/) { split(l[j], f, " "); u = f[2] }
				if (l[j] ~ /^Suites:/) { m = split(l[j], g, " "); for (k = 2; k <= m; k++) if (g[k] == s) ok = 1 } }
			if (ok && u != "") { print u; exit } }' || true)
fi
[ -n "$mirror" ] || die "no '$suite' entry in this host's apt sources: set MLGATE_DEBIAN_MIRROR"

if ! command -v debootstrap >/dev/null 2>&1; then
	echo "$prog: installing debootstrap" >&2
	(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap) >&2 ||
		die "cannot install debootstrap"
fi

if [ -z "$root" ]; then
	$reuse && die "--reuse needs --root"
	root=$(mktemp -d /tmp/mlgate-deb12.XXXXXX)
	chmod 755 "$root" # the root's /: users in it must get through
elif $reuse; then
	[ -f "$root/etc/debian_version" ] || die "'$root' is not a Debian root to reuse"
	root=$(cd "$root" && pwd)
else
	mkdir -p "$root"
	[ -z "$(ls -A "$root")" ] || die "'$root' is not empty"
	root=$(cd "$root" && pwd)
fi
head=$(git -C "$repo" rev-parse HEAD) || die "$repo is not a git repository"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
	echo "$prog: note: uncommitted changes in $repo are not part of the proof (it clones HEAD)" >&2
fi

mounted=()
cleanup() {
	local i p
	# processes still running in the root (a server a test left, gpg-agent)
	for p in /proc/[0-9]*; do
		if [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ]; then
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		fi
	done
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
	done
	if $keep; then
		echo "$prog: kept $root" >&2
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if $reuse; then
	echo "$prog: reusing $root (not a clean proof)"
	rm -rf "$root/root/mlgate" "$root/home/$user/mlgate"
else
	echo "$prog: debootstrap --variant=minbase $suite $root (mirror from this host's apt sources)"
	start=$SECONDS
	debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
		tail -n 20 "$root.debootstrap.log" >&2
		die "debootstrap failed (log: $root.debootstrap.log)"
	}
	rm -f "$root.debootstrap.log"
	echo "$prog: bare $suite root in $((SECONDS - start)) s: $(chroot "$root" cat /etc/debian_version)"
fi

for m in proc sys dev dev/pts dev/shm; do
	case $m in
	proc) mount -t proc proc "$root/proc" ;;
	sys) mount -t sysfs sysfs "$root/sys" ;;
	*) mount --bind "/$m" "$root/$m" ;;
	esac
	mounted+=("$root/$m")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ ! -s "$root/etc/hosts" ]; then
	printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
fi
mkdir -p "$root/usr/local/share/ca-certificates"
for crt in /usr/local/share/ca-certificates/*.crt; do
	if [ -f "$crt" ]; then cp "$crt" "$root/usr/local/share/ca-certificates/"; fi
done
if [ -f /etc/pip.conf ]; then cp /etc/pip.conf "$root/etc/pip.conf"; fi

chroot "$root" id -u "$user" >/dev/null 2>&1 || chroot "$root" useradd -m -s /bin/bash "$user"
clone() { # clone HEAD into the root at $1, owned by $2
	git clone -q --no-checkout "$repo" "$root$1"
	git -C "$root$1" -c advice.detachedHead=false checkout -q "$head"
	chroot "$root" chown -R "$2:$2" "$1"
}
clone /root/mlgate root
clone "/home/$user/mlgate" "$user"

# shellcheck disable=SC2016 # dpkg-query's own ${fields}
pkgs() { chroot "$root" dpkg-query -W -f='${db:Status-Status} ${Installed-Size}\n' |
	awk '$1 == "installed" { n++; s += $2 } END { printf "%d %d\n", n, s }'; }
read -r n0 s0 < <(pkgs)
echo "$prog: the bare root has $n0 packages, $((s0 / 1024)) MB installed"

fails=0
# step WANT_EXIT USER DIR COMMAND...
step() {
	local want=$1 who=$2 dir=$3 rc=0 t n1 s1 home=/root spec=()
	shift 3
	[ "$who" = root ] || {
		home=/home/$who
		spec=(--userspec="$who:$who")
	}
	read -r n0 s0 < <(pkgs)
	echo
	echo "=== $who@deb12:$dir\$ $*"
	t=$SECONDS
	# in the background, so that a signal to this script is acted on at once
	# shellcheck disable=SC2016 # expanded by the inner sh
	(
		chroot "${spec[@]}" "$root" /usr/bin/env -i HOME="$home" USER="$who" TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" "$@" </dev/null 2>&1 |
			sed 's/^/    /'
		exit "${PIPESTATUS[0]}"
	) &
	wait $! || rc=$?
	t=$((SECONDS - t))
	read -r n1 s1 < <(pkgs)
	printf '=== exit %d (expected %d) in %d s; packages added: %d (%d MB installed)\n' \
		"$rc" "$want" "$t" $((n1 - n0)) $(((s1 - s0) / 1024))
	[ "$rc" = "$want" ] || fails=$((fails + 1))
	summary+=("$(printf '%-38s exit %d (expected %d) %5d s  +%d packages, +%d MB' \
		"$who: $*" "$rc" "$want" "$t" $((n1 - n0)) $(((s1 - s0) / 1024)))")
}
summary=()
step 0 root /root/mlgate sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git make >/dev/null'
step 0 root /root/mlgate make demo
step 0 "$user" "/home/$user/mlgate" make demo
step 2 "$user" "/home/$user/mlgate" make check-ci
step 0 root /root/mlgate make check-ci
if $full; then
	step 0 root /root/mlgate make check
fi

read -r n1 s1 < <(pkgs)
echo
echo "$prog: summary (Debian $suite minbase, HEAD $(git -C "$repo" rev-parse --short HEAD)):"
printf '  %s\n' "${summary[@]}"
echo "  the root now has $n1 packages, $((s1 / 1024)) MB installed"
((fails == 0)) || {
	echo "$prog: $fails step(s) did not exit as expected"
	exit 1
}
echo "$prog: every step as expected"
