#!/usr/bin/env bash
# Every command `make demo` prints runs as printed. In the current directory:
# copy the demo's inputs (scripts/demo.sh, scripts/demo-repo.sh, fixtures/demo)
# twice, run the demo in the first copy, then run each "$ ..." line it printed,
# in order, with bash from the root of the second, untouched copy, and check
# each ends with the exit code the demo reported for it ("-> exit N"; a setup
# line, which the demo runs under set -e, with 0).
#
#   BIN=DIR tests/cli/demo-replay.sh      (from a CLI case: tests/cli/cases/209-*)
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BIN:?BIN: the directory of the executables}

for copy in ran replay; do
	mkdir -p "$copy/scripts" "$copy/fixtures"
	cp "$src/scripts/demo.sh" "$src/scripts/demo-repo.sh" "$copy/scripts/"
	cp -R "$src/fixtures/demo" "$copy/fixtures/"
done
if ! ran/scripts/demo.sh "$bin" >demo.log 2>&1; then
	echo "the demo failed:"
	cat demo.log
	exit 1
fi

# "$ ..." lines with the exit code each one reported
cmds=() wants=()
while IFS= read -r line; do
	case $line in
	'   $ '*)
		cmds+=("${line#'   $ '}")
		wants+=(0)
		;;
	'   -> exit '*)
		code=${line#'   -> exit '}
		wants[${#wants[@]} - 1]=${code%%:*}
		;;
	esac
done <demo.log
if ((${#cmds[@]} < 10)); then
	echo "only ${#cmds[@]} commands printed:"
	cat demo.log
	exit 1
fi

bad=0
for i in "${!cmds[@]}"; do
	(cd replay && bash -c "${cmds[$i]}") >"replay-$i.log" 2>&1
	rc=$?
	if [ "$rc" = "${wants[$i]}" ]; then
		echo "replayed: exit $rc: ${cmds[$i]}"
	else
		echo "NOT AS PRINTED: exit $rc, the demo said ${wants[$i]}: ${cmds[$i]}"
		sed 's/^/   | /' "replay-$i.log"
		bad=1
	fi
done
echo "${#cmds[@]} commands replayed"
exit "$bad"
