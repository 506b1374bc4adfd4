#!/usr/bin/env bash
# Generation speed only: `lmpipe generate` against bench/reference_generate.py (the PyTorch reference's own model
# classes), alternating ROUNDS times each, same prompt and length; prints every run, the medians and the ratio.
# A shorter, repeatable form of the generation step of bench/vs_pytorch.sh, for a checkpoint it (or train) made.
# Usage: bench/generate.sh CHECKPOINT lstm|gpt [rounds, default 5]
#   e.g. bench/generate.sh /tmp/lmpipe-vs-pytorch/run-gpt gpt
# Characters per run: 3000 for the LSTM, 500 for the GPT (as vs_pytorch.sh); CHARS overrides.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
checkpoint="${1:?usage: bench/generate.sh CHECKPOINT lstm|gpt [rounds]}"
model="${2:?usage: bench/generate.sh CHECKPOINT lstm|gpt [rounds]}"
rounds="${3:-5}"
case "$model" in
  lstm) chars="${CHARS:-3000}" ;;
  gpt) chars="${CHARS:-500}" ;;
  *) echo "model must be lstm or gpt, got $model" >&2; exit 1 ;;
esac
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "needs python3-torch (apt-get install -y python3-torch libopenblas0-pthread)" >&2; exit 1; }
[ -f "$root/jobs/target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
lm=(); ref=()
for ((i = 1; i <= rounds; i++)); do
  line="$("$root/lmpipe" generate --checkpoint "$checkpoint" -n "$chars" -p "ROMEO:" 2>&1 >/dev/null | grep '^generate:')"
  lm+=("$(echo "$line" | grep -o '([0-9,]* characters/s' | tr -d '(,' | cut -d' ' -f1)")
  json="$(/usr/bin/python3 "$root/bench/reference_generate.py" --model "$model" --chars "$chars" | tail -1)"
  ref+=("$(echo "$json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["chars_per_sec"])')")
  echo "round $i: lmpipe ${lm[-1]} chars/s, reference ${ref[-1]} chars/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
lm_median="$(median "${lm[@]}")"; ref_median="$(median "${ref[@]}")"
awk -v a="$lm_median" -v b="$ref_median" -v m="$model" -v n="$chars" \
  'BEGIN { printf "%s generation, %d characters: median lmpipe %.1f chars/s, reference %.1f chars/s; lmpipe / reference = %.2f\n", m, n, a, b, a / b }'
echo "machine: $(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), commit $(git -C "$root" rev-parse --short HEAD)"
