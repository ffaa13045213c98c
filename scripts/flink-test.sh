#!/usr/bin/env bash
# The lake on a real Flink session cluster, as users run it:
# 1. ./run.sh flink start, then the lake submitted (producer and silver side by side, the check,
#    gold): bronze reconciles with silver and the driver prints both reports;
# 2. the TaskManager SIGKILLed while a silver batch runs, then started again: Flink reruns the
#    batch's job once a TaskManager is back, silver goes on, and the audit finds the lake exact;
# 3. an unreachable JobManager is one line, exit 2;
# and no Flink process is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="$(mktemp -d)"
lake="$scratch/lake"
# A Flink of this test's own, away from the ports a user's may hold.
export FLINK_DIR="$scratch/flink" FLINK_REST_PORT=18281 FLINK_RPC_PORT=16123
rest="http://127.0.0.1:$FLINK_REST_PORT"
cleanup() {
  ./run.sh flink stop >/dev/null 2>&1 || true
  pkill -f "dev.messagelake.*$scratch" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
fail() {
  echo "flink-test: $1" >&2
  for log in "$scratch"/*.log; do [[ -f "$log" ]] && { echo "== $log" >&2; tail -20 "$log" >&2; }; done
  exit 1
}

./run.sh flink start
curl -sf "$rest/" | grep -qi "<html" || fail "the web UI does not answer on $rest"

./run.sh flink submit lake --lake="$lake" --durationSeconds=30 | tee "$scratch/lake.log"
grep -q "OK: bronze reconciles with silver, row for row" "$scratch/lake.log" ||
  fail "the lake on Flink did not reconcile"
for report in daily_channel_events user_channel_activity; do
  grep -q "^gold/$report ([1-9][0-9]* rows):" "$scratch/lake.log" ||
    fail "the driver did not print gold/$report"
  test -s "$lake/gold/$report/$report.csv" || fail "missing report gold/$report"
done
echo "flink-test: the lake on the Flink session cluster reconciled, both reports written"

# A TaskManager lost during a silver batch. Bronze runs here (Direct runner): every job on the
# cluster is then one of silver's batches.
./run.sh bronze --lake="$lake" --durationSeconds=40 --rowsPerSecond=50 >"$scratch/bronze.log" 2>&1 &
bronze=$!
./run.sh flink submit silver --lake="$lake" --durationSeconds=45 >"$scratch/silver.log" 2>&1 &
silver=$!
running() { curl -sf "$rest/jobs/overview" | grep -q '"state":"RUNNING"'; }
for _ in $(seq 1 600); do
  running && grep -q "^.* silver batch [0-9]*:" "$scratch/silver.log" && break
  sleep 0.1
done
running || fail "no silver batch ran on the cluster"
taskmanager="$(cat "$FLINK_DIR/taskmanager.pid")"
kill -9 "$taskmanager"
while kill -0 "$taskmanager" 2>/dev/null; do sleep 0.1; done
echo "flink-test: TaskManager SIGKILLed during a silver batch; starting another"
./run.sh flink start
wait "$bronze" || fail "bronze failed"
wait "$silver" || fail "silver failed after the TaskManager's loss"
restarts="$(curl -sf "$rest/jobs/overview" | grep -o '"state":"[A-Z]*"' | sort | uniq -c | paste -sd' ')"
echo "flink-test: silver went on: $(grep -c ' silver batch ' "$scratch/silver.log") batches; jobs on the cluster: $restarts"
./run.sh flink submit silver --lake="$lake" --catchUp >"$scratch/catch-up.log" 2>&1 || fail "catch-up failed"
./run.sh flink submit check --lake="$lake" >"$scratch/check.log" 2>&1 || fail "the check failed"
./run.sh flink submit gold --lake="$lake" >"$scratch/gold.log" 2>&1 || fail "gold failed"
./run.sh audit --lake="$lake" | tee "$scratch/audit.log" || fail "the audit failed"

# No JobManager there: one line, exit 2.
set +e
FLINK_REST_PORT=1 ./run.sh flink submit silver --lake="$lake" >"$scratch/unreachable.log" 2>&1
status=$?
set -e
if [[ $status -ne 2 || "$(wc -l <"$scratch/unreachable.log")" -ne 1 ]]; then
  fail "an unreachable JobManager should be one line and exit 2 (exit $status)"
fi
echo "flink-test: $(cat "$scratch/unreachable.log")"

./run.sh flink stop
trap - EXIT
rm -rf "$scratch"
if pgrep -f 'StandaloneSessionClusterEntrypoint|TaskManagerRunner' >/dev/null; then
  echo "flink-test: Flink processes left behind:" >&2
  pgrep -af 'StandaloneSessionClusterEntrypoint|TaskManagerRunner' >&2
  exit 1
fi
echo "flink-test: OK (the lake on a Flink session cluster; a TaskManager lost mid-batch; unreachable master refused; no process left)"
