#!/usr/bin/env bash
# lmpipe against the PyTorch reference (../shared/bench/reference_charlm.py) on tinyshakespeare, same machine,
# same shapes, same batch per step, alternating the two programs; prints the ratios of the performance issue:
#   training chars/s (lmpipe in Spark local[2] ÷ reference), validation loss after MINUTES of training (both on the
#   corpus' last 10%, as the reference evaluates), model FLOP utilisation (÷ PEAK_GFLOPS), Spark local[2] ÷ plain
#   single-JVM fit (bench/PlainFit.java), and generation chars/s (bench/reference_generate.py).
# Usage: bench/vs_pytorch.sh [minutes per training run, default 10] [work dir]
#   MODELS="lstm gpt" (default), BATCH=32 windows per step (lmpipe: one worker in local mode, its minibatch sliced
#   across both cores; WORKERS=2 gives the older 2 averaged workers x BATCH/2), PLAIN_SECONDS=60,
#   VALIDATION_FRACTION=0.05 (lmpipe's own validation split, taken out of the reference's training text).
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
peak="${PEAK_GFLOPS:-186}"
reference="$root/../shared/bench/reference_charlm.py"
corpus="$root/../shared/data/tinyshakespeare.txt"
for f in "$reference" "$corpus"; do [ -f "$f" ] || { echo "missing $f (see ../shared)" >&2; exit 1; }; done
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "needs python3-torch (apt-get install -y python3-torch libopenblas0-pthread)" >&2; exit 1; }
[ -f "$root/jobs/target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
mkdir -p "$work"
lmpipe="$root/lmpipe"
classpath="$root/jobs/target/lmpipe.jar:$root/jobs/target/lib/*"
json() { /usr/bin/python3 -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }

# The reference trains on the first 90% of the characters and evaluates on the characters after them that its
# non-overlapping windows of 64 reach within its 100,000-character budget (1,562 windows: 99,969 characters, 99,968
# of them predicted): lmpipe trains on the same 90% and is evaluated on exactly those characters.
/usr/bin/python3 - "$corpus" "$work" <<'EOF'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
n = int(0.9 * len(text))
seq_len, budget = 64, 100_000
windows = min(budget, len(text) - n - 1) // seq_len
open(sys.argv[2] + "/head.txt", "w", encoding="utf-8").write(text[:n])
open(sys.argv[2] + "/tail.txt", "w", encoding="utf-8").write(text[n:n + windows * seq_len + 1])
EOF
"$lmpipe" tokenize "$work/head.txt" -o "$work/train-data" --set blockBytes=8192 --set validationFraction="$validation" \
  --set testFraction=0 --overwrite | tail -1
"$lmpipe" tokenize "$work/tail.txt" -o "$work/heldout-data" --vocab-from "$work/train-data" \
  --set validationFraction=0 --set testFraction=0 --overwrite | tail -1

declare -A result
for model in $models; do
  if [ "$model" = lstm ]; then conf="$root/conf/train-lstm.conf"; else conf="$root/conf/train-transformer.conf"; fi
  if [ "$workers" = 0 ]; then settings=(--set batchSize="$batch"); else settings=(--set workers="$workers" --set batchSize=$((batch / workers))); fi
  echo "=== $model: reference, $minutes min, batch $batch"
  /usr/bin/python3 "$reference" --corpus "$corpus" --model "$model" --batch "$batch" --max-seconds "$(awk "BEGIN {print $minutes * 60}")" \
    | tee "$work/reference-$model.log" | tail -1
  ref_line="$(tail -1 "$work/reference-$model.log")"
  echo "=== $model: lmpipe train, $minutes min, local[2], ${settings[*]}"
  /usr/bin/time -f "wall %e s, max RSS %M KB" -o "$work/lmpipe-$model.time" \
    "$lmpipe" train -c "$conf" -d "$work/train-data" -o "$work/run-$model" --overwrite --master 'local[2]' \
    --set maxMinutes="$minutes" --set report=false "${settings[@]}" > "$work/lmpipe-$model.log"
  grep '^epoch' "$work/lmpipe-$model.log" || true
  cat "$work/lmpipe-$model.time"
  "$lmpipe" evaluate --checkpoint "$work/run-$model" -d "$work/heldout-data" --split train \
    -o "$work/eval-$model" --overwrite | grep 'nats/char' | tail -1 | tee "$work/eval-$model.log"
  echo "=== $model: plain single-JVM fit, ${plain_seconds} s, batch $batch"
  for threads in 1 2; do
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java -Xmx4g @"$root/conf/jvm-options" \
      -Dlog4j2.configurationFile="$root/conf/log4j2.properties" -cp "$classpath" "$root/bench/PlainFit.java" \
      "$conf" "$work/train-data" "$plain_seconds" batchSize="$batch" threadsPerWorker="$threads" 2>/dev/null \
      | tail -1 | tee "$work/plain-$model-$threads.log"
  done
  echo "=== $model: generation"
  chars=3000; [ "$model" = gpt ] && chars=500
  "$lmpipe" generate --checkpoint "$work/run-$model" -n "$chars" -p "ROMEO:" 2>&1 >/dev/null | grep '^generate:' \
    | tee "$work/generate-$model.log"
  /usr/bin/python3 "$root/bench/reference_generate.py" --model "$model" --chars "$chars" | tee "$work/reference-generate-$model.log"

  # Figures: lmpipe's throughput over every epoch's training time (validation passes excluded, as the reference's).
  lm_cps="$(/usr/bin/python3 -c "
import json
lines = [json.loads(l) for l in open('$work/run-$model/metrics.jsonl')]
chars = sum(l['trainedCharacters'] - p for l, p in zip(lines, [0] + [x['trainedCharacters'] for x in lines[:-1]]))
secs = sum(l['epochSeconds'] for l in lines)
print(round(chars / secs, 1))")"
  ref_cps="$(echo "$ref_line" | json train_chars_per_sec)"
  flops="$(/usr/bin/python3 -c "print($(echo "$ref_line" | json gflops_per_sec) * 1e9 / $ref_cps)")"
  lm_loss="$(grep -o '[0-9.]* nats/char' "$work/eval-$model.log" | head -1 | cut -d' ' -f1)"
  ref_loss="$(echo "$ref_line" | json val_loss_nats)"
  plain1="$(json chars_per_sec < "$work/plain-$model-1.log")"
  plain2="$(json chars_per_sec < "$work/plain-$model-2.log")"
  plain="$(/usr/bin/python3 -c "print(max($plain1, $plain2))")"
  lm_gen="$(grep -o '([0-9,]* characters/s' "$work/generate-$model.log" | tr -d '(,' | cut -d' ' -f1)"
  ref_gen="$(json chars_per_sec < "$work/reference-generate-$model.log")"
  result[$model]="$(/usr/bin/python3 -c "
f = $flops
print(f'$model: training chars/s lmpipe {$lm_cps:,.0f} / reference {$ref_cps:,.0f} = {$lm_cps / $ref_cps:.2f}'
      f' (MFU lmpipe {$lm_cps * f / 1e9 / $peak:.1%}, reference {$ref_cps * f / 1e9 / $peak:.1%}; {f / 1e6:.2f} MFLOP/char)')
print(f'$model: held-out nats/char after $minutes min: lmpipe {$lm_loss:.4f}, reference {$ref_loss:.4f} (lmpipe <= reference: {$lm_loss <= $ref_loss})')
print(f'$model: Spark local[2] / plain single-JVM fit: {$lm_cps:,.0f} / {$plain:,.0f} = {$lm_cps / $plain:.2f} (plain: {$plain1:,.0f} with 1 thread, {$plain2:,.0f} with 2)')
print(f'$model: generation chars/s lmpipe {$lm_gen:,.0f} / reference {$ref_gen:,.0f} = {$lm_gen / $ref_gen:.2f}')")"
done

echo "=== summary ($(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), commit $(cd "$root" && git rev-parse --short HEAD))"
for model in $models; do echo "${result[$model]}"; done
