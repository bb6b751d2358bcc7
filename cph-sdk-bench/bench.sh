#!/bin/sh
# Runs the cph-sdk benchmarks from the built bench module (build it first:
#   mvn -B -ntp -q -pl cph-sdk-bench -am package -DskipTests).
#   cph-sdk-bench/bench.sh side [--quick | options]   side-by-side harness (io.github.cphsdk.bench.SideBySide)
#   cph-sdk-bench/bench.sh realistic [--quick | options]  TLS, 25 ms latency, each client in its own JVM
#   cph-sdk-bench/bench.sh jmh [JMH options]          JMH microbenchmarks, e.g. -prof gc
#   cph-sdk-bench/bench.sh stub [port]                the stub server alone
# JAVA_OPTS adds JVM options to the harness (e.g. a JFR recording).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
cpfile="$dir/target/classpath-all.txt"
if [ ! -f "$cpfile" ] || [ ! -d "$dir/target/classes" ]; then
  echo "build first: mvn -B -ntp -q -pl cph-sdk-bench -am package -DskipTests" >&2
  exit 2
fi
cp="$dir/target/classes:$(cat "$cpfile")"
what=${1:-}
[ $# -gt 0 ] && shift
case "$what" in
  side) exec java -Xms512m -Xmx512m ${JAVA_OPTS:-} -Dbench.dir="$dir" -cp "$cp" io.github.cphsdk.bench.SideBySide "$@" ;;
  realistic) exec java ${JAVA_OPTS:-} -cp "$cp" io.github.cphsdk.bench.Realistic "$@" ;;
  jmh)  exec java -cp "$cp" org.openjdk.jmh.Main "$@" ;;
  stub) exec java -Dsun.net.httpserver.nodelay=true -Dsun.net.httpserver.maxIdleConnections=4096 -Dsun.net.httpserver.idleInterval=3600 -cp "$cp" io.github.cphsdk.bench.StubServer "$@" ;;
  *) sed -n '2,8p' "$0" >&2; exit 2 ;;
esac
