#!/usr/bin/env bash
# Trains the GPT of conf/train-transformer.conf on tinyshakespeare on an NVIDIA GPU for a wall-clock budget and
# prints its training speed: the median chars/s of the round lines after the first ten, and the backend ND4J used.
#
# Usage: bench/gpu.sh [minutes] [work dir] [more train options]      (default 5 minutes, /tmp/lmpipe-bench-gpu)
#        bench/gpu.sh --cpu-standin [minutes] [work dir] [...]       the same run on the CPU through the code a GPU runs
#
# The GPU run builds the -Pcuda jar (ND4J's nd4j-cuda-11.6 backend with cuDNN 8.3) from a copy of this checkout, so
# the CPU jar in jobs/target stays as it is; it needs Maven Central once (about 600 MB of CUDA natives), and the
# machine needs an NVIDIA driver for CUDA 11.6 with the CUDA 11.6 and cuDNN 8.3 libraries (or
# org.bytedeco:cuda-platform-redist on the class path). On a GPU every layer takes its DL4J or SameDiff path: lmpipe's
# kernels read host memory (Kernels). --cpu-standin runs that path on the CPU with the CPU jar
# (-Dlmpipe.kernels=dl4j), which checks this script and the path where no GPU is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
standin=false
if [ "${1:-}" = "--cpu-standin" ]; then
  standin=true
  shift
fi
minutes="${1:-5}"
work="${2:-/tmp/lmpipe-bench-gpu}"
shift $(( $# < 2 ? $# : 2 ))
corpus="$root/../shared/data/tinyshakespeare.txt"
[ -f "$corpus" ] || { echo "gpu.sh: missing $corpus (see ../shared/data/README.md)" >&2; exit 1; }
mkdir -p "$work"

if $standin; then
  jar="$root/jobs/target/lmpipe.jar"
  [ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
  backend_options="-Dlmpipe.kernels=dl4j"
else
  if ! nvidia-smi -L >/dev/null 2>&1; then
    echo "gpu.sh: no NVIDIA GPU here (nvidia-smi -L fails); bench/gpu.sh --cpu-standin runs the GPU's code path on the CPU" >&2
    exit 1
  fi
  nvidia-smi -L
  # A copy without build outputs: building -Pcuda here would replace the CPU jar that ./lmpipe runs.
  rm -rf "$work/src"
  mkdir -p "$work/src"
  (cd "$root" && tar --exclude=./.git --exclude='*/target' -cf - .) | tar -xf - -C "$work/src"
  (cd "$work/src" && mvn -B -q -Pcuda -DskipTests package)
  jar="$work/src/jobs/target/lmpipe.jar"
  # Device memory is not what javacpp.maxbytes bounds; leave ND4J's off-heap bound at the heap's size.
  backend_options=""
fi

run() {
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 SPARK_LOCAL_IP=127.0.0.1 \
    java -Xmx4g $backend_options @"$root/conf/jvm-options" -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
    -jar "$jar" "$@"
}

run tokenize "$corpus" -o "$work/dataset" -c "$root/conf/tokenize.conf" \
  --set blockBytes=8192 --set validationFraction=0.1 --set testFraction=0 --overwrite >/dev/null
# One worker: one GPU, and no averaging to take time from the training steps.
set +e
run train -c "$root/conf/train-transformer.conf" -d "$work/dataset" -o "$work/run" --overwrite --master 'local[1]' \
  --set workers=1 --set maxMinutes="$minutes" "$@" 2>"$work/train.stderr" | tee "$work/train.log" \
  | grep -Ev "round [0-9]+/[0-9]+ +loss"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "gpu.sh: train exited with $status; the end of $work/train.stderr:" >&2
  tail -n 5 "$work/train.stderr" >&2
  exit "$status"
fi
# The median training speed of the rounds after the first ten (the first rounds include warm-up); the train line
# above says which code ran the layers, and where.
grep -E "round [0-9]+/[0-9]+ +loss" "$work/train.log" | tail -n +11 | grep -o "[0-9,]* chars/s" | tr -d , | cut -d' ' -f1 | sort -n \
  | awk -v mode="$($standin && echo "CPU stand-in, lmpipe.kernels = dl4j" || echo "GPU")" '{ v[NR] = $1 }
      END { if (NR == 0) { print "gpu.sh: no round lines after the tenth: give it more minutes"; exit 1 }
            printf "median %d chars/s over %d rounds (%s)\n", v[int((NR + 1) / 2)], NR, mode }'
echo "--- machine: $(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
