#!/usr/bin/env bash
# Starts a Spark standalone cluster on this machine, bound to 127.0.0.1: one master and WORKERS workers of
# WORKER_CORES cores and WORKER_MEMORY each; returns once every worker has registered.
#   deploy/standalone/start-cluster.sh            (after assemble.sh; stop with stop-cluster.sh)
# Environment (defaults): SPARK_HOME (deploy/standalone/spark), CLUSTER_DIR (deploy/standalone/run: pids, logs,
# worker directories), WORKERS (2), WORKER_CORES (1), WORKER_MEMORY (3g), MASTER_PORT (7077), MASTER_UI_PORT
# (8080), WORKER_UI_PORT (8081, then one up per worker).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export SPARK_HOME="${SPARK_HOME:-$here/spark}"
cluster="${CLUSTER_DIR:-$here/run}"
workers="${WORKERS:-2}"
cores="${WORKER_CORES:-1}"
memory="${WORKER_MEMORY:-3g}"
master_port="${MASTER_PORT:-7077}"
master_ui="${MASTER_UI_PORT:-8080}"
worker_ui="${WORKER_UI_PORT:-8081}"
# Everything on loopback: the master, the workers, the executors they start and the drivers that connect.
export SPARK_LOCAL_IP=127.0.0.1
export SPARK_DAEMON_MEMORY="${SPARK_DAEMON_MEMORY:-256m}"

if [ ! -f "$SPARK_HOME/RELEASE" ]; then
  echo "start-cluster: no Spark runtime at $SPARK_HOME; run deploy/standalone/assemble.sh first" >&2
  exit 1
fi
mkdir -p "$cluster"
if [ -f "$cluster/master.pid" ] && kill -0 "$(cat "$cluster/master.pid")" 2>/dev/null; then
  echo "start-cluster: a master from $cluster is already running (pid $(cat "$cluster/master.pid"))" >&2
  exit 1
fi

"$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$master_port" \
  --webui-port "$master_ui" >"$cluster/master.log" 2>&1 &
echo $! >"$cluster/master.pid"
for i in $(seq 1 "$workers"); do
  mkdir -p "$cluster/worker-$i"
  "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "$cores" \
    --memory "$memory" --work-dir "$cluster/worker-$i" --webui-port $((worker_ui + i - 1)) \
    "spark://127.0.0.1:$master_port" >"$cluster/worker-$i.log" 2>&1 &
  echo $! >"$cluster/worker-$i.pid"
done

# The master's JSON status lists the workers that registered (asked with bash's own /dev/tcp: no curl needed).
status() {
  exec 3<>"/dev/tcp/127.0.0.1/$master_ui" || return 1
  printf 'GET /json/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  cat <&3
  exec 3<&-
}
for _ in $(seq 1 120); do
  alive="$(status 2>/dev/null | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || true)"
  if [ "${alive:-0}" -ge "$workers" ]; then
    echo "start-cluster: master spark://127.0.0.1:$master_port (UI http://127.0.0.1:$master_ui), $workers worker(s) of $cores core(s) and $memory"
    exit 0
  fi
  sleep 1
done
echo "start-cluster: the workers did not register within 120 s; see $cluster/*.log" >&2
exit 1
