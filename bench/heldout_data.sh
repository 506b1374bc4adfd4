#!/usr/bin/env bash
# The datasets every tinyshakespeare comparison with the PyTorch reference trains and evaluates on: the reference's
# first 90% (WORK/train-data, VALIDATION_FRACTION of it for lmpipe's own validation) and its held-out last 10%
# (WORK/heldout-data, lmpipe's vocabulary), split by bench/heldout_split.py. Made again only when missing or made
# with another validation fraction.
# Usage: bench/heldout_data.sh CORPUS WORK [VALIDATION_FRACTION, default 0.05]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$1"; work="$2"; validation="${3:-0.05}"
made="$work/train-data.validation-fraction"
[ -f "$work/heldout-data/_SUCCESS" ] && [ "$(cat "$made" 2>/dev/null)" = "$validation" ] && exit 0
mkdir -p "$work"
/usr/bin/python3 "$root/bench/heldout_split.py" "$corpus" "$work"
"$root/lmpipe" tokenize "$work/head.txt" -o "$work/train-data" --set blockBytes=8192 \
  --set validationFraction="$validation" --set testFraction=0 --overwrite | tail -1
"$root/lmpipe" tokenize "$work/tail.txt" -o "$work/heldout-data" --vocab-from "$work/train-data" \
  --set validationFraction=0 --set testFraction=0 --overwrite | tail -1
echo "$validation" > "$made"
