#!/usr/bin/env bash
# Assembles a Spark 3.5.5 runtime (a SPARK_HOME) from Maven Central jars: jars/ (Spark with its YARN module, Scala,
# Hadoop 3.3.4 with s3a, and their dependencies, resolved by deploy/standalone/pom.xml), bin/spark-class and bin/spark-submit,
# conf/log4j2.properties and the RELEASE file by which Spark's launcher recognises a distribution.
#   deploy/standalone/assemble.sh [SPARK_HOME]     (default: deploy/standalone/spark, ignored by git)
# Needs Java 17 and Maven; downloads once into ~/.m2.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
spark_home="${1:-$here/spark}"

mkdir -p "$spark_home/bin" "$spark_home/conf"
rm -rf "$spark_home/jars.tmp"
mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
  -DoutputDirectory="$spark_home/jars.tmp"
rm -rf "$spark_home/jars"
mv "$spark_home/jars.tmp" "$spark_home/jars"
cp "$here/bin/spark-class" "$here/bin/spark-submit" "$spark_home/bin/"
chmod +x "$spark_home/bin/"*
cp "$root/conf/log4j2.properties" "$spark_home/conf/log4j2.properties"
echo "Spark 3.5.5 (Scala 2.12, Hadoop 3.3.4) assembled from Maven Central by lmpipe's deploy/standalone/assemble.sh" \
  > "$spark_home/RELEASE"
echo "assemble: SPARK_HOME=$spark_home ($(ls "$spark_home/jars" | wc -l) jars)"
