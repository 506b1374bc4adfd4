#!/usr/bin/env bash
# Scale-out of training on the localhost standalone cluster: the same training with 1 and with 2 executors
# (one core each, one worker each), submitted as deploy/README.md says; prints characters/s, the time each run took
# to reach a validation loss, and where the time of the averaging rounds went (DL4J's Spark training statistics,
# spark-stats.json), for bench/RESULTS.md.
#   bench/cluster_scaleout.sh                  (MINUTES=3 per run, TRAIN_CONF=conf/train-lstm.conf)
# Environment: SHARED (../shared), WORK (/tmp/lmpipe-scaleout), MINUTES, TRAIN_CONF, EXECUTORS ("1 2"),
#   TARGET (validation nats/char whose first reach is timed, or several: "1.60 1.50"; default: none), EVERY
#   (eval.everyCharacters, 0), SETTINGS (more --set settings for every run, e.g. "averaging.outer=nesterov
#   averagingFrequency=20"), REPORT_ONLY=1 (train nothing: report on the runs already in WORK, run-1, run-2, ...).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
shared="${SHARED:-$root/../shared}"
work="${WORK:-/tmp/lmpipe-scaleout}"
minutes="${MINUTES:-3}"
conf="${TRAIN_CONF:-conf/train-lstm.conf}"
corpus="$shared/data/tinyshakespeare.txt"
[ -f "$corpus" ] || { echo "cluster_scaleout: $corpus not found (set SHARED)" >&2; exit 1; }

if [ -z "${REPORT_ONLY:-}" ]; then
  [ -f submit/target/lmpipe-submit.jar ] || mvn -B -q -DskipTests package
  [ -f deploy/standalone/spark/RELEASE ] || deploy/standalone/assemble.sh
  mkdir -p "$work"
  export CLUSTER_DIR="$work/cluster" WORKERS=2 WORKER_CORES=1 WORKER_MEMORY=3g
  deploy/standalone/start-cluster.sh
  trap 'deploy/standalone/stop-cluster.sh >/dev/null' EXIT

  deploy/spark-submit.sh tokenize conf/tokenize.conf "$corpus" -o "$work/dataset" --overwrite >"$work/tokenize.log" 2>&1
  settings=()
  for s in ${SETTINGS:-}; do settings+=(--set "$s"); done
  epochs=1
  [ -n "${TARGET:-}" ] && epochs=1000
  for n in ${EXECUTORS:-1 2}; do
    echo "cluster_scaleout: training with $n executor(s) for $minutes minute(s)" >&2
    SUBMIT_ARGS="--total-executor-cores $n --executor-memory 2g" deploy/spark-submit.sh train "$conf" \
      -d "$work/dataset" -o "$work/run-$n" --overwrite --set workers="$n" --set threadsPerWorker=1 \
      --set epochs="$epochs" --set patience=1000 --set maxMinutes="$minutes" --set eval.everyCharacters="${EVERY:-0}" \
      --set sparkStatistics=true --set report=false "${settings[@]}" >"$work/train-$n.log" 2>&1
  done
fi

python3 - "$work" "${TARGET:-}" ${EXECUTORS:-1 2} <<'PY'
import json, sys, os
work, target, counts = sys.argv[1], sys.argv[2], sys.argv[3:]
def lines(run, name):
    return [json.loads(l) for l in open(os.path.join(run, name)) if l.strip()]
print(f"{'executors':>9} {'rounds':>6} {'chars/s':>9} {'train s':>8}  time of the rounds (DL4J statistics, summed ms; % of the training time)")
reached = {}  # (executors, target) -> (training seconds, characters, loss of the first evaluation below)
targets = target.split()
for n in counts:
    run = os.path.join(work, f"run-{n}")
    rounds = lines(run, "rounds.jsonl")
    metrics = lines(run, "metrics.jsonl")
    # Training time: the rounds' own durations, without the evaluations between them.
    seconds = [r["trainedCharacters"] - (rounds[i - 1]["trainedCharacters"] if i else 0) for i, r in enumerate(rounds)]
    seconds = [c / r["charactersPerSecond"] for c, r in zip(seconds, rounds)]
    train = sum(seconds)
    stats = json.load(open(os.path.join(run, "spark-stats.json")))
    parts = ", ".join(f"{k} {v['totalMs']:,} ({100 * v['totalMs'] / (train * 1000):.1f}%)"
                      for k, v in sorted(stats.items(), key=lambda kv: -kv[1]["totalMs"]))
    print(f"{n:>9} {len(rounds):>6} {rounds[-1]['trainedCharacters'] / train:>9,.0f} {train:>8.1f}  {parts}")
    # Training seconds at each evaluation; a crossing is interpolated linearly between the two evaluations around
    # it (the first, if the first evaluation is already below).
    points = [(sum(s for s, r in zip(seconds, rounds) if r["trainedCharacters"] <= m["trainedCharacters"]),
               m["trainedCharacters"], m["validationLoss"]) for m in metrics]
    for t in targets:
        for i, (done, chars, loss) in enumerate(points):
            if loss <= float(t):
                if i > 0:
                    t0, c0, l0 = points[i - 1]
                    share = (l0 - float(t)) / (l0 - loss)
                    done, chars = t0 + share * (done - t0), c0 + share * (chars - c0)
                reached[n, t] = (done, int(chars), loss)
                break
for t in targets:
    print(f"time to reach validation {t} nats/char (training seconds, evaluations excluded):")
    for n in counts:
        if (n, t) in reached:
            done, chars, loss = reached[n, t]
            print(f"  {n} executor(s): {done:.1f} s, {chars:,} characters (first evaluation below: {loss:.4f})")
        else:
            print(f"  {n} executor(s): not reached")
    if (counts[0], t) in reached and (counts[-1], t) in reached:
        print(f"  speed-up {counts[-1]} vs {counts[0]}: {reached[counts[0], t][0] / reached[counts[-1], t][0]:.2f}x")
PY
