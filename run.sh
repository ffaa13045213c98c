#!/usr/bin/env bash
# The one entry point of the message lake:
#   ./run.sh <job> [--option=value ...]          run a job (Direct runner, or --runner=SparkRunner)
#   ./run.sh cluster start [--workers=N] [--isolated]|stop|status   a Spark standalone cluster on 127.0.0.1
#   ./run.sh submit <job> [--option=value ...]   send a job to that cluster with spark-submit
#   ./run.sh test                                the tests (installs Chromium and PostgreSQL if missing)
#   ./run.sh kafka start|stop|status|reset       a Kafka broker (KRaft) on 127.0.0.1:9092
#   ./run.sh postgres start|stop|status|reset    a PostgreSQL server on 127.0.0.1:5432
#   ./run.sh hdfs start|stop|status|reset        an HDFS (NameNode + DataNode) on 127.0.0.1:9000
#   ./run.sh s3 start|stop|status|reset          an S3 API server (s3proxy) on 127.0.0.1:9002
#   ./run.sh flink start|stop|status             a Flink session cluster on 127.0.0.1 (UI :8281)
#   ./run.sh flink submit <job> [--option=value ...]   send a job to that Flink cluster
# Each job's defaults live in pipelines/<job>; options given here override them.
set -euo pipefail

project="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pipelines="$project/pipelines"
spark_home="$project/target/spark-home"
cluster_dir="$project/target/cluster"
master_url="${SPARK_MASTER_URL:-spark://127.0.0.1:7077}"
flink_master="${FLINK_MASTER:-127.0.0.1:${FLINK_REST_PORT:-8281}}" # the JobManager's REST address
flink_dir="${FLINK_DIR:-$project/target/flink}"
flink_job_jar=message-lake-job.jar # the jobs, in the class path of the cluster's processes
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" # Spark binds loopback unless told otherwise
# A lake on the HDFS of ./run.sh hdfs is reached with its client settings (dfs.replication=1: one
# DataNode), unless HADOOP_CONF_DIR names the configuration of another.
# A lake on the S3 server of ./run.sh s3 (--lake=s3a://...) likewise, with the credentials its
# start generated (in a file, never on a command line).
hdfs_conf="${HDFS_DIR:-$project/target/hdfs}/conf"
s3_conf="${S3_DIR:-$project/target/s3}/conf"
if [[ -z "${HADOOP_CONF_DIR:-}" ]]; then
  if [[ " $* " == *" --lake=s3a://"* && -f "$s3_conf/core-site.xml" ]]; then
    export HADOOP_CONF_DIR="$s3_conf"
  elif [[ -f "$hdfs_conf/hdfs-site.xml" ]]; then
    export HADOOP_CONF_DIR="$hdfs_conf"
  fi
fi

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

usage() {
  echo "usage: ./run.sh <job> [--option=value ...]   (./run.sh <job> --help lists its options)"
  echo "       ./run.sh cluster start [--workers=N] [--isolated]|stop|status"
  echo "                                              Spark standalone master + N workers (default 1) on 127.0.0.1;"
  echo "                                              --isolated: each worker in its own mount namespace, blind to this tree and /tmp"
  echo "       ./run.sh submit <job> [--option=value ...]   run a job on that cluster"
  echo "       ./run.sh test                          the tests (mvn -B test; installs Debian's chromium and postgresql first if missing)"
  echo "       ./run.sh kafka start|stop|status|reset  a Kafka broker (KRaft) on 127.0.0.1:9092"
  echo "       ./run.sh postgres start|stop|status|reset  PostgreSQL on 127.0.0.1:5432"
  echo "       ./run.sh hdfs start|stop|status|reset  HDFS, a NameNode and a DataNode, on 127.0.0.1:9000"
  echo "       ./run.sh s3 start|stop|status|reset    an S3 API server (s3proxy) on 127.0.0.1:9002, bucket s3a://lake"
  echo "       ./run.sh flink start|stop|status        a Flink 1.19 session cluster (JobManager + TaskManager), UI http://127.0.0.1:8281"
  echo "       ./run.sh flink submit <job> [--option=value ...]   run a job on that Flink cluster"
  echo
  echo "jobs:"
  for file in "$pipelines"/*; do
    printf '  %-10s %s\n' "$(basename "$file")" "$(sed -n '1s/^# *//p' "$file")"
  done
}

fail() {
  echo "run.sh: $1" >&2
  exit "${2:-2}"
}

# Runs Maven into target/build.log, saying every 10 s that it is still working (the first build
# downloads the dependencies); on a failure keeps the log and prints its tail.
maven() {
  local what="$1"
  shift
  local log="$project/target/build.log"
  mkdir -p "$project/target"
  echo "run.sh: $what (mvn $*; log in target/build.log)..." >&2
  (cd "$project" && exec mvn -B "$@") >"$log" 2>&1 &
  local build_pid=$! started=$SECONDS
  (
    while sleep 10; do
      downloaded="$(grep -c '^Downloaded from' "$log" || true)"
      ((downloaded > 0)) && downloaded=", $downloaded artifacts downloaded" || downloaded=""
      echo "run.sh: $what: $((SECONDS - started)) s$downloaded" >&2
    done
  ) &
  local ticker=$!
  # shellcheck disable=SC2064 # the pids are known now
  trap "kill $build_pid $ticker 2>/dev/null" EXIT # Ctrl-C leaves no Maven behind
  local status=0
  wait "$build_pid" || status=$?
  kill "$ticker" 2>/dev/null
  wait "$ticker" 2>/dev/null || true
  trap - EXIT
  if ((status != 0)); then
    echo "run.sh: $what failed after $((SECONDS - started)) s; the end of target/build.log:" >&2
    grep -E '^\[(ERROR|WARNING)\]' "$log" | tail -n 20 >&2 || tail -n 20 "$log" >&2
    exit 1
  fi
}

# Builds once; later calls reuse the build until a source file or a pom changes.
sources=("$project/pom.xml" "$project/jobs/pom.xml" "$project/jobs/src/main" "$project/harness/pom.xml" "$project/harness/src/main")
# Two run.sh started at once (producer and silver submitted side by side) build one at a time:
# the second waits, then finds the build fresh. The lock is let go before the job runs.
build_lock() {
  mkdir -p "$project/target"
  exec 9>"$project/target/.build.lock"
  flock 9
}
build_unlock() {
  flock -u 9
  exec 9>&-
}

build() {
  local stamp="$project/target/.run-build"
  build_lock
  if [[ ! -f "$stamp" || -n "$(find "${sources[@]}" -newer "$stamp" -print -quit)" ]]; then
    maven "building the project" package -DskipTests
    rm -rf "$project/target/cds" # class-data archives of the previous jars
    touch "$stamp"
  fi
  build_unlock
}

# The bundled jar spark-submit sends to the cluster (Spark itself and the harness left out).
job_jar() {
  local jar="$project/jobs/target/message-lake-0.1.0-SNAPSHOT-job.jar"
  local stamp="$project/target/.job-jar-build"
  build_lock
  if [[ ! -f "$jar" || ! -f "$stamp" || -n "$(find "${sources[@]}" -newer "$stamp" -print -quit)" ]]; then
    maven "building the job jar" package -DskipTests -Pjob-jar >&2
    rm -rf "$project/target/cds"
    touch "$stamp" "$project/target/.run-build"
  fi
  build_unlock
  echo "$jar"
}

job_definition() {
  local job="$1"
  if [[ ! -f "$pipelines/$job" ]]; then
    fail "unknown job '$job'; the jobs are: $(cd "$pipelines" && ls | paste -sd, - | sed 's/,/, /g') (./run.sh --help)"
  fi
  main_class="$(sed -n 's/^main=//p' "$pipelines/$job")"
  java_options="$(sed -n 's/^java=//p' "$pipelines/$job")" # JVM flags of the job, if any
  module="$(sed -n 's/^module=//p' "$pipelines/$job")"       # jobs (the lake) unless harness
  module="${module:-jobs}"
  mapfile -t defaults < <(grep -E '^--' "$pipelines/$job" || true)
}

# A SPARK_HOME laid out from Spark's Maven Central jars: jars/, a RELEASE file, conf/.
spark_home() {
  if ! ls "$spark_home/jars"/spark-core_2.12-*.jar >/dev/null 2>&1; then
    echo "run.sh: laying out Spark 3.5.1 from Maven Central in $spark_home..." >&2
    maven "fetching Spark's jars" -f "$project/cluster/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$spark_home/jars"
  fi
  mkdir -p "$spark_home/conf"
  echo "Spark 3.5.1 (Scala 2.12) assembled from Maven Central jars" >"$spark_home/RELEASE"
  cp "$project/cluster/log4j2.properties" "$spark_home/conf/log4j2.properties"
}

master_host_port() {
  local address="${master_url#spark://}"
  echo "${address%%,*}"
}

master_reachable() {
  local hostport
  hostport="$(master_host_port)"
  timeout 3 bash -c "</dev/tcp/${hostport%:*}/${hostport##*:}" 2>/dev/null
}

daemon_alive() {
  [[ -f "$cluster_dir/$1.pid" ]] && kill -0 "$(cat "$cluster_dir/$1.pid")" 2>/dev/null
}

start_daemon() {
  local name="$1"
  shift
  (
    cd "$cluster_dir"
    SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.12 \
      nohup java "${spark_java_options[@]}" -Xmx512m -cp "$spark_home/conf:$spark_home/jars/*" "$@" \
      >"$cluster_dir/$name.log" 2>&1 &
    echo $! >"$cluster_dir/$name.pid"
  )
}

# Worker i (1..N) of the cluster: its web UI port, pid and log names.
worker_ui_port() { echo $((8080 + $1)); }

worker_count() { # the workers the running cluster was started with
  cat "$cluster_dir/workers" 2>/dev/null || echo 1
}

# Starts worker $1. Isolated, it runs in a mount namespace of its own where tmpfs hides the
# project's tree and /tmp (where the driver's job jar, scratch and any local lake live): a task
# that wrote to a local path writes into its private tmpfs, never where the driver looks. Its
# Spark jars and work folder are bind-mounted under /run/messagelake-cluster/worker-<i> first.
start_worker() {
  local i="$1" isolated="$2" home="$spark_home" work="$cluster_dir/worker-$1"
  mkdir -p "$work"
  local command=(java "${spark_java_options[@]}" -Xmx512m)
  if [[ "$isolated" == yes ]]; then
    local view="/run/messagelake-cluster/worker-$i"
    mkdir -p "$view/spark" "$view/work"
    home="$view/spark"
    command=(unshare --mount --propagation private -- bash -c '
      set -e
      mount --bind "$1" "$3/spark"; mount --bind "$2" "$3/work"
      mount -t tmpfs -o size=2g tmpfs "$4"; mount -t tmpfs -o size=2g tmpfs /tmp
      shift 4; exec "$@"' worker "$spark_home" "$work" "$view" "$project" "${command[@]}")
    work="$view/work"
  fi
  (
    cd /
    SPARK_HOME="$home" SPARK_SCALA_VERSION=2.12 \
      nohup "${command[@]}" -cp "$home/conf:$home/jars/*" org.apache.spark.deploy.worker.Worker \
      spark://127.0.0.1:7077 --host 127.0.0.1 --webui-port "$(worker_ui_port "$i")" \
      --cores "${SPARK_WORKER_CORES:-2}" --memory "${SPARK_WORKER_MEMORY:-4g}" \
      --work-dir "$work/work" >"$cluster_dir/worker-$i.log" 2>&1 &
    echo $! >"$cluster_dir/worker-$i.pid"
  )
}

cluster() {
  local command="${1:-}"
  shift || true
  case "$command" in
    start)
      local workers=1 isolated=no
      for arg in "$@"; do
        case "$arg" in
          --workers=*) workers="${arg#--workers=}" ;;
          --isolated) isolated=yes ;;
          *) fail "cluster start: unknown option $arg (options: --workers=N, --isolated)" ;;
        esac
      done
      [[ "$workers" =~ ^[1-9][0-9]?$ ]] || fail "cluster start: --workers must be a number from 1 to 99, got $workers"
      if [[ "$isolated" == yes ]] && ! unshare --mount true 2>/dev/null; then
        fail "cluster start --isolated: needs mount namespaces (unshare --mount): run as root"
      fi
      daemon_alive master && { echo "run.sh: the cluster is already running (./run.sh cluster status)"; return; }
      spark_home
      mkdir -p "$cluster_dir"
      echo "$workers" >"$cluster_dir/workers"
      # An application takes SPARK_APP_CORES (2) of the cluster's cores unless it asks for more:
      # with two workers or more, producer and silver submitted apart run side by side.
      start_daemon master -Dspark.deploy.defaultCores="${SPARK_APP_CORES:-2}" \
        org.apache.spark.deploy.master.Master \
        --host 127.0.0.1 --port 7077 --webui-port 8080
      for i in $(seq 1 "$workers"); do start_worker "$i" "$isolated"; done
      for _ in $(seq 1 60); do
        if curl -sf http://127.0.0.1:8080/json/ 2>/dev/null | grep -q "\"aliveworkers\" *: *$workers\b"; then
          local uis=""
          for i in $(seq 1 "$workers"); do uis+=" http://127.0.0.1:$(worker_ui_port "$i")"; done
          echo "run.sh: Spark cluster up: master spark://127.0.0.1:7077 (UI http://127.0.0.1:8080), $workers worker(s)$([[ $isolated == yes ]] && echo ", each in its own mount namespace") (UI$uis); logs in $cluster_dir"
          return
        fi
        sleep 1
      done
      cluster stop >/dev/null
      fail "the cluster did not come up in 60 s; see $cluster_dir/master.log and worker-*.log" 1
      ;;
    stop)
      local names=()
      for pid in "$cluster_dir"/worker-*.pid; do [[ -f "$pid" ]] && names+=("$(basename "$pid" .pid)"); done
      names+=(master)
      for name in "${names[@]}"; do
        if daemon_alive "$name"; then
          kill "$(cat "$cluster_dir/$name.pid")"
          for _ in $(seq 1 20); do daemon_alive "$name" || break; sleep 1; done
          daemon_alive "$name" && kill -9 "$(cat "$cluster_dir/$name.pid")"
        fi
        rm -f "$cluster_dir/$name.pid"
      done
      # Executors a worker started, should one have outlived it.
      pkill -f "CoarseGrainedExecutorBackend.*($spark_home|/run/messagelake-cluster)" 2>/dev/null || true
      rm -rf /run/messagelake-cluster 2>/dev/null || true
      echo "run.sh: Spark cluster stopped"
      ;;
    status)
      local names=(master)
      for pid in "$cluster_dir"/worker-*.pid; do [[ -f "$pid" ]] && names+=("$(basename "$pid" .pid)"); done
      for name in "${names[@]}"; do
        if daemon_alive "$name"; then echo "$name: running (pid $(cat "$cluster_dir/$name.pid"))"; else echo "$name: stopped"; fi
      done
      if daemon_alive master; then
        curl -sf http://127.0.0.1:8080/json/ | grep -E '"(url|aliveworkers|cores|coresused|status)"' || true
      fi
      ;;
    *) fail "usage: ./run.sh cluster start [--workers=N] [--isolated] | stop | status" ;;
  esac
}

submit() {
  local job="${1:-}"
  [[ -n "$job" ]] || fail "usage: ./run.sh submit <job> [--option=value ...]"
  shift
  job_definition "$job"
  [[ "$module" == jobs ]] || fail "$job is a harness tool: it runs here (./run.sh $job), and is never sent to a cluster"
  master_reachable || fail "the Spark master $master_url is unreachable; start one with ./run.sh cluster start (or set SPARK_MASTER_URL)"
  local jar
  jar="$(job_jar)"
  spark_home
  # Every worker is on 127.0.0.1: without readHostLocalDisk=false an executor reads another's
  # shuffle files from disk as "host-local", which isolated workers (and real hosts) cannot.
  echo "run.sh: submitting $job to $master_url (master UI http://127.0.0.1:8080, application UI http://127.0.0.1:4040 while it runs)" >&2
  # shellcheck disable=SC2086 # JAVA_OPTS holds several JVM flags (the driver's, in client mode)
  exec java "${spark_java_options[@]}" ${JAVA_OPTS:--Xmx2g} -cp "$spark_home/conf:$spark_home/jars/*" \
    org.apache.spark.deploy.SparkSubmit --master "$master_url" \
    --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
    --conf spark.shuffle.readHostLocalDisk=false \
    --class "$main_class" "$jar" \
    "${defaults[@]}" --runner=SparkRunner --sparkMaster="$master_url" --filesToStage="$jar" "$@"
}

# A job on the Flink session cluster: the driver runs here and the Beam runner submits one Flink
# job per pipeline run (a micro-batch job: one per batch). Flink and the Hadoop client come from
# the cluster's lib/, as they do on the TaskManager.
flink_submit() {
  local job="${1:-}"
  [[ -n "$job" ]] || fail "usage: ./run.sh flink submit <job> [--option=value ...]"
  shift
  job_definition "$job"
  [[ "$module" == jobs ]] || fail "$job is a harness tool: it runs here (./run.sh $job), and is never sent to a cluster"
  curl -sf --max-time 3 "http://$flink_master/overview" >/dev/null ||
    fail "the Flink JobManager $flink_master is unreachable; start one with ./run.sh flink start (or set FLINK_MASTER)"
  local jar staged
  jar="$(job_jar)"
  # The cluster ./run.sh flink start started holds the job jar in its class path: each job sends
  # an empty jar instead (Beam stages the whole class path when given none). Another cluster gets
  # the job jar with every job.
  staged="$jar"
  if [[ -f "$flink_dir/lib/$flink_job_jar" && -z "${FLINK_MASTER:-}" ]]; then
    cmp -s "$jar" "$flink_dir/lib/$flink_job_jar" ||
      fail "the Flink cluster runs an older build of the jobs; restart it to load this one: ./run.sh flink stop && ./run.sh flink start"
    staged="$flink_dir/lib/nothing-to-stage.jar"
  fi
  echo "run.sh: submitting $job to the Flink cluster at $flink_master (web UI http://$flink_master)" >&2
  # shellcheck disable=SC2086 # JAVA_OPTS holds several JVM flags
  exec java "${spark_java_options[@]}" ${JAVA_OPTS:--Xmx2g} -Dmessagelake.pipelines="$pipelines" \
    -cp "$jar:$project/target/flink-home/lib/*" "$main_class" \
    "${defaults[@]}" --runner=FlinkRunner --flinkMaster="$flink_master" --filesToStage="$staged" "$@"
}

# The tests drive Debian's Chromium (the dashboard test) and start Debian's PostgreSQL server.
test_prerequisites() {
  local missing=()
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  [[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
  ((${#missing[@]} == 0)) && return
  local sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  mkdir -p "$project/target"
  echo "run.sh: the tests need Debian's ${missing[*]}: installing them (apt-get)..." >&2
  { $sudo apt-get update -q && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } \
    >"$project/target/install.log" 2>&1 ||
    fail "could not install ${missing[*]}, see target/install.log" 1
  rm -f "$project/target/install.log"
}

job="${1:-}"
case "$job" in
  "" | -h | --help | help) usage; exit 0 ;;
  cluster) shift; cluster "$@"; exit 0 ;;
  test) shift; test_prerequisites; cd "$project"; exec mvn -B test "$@" ;;
  kafka) shift; exec "$project/scripts/kafka.sh" "$@" ;;
  postgres) shift; exec "$project/scripts/postgres.sh" "$@" ;;
  hdfs) shift; exec "$project/scripts/hdfs.sh" "$@" ;;
  s3) shift; exec "$project/scripts/s3.sh" "$@" ;;
  flink)
    shift
    case "${1:-}" in
      submit) shift; flink_submit "$@" ;;
      start) FLINK_JOB_JAR="$(job_jar)" exec "$project/scripts/flink.sh" "$@" ;;
      *) exec "$project/scripts/flink.sh" "$@" ;;
    esac
    ;;
  submit) shift; submit "$@" ;;
esac
shift
job_definition "$job"
build
module_target="$project/$module/target"
# The module's jar, not its classes folder: class-data sharing (below) takes jars only.
module_jar="$(find "$module_target" -maxdepth 1 -name '*.jar' ! -name '*-tests.jar' ! -name '*-job.jar' | head -n 1)"
classpath="${module_jar:-$module_target/classes}:$(cat "$module_target/runtime-classpath.txt")"
# Spark's own jars (provided scope) only where Spark runs: the Spark runner, or a harness tool (the
# bench's and the audit's Spark peers). Without them a Direct or Flink job scans 80 fewer jars.
runner="$(printf '%s\n' "${defaults[@]}" "$@" | sed -n 's/^--runner=//p' | tail -n 1)"
if [[ "$module" != jobs || "${runner,,}" == *spark* ]]; then
  classpath+=":$(cat "$module_target/provided-classpath.txt")"
fi
help=no
for arg in "$@"; do
  [[ "$arg" == --help || "$arg" == -h || "$arg" == --help=* ]] && help=yes
done
cds=()
if [[ "$help" == yes ]]; then
  # --help reads the options interfaces and runs nothing: a JVM that starts fast, and Log4j's
  # simple logger instead of its plugin scan over 300 jars (seconds).
  java_options="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
  java_options+=" -Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory"
  JAVA_OPTS=""
elif [[ -z "${JAVA_OPTS:-}" ]]; then
  # A batch job over a small local lake (under pipelines/<job>'s small-lake-mb): the JIT's first
  # tier only (java-small-lake=), as its optimizing compiler's work does not pay off in so short
  # a run on 2 cores, and does on a large lake. The bench's PipelineDefaults applies the same rule.
  small_mb="$(sed -n 's/^small-lake-mb=//p' "$pipelines/$job")"
  if [[ -n "$small_mb" ]]; then
    lake="$(printf '%s\n' "${defaults[@]}" "$@" | sed -n 's/^--lake=//p' | tail -n 1)"
    lake="${lake:-lake}" # LakeOptions' default
    lake_bytes="$(du -sbL "$lake" 2>/dev/null | cut -f1)"
    if [[ "$lake" != *://* ]] && ((${lake_bytes:-0} < small_mb * 1024 * 1024)); then
      java_options="${java_options:--Xmx4g} $(sed -n 's/^java-small-lake=//p' "$pipelines/$job")"
    fi
  fi
  # Not under the user's own JAVA_OPTS: JDK 17.0.15's JFR (and any agent with a class-file hook)
  # crashed here mapping a dynamic archive (SIGSEGV in check_shared_class_file_load_hook).
  # Class-data sharing (JDK 17's dynamic AppCDS archive): a job's first run after a build records
  # the classes it loaded into target/cds at its exit; later runs map them instead of loading and
  # verifying them again from 300 jars. A build deletes the archives (they name the jars they came
  # from). The lock tells a run that another is still recording (the archive is written at exit).
  archive="$project/target/cds/$job.jsa"
  [[ "$classpath" == *spark-core_* ]] && archive="$project/target/cds/$job-spark.jsa"
  mkdir -p "$project/target/cds"
  exec 8>"$archive.lock"
  if flock -n 8; then
    if [[ -s "$archive" ]]; then
      cds=(-XX:SharedArchiveFile="$archive")
      exec 8>&-
    else
      echo "run.sh: recording the classes $job loads into target/cds for a quicker start next time (its first run after a build; seconds more at its exit)" >&2
      cds=(-XX:ArchiveClassesAtExit="$archive") # fd 8, and the lock, stay with the JVM till it exits
    fi
  else
    exec 8>&- # another run is recording: this one starts without
  fi
  cds+=("-Xlog:cds*=off") # an archive that no longer matches is ignored, without a warning on stdout
fi
# shellcheck disable=SC2086 # JAVA_OPTS and java_options hold several JVM flags
exec java "${spark_java_options[@]}" ${JAVA_OPTS:-${java_options:--Xmx4g}} "${cds[@]}" \
  -Dmessagelake.pipelines="$pipelines" -cp "$classpath" "$main_class" \
  "${defaults[@]}" "$@"
