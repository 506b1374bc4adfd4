#!/usr/bin/env bash
# Stops what start-cluster.sh started (workers first, then the master), and the executors and drivers the
# workers run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cluster="${CLUSTER_DIR:-$here/run}"
for pidfile in "$cluster"/worker-*.pid "$cluster"/master.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    # A worker's children (executors, cluster-mode drivers) go with it.
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
done
echo "stop-cluster: stopped"
