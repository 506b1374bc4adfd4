#!/usr/bin/env bash
# How much of a sliced training step runs on one thread while the others wait: runs bench/PlainFit.java under Java
# Flight Recorder (batch 32 on 2 threads by default) and prints, for the main thread (which runs slice 0 and all
# the unsliced work), the share of its samples outside MinibatchParts.run, grouped by the nearest lmpipe or DL4J
# frame (bench/serial_time.py). Start-up (reading the dataset, building the network) is left out.
# Usage: bench/serial_time.sh CONF DATASET SECONDS [KEY=VALUE...]   (TARGET=dir with lmpipe.jar and lib/ to profile
# another build; default jobs/target)
# e.g. bench/serial_time.sh conf/train-transformer.conf /tmp/vsp-s7/train-data 45
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conf="$1"; dataset="$2"; seconds="$3"; shift 3
target="${TARGET:-$root/jobs/target}"
[ -f "$target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java -Xmx4g @conf/jvm-options \
  -XX:StartFlightRecording=filename="$work/fit.jfr",settings=profile \
  -Dlog4j2.configurationFile=conf/log4j2.properties -cp "$target/lmpipe.jar:$target/lib/*" bench/PlainFit.java \
  "$conf" "$dataset" "$seconds" batchSize=32 threadsPerWorker=2 "$@" 2>/dev/null | tail -1
jfr print --stack-depth 200 --events jdk.ExecutionSample,jdk.NativeMethodSample "$work/fit.jfr" > "$work/samples.txt"
python3 "$root/bench/serial_time.py" "$work/samples.txt"
