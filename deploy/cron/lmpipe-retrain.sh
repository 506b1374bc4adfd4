#!/usr/bin/env bash
# Nightly retraining for cron: one run at a time per model home, a log file per run, the exit status of the run.
#
#   lmpipe-retrain.sh HOME INPUT... [more lmpipe retrain options, e.g. --master URL --set key=value]
#
# HOME is the model home (file://, hdfs:// or s3a://), INPUT the new data. Environment:
#   LMPIPE        the command that runs lmpipe (default: the launcher of this checkout, ../../lmpipe; on a cluster
#                 for example "deploy/spark-submit.sh" or "spark-submit --class dev.lmpipe.cli.Lmpipe lmpipe.jar")
#   LMPIPE_CONF   the retrain configuration (default: conf/retrain.conf of this checkout)
#   LMPIPE_LOCK   the lock file (default: ${XDG_RUNTIME_DIR:-/tmp}/lmpipe-retrain-<hash of HOME>.lock)
#   LMPIPE_LOGS   where run logs go (default: ~/.local/state/lmpipe/logs)
# Exit status: that of lmpipe retrain; 75 (EX_TEMPFAIL) when another run of the same home holds the lock, in which
# case nothing is started. The lock is flock(1)'s: the kernel drops it when the holder dies, even by kill -9, so
# a crashed run never blocks the next night.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ $# -lt 2 ]; then
  sed -n '2,16p' "${BASH_SOURCE[0]}" >&2
  exit 64
fi
home="$1"
shift

lmpipe="${LMPIPE:-$root/lmpipe}"
conf="${LMPIPE_CONF:-$root/conf/retrain.conf}"
key="$(printf '%s' "$home" | sha256sum | cut -c1-16)"
lock="${LMPIPE_LOCK:-${XDG_RUNTIME_DIR:-/tmp}/lmpipe-retrain-$key.lock}"
logs="${LMPIPE_LOGS:-$HOME/.local/state/lmpipe/logs}"
mkdir -p "$logs"
log="$logs/retrain-$(date -u +%Y%m%d-%H%M%S)-$$.log"

exec 9>"$lock"
if ! flock -n 9; then
  echo "lmpipe-retrain: another retraining of $home is running (lock $lock held); not starting" >&2
  exit 75
fi

echo "lmpipe-retrain: $(date -u +%FT%TZ) retraining $home; log $log" >&2
status=0
# shellcheck disable=SC2086 # LMPIPE may be a command with arguments
$lmpipe retrain --home "$home" -c "$conf" "$@" >"$log" 2>&1 || status=$?
# The decision line (or the error) on cron's mail, the whole story in the log.
grep -E '^retrain: .*(PROMOTED|not promoted)|error:' "$log" >&2 || tail -n 20 "$log" >&2
echo "lmpipe-retrain: $(date -u +%FT%TZ) finished with status $status" >&2
exit "$status"
