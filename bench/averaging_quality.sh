#!/usr/bin/env bash
# Quality per character of parameter averaging as workers are added: tinyshakespeare, the same characters trained
# by every run, the same 32 windows per step in all (W workers × 32/W windows each), plain averaging against the
# outer optimizer; the synchronous equivalent is one worker of 32 windows (its minibatch sliced across the cores,
# which sums the same gradient). Runs in Spark local mode with W task slots and one thread per worker: it measures
# characters, not time. Prints one line per run and a table of validation nats/char (the whole validation split).
# A run already in the work dir's results.tsv is not run again: run the script again to finish an interrupted table.
#   bench/averaging_quality.sh [work dir]            (default /tmp/lmpipe-averaging)
# Environment:
#   MODELS="lstm gpt"          conf/train-lstm.conf, conf/train-transformer.conf
#   CHARACTERS=3000000         characters each run trains (it stops after the round that reaches them)
#   RUNS="1:1:plain 4:10:plain 4:10:nesterov 8:50:plain 8:50:nesterov"
#                              W:F:outer[:outer learning rate:outer momentum] per run
#   SETTINGS                   more --set settings for every run, e.g. "learningRate=0.0015" (use a work dir
#                              of its own: results are kept by run name)
#   SEED=42, SHARED (../shared: the corpus)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/lmpipe-averaging}"
models="${MODELS:-lstm gpt}"
characters="${CHARACTERS:-3000000}"
runs="${RUNS:-1:1:plain 4:10:plain 4:10:nesterov 8:50:plain 8:50:nesterov}"
seed="${SEED:-42}"
shared="${SHARED:-$root/../shared}"
corpus="$shared/data/tinyshakespeare.txt"
[ -f "$corpus" ] || { echo "averaging_quality: $corpus not found (set SHARED)" >&2; exit 1; }
[ -f "$root/jobs/target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
mkdir -p "$work"
results="$work/results.tsv"
touch "$results"

[ -f "$work/dataset/_SUCCESS" ] ||
  "$root/lmpipe" tokenize -c "$root/conf/tokenize.conf" "$corpus" -o "$work/dataset" --overwrite >"$work/tokenize.log" 2>&1

for model in $models; do
  conf="$root/conf/train-$([ "$model" = gpt ] && echo transformer || echo "$model").conf"
  for run in $runs; do
    IFS=: read -r w f outer lr mu <<<"$run"
    batch=$((32 / w))
    slots=$((w > 2 ? w : 2))
    name="$model-w$w-f$f-$outer${lr:+-$lr-$mu}"
    grep -q "^$name	" "$results" && continue
    extra=()
    for setting in ${SETTINGS:-}; do extra+=(--set "$setting"); done
    [ -n "${lr:-}" ] && extra+=(--set "averaging.outerLearningRate=$lr" --set "averaging.outerMomentum=$mu")
    echo "averaging_quality: $name" >&2
    /usr/bin/time -f "%e" -o "$work/$name.time" "$root/lmpipe" train -c "$conf" -d "$work/dataset" -o "$work/$name" \
      --overwrite --master "local[$slots]" --set workers="$w" --set batchSize="$batch" --set averagingFrequency="$f" \
      --set averaging.outer="$outer" "${extra[@]}" --set maxCharacters="$characters" --set epochs=1000 \
      --set patience=1000 --set eval.maxCharacters=0 --set seed="$seed" --set report=false >"$work/$name.log" 2>&1
    /usr/bin/python3 - "$work/$name" "$model" "$w" "$f" "$outer" "${lr:-}" "${mu:-}" "$(cat "$work/$name.time")" \
      >>"$results" <<'PY'
import json, sys
run, model, w, f, outer, lr, mu, seconds = sys.argv[1:]
last = json.loads(open(run + "/metrics.jsonl").read().strip().splitlines()[-1])
print("\t".join([run.rsplit("/", 1)[1], model, w, f, outer + (f" {lr}/{mu}" if lr else ""), str(last["trainedCharacters"]),
                 f"{last['validationLoss']:.4f}", seconds]))
PY
    tail -1 "$results" >&2
  done
done

/usr/bin/python3 - "$results" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t")[1:] for line in open(sys.argv[1]) if line.strip()]
sync = {r[0]: float(r[5]) for r in rows if r[1] == "1"}
print(f"{'model':5} {'W':>2} {'F':>3} {'after a round':22} {'characters':>11} {'validation':>10} {'vs 1 x 32':>9} {'wall s':>7}")
for model, w, f, outer, chars, loss, seconds in rows:
    gap = f"{float(loss) - sync[model]:+.4f}" if model in sync and w != "1" else ""
    print(f"{model:5} {w:>2} {f:>3} {outer:22} {int(chars):>11,} {loss:>10} {gap:>9} {float(seconds):>7.0f}")
PY
