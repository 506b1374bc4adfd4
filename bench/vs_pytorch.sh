#!/usr/bin/env bash
# lmpipe against the PyTorch reference (../shared/bench/reference_charlm.py) on tinyshakespeare, same machine,
# same shapes, same batch per step, the two programs alternating, once per seed; prints, per seed and as the median
# and spread over the seeds: training chars/s (lmpipe in Spark local[2] ÷ reference), the held-out loss after MINUTES
# of training of the model each trained last (both on the corpus' last 10%, as the reference evaluates), and model
# FLOP utilisation against the machine's sgemm peak measured just before each pair (bench/sgemm_peak.py). Then, once
# per model: Spark local[2] ÷ plain single-JVM fit (bench/PlainFit.java), and generation chars/s
# (bench/reference_generate.py). Figures: bench/vs_pytorch_pair.py.
# Usage: bench/vs_pytorch.sh [minutes per training run, default 10] [work dir]
#   MODELS="lstm gpt" (default), SEEDS="1 2 3" (default; odd seeds run the reference first, even ones lmpipe),
#   BATCH=32 windows per step (lmpipe: one worker in local mode, its minibatch sliced across both cores; WORKERS=2
#   gives the older 2 averaged workers x BATCH/2), PLAIN_SECONDS=60, VALIDATION_FRACTION=0.05 (lmpipe's own
#   validation split, taken out of the reference's training text), LSTM_CONF and GPT_CONF (lmpipe's configuration of
#   each model: conf/train-lstm.conf and conf/train-transformer.conf by default), SETTINGS="KEY=VALUE ..." (more
#   settings for lmpipe's training and plain fit, e.g. model.dropout=0 to time the model the reference trains, which
#   drops nothing).
# Needs: Debian's python3-torch and libopenblas0-pthread (see ../shared/bench/README.md), Java 17, Maven.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes="${1:-10}"
work="${2:-/tmp/lmpipe-vs-pytorch}"
models="${MODELS:-lstm gpt}"
batch="${BATCH:-32}"
workers="${WORKERS:-0}"
validation="${VALIDATION_FRACTION:-0.05}"
plain_seconds="${PLAIN_SECONDS:-60}"
seeds="${SEEDS:-1 2 3}"
reference="$root/../shared/bench/reference_charlm.py"
corpus="$root/../shared/data/tinyshakespeare.txt"
for f in "$reference" "$corpus"; do [ -f "$f" ] || { echo "missing $f (see ../shared)" >&2; exit 1; }; done
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "needs python3-torch (apt-get install -y python3-torch libopenblas0-pthread)" >&2; exit 1; }
[ -f "$root/jobs/target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
mkdir -p "$work"
lmpipe="$root/lmpipe"
classpath="$root/jobs/target/lmpipe.jar:$root/jobs/target/lib/*"
json() { /usr/bin/python3 -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }

# lmpipe trains on the reference's first 90% and is evaluated on exactly the reference's held-out characters.
"$root/bench/heldout_data.sh" "$corpus" "$work" "$validation"

declare -A result
for model in $models; do
  if [ "$model" = lstm ]; then conf="${LSTM_CONF:-$root/conf/train-lstm.conf}"; else conf="${GPT_CONF:-$root/conf/train-transformer.conf}"; fi
  if [ "$workers" = 0 ]; then settings=(--set batchSize="$batch"); else settings=(--set workers="$workers" --set batchSize=$((batch / workers))); fi
  extra=(${SETTINGS:-})
  for setting in "${extra[@]}"; do settings+=(--set "$setting"); done
  rm -f "$work/pairs-$model.jsonl"
  for seed in $seeds; do
    peak="$(/usr/bin/python3 "$root/bench/sgemm_peak.py")"
    echo "=== $model, seed $seed: sgemm peak $peak GFLOP/s"
    run_reference() {
      echo "=== $model, seed $seed: reference, $minutes min, batch $batch"
      /usr/bin/python3 "$reference" --corpus "$corpus" --model "$model" --batch "$batch" --seed "$seed" \
        --max-seconds "$(awk "BEGIN {print $minutes * 60}")" | tee "$work/reference-$model-$seed.log" | tail -1
    }
    run_lmpipe() {
      echo "=== $model, seed $seed: lmpipe train, $minutes min, local[2], ${settings[*]}"
      /usr/bin/time -f "wall %e s, max RSS %M KB" -o "$work/lmpipe-$model-$seed.time" \
        "$lmpipe" train -c "$conf" -d "$work/train-data" -o "$work/run-$model-$seed" --overwrite --master 'local[2]' \
        --set maxMinutes="$minutes" --set report=false --set seed="$seed" "${settings[@]}" > "$work/lmpipe-$model-$seed.log"
      grep '^epoch' "$work/lmpipe-$model-$seed.log" || true
      cat "$work/lmpipe-$model-$seed.time"
    }
    # Alternate which goes first, so that the machine's drift within a pair does not favour one side every time.
    if [ $((seed % 2)) = 1 ]; then run_reference; run_lmpipe; else run_lmpipe; run_reference; fi
    # The reference reports the loss of its last model: lmpipe's last checkpoint, not its best, is evaluated.
    last="$work/run-$model-$seed/checkpoints/$(cat "$work/run-$model-$seed/latest")"
    "$lmpipe" evaluate --checkpoint "$last" -d "$work/heldout-data" --split train \
      -o "$work/eval-$model-$seed" --overwrite | grep 'nats/char' | tail -1 | tee "$work/eval-$model-$seed.log"
    /usr/bin/python3 "$root/bench/vs_pytorch_pair.py" "$work" "$model" "$seed" "$peak" | tee -a "$work/pairs-$model.jsonl"
  done

  echo "=== $model: plain single-JVM fit, ${plain_seconds} s, batch $batch"
  for threads in 1 2; do
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java -Xmx4g @"$root/conf/jvm-options" \
      -Dlog4j2.configurationFile="$root/conf/log4j2.properties" -cp "$classpath" "$root/bench/PlainFit.java" \
      "$conf" "$work/train-data" "$plain_seconds" batchSize="$batch" threadsPerWorker="$threads" "${extra[@]}" 2>/dev/null \
      | tail -1 | tee "$work/plain-$model-$threads.log"
  done
  first_seed="${seeds%% *}"
  echo "=== $model: generation, from seed $first_seed's run"
  chars=3000; [ "$model" = gpt ] && chars=500
  "$lmpipe" generate --checkpoint "$work/run-$model-$first_seed" -n "$chars" -p "ROMEO:" 2>&1 >/dev/null \
    | grep '^generate:' | tee "$work/generate-$model.log"
  /usr/bin/python3 "$root/bench/reference_generate.py" --model "$model" --chars "$chars" | tee "$work/reference-generate-$model.log"

  plain1="$(json chars_per_sec < "$work/plain-$model-1.log")"
  plain2="$(json chars_per_sec < "$work/plain-$model-2.log")"
  lm_gen="$(grep -o '([0-9,]* characters/s' "$work/generate-$model.log" | tr -d '(,' | cut -d' ' -f1)"
  ref_gen="$(json chars_per_sec < "$work/reference-generate-$model.log")"
  result[$model]="$(/usr/bin/python3 "$root/bench/vs_pytorch_pair.py" --summary "$work" "$model" "$minutes" \
    "$plain1" "$plain2" "$lm_gen" "$ref_gen")"
done

echo "=== summary ($(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), commit $(cd "$root" && git rev-parse --short HEAD))"
for model in $models; do echo "${result[$model]}"; done
