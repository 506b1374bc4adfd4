#!/usr/bin/env bash
# Scale-out of training on the localhost standalone cluster: the same training with 1 and with 2 executors
# (one core each), submitted as deploy/README.md says; prints characters/s and where the time of the averaging
# rounds went (DL4J's Spark training statistics, spark-stats.json), for bench/RESULTS.md.
#   bench/cluster_scaleout.sh                  (MINUTES=3 per run, TRAIN_CONF=conf/train-lstm.conf)
# Environment: SHARED (../shared), WORK (/tmp/lmpipe-scaleout), MINUTES, TRAIN_CONF, EXECUTORS ("1 2").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
shared="${SHARED:-$root/../shared}"
work="${WORK:-/tmp/lmpipe-scaleout}"
minutes="${MINUTES:-3}"
conf="${TRAIN_CONF:-conf/train-lstm.conf}"
corpus="$shared/data/tinyshakespeare.txt"
[ -f "$corpus" ] || { echo "cluster_scaleout: $corpus not found (set SHARED)" >&2; exit 1; }

[ -f submit/target/lmpipe-submit.jar ] || mvn -B -q -DskipTests package
[ -f deploy/standalone/spark/RELEASE ] || deploy/standalone/assemble.sh
mkdir -p "$work"
export CLUSTER_DIR="$work/cluster" WORKERS=2 WORKER_CORES=1 WORKER_MEMORY=3g
deploy/standalone/start-cluster.sh
trap 'deploy/standalone/stop-cluster.sh >/dev/null' EXIT

deploy/spark-submit.sh tokenize conf/tokenize.conf "$corpus" -o "$work/dataset" --overwrite >"$work/tokenize.log" 2>&1
for n in ${EXECUTORS:-1 2}; do
  echo "cluster_scaleout: training with $n executor(s) for $minutes minute(s)" >&2
  SUBMIT_ARGS="--total-executor-cores $n --executor-memory 2g" deploy/spark-submit.sh train "$conf" \
    -d "$work/dataset" -o "$work/run-$n" --overwrite --set workers="$n" --set epochs=1 --set maxMinutes="$minutes" \
    --set sparkStatistics=true --set report=false >"$work/train-$n.log" 2>&1
done

python3 - "$work" ${EXECUTORS:-1 2} <<'PY'
import json, sys, os
work, counts = sys.argv[1], sys.argv[2:]
print(f"{'executors':>9} {'rounds':>6} {'chars/s':>9} {'epoch s':>8}  time of the rounds (DL4J statistics, summed ms; % of the epoch)")
for n in counts:
    run = os.path.join(work, f"run-{n}")
    line = json.loads(open(os.path.join(run, "metrics.jsonl")).read().strip().splitlines()[-1])
    stats = json.load(open(os.path.join(run, "spark-stats.json")))
    wall = line["epochSeconds"] * 1000
    parts = ", ".join(f"{k} {v['totalMs']:,} ({100 * v['totalMs'] / wall:.1f}%)"
                      for k, v in sorted(stats.items(), key=lambda kv: -kv[1]["totalMs"]))
    print(f"{n:>9} {line['rounds']:>6} {line['charactersPerSecond']:>9,.0f} {line['epochSeconds']:>8.1f}  {parts}")
PY
