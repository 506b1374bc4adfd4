#!/usr/bin/env bash
# Submits an lmpipe job to a Spark cluster with the settings it needs.
#   deploy/spark-submit.sh JOB CONF [job options...]
#   e.g. deploy/spark-submit.sh train conf/train-lstm.conf -d hdfs:///lmpipe/kjv -o hdfs:///lmpipe/runs/kjv
# JOB is tokenize, train, evaluate or retrain; CONF its configuration file (read by the driver: in cluster
# deploy mode on YARN it travels with the application; on a standalone cluster it must exist at the same path on
# the worker that runs the driver).
# Environment (defaults):
#   SPARK_HOME    a Spark 3.5 installation (deploy/standalone/spark, made by deploy/standalone/assemble.sh)
#   MASTER        spark://127.0.0.1:7077 (yarn, k8s://https://..., local[2] work too)
#   DEPLOY_MODE   client (the driver runs here) or cluster (on a worker)
#   LMPIPE_JAR    submit/target/lmpipe-submit.jar (mvn -DskipTests package builds it)
#   SPARK_PROPERTIES  conf/spark-submit.properties (JVM flags, threads, memory)
#   SUBMIT_ARGS   more spark-submit options, e.g. "--total-executor-cores 2 --executor-memory 2g"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
if [ $# -lt 2 ]; then
  sed -n '2,14p' "${BASH_SOURCE[0]}" >&2
  exit 64
fi
job="$1"
conf="$2"
shift 2
case "$job" in
  tokenize|train|evaluate|retrain) ;;
  *) echo "spark-submit.sh: unknown job '$job': tokenize, train, evaluate or retrain" >&2; exit 64 ;;
esac
if [ ! -f "$conf" ]; then
  echo "spark-submit.sh: configuration file $conf not found" >&2
  exit 64
fi
spark_home="${SPARK_HOME:-$root/deploy/standalone/spark}"
master="${MASTER:-spark://127.0.0.1:7077}"
# A cluster on this machine (deploy/standalone): the driver talks to it over loopback too.
case "$master" in
  spark://127.0.0.1:*|spark://localhost:*|local*) export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" ;;
esac
jar="${LMPIPE_JAR:-$root/submit/target/lmpipe-submit.jar}"
if [ ! -f "$jar" ]; then
  echo "spark-submit.sh: $jar not found; build it with: mvn -B -DskipTests package" >&2
  exit 64
fi
deploy_mode="${DEPLOY_MODE:-client}"
conf="$(cd "$(dirname "$conf")" && pwd)/$(basename "$conf")"
ship=()
# In YARN's cluster deploy mode the driver runs in a container on a node that YARN picks: the configuration file
# travels with the application into the container's working directory, where the driver reads it.
if [ "$master" = yarn ] && [ "$deploy_mode" = cluster ]; then
  ship=(--files "$conf")
  conf="$(basename "$conf")"
fi
# shellcheck disable=SC2086 # SUBMIT_ARGS holds several options
exec "$spark_home/bin/spark-submit" \
  --master "$master" \
  --deploy-mode "$deploy_mode" \
  --name "lmpipe $job" \
  --class dev.lmpipe.cli.Lmpipe \
  --properties-file "${SPARK_PROPERTIES:-$root/conf/spark-submit.properties}" \
  "${ship[@]}" \
  ${SUBMIT_ARGS:-} \
  "$jar" "$job" -c "$conf" "$@"
