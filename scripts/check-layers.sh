#!/usr/bin/env bash
# The include graph between the source folders, checked against the one-way
# order of the layers (README "Layout"):
#
#   lib (the core) -> lib/registry -> reporters -> gate -> checks | runners
#   lib (the core) -> relay (mlgate-relay: on lib alone)
#
# A file may include headers of its own folder and of the layers before it;
# checks/ and runners/ are peers that never include each other. Prints each
# edge "FROM -> TO (N includes)" and exits 1 naming every include that
# points up (file:line), 2 when a header name is ambiguous or unknown.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

layers=(lib lib/registry reporters gate checks runners relay)
declare -A rank=([lib]=0 [lib/registry]=1 [reporters]=2 [gate]=3 [checks]=4 [runners]=4 [relay]=4)
declare -A home # header name -> folder
for d in "${layers[@]}"; do
	for h in "$d"/*.h; do
		[ -e "$h" ] || continue
		name=${h##*/}
		if [ -n "${home[$name]:-}" ]; then
			echo "check-layers: header '$name' is in both ${home[$name]}/ and $d/" >&2
			exit 2
		fi
		home[$name]=$d
	done
done

declare -A edges
bad=0
for d in "${layers[@]}"; do
	for f in "$d"/*.[ch]; do
		[ -e "$f" ] || continue
		while IFS=: read -r line inc; do
			name=${inc#*\"}
			name=${name%%\"*}
			to=${home[$name]:-}
			if [ -z "$to" ]; then
				echo "check-layers: $f:$line: '$name' is in no source folder" >&2
				exit 2
			fi
			[ "$to" = "$d" ] && continue
			edges["$d -> $to"]=$((${edges["$d -> $to"]:-0} + 1))
			if ((rank[$to] >= rank[$d])); then
				echo "check-layers: $f:$line: includes $to/$name, a layer above or beside $d/" >&2
				bad=1
			fi
		done < <(grep -n '^#include "' "$f" | sed 's/:#include /:/')
	done
done

for e in "${!edges[@]}"; do
	echo "  $e (${edges[$e]} includes)"
done | sort
if ((bad)); then
	echo "check-layers: the order is ${layers[*]}; move the code down or the include out" >&2
	exit 1
fi
echo "check-layers: ${#edges[@]} edges between folders, all pointing down"
