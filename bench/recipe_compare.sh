#!/usr/bin/env bash
# Training recipes compared at equal characters: each variant trains the same model on tinyshakespeare's first 90%
# (in Spark local[2], one worker on both cores) until CHARACTERS trained characters, then its last checkpoint is
# evaluated on the PyTorch reference's held-out characters (bench/heldout_split.py). Quality per character, so the
# variants may run while the machine does other work; the chars/s printed are only comparable on a quiet machine.
# Usage: bench/recipe_compare.sh CHARACTERS [work dir]
#   MODEL=gpt (default) or lstm: conf/train-transformer.conf or conf/train-lstm.conf, then each variant's settings.
#   CONF=FILE: that config instead (its schedule's decay then ends at CHARACTERS where its length is 0).
#   VARIANTS="name:key=value,key=value name2:..." (default: the preset as it is, and nanoGPT's optimizer recipe:
#   warmup over 2% of the characters, cosine decay to 0.1 × the rate, weight decay 0.1, global clipping at 1.0).
#   SEED=1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
characters="${1:?usage: bench/recipe_compare.sh CHARACTERS [work dir]}"
work="${2:-/tmp/lmpipe-recipes}"
model="${MODEL:-gpt}"
seed="${SEED:-1}"
warmup=$((characters / 50))
variants="${VARIANTS:-preset: recipe:schedule.kind=cosine,schedule.warmup=$warmup,weightDecay=0.1,gradientClipScope=global}"
corpus="$root/../shared/data/tinyshakespeare.txt"
[ -f "$corpus" ] || { echo "missing $corpus (see ../shared)" >&2; exit 1; }
[ -f "$root/jobs/target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
lmpipe="$root/lmpipe"
if [ -n "${CONF:-}" ]; then conf="$(cd "$(dirname "$CONF")" && pwd)/$(basename "$CONF")"
elif [ "$model" = lstm ]; then conf="$root/conf/train-lstm.conf"; else conf="$root/conf/train-transformer.conf"; fi
mkdir -p "$work"
"$root/bench/heldout_data.sh" "$corpus" "$work"
echo "=== $model, $characters characters per variant, seed $seed ($(getconf _NPROCESSORS_ONLN) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M') UTC," \
  "commit $(cd "$root" && git rev-parse --short HEAD))"
for variant in $variants; do
  name="${variant%%:*}"
  settings=()
  IFS=',' read -ra pairs <<< "${variant#*:}"
  for pair in "${pairs[@]}"; do [ -n "$pair" ] && settings+=(--set "$pair"); done
  run="$work/run-$model-$name"
  "$lmpipe" train -c "$conf" -d "$work/train-data" -o "$run" --overwrite --master 'local[2]' \
    --set maxCharacters="$characters" --set maxMinutes=0 --set epochs=1000 --set patience=1000 --set report=false \
    --set seed="$seed" "${settings[@]}" > "$work/train-$model-$name.log"
  last="$run/checkpoints/$(cat "$run/latest")"
  heldout="$("$lmpipe" evaluate --checkpoint "$last" -d "$work/heldout-data" --split train -o "$work/eval-$model-$name" \
    --overwrite | grep -o '[0-9.]* nats/char' | tail -1)"
  /usr/bin/python3 - "$run" "$name" "$heldout" "${variant#*:}" <<'PY'
import json, sys
run, name, heldout, settings = sys.argv[1:]
lines = [json.loads(line) for line in open(run + "/metrics.jsonl")]
best = min(line["validationLoss"] for line in lines)
seconds = sum(line["epochSeconds"] for line in lines)
chars = lines[-1]["trainedCharacters"]
print(f"{name}: held-out {heldout} (last checkpoint); own validation last {lines[-1]['validationLoss']:.4f},"
      f" best {best:.4f}; {chars:,} characters in {seconds:.0f} s of training ({chars / seconds:,.0f} chars/s);"
      f" settings: {settings or 'the preset'}")
PY
done
