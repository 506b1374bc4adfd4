#!/usr/bin/env bash
# How much of a sliced training step runs on one thread while the others wait: runs bench/PlainFit.java under Java
# Flight Recorder (bench/fit_samples.sh) and prints, for the main thread (which runs slice 0 and all the unsliced
# work), the share of its samples outside MinibatchParts.run, grouped by the nearest lmpipe or DL4J frame
# (bench/serial_time.py). Start-up (reading the dataset, building the network) is left out.
# Usage: bench/serial_time.sh CONF DATASET SECONDS [KEY=VALUE...]   (TARGET=dir with lmpipe.jar and lib/ to profile
# another build; default jobs/target)
# e.g. bench/serial_time.sh conf/train-transformer.conf /tmp/vsp-s7/train-data 45
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
samples="$(mktemp)"
trap 'rm -f "$samples"' EXIT
"$root/bench/fit_samples.sh" "$1" "$2" "$3" "$samples" "${@:4}"
python3 "$root/bench/serial_time.py" "$samples"
