#!/bin/sh
# The version mlgate is built as (Makefile VERSION, every `--version`, the
# tool version recorded in evidence, `make dist`, the .deb):
#   - in a git checkout of mlgate: `git describe --tags --dirty` on the
#     vX.Y.Z tags, without the v: 0.2.0 on a tag, 0.2.0-3-gabc1234 three
#     commits after it, 0.2.0-dirty with uncommitted changes; before the
#     first tag 0.0.0-gabc1234;
#   - in a release tarball (no git): its VERSION file, stamped by `make dist`.
# Anything else (no git, no VERSION) is an error: a build never guesses.
set -eu
cd "$(dirname "$0")/.."
here=$(pwd -P)
if top=$(git rev-parse --show-toplevel 2>/dev/null) && [ "$top" = "$here" ]; then
	if v=$(git describe --tags --dirty --match 'v[0-9]*' 2>/dev/null); then
		echo "${v#v}"
	else
		dirty=
		git diff --quiet HEAD -- 2>/dev/null || dirty=-dirty
		echo "0.0.0-g$(git rev-parse --short=7 HEAD)$dirty"
	fi
elif [ -f VERSION ]; then
	v=$(cat VERSION)
	case $v in
	[0-9]*) echo "$v" ;;
	*)
		echo "version.sh: $here/VERSION: not a version: '$v'" >&2
		exit 1
		;;
	esac
else
	echo "version.sh: $here is neither a git checkout nor a release tarball (no VERSION file)" >&2
	exit 1
fi
