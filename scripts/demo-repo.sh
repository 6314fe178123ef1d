#!/usr/bin/env bash
# Build the demo's git repository in DIR, deterministically: fixed names and
# dates make the commit ids the same on every machine, so the committed
# registry fixture (fixtures/demo/mlflow.sql) can name them as the models'
# training commits. Prints "main=<id> side=<id>".
#
#   scripts/demo-repo.sh DIR
set -euo pipefail
dir=${1:?usage: demo-repo.sh DIR}
export GIT_AUTHOR_NAME="mlgate demo" GIT_AUTHOR_EMAIL="demo@mlgate.invalid"
export GIT_COMMITTER_NAME="mlgate demo" GIT_COMMITTER_EMAIL="demo@mlgate.invalid"
export GIT_AUTHOR_DATE="2026-11-02T09:00:00Z" GIT_COMMITTER_DATE="2026-11-02T09:00:00Z"
export GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent

rm -rf "$dir"
mkdir -p "$dir/models/fraud-detector"
git -C "$dir" init -q -b main
cat >"$dir/models/fraud-detector/MODEL_CARD.md" <<'CARD'
# fraud-detector

## Intended use
Scores card transactions for manual fraud review. Not for automatic blocking.

## Limitations
Trained on EU merchants only; not calibrated for other regions.

## Training data
Six months of labelled card transactions (2026-04 to 2026-09).

## Evaluation
ROC AUC and recall at 1% false-positive rate on a held-out month.
CARD
git -C "$dir" add -A
git -C "$dir" commit -q -m "fraud-detector: model card"
main=$(git -C "$dir" rev-parse HEAD)

# an experiment that never reached main
git -C "$dir" checkout -q -b experiment
printf '\n## Notes\nQuick experiment with extra features.\n' >>"$dir/models/fraud-detector/MODEL_CARD.md"
GIT_AUTHOR_DATE="2026-11-03T09:00:00Z" GIT_COMMITTER_DATE="2026-11-03T09:00:00Z" \
	git -C "$dir" commit -q -am "experiment: extra features"
side=$(git -C "$dir" rev-parse HEAD)
git -C "$dir" checkout -q main
echo "main=$main side=$side"
