#!/usr/bin/env bash
# Training speed of one configuration, from its round lines: runs `lmpipe train -c CONF` on DATASET for MINUTES in
# Spark local[2] (no report) and prints the rounds' characters per second over the last 80% of its rounds (their
# characters over their wall time, what happens between rounds included) and the median of the rounds' own speeds.
# The first fifth of the rounds is left out: the JIT's warmup. To compare two commits, run it from a checkout of
# each, alternating, on a quiet machine.
# Usage: bench/train_speed.sh CONF DATASET [minutes, default 1.5] [work dir] [--set KEY=VALUE ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conf="$(realpath "${1:?usage: bench/train_speed.sh CONF DATASET [minutes] [work dir] [--set KEY=VALUE ...]}")"
dataset="$(realpath "${2:?usage: bench/train_speed.sh CONF DATASET [minutes] [work dir]}")"
minutes="${3:-1.5}"
work="${4:-/tmp/lmpipe-train-speed}"
shift $(($# < 4 ? $# : 4))
[ -f "$root/jobs/target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
"$root/lmpipe" train -c "$conf" -d "$dataset" -o "$work" --overwrite --master 'local[2]' --set maxMinutes="$minutes" \
  --set report=false "$@" > "$work.log"
/usr/bin/python3 - "$work/rounds.jsonl" "$(basename "$conf")" "$(cd "$root" && git rev-parse --short HEAD)" <<'PY'
import json, statistics, sys
rounds = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
kept = rounds[len(rounds) // 5:]
if len(kept) < 2:
    sys.exit(f"{sys.argv[1]}: {len(rounds)} rounds, too few to time; train for longer")
overall = (kept[-1]["trainedCharacters"] - kept[0]["trainedCharacters"]) / (kept[-1]["seconds"] - kept[0]["seconds"])
median = statistics.median(line["charactersPerSecond"] for line in kept)
print(f"{sys.argv[2]} at {sys.argv[3]}: {len(rounds)} rounds; chars/s over the last {len(kept)} {overall:,.0f},"
      f" median round {median:,.0f}")
PY
