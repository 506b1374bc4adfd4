#!/usr/bin/env bash
# A training budget of time against the PyTorch reference given the same model and recipe, on tinyshakespeare:
# `lmpipe train -c CONF` for MINUTES in Spark local[2] (one worker on both cores) on the reference's first 90%, its
# last checkpoint evaluated on the reference's held-out characters (bench/heldout_split.py), with its report (the
# loss curves) in WORK/run/report; then bench/reference_recipe.py for the same minutes of training with CONF's
# model, window, batch, peak rate, schedule, weight decay, clipping and dropout (bench/recipe_args.py), its decay
# ending when its time does. lmpipe's minutes include its start, validation passes and checkpoints; the
# reference's are training alone. Prints lmpipe's validation curve and both held-out losses.
# Usage: bench/recipe_vs_reference.sh CONF [minutes, default 60] [work dir]
#   SIDES="lmpipe reference" (default: both, in this order), SEED=1.
# Needs: Debian's python3-torch and libopenblas0-pthread, Java 17, Maven.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conf="$(realpath "${1:?usage: bench/recipe_vs_reference.sh CONF [minutes] [work dir]}")"
minutes="${2:-60}"
work="${3:-/tmp/lmpipe-recipe-vs-reference}"
sides="${SIDES:-lmpipe reference}"
seed="${SEED:-1}"
corpus="$root/../shared/data/tinyshakespeare.txt"
[ -f "$corpus" ] || { echo "missing $corpus (see ../shared)" >&2; exit 1; }
reference_args="$(/usr/bin/python3 "$root/bench/recipe_args.py" "$conf")"
[ -f "$root/jobs/target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
lmpipe="$root/lmpipe"
mkdir -p "$work"
echo "=== $(basename "$conf"), $minutes min, seed $seed ($(getconf _NPROCESSORS_ONLN) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), sgemm peak $(/usr/bin/python3 "$root/bench/sgemm_peak.py")" \
  "GFLOP/s, $(date -u '+%F %H:%M') UTC, commit $(cd "$root" && git rev-parse --short HEAD))"

for side in $sides; do
  if [ "$side" = lmpipe ]; then
    "$root/bench/heldout_data.sh" "$corpus" "$work"
    /usr/bin/time -f "wall %e s, max RSS %M KB" -o "$work/lmpipe.time" \
      "$lmpipe" train -c "$conf" -d "$work/train-data" -o "$work/run" --overwrite --master 'local[2]' \
      --set maxMinutes="$minutes" --set seed="$seed" > "$work/lmpipe.log"
    grep -E '^(train: [A-Z]|epoch [0-9]+:)' "$work/lmpipe.log" || true
    cat "$work/lmpipe.time"
    last="$work/run/checkpoints/$(cat "$work/run/latest")"
    echo "lmpipe: held-out $("$lmpipe" evaluate --checkpoint "$last" -d "$work/heldout-data" --split train \
      -o "$work/eval" --overwrite | grep -o '[0-9.]* nats/char' | tail -1) (last checkpoint, $(basename "$last"))," \
      "report: $work/run/report"
  elif [ "$side" = reference ]; then
    # shellcheck disable=SC2086 # the arguments are one line of words
    /usr/bin/python3 "$root/bench/reference_recipe.py" --corpus "$corpus" $reference_args --decay-by-time \
      --max-seconds "$(awk "BEGIN {print $minutes * 60}")" --seed "$seed" > "$work/reference.log"
    /usr/bin/python3 - "$work/reference.log" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(f"reference: held-out {r['val_loss_nats']:.4f} nats/char; {r['params']:,} parameters,"
      f" {r['steps'] * r['batch'] * r['seq_len']:,} characters in {r['train_seconds']:.0f} s of training"
      f" ({r['train_chars_per_sec']:,.0f} chars/s, {r['gflops_per_sec']} GFLOP/s); recipe {r['recipe']}")
PY
  else
    echo "SIDES: unknown side '$side' (lmpipe, reference)" >&2; exit 1
  fi
done
