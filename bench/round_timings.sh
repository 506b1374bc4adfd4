#!/usr/bin/env bash
# Where an averaging round's time goes besides fitting: runs `lmpipe train` in Spark local[2] with
# bench/RoundTimings.java as a Spark listener and prints its medians (driver gap between rounds, job start to task
# launch, task time outside its run). Usage: bench/round_timings.sh CONF DATASET MINUTES [JAVA -D OPTION...]
# e.g. bench/round_timings.sh conf/train-lstm.conf /tmp/vsp-s7/train-data 1 -Dspark.task.maxDirectResultSize=1m
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conf="$1"; dataset="$2"; minutes="$3"; shift 3
[ -f "$root/jobs/target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
javac -d "$classes" -cp "$root/jobs/target/lib/*" "$root/bench/RoundTimings.java"
cd "$root"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 SPARK_LOCAL_IP=127.0.0.1 java -Xmx4g @conf/jvm-options "$@" \
  -Dlog4j2.configurationFile=conf/log4j2.properties -Dspark.extraListeners=RoundTimings \
  -cp "$classes:jobs/target/lmpipe.jar:jobs/target/lib/*" dev.lmpipe.cli.Lmpipe train -c "$conf" -d "$dataset" \
  -o "$classes/run" --master 'local[2]' --set maxMinutes="$minutes" --set report=false 2>&1 \
  | grep -E '^(round timings|epoch [0-9]+:)'
