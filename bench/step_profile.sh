#!/usr/bin/env bash
# Where a training step's time goes: runs bench/PlainFit.java under Java Flight Recorder (bench/fit_samples.sh) and
# prints the share of the fitting threads' sampled time in OpenBLAS's matrix products (by the kernel method that
# calls them), in ND4J's other ops and in Java code (bench/step_profile.py). Then, with GEMM=1, the speeds of a
# transformer's product shapes alone on one thread (bench/GemmShapes.java) and of its block's whole forward and
# backward pass on one thread (bench/BlockKernelSpeed.java), to set beside them.
# Usage: bench/step_profile.sh CONF DATASET SECONDS [KEY=VALUE...]   (TARGET=dir with lmpipe.jar and lib/ to profile
# another build; default jobs/target)
# e.g. GEMM=1 bench/step_profile.sh conf/train-transformer.conf /tmp/ts/dataset 45
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${TARGET:-$root/jobs/target}"
samples="$(mktemp)"
trap 'rm -f "$samples"' EXIT
"$root/bench/fit_samples.sh" "$1" "$2" "$3" "$samples" "${@:4}"
/usr/bin/python3 "$root/bench/step_profile.py" "$samples"
if [ "${GEMM:-0}" = 1 ]; then
  cd "$root"
  java -Xmx1g -cp "$target/lmpipe.jar:$target/lib/*" bench/GemmShapes.java "$1" "${@:4}" 2>/dev/null
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java -Xmx2g -cp "$target/lmpipe.jar:$target/lib/*" \
    bench/BlockKernelSpeed.java "$1" "${@:4}" 2>/dev/null
fi
