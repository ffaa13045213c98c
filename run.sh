#!/usr/bin/env bash
# The one entry point of the message lake: ./run.sh <job> [--option=value ...]
# Each job's defaults live in pipelines/<job>; options given here override them.
set -euo pipefail

project="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pipelines="$project/pipelines"

usage() {
  echo "usage: ./run.sh <job> [--option=value ...]   (./run.sh <job> --help lists its options)"
  echo
  echo "jobs:"
  for file in "$pipelines"/*; do
    printf '  %-10s %s\n' "$(basename "$file")" "$(sed -n '1s/^# *//p' "$file")"
  done
}

# Builds once; later calls reuse the build until a source file or the pom changes.
build() {
  local stamp="$project/target/.run-build"
  if [[ -f "$stamp" && -z "$(find "$project/pom.xml" "$project/src/main" -newer "$stamp" -print -quit)" ]]; then
    return
  fi
  echo "run.sh: building (mvn package, first run downloads dependencies)..." >&2
  if ! (cd "$project" && mvn -B -q package -DskipTests >"$project/target-build.log" 2>&1); then
    echo "run.sh: build failed, see $project/target-build.log" >&2
    exit 1
  fi
  rm -f "$project/target-build.log"
  touch "$stamp"
}

job="${1:-}"
case "$job" in
  "" | -h | --help | help)
    usage
    exit 0
    ;;
esac
shift
definition="$pipelines/$job"
if [[ ! -f "$definition" ]]; then
  echo "run.sh: unknown job '$job'" >&2
  usage >&2
  exit 2
fi

main_class="$(sed -n 's/^main=//p' "$definition")"
mapfile -t defaults < <(grep -E '^--' "$definition" || true)

# Spark (the Spark runner) on Java 17 needs these openings; they cost the Direct runner nothing.
spark_java_options=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  # One SparkContext per JVM, shared by the pipelines a job runs (silver's micro-batches, the
  # lake's producer and silver together): Spark allows only one, and creating it costs seconds.
  -Dbeam.spark.test.reuseSparkContext=true
)

build
classpath="$project/target/classes:$(cat "$project/target/runtime-classpath.txt")"
# shellcheck disable=SC2086 # JAVA_OPTS holds several JVM flags
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"  # Spark binds loopback unless told otherwise
exec java "${spark_java_options[@]}" ${JAVA_OPTS:--Xmx4g} -cp "$classpath" "$main_class" "${defaults[@]}" "$@"
