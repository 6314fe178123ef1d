#!/usr/bin/env bash
# SQLite backend, reads: MLflow's own Python client creates a registry in a
# fresh sqlite:/// database (names with spaces, quotes, '&', '%', '#' and
# unicode; tags, aliases, stages, a deleted version, a run with NaN and
# +-Inf metrics), then everything regtool reads through lib/registry/registry_sqlite.c
# must equal what MlflowClient reads from the same file: versions, models,
# aliases (and "latest"), stages, searches with every supported filter form
# and ordering, runs, metric histories, and the not-found errors.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/testlib.sh"
cd "$MLGATE_TEST_TMP"
py() { "$MLGATE_TEST_PYTHON" "$here/sqlite_mlflow.py" "$@"; }
uri=sqlite:///mlflow.db # relative: the test's own directory

echo "# seeding $uri with MLflow's Python client"
py seed "$uri" >seed.json 2>seed.log || {
	cat seed.log
	exit 1
}
cat seed.json
field() { "$MLGATE_TEST_PYTHON" -c 'import json, sys; print(json.load(open("seed.json"))[sys.argv[1]])' "$1"; }
model=$(field model)
other=$(field other)
run_id=$(field run_id)

# JSON string of $1 (the test's own arguments: no control characters).
json_str() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}
# spec OUT_FILE WORDS...: a line of the batch MLflow's client runs at the end.
spec() {
	local sep=
	printf '[' >>spec.jsonl
	for w in "$@"; do
		printf '%s%s' "$sep" "$(json_str "$w")" >>spec.jsonl
		sep=,
	done
	printf ']\n' >>spec.jsonl
}
: >spec.jsonl

# check WHAT MLFLOW_ARGS... -- REGTOOL_ARGS...: regtool reads now, MLflow's
# client reads in one batch at the end, then every pair must be equal.
n=0
check() {
	local what=$1 a=()
	shift
	while [ "$1" != -- ]; do
		a+=("$1")
		shift
	done
	shift
	n=$((n + 1))
	spec "want$n.json" "${a[@]}"
	spec - compare "want$n.json" "got$n.json" "$what"
	"$regtool" "$uri" "$@" >"got$n.json" || {
		echo "FAIL: regtool could not read $what"
		exit 1
	}
}

for v in 1 2 3 4; do
	check "version $v" version "$uri" "$model" $v -- get-version "$model" $v
done
check "other model's version" version "$uri" "$other" 1 -- get-version "$other" 1
check "registered model" model "$uri" "$model" -- get-model "$model"
check "registered model without aliases" model "$uri" "$other" -- get-model "$other"
for a in champion chällenger b-2_x latest LATEST; do
	check "alias $a" alias "$uri" "$model" "$a" -- by-alias "$model" "$a"
done
for s in Production Staging None Archived staging; do
	check "stage $s" in-stage "$uri" "$model" "$s" -- in-stage "$model" "$s"
done

# Every filter form, each with a few page sizes (MLflow pages with its own tokens).
filters=(
	""
	"name = \"$model\""
	"name='$other'"
	"name != \"$model\""
	"name LIKE 'mlgate sq%'"
	"name LIKE 'MLGATE%'"
	"name ILIKE 'MLGATE SQ%'"
	"name IN ('$other', 'nope')"
	"name NOT IN ('$other')"
	"run_id = '$run_id'"
	"run_id != '$run_id'"
	"source_path LIKE '%/model3'"
	"source_path = 's3://bucket/path/model'"
	"version_number >= 2 and version_number < 4"
	"version_number = '3'"
	"version_number != 1 AND name = \"$model\""
	"version_number > 2"
	"version_number <= 1"
	"tags.owner = 'someone else'"
	"tags.owner != 'someone else'"
	"tags.owner LIKE '%of%' AND tags.\`key with spaces\` = 'value of key with spaces'"
	"tags.\"ü/path.like-key:x\" ILIKE 'VALUE OF%'"
	"tags.mlflow.source.git.commit LIKE 'value%'"
	"tags.empty = ''"
	"tags.owner = 'someone else' AND tags.owner LIKE 'some%'"
	"tags.\`mlflow.prompt.is_prompt\` != 'true'"
)
for f in "${filters[@]}"; do
	for p in 1 2 1000; do
		check "search [$f] page $p" search "$uri" "$f" $p -- search "$f" $p
	done
done
orders=(
	"version_number ASC"
	"version_number DESC"
	"name DESC"
	"creation_timestamp DESC"
	"last_updated_timestamp ASC"
	"last_updated_timestamp DESC"
)
for o in "${orders[@]}"; do
	for p in 1 3; do
		check "search ordered by [$o] page $p" search "$uri" "" $p "$o" -- search "" $p "$o"
	done
done

check "run" run "$uri" "$run_id" -- get-run "$run_id"
for k in accuracy loss big small nothing; do
	check "history $k" history "$uri" "$run_id" "$k" -- history "$run_id" "$k"
done

echo "# MLflow's client reads the same ($n reads in one process) and compares"
py batch spec.jsonl 2>batch.log || {
	tail -n 30 batch.log
	exit 1
}

# expect_fail WANT_EXIT WANT_REASON WANT_TEXT REGTOOL_ARGS...
expect_fail() {
	local code=$1 reason=$2 text=$3 rc=0
	shift 3
	"$regtool" "$uri" "$@" >fail.out 2>fail.err || rc=$?
	if ((rc != code)) || ! grep -qF "[$reason]" fail.err || ! grep -qF -- "$text" fail.err; then
		echo "FAIL: regtool $* exited $rc, want $code [$reason] with '$text':"
		cat fail.err
		exit 1
	fi
	if [ -s fail.out ]; then
		echo "FAIL: regtool $* printed on stdout"
		exit 1
	fi
	echo "refused as expected: $(cat fail.err)"
}

echo "# errors"
expect_fail 2 not_found "version '5' of model '$model' not found" get-version "$model" 5
expect_fail 2 not_found "version '99' of model '$model' not found" get-version "$model" 99
expect_fail 2 not_found "registered model 'no such model' not found" get-model "no such model"
expect_fail 2 not_found "alias 'champ' of model '$model' is not set" by-alias "$model" champ
expect_fail 2 not_found "registered model 'nope' not found" by-alias nope champion
expect_fail 2 not_found "registered model 'nope' not found" in-stage nope Production
expect_fail 2 not_found "run '0123456789abcdef0123456789abcdef' not found" \
	get-run 0123456789abcdef0123456789abcdef
expect_fail 2 none "invalid alias 'a b'" by-alias "$model" "a b"
expect_fail 2 none "invalid model name 'a/b'" get-model a/b
expect_fail 2 none "OR is not supported" search "name = 'a' OR name = 'b'" 10
expect_fail 2 none "unsupported attribute" search "current_stage = 'Production'" 10
expect_fail 2 none "unknown key 'stage'" search "" 10 "stage DESC"

echo "# count"
[ "$("$regtool" "$uri" count "" 1)" = 5 ] || {
	echo "FAIL: count of all versions is not 5"
	exit 1
}
echo "ok ($n comparisons)"
