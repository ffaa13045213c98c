#!/usr/bin/env bash
# Faults on the cluster, the lake on HDFS: producer and silver submitted as applications of their
# own; while they run, FAULT_ROUNDS times (2): an executor is SIGKILLed during a silver batch,
# then both drivers are SIGKILLed mid-stream and restarted. Then both stop cleanly, silver catches up, check and gold
# run, and the lake is audited (./run.sh audit: bronze 0..N-1 once, silver = bronze row for row,
# no uncommitted file visible, gold = DuckDB's recomputation).
# Needs the HDFS and the cluster running (scripts/cluster-test.sh starts both): HDFS_PORT names
# the NameNode, HDFS_DIR its configuration. Prints the kills and rows.
set -euo pipefail
cd "$(dirname "$0")/.."

lake="hdfs://127.0.0.1:${HDFS_PORT:-9000}/faults-$$"
logs="$(mktemp -d)"
# A killed driver's lease is taken over after 10 s here, not 30: restarts come sooner.
export JAVA_OPTS="-Xmx1g -Dmessagelake.leaseSeconds=10"
fs() { java -cp "${HDFS_DIR:-target/hdfs}/conf:target/hdfs-home/libs/*" org.apache.hadoop.fs.FsShell "$@" 2>/dev/null; }
folder="/${lake#hdfs://*/}"
commits() { fs -count "$folder/silver/checkpoint/commits" | awk '{print $2}' || echo 0; }
fail() { echo "cluster-faults: $1" >&2; tail -30 "$logs"/*.log >&2; exit 1; }

start() { # start bronze|silver: submitted in the background, logging to $logs/<job>.log
  local job="$1" args=(--lake="$lake")
  [[ "$job" == bronze ]] && args+=(--rowsPerSecond=50) || args+=(--triggerSeconds=5)
  [[ -f "$logs/$job.log" ]] && cat "$logs/$job.log" >>"$logs/$job-earlier.txt"
  # in a subshell: not a job of this shell, whose kills bash would report
  (./run.sh submit "$job" "${args[@]}" >"$logs/$job.log" 2>&1 & echo $! >"$logs/$job.pid")
}
alive() { kill -0 "$(cat "$logs/$1.pid")" 2>/dev/null; }
# Restarts $1 until it runs past its lock: a refused start (the dead driver's lease is not yet
# expired) exits 2 at once and is retried.
restart() {
  for _ in $(seq 1 10); do
    start "$1"
    local pid
    pid="$(cat "$logs/$1.pid")"
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      grep -q "a batch every\|rows/s into" "$logs/$1.log" && return 0
      sleep 1
    done
    kill -0 "$pid" 2>/dev/null && return 0
    grep -q "already running on this lake" "$logs/$1.log" || fail "$1 did not restart"
    sleep 3
  done
  fail "$1 could not take its lease back"
}
await_commit() { # waits for silver's next commit after the one counted now
  local before
  before="$(commits)"
  for _ in $(seq 1 60); do
    [[ "$(commits)" -gt "$before" ]] && return 0
    sleep 2
  done
  fail "silver committed nothing for 2 minutes"
}

start bronze
start silver
await_commit
executor_kills=0 driver_kills=0
for _ in $(seq 1 "${FAULT_ROUNDS:-2}"); do
  # An executor, SIGKILLed while a batch runs: Spark starts another and reruns its tasks.
  for _ in $(seq 1 40); do
    pid="$(pgrep -f CoarseGrainedExecutorBackend | shuf -n1 || true)"
    [[ -n "$pid" ]] && break
    sleep 0.5
  done
  [[ -n "$pid" ]] || fail "no executor to kill"
  kill -9 "$pid" && executor_kills=$((executor_kills + 1))
  await_commit
  # Both drivers, SIGKILLed mid-stream, and restarted.
  kill -9 "$(cat "$logs/bronze.pid")" "$(cat "$logs/silver.pid")" && driver_kills=$((driver_kills + 2))
  restart bronze
  restart silver
  await_commit
done

kill "$(cat "$logs/bronze.pid")" "$(cat "$logs/silver.pid")"
for job in bronze silver; do
  for _ in $(seq 1 60); do alive "$job" || break; sleep 1; done
  alive "$job" && fail "$job did not stop on SIGTERM"
done
./run.sh submit silver --lake="$lake" --catchUp >>"$logs/catch-up.log" 2>&1 || fail "catch-up failed"
./run.sh submit check --lake="$lake" >>"$logs/check.log" 2>&1 || fail "check failed"
./run.sh submit gold --lake="$lake" >>"$logs/gold.log" 2>&1 || fail "gold failed"
unset JAVA_OPTS
./run.sh audit --lake="$lake" | tee "$logs/audit.log" || fail "the audit failed"
echo "cluster-faults: $executor_kills executors and $driver_kills drivers SIGKILLed;" \
  "$(grep -m1 '^audit: bronze' "$logs/audit.log")"
fs -rm -r -skipTrash "$folder" >/dev/null || true
rm -rf "$logs"
