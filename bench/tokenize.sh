#!/usr/bin/env bash
# Tokenize throughput against the raw read, in Spark local[2], on a generated multi-gigabyte corpus.
#
# Runs, alternating, `lmpipe tokenize CORPUS` (character tokenizer, conf/tokenize.conf) and Spark SQL's
# `spark.read().text(CORPUS).count()` (bench/raw-read, the fastest a Spark job takes text in here), ROUNDS times
# each, with the same heap, after one untimed read of the corpus so that both find it in the page cache. Prints
# per run the wall time (JVM and Spark start included), MB/s of text (uncompressed bytes, as tokenize counts them),
# and the peak resident memory of the process (in local mode the executors live in it), then the medians and
# the ratio lmpipe ÷ raw read. Each run starts with no dirty pages (sync, untimed); lmpipe's own write-back
# is its cost. BPE=1 adds one run of `tokenizer=bpe` for information.
#
# Usage: bench/tokenize.sh [corpus dir] [work dir]
#   The corpus is built by bench/make_corpus.py (GB=3 by default) when the folder does not exist.
#   Environment: ROUNDS (2), HEAP (-Xmx given to both programs, 2g), GB (3), BPE (0).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${1:-/tmp/lmpipe-bench-corpus}"
work="${2:-/tmp/lmpipe-bench-tokenize}"
rounds="${ROUNDS:-2}"
heap="${HEAP:-2g}"
mkdir -p "$work"

if [ ! -d "$corpus" ]; then
  python3 "$root/bench/make_corpus.py" "$corpus" --gb "${GB:-3}"
fi
[ -f "$root/jobs/target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
raw="$root/bench/raw-read"
if [ ! -f "$raw/target/classpath.txt" ] || [ ! -d "$raw/target/classes" ]; then
  (cd "$raw" && mvn -B -q package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
fi

echo "corpus: $corpus: $(find "$corpus" -type f | wc -l) files, $(du -sb "$corpus" | cut -f1) bytes on disk"
find "$corpus" -type f -exec cat {} + > /dev/null  # into the page cache, for both programs alike

export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 SPARK_LOCAL_IP=127.0.0.1
text_bytes=""

# run LABEL COMMAND...: one timed run; appends "seconds rss_kb" to $work/LABEL.times
run() {
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time.out" "$@" > "$work/$label.log" 2>&1 || {
    echo "$label failed; its output:" >&2; tail -30 "$work/$label.log" >&2; exit 1; }
  cat "$work/time.out" >> "$work/$label.times"
  read -r seconds rss < "$work/time.out"
  if [ "$label" = lmpipe ] && [ -z "$text_bytes" ]; then
    text_bytes=$(sed -n 's/^tokenize: read [0-9,]* file(s), \([0-9,]*\) bytes.*/\1/p' "$work/lmpipe.log" | tr -d ,)
  fi
}

report() {
  local label="$1"
  sort -n "$work/$label.times" | awk -v label="$label" -v bytes="$text_bytes" '
    { s[NR] = $1; m[NR] = $2; printf "%-16s run %d: %7.1f s  %7.1f MB/s  peak RSS %5.2f GB\n", label, NR, $1, bytes / $1 / 1e6, $2 / 1048576 }
    END { med = (NR % 2) ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2; printf "%s median %.2f\n", label, med > "/dev/stderr" }' \
    2> "$work/$label.median"
}

rm -f "$work"/*.times
for ((i = 1; i <= rounds; i++)); do
  sync  # untimed: the previous lmpipe run's shards are still being written back, which would slow this read
  run raw java "-Xmx$heap" @"$root/conf/jvm-options" -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
    -cp "$raw/target/classes:$(cat "$raw/target/classpath.txt")" RawRead 'local[2]' "$corpus"
  rm -rf "$work/dataset"; sync  # untimed: replacing a 6 GB dataset would time the deletion too
  LMPIPE_JAVA_OPTS="-Xmx$heap" run lmpipe "$root/lmpipe" tokenize "$corpus" -o "$work/dataset"
done
[ -n "$text_bytes" ] || { echo "no byte count in $work/lmpipe.log" >&2; exit 1; }

echo "text: $text_bytes bytes (uncompressed)"
report raw
report lmpipe
grep '^tokenize:' "$work/lmpipe.log"
du -sb "$work/dataset" | awk '{ printf "dataset: %.2f GB\n", $1 / 1e9 }'
if [ "${BPE:-0}" = 1 ]; then
  rm -rf "$work/dataset" "$work/dataset-bpe"; sync
  LMPIPE_JAVA_OPTS="-Xmx$heap" run bpe "$root/lmpipe" tokenize "$corpus" -o "$work/dataset-bpe" \
    --set tokenizer=bpe --set maxVocabulary=1024
  report bpe
  grep '^tokenize:' "$work/bpe.log"
fi
awk '{ print $3 }' "$work/raw.median" "$work/lmpipe.median" | paste -sd' ' | awk -v bytes="$text_bytes" '
  { printf "median: raw read %.1f MB/s, lmpipe tokenize %.1f MB/s; lmpipe / raw read = %.2f\n", bytes / $1 / 1e6, bytes / $2 / 1e6, $1 / $2 }'
echo "machine: $(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ { print $2 }') GiB, heap -Xmx$heap, $(date -u +%F)"
