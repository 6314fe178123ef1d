#!/usr/bin/env bash
# Run one mlgate gate for a CI step: check the inputs, build the gate's
# command line, run it, set the step's outputs and decide the step's result
# from the exit code. The one script behind both wrappers:
#
#   ci/github/gate/action.yml   bash "$GITHUB_ACTION_PATH/../../lib/gate.sh" github
#   ci/azure/steps/gate.yml     bash "$MLGATE_SRC_DIR/ci/lib/gate.sh" azure
#
# Every input arrives in the environment (never pasted into a script):
# MLGATE_IN_GATE, _MODEL, _VERSION, _ALIAS, _STAGE, _REGISTRY, _POLICY,
# _SUITE, _REPO, _COMMIT, _EVIDENCE (files or globs, one per line), _REQUIRE,
# _TO_STAGE, _TO_ALIAS, _FROM_ALIAS, _MAX_AGE, _KEEP_ON_REJECT (true|false),
# _BASELINE_STAGE, _BASELINE_ALIAS, _BRANCH, _CONFIG, _DRY_RUN (true|false),
# _ARGS (one argument per line), _JUNIT, _CONTINUE_ON_REJECT (true|false),
# _ON_MANUAL (fail|continue); MLGATE_IN_BIN_DIR (optional).
#
# What differs by platform is in the hooks below, chosen by the argument:
#   github  workflow commands (::error::), $GITHUB_OUTPUT (exit-code, ...),
#           the executables in MLGATE_IN_BIN_DIR when given, else on PATH;
#           JUnit by default in mlgate-results/GATE[-MODEL]...xml
#   azure   logging commands (##vso[...]), output variables (exitCode, ...),
#           SucceededWithIssues for a rejection or a manual verdict let
#           through, the executables in MLGATE_BIN_DIR (set by the setup
#           template) when there, else on PATH; `**` in evidence globs;
#           JUnit by default in $COMMON_TESTRESULTSDIRECTORY/TEST-mlgate-$MLGATE_STEP.xml
#
# Exit: 0 the step passes; else the gate's exit code (1 rejected, 2 usage,
# 3 infrastructure, 4 needs a human); 2 for a bad input, as the gates do.
set -euo pipefail

platform=${1:-}
case $platform in
github) ;;
azure) shopt -s globstar ;;
*)
	echo "usage: gate.sh github|azure (the inputs come from the environment)" >&2
	exit 2
	;;
esac

# ---------------------------------------------------------------- hooks

camel() { # continue-on-reject -> continueOnReject (Azure's parameter names)
	local s=$1 out=
	while [[ $s == *-* ]]; do
		out+=${s%%-*}
		s=${s#*-}
		s=${s^}
	done
	printf '%s' "$out$s"
}

iname() { # an input's name on the platform: dry-run / dryRun
	case $platform in
	github) printf '%s' "$1" ;;
	azure) camel "$1" ;;
	esac
}

pname() { # the same as the platform's docs say it: input 'dry-run' / parameter 'dryRun'
	case $platform in
	github) printf "input '%s'" "$1" ;;
	azure) printf "parameter '%s'" "$(camel "$1")" ;;
	esac
}

esc() { # message text of a command: % CR LF (and ; ] for Azure)
	local s
	case $platform in
	github) s=${1//%/%25} ;;
	azure)
		s=${1//%/%AZP25}
		s=${s//;/%3B}
		s=${s//]/%5D}
		;;
	esac
	s=${s//$'\r'/%0D}
	printf '%s' "${s//$'\n'/%0A}"
}

annotate() { # error|warning TITLE MESSAGE
	case $platform in
	github) echo "::$1 title=$2::$(esc "$3")" ;;
	azure) echo "##vso[task.logissue type=$1]$2: $(esc "$3")" ;;
	esac
}

output() { # NAME VALUE: a step output (GitHub's name; Azure's in camelCase)
	case $platform in
	github) echo "$1=$2" >>"$GITHUB_OUTPUT" ;;
	azure) echo "##vso[task.setvariable variable=$(camel "$1");isoutput=true]$(esc "$2")" ;;
	esac
}

passes_with_issues() { # WARNING SHORT: a result let through on purpose
	annotate warning "mlgate $gate" "$1"
	if [ "$platform" = azure ]; then
		echo "##vso[task.complete result=SucceededWithIssues;]$(esc "mlgate $gate $2")"
	fi
}

bad() { # a problem in the step's inputs: exit 2, like the gates
	annotate error "mlgate gate" "$1"
	output exit-code 2
	output verdict error
	exit 2
}

find_exe() { # sets exe: mlgate-GATE in the platform's bin dir, else on PATH
	local dir hint
	exe=mlgate-$gate
	case $platform in
	github)
		dir=${MLGATE_IN_BIN_DIR:-}
		hint="run the mlgate setup action first (or set bin-dir)"
		;;
	azure)
		dir=${MLGATE_BIN_DIR:-}
		if [ -n "$dir" ] && [ ! -x "$dir/$exe" ]; then dir=; fi
		hint="run the setup template (ci/azure/steps/setup.yml) first"
		;;
	esac
	if [ -n "$dir" ]; then exe=$dir/$exe; fi
	command -v "$exe" >/dev/null 2>&1 || bad "$exe not found: $hint"
}

default_junit() { # the JUnit file when the junit input is empty
	local base part
	case $platform in
	github)
		base=$gate
		for part in "$MLGATE_IN_MODEL" "$MLGATE_IN_VERSION" "$MLGATE_IN_ALIAS" "$MLGATE_IN_STAGE" \
			"$MLGATE_IN_TO_STAGE" "$MLGATE_IN_TO_ALIAS"; do
			if [ -n "$part" ]; then base+=-$part; fi
		done
		base=$(printf '%s' "$base" | tr -c 'A-Za-z0-9._-' '_')
		printf '%s' "mlgate-results/$base.xml"
		;;
	azure)
		printf '%s' "${COMMON_TESTRESULTSDIRECTORY:-$AGENT_TEMPDIRECTORY}/TEST-mlgate-$MLGATE_STEP.xml"
		;;
	esac
}

run_gate() { # sets rc, and gate_verdict=1 when the gate set the verdict output itself
	local marker line
	gate_verdict=0
	case $platform in
	github)
		rc=0
		"$exe" "${args[@]}" || rc=$?
		if grep -q '^verdict=' "$GITHUB_OUTPUT" 2>/dev/null; then gate_verdict=1; fi
		;;
	azure)
		# The gate ends with ##vso[task.complete result=...] for its own
		# verdict; this step decides the result from the exit code instead
		# (below), so that line is dropped and everything else passes through.
		marker=$(mktemp "${AGENT_TEMPDIRECTORY:-/tmp}/mlgate-verdict.XXXXXX")
		rm -f "$marker"
		set +e
		"$exe" "${args[@]}" | while IFS= read -r line || [ -n "$line" ]; do
			case $line in
			'##vso[task.complete '*) ;;
			'##vso[task.setvariable variable=verdict;'*)
				: >"$marker"
				printf '%s\n' "$line"
				;;
			*) printf '%s\n' "$line" ;;
			esac
		done
		rc=${PIPESTATUS[0]}
		set -e
		if [ -e "$marker" ]; then gate_verdict=1; fi
		rm -f "$marker"
		;;
	esac
}

# ---------------------------------------------------------------- inputs

bool() { # INPUT VALUE: true or false, in any case
	case ${2,,} in
	true | false) ;;
	*) bad "$(pname "$1") must be true or false, got '$2'" ;;
	esac
}

gate=$MLGATE_IN_GATE
case $gate in
smoke | comply | compare | promote | release) ;;
*) bad "$(pname gate) must be smoke, comply, compare, promote or release, got '$gate'" ;;
esac
bool continue-on-reject "$MLGATE_IN_CONTINUE_ON_REJECT"
bool keep-on-reject "$MLGATE_IN_KEEP_ON_REJECT"
bool dry-run "$MLGATE_IN_DRY_RUN"
case $MLGATE_IN_ON_MANUAL in
fail | continue) ;;
*) bad "$(pname on-manual) must be fail or continue, got '$MLGATE_IN_ON_MANUAL'" ;;
esac
find_exe

args=()
opt() { # FLAG VALUE: add when the value is not empty
	if [ -n "$2" ]; then args+=("$1" "$2"); fi
}
# smoke tests code at a commit: the model names the results, and is
# passed on only with a version (for {model_uri})
if [ "$gate" != smoke ] || [ -n "$MLGATE_IN_VERSION" ]; then
	opt --model "$MLGATE_IN_MODEL"
fi
opt --version "$MLGATE_IN_VERSION"
opt --alias "$MLGATE_IN_ALIAS"
opt --stage "$MLGATE_IN_STAGE"
opt --registry "$MLGATE_IN_REGISTRY"
opt --policy "$MLGATE_IN_POLICY"
opt --suite "$MLGATE_IN_SUITE"
opt --repo "$MLGATE_IN_REPO"
opt --commit "$MLGATE_IN_COMMIT"
opt --require "$MLGATE_IN_REQUIRE"
opt --to-stage "$MLGATE_IN_TO_STAGE"
opt --to-alias "$MLGATE_IN_TO_ALIAS"
opt --from-alias "$MLGATE_IN_FROM_ALIAS"
opt --max-age "$MLGATE_IN_MAX_AGE"
opt --baseline-stage "$MLGATE_IN_BASELINE_STAGE"
opt --baseline-alias "$MLGATE_IN_BASELINE_ALIAS"
opt --branch "$MLGATE_IN_BRANCH"
opt --config "$MLGATE_IN_CONFIG"
if [ "${MLGATE_IN_KEEP_ON_REJECT,,}" = true ]; then args+=(--keep-on-reject); fi
if [ "${MLGATE_IN_DRY_RUN,,}" = true ]; then args+=(--dry-run); fi
# evidence: one file or glob per line; a glob that matches nothing is
# passed as it is, so the gate names the missing file
while IFS= read -r line || [ -n "$line" ]; do
	line=${line%$'\r'}
	line=${line#"${line%%[![:space:]]*}"}
	line=${line%"${line##*[![:space:]]}"}
	[ -n "$line" ] || continue
	mapfile -t found < <(compgen -G "$line" || true)
	if ((${#found[@]} == 0)); then found=("$line"); fi
	for f in "${found[@]}"; do args+=(--evidence "$f"); done
done <<<"$MLGATE_IN_EVIDENCE"
# extra arguments: one per line, taken literally
while IFS= read -r line || [ -n "$line" ]; do
	line=${line%$'\r'}
	if [ -n "$line" ]; then args+=("$line"); fi
done <<<"$MLGATE_IN_ARGS"

# where the evidence goes: JUnit, with the JSON and Markdown beside it
junit=$MLGATE_IN_JUNIT
if [ -z "$junit" ]; then junit=$(default_junit); fi
case $junit in /*) ;; *) junit=$PWD/$junit ;; esac
mkdir -p "$(dirname "$junit")"
stem=${junit%.xml}
args+=(--junit "$junit" --json "$stem.json" --summary "$stem.md")

# ---------------------------------------------------------------- the run

echo "mlgate: $exe ${args[*]}"
run_gate
case $rc in
0) verdict=passed ;;
1) verdict=failed ;;
4) verdict=manual ;;
*) verdict=error ;;
esac
# the gate sets verdict itself; this covers runs that ended before it could
# (usage errors)
if [ "$gate_verdict" = 0 ]; then output verdict "$verdict"; fi
output exit-code "$rc"
output junit "$junit"
output json "$stem.json"
output summary "$stem.md"

case $rc in
0) exit 0 ;;
1)
	if [ "${MLGATE_IN_CONTINUE_ON_REJECT,,}" = true ]; then
		passes_with_issues "rejected (exit 1); the step continues because $(iname continue-on-reject) is true" \
			rejected
		exit 0
	fi
	echo "mlgate: $gate rejected (exit 1)"
	exit 1
	;;
4)
	if [ "$MLGATE_IN_ON_MANUAL" = continue ]; then
		passes_with_issues "needs a human decision (exit 4): verdict output is 'manual'" "needs a human"
		exit 0
	fi
	annotate error "mlgate $gate" "needs a human decision (exit 4); nothing was approved"
	exit 4
	;;
2)
	annotate error "mlgate $gate" "usage, configuration or input error (exit 2); nothing was approved"
	exit 2
	;;
3)
	annotate error "mlgate $gate" "registry, network or infrastructure error (exit 3); nothing was approved"
	exit 3
	;;
*)
	annotate error "mlgate $gate" "$exe ended with exit $rc; nothing was approved"
	exit "$rc"
	;;
esac
