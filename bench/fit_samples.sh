#!/usr/bin/env bash
# Java Flight Recorder's samples of a plain training fit: runs bench/PlainFit.java (batch 32 sliced over 2 threads by
# default, OpenBLAS on one thread each, as the train job fits with one worker) under JFR's `profile` settings and
# writes `jfr print` of its execution and native-method samples to OUT, for bench/serial_time.py and
# bench/step_profile.py. Prints PlainFit's own line (its chars/s).
# Usage: bench/fit_samples.sh CONF DATASET SECONDS OUT [KEY=VALUE...]   (TARGET=dir with lmpipe.jar and lib/ to
# profile another build; default jobs/target)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conf="$1"; dataset="$2"; seconds="$3"; out="$4"; shift 4
target="${TARGET:-$root/jobs/target}"
[ -f "$target/lmpipe.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
recording="$(mktemp --suffix=.jfr)"
trap 'rm -f "$recording"' EXIT
cd "$root"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java -Xmx4g @conf/jvm-options \
  -XX:StartFlightRecording=filename="$recording",settings=profile \
  -Dlog4j2.configurationFile=conf/log4j2.properties -cp "$target/lmpipe.jar:$target/lib/*" bench/PlainFit.java \
  "$conf" "$dataset" "$seconds" batchSize=32 threadsPerWorker=2 "$@" 2>/dev/null | tail -1
jfr print --stack-depth 200 --events jdk.ExecutionSample,jdk.NativeMethodSample "$recording" > "$out"
