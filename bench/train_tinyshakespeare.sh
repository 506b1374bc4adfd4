#!/usr/bin/env bash
# Trains the reference-shaped LSTM (conf/train-lstm.conf: embedding 64, one LSTM of 256, seq 64, batch 32
# per worker) on tinyshakespeare for a wall-clock budget in Spark local[2], then prints the epoch lines of
# metrics.jsonl and the final validation loss. Train ends by writing run/report/report.html.
# Usage: bench/train_tinyshakespeare.sh [minutes] [work dir] [more train options, e.g. --set sparkStatistics=true]
# The model comes from TRAIN_CONF (default conf/train-lstm.conf), e.g. TRAIN_CONF=conf/train-transformer.conf.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes="${1:-10}"
work="${2:-/tmp/lmpipe-bench-tinyshakespeare}"
shift $(( $# < 2 ? $# : 2 ))
corpus="$root/../shared/data/tinyshakespeare.txt"
train_conf="${TRAIN_CONF:-$root/conf/train-lstm.conf}"
[ -f "$corpus" ] || { echo "missing $corpus (see ../shared/data/README.md)" >&2; exit 1; }

# The standard tinyshakespeare evaluation holds out 10%: here 10% of 8,192-byte blocks, chosen by seed
# (pinned: the default block is smaller, for small corpora).
"$root/lmpipe" tokenize "$corpus" -o "$work/dataset" -c "$root/conf/tokenize.conf" \
  --set blockBytes=8192 --set validationFraction=0.1 --set testFraction=0 --overwrite
/usr/bin/time -f "wall %e s, max RSS %M KB" \
  "$root/lmpipe" train -c "$train_conf" -d "$work/dataset" -o "$work/run" --overwrite \
  --set maxMinutes="$minutes" "$@" | grep -v " round "
echo "--- metrics.jsonl"
cat "$work/run/metrics.jsonl"
echo "--- machine: $(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
