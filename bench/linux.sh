#!/usr/bin/env bash
# Training on a gigabyte of real text: the Linux kernel's .c and .h files (about 1.2 GB), Spark local[2].
#
# Unpacks Debian's linux-source-6.1 tarball under a temporary folder (only its .c and .h files), tokenizes them
# with --include, then trains the LSTM and the GPT (conf/train-lstm.conf, conf/train-transformer.conf, default
# settings) for MINUTES each with maxMinutes, and evaluates each run's best checkpoint on a sample of the test split.
# For each model it prints: the wall time of the whole train job (final evaluation, checkpoint and report
# included) against maxMinutes; the time from launch to the first round's line; the peak resident memory of the
# process (driver and executors: local mode runs them in one JVM); the median training chars/s over the rounds
# after the first 20; validation and test bits/char; a generated sample. To check that the data path is not the
# bottleneck, the same model (same shapes: the Linux corpus tokenized again with tinyshakespeare's vocabulary
# size, its rarer characters <unk>) trains RATE_CHARACTERS on each corpus, and the median round rates are compared.
#
# Usage: bench/linux.sh [minutes per model, default 10] [work dir, default /tmp/lmpipe-linux]
#   Environment: MODELS ("lstm gpt"), RATE_CHARACTERS (2000000; 0 skips the data-path comparison),
#   TEST_CHARACTERS (2000000).
# Needs: Java 17, Maven, and the tarball: apt-get install linux-source-6.1 (installs
# /usr/src/linux-source-6.1.tar.xz; this script installs nothing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes="${1:-10}"
work="${2:-/tmp/lmpipe-linux}"
models="${MODELS:-lstm gpt}"
rate_characters="${RATE_CHARACTERS:-2000000}"
test_characters="${TEST_CHARACTERS:-2000000}"
tarball=/usr/src/linux-source-6.1.tar.xz
shakespeare="$root/../shared/data/tinyshakespeare.txt"
[ -f "$tarball" ] || { echo "missing $tarball: apt-get install linux-source-6.1" >&2; exit 1; }
[ -f "$root/jobs/target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
lmpipe="$root/lmpipe"
mkdir -p "$work"

source_tree="$work/linux-source"
if [ ! -d "$source_tree" ]; then
  mkdir -p "$source_tree.partial"
  tar -xJf "$tarball" -C "$source_tree.partial" --wildcards '*.c' '*.h'
  mv "$source_tree.partial" "$source_tree"
fi
echo "corpus: $(find "$source_tree" -type f | wc -l) files, $(du -sb "$source_tree" | cut -f1) bytes"
find "$source_tree" -type f -exec cat {} + > /dev/null  # into the page cache

# stamped COMMAND...: runs it with each output line prefixed by the seconds since launch.
stamped() {
  local start
  start=$(date +%s%N)
  "$@" 2>&1 | while IFS= read -r line; do
    printf '%8.2f %s\n' "$(( ($(date +%s%N) - start) / 1000000 ))e-3" "$line"
  done
}

# timed LABEL COMMAND...: one run under /usr/bin/time; its stamped output in $work/LABEL.log, "seconds rss_kb"
# in $work/LABEL.time.
timed() {
  local label="$1"; shift
  stamped /usr/bin/time -f "%e %M" -o "$work/$label.time" "$@" > "$work/$label.log" || {
    echo "$label failed; its output:" >&2; tail -30 "$work/$label.log" >&2; exit 1; }
}

# median_rate RUN: the median of the rounds' own chars/s in RUN/rounds.jsonl, after the first 20 rounds.
median_rate() {
  python3 - "$1/rounds.jsonl" <<'EOF'
import json, statistics, sys
rates = [json.loads(line)["charactersPerSecond"] for line in open(sys.argv[1])][20:]
print(f"{statistics.median(rates):.0f}" if rates else "nan")
EOF
}

rm -rf "$work/dataset"
timed tokenize "$lmpipe" tokenize "$source_tree" -o "$work/dataset" --include '*.c' --include '*.h'
read -r seconds rss < "$work/tokenize.time"
grep -E "tokenize: [0-9,]+ characters|tokenize: (train|validation|test) " "$work/tokenize.log" | cut -c10-
printf 'tokenize: %.1f s wall, peak RSS %.2f GB\n' "$seconds" "$(echo "$rss / 1048576" | bc -l)"

if [ "$rate_characters" != 0 ]; then
  rm -rf "$work/ts-dataset" "$work/same-vocabulary"
  "$lmpipe" tokenize "$shakespeare" -o "$work/ts-dataset" > "$work/ts-tokenize.log" 2>&1
  ids=$(sed -n 's/.*vocabulary of \([0-9]*\) ids.*/\1/p' "$work/ts-tokenize.log")
  "$lmpipe" tokenize "$source_tree" -o "$work/same-vocabulary" --include '*.c' --include '*.h' \
    --set maxVocabulary="$ids" > "$work/same-vocabulary.log" 2>&1
fi

for model in $models; do
  case "$model" in
    lstm) conf="$root/conf/train-lstm.conf" ;;
    gpt) conf="$root/conf/train-transformer.conf" ;;
    *) echo "unknown model $model (lstm or gpt)" >&2; exit 1 ;;
  esac
  run="$work/run-$model"
  rm -rf "$run"
  timed "train-$model" "$lmpipe" train -c "$conf" -d "$work/dataset" -o "$run" --set maxMinutes="$minutes"
  read -r seconds rss < "$work/train-$model.time"
  first=$(grep -m1 -E "round 1/" "$work/train-$model.log" | awk '{print $1}')
  validation=$(grep -E "validation [0-9.]+ nats" "$work/train-$model.log" | tail -1 \
    | sed -E 's/.*\(([0-9.]+) bits\/char.*over ([0-9,]+) chars.*/\1 bits\/char over \2 characters/')
  "$lmpipe" evaluate --checkpoint "$run" -d "$work/dataset" --split test --set maxCharacters="$test_characters" \
    --set sampleLength=0 -o "$run/test-report" > "$work/test-$model.log" 2>&1
  test=$(sed -n -E 's/^evaluate: test split, ([0-9,]+) characters.*, ([0-9.]+) bits\/char.*/\2 bits\/char over \1 characters/p' \
    "$work/test-$model.log")
  echo
  echo "== $model on the Linux corpus, maxMinutes=$minutes"
  printf 'train job: %.1f s wall (budget %d s), first round at %s s after launch, peak RSS %.2f GB\n' \
    "$seconds" "$((minutes * 60))" "$first" "$(echo "$rss / 1048576" | bc -l)"
  grep -E "^ *[0-9.]+ train: stopped" "$work/train-$model.log" | cut -c10- || true
  trained=$(tail -1 "$run/rounds.jsonl" | python3 -c 'import json, sys; print(json.load(sys.stdin)["trainedCharacters"])')
  echo "training: median $(median_rate "$run") chars/s over rounds 21 and after, $trained characters trained"
  echo "validation (last evaluation, the sample of eval.maxCharacters): $validation"
  echo "test (best checkpoint, sample of $test_characters): $test"
  if [ "$rate_characters" != 0 ]; then
    for corpus in ts-dataset same-vocabulary; do
      rm -rf "$work/rate-$model-$corpus"
      "$lmpipe" train -c "$conf" -d "$work/$corpus" -o "$work/rate-$model-$corpus" \
        --set maxCharacters="$rate_characters" --set eval.maxCharacters=100000 --set report=false \
        > "$work/rate-$model-$corpus.log" 2>&1
    done
    linux_rate=$(median_rate "$work/rate-$model-same-vocabulary")
    ts_rate=$(median_rate "$work/rate-$model-ts-dataset")
    echo "data path, same model ($ids ids), $rate_characters characters each, median chars/s over rounds 21 and after:" \
      "Linux $linux_rate, tinyshakespeare $ts_rate, ratio $(echo "scale=3; $linux_rate / $ts_rate" | bc -l)"
  fi
  echo "sample (temperature 0.8, top-k 20, after 'static int '):"
  "$lmpipe" generate --checkpoint "$run" --prompt "static int " --max-chars 300 --temperature 0.8 --top-k 20 \
    --seed 1 2> /dev/null | sed 's/^/    /'
done
