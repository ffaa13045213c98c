#!/usr/bin/env bash
# ./run.sh flink start|stop|status: a real Flink 1.19 session cluster, one JobManager and one
# TaskManager, each a process of its own, on 127.0.0.1 only, from Flink's Maven Central jars
# (flink/pom.xml; flink-dist is not served). Configuration, logs and pids live in target/flink
# (FLINK_DIR moves it); FLINK_REST_PORT (8281) moves the REST API and web UI (Spark's workers
# hold 8081 and up), FLINK_RPC_PORT (6123) the JobManager's RPC port, FLINK_SLOTS (2) the
# TaskManager's slots.
set -euo pipefail

project="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$project/target/flink-home"
dir="${FLINK_DIR:-$project/target/flink}"
rest_port="${FLINK_REST_PORT:-8281}"
rpc_port="${FLINK_RPC_PORT:-6123}"
slots="${FLINK_SLOTS:-2}"

fail() {
  echo "run.sh flink: $1" >&2
  exit "${2:-1}"
}

alive() { # alive jobmanager|taskmanager
  [[ -f "$dir/$1.pid" ]] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null
}

listening() {
  timeout 2 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null
}

lib() {
  if ! ls "$home/lib"/flink-runtime-web-*.jar >/dev/null 2>&1; then
    echo "run.sh flink: fetching Flink 1.19.0's jars from Maven Central into $home/lib..." >&2
    mkdir -p "$home"
    mvn -B -q -f "$project/flink/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$home/lib" >"$home/fetch.log" 2>&1 ||
      fail "could not fetch Flink's jars, see $home/fetch.log"
  fi
}

# Flink's env.java.opts.all (flink-dist's config.yaml): the openings Flink needs on Java 17.
java_openings=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

configure() {
  mkdir -p "$dir/conf" "$dir/logs" "$dir/tmp"
  cat >"$dir/conf/config.yaml" <<YAML
# Written by ./run.sh flink start: every address on 127.0.0.1.
jobmanager:
  rpc:
    address: 127.0.0.1
    port: $rpc_port
  bind-host: 127.0.0.1
  memory:
    process:
      size: 1024m
taskmanager:
  bind-host: 127.0.0.1
  host: 127.0.0.1
  numberOfTaskSlots: $slots
  memory:
    process:
      size: ${FLINK_TASKMANAGER_MEMORY:-3072m}
rest:
  address: 127.0.0.1
  bind-address: 127.0.0.1
  port: $rest_port
blob:
  server:
    port: "0"
io:
  tmp:
    dirs: $dir/tmp
web:
  tmpdir: $dir/tmp
# A job whose TaskManager dies is restarted from its last checkpoint (when it takes them). The
# JobManager counts a killed TaskManager lost only after 2 failed heartbeats 10 s apart
# (heartbeat.rpc-failure-threshold, heartbeat.interval); until then a restarted batch reads the
# dead one's partitions, is refused and fails again: the attempts must outlast that.
restart-strategy:
  type: fixed-delay
  fixed-delay:
    attempts: 10
    delay: 10 s
YAML
  cp "$project/flink/log4j.properties" "$dir/conf/log4j.properties"
  # The jobs' jar goes into the class path of both processes, as Flink's docs advise for a session
  # cluster running the same code job after job: loaded per job, Beam's classes leak with each
  # job's class loader (apache/beam#25510, FLINK-28248) and the TaskManager died of a full
  # Metaspace after 7 micro-batches. run.sh then stages an empty jar with each job.
  mkdir -p "$dir/lib"
  cp "$FLINK_JOB_JAR" "$dir/lib/message-lake-job.jar"
  mkdir -p "$dir/tmp/nothing"
  jar --create --file "$dir/lib/nothing-to-stage.jar" -C "$dir/tmp/nothing" .
}

# The memory flags Flink's taskmanager.sh / jobmanager.sh compute: BashJavaUtils prints the JVM
# flags, then the -D properties the process must be started with.
resource_params() { # resource_params GET_TM_RESOURCE_PARAMS|GET_JM_RESOURCE_PARAMS
  java -cp "$home/lib/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$dir/conf" \
    2>"$dir/logs/resources.log" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

start_server() { # start_server jobmanager|taskmanager <main class> <resource command>
  local name="$1" main="$2" params jvm properties=()
  params="$(resource_params "$3")" || true
  jvm="$(sed -n 1p <<<"$params")"
  [[ -n "$jvm" ]] || fail "could not compute the $name's memory settings, see $dir/logs/resources.log"
  [[ "$3" == GET_TM_RESOURCE_PARAMS ]] && read -ra properties <<<"$(sed -n 2p <<<"$params")"
  (
    cd "$dir"
    # shellcheck disable=SC2086 # jvm holds several JVM flags
    nohup java $jvm "${java_openings[@]}" -Dlog.file="$dir/logs/$name.log" \
      -Dlog4j.configurationFile="file:$dir/conf/log4j.properties" \
      -cp "$home/lib/*:$dir/lib/message-lake-job.jar" \
      "$main" --configDir "$dir/conf" "${properties[@]}" >"$dir/logs/$name.out" 2>&1 &
    echo $! >"$dir/$name.pid"
  )
}

stop_server() {
  if alive "$1"; then
    kill "$(cat "$dir/$1.pid")"
    for _ in $(seq 1 60); do alive "$1" || break; sleep 0.5; done
    alive "$1" && kill -9 "$(cat "$dir/$1.pid")"
  fi
  rm -f "$dir/$1.pid"
}

overview() {
  curl -s --max-time 2 "http://127.0.0.1:$rest_port/overview"
}

case "${1:-}" in
  start)
    if alive jobmanager && alive taskmanager; then
      echo "run.sh flink: already running (REST and web UI http://127.0.0.1:$rest_port)"
      exit 0
    fi
    for port in "$rpc_port" "$rest_port"; do
      alive jobmanager || ! listening "$port" ||
        fail "127.0.0.1:$port is taken by another process; set FLINK_RPC_PORT or FLINK_REST_PORT to another port"
    done
    [[ -f "${FLINK_JOB_JAR:-}" ]] || fail "FLINK_JOB_JAR must name the jobs' jar (./run.sh flink start builds it)" 2
    lib
    configure
    alive jobmanager || start_server jobmanager \
      org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint GET_JM_RESOURCE_PARAMS
    alive taskmanager || start_server taskmanager \
      org.apache.flink.runtime.taskexecutor.TaskManagerRunner GET_TM_RESOURCE_PARAMS
    for _ in $(seq 1 240); do
      alive jobmanager || { stop_server taskmanager; fail "the JobManager exited while starting; see $dir/logs/jobmanager.log"; }
      alive taskmanager || { stop_server jobmanager; fail "the TaskManager exited while starting; see $dir/logs/taskmanager.log"; }
      if overview | grep -q '"taskmanagers":1'; then
        echo "run.sh flink: up: JobManager 127.0.0.1:$rest_port (REST and web UI http://127.0.0.1:$rest_port), 1 TaskManager with $slots slots; logs in $dir/logs"
        exit 0
      fi
      sleep 0.5
    done
    stop_server taskmanager
    stop_server jobmanager
    fail "Flink did not come up within 120 s; see $dir/logs/jobmanager.log and taskmanager.log"
    ;;
  stop)
    stop_server taskmanager
    stop_server jobmanager
    echo "run.sh flink: stopped"
    ;;
  status)
    for server in jobmanager taskmanager; do
      if alive "$server"; then
        echo "$server: running (pid $(cat "$dir/$server.pid"))"
      else
        echo "$server: stopped"
      fi
    done
    alive jobmanager && echo "overview: $(overview) (http://127.0.0.1:$rest_port)"
    exit 0
    ;;
  *) fail "usage: ./run.sh flink start|stop|status" 2 ;;
esac
