#!/usr/bin/env bash
# The lake on a real Spark standalone cluster, as users run it: an HDFS and two workers, each in
# a mount namespace of its own that hides this tree and /tmp (they share no disk with the
# driver): the whole lake flow on hdfs:// reconciles; producer and silver survive an executor's
# and their drivers' SIGKILLs (scripts/cluster-faults.sh); the same flow on a local lake fails
# with one line instead of passing by luck; and no Spark or HDFS process is left behind. (A local
# lake on a worker that shares the driver's disk is what scripts/flink-test.sh runs on Flink.)
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="$(mktemp -d)"
lake="$scratch/lake"
# An HDFS of this test's own, away from the default ports a user's may hold.
export HDFS_DIR="$scratch/hdfs" HDFS_PORT=19000 HDFS_HTTP_PORT=19870 HDFS_DATANODE_PORT=19866 \
  HDFS_DATANODE_HTTP_PORT=19864 HDFS_DATANODE_IPC_PORT=19867
cleanup() {
  ./run.sh cluster stop >/dev/null 2>&1 || true
  ./run.sh hdfs stop >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

./run.sh hdfs start
./run.sh cluster start --workers=2 --isolated
out="$scratch/hdfs-lake.log"
./run.sh submit lake --lake="hdfs://127.0.0.1:$HDFS_PORT/lake" --durationSeconds=40 | tee "$out"
grep -q "OK: bronze reconciles with silver, row for row" "$out" ||
  { echo "cluster-test: the lake on HDFS did not reconcile" >&2; exit 1; }
for report in daily_channel_events user_channel_activity; do
  grep -q "^gold/$report ([1-9][0-9]* rows):" "$out" ||
    { echo "cluster-test: the driver did not print gold/$report" >&2; exit 1; }
  java -cp "$HDFS_DIR/conf:target/hdfs-home/libs/*" org.apache.hadoop.fs.FsShell \
    -test -e "/lake/gold/$report/$report.csv" 2>/dev/null ||
    { echo "cluster-test: gold/$report is not on HDFS" >&2; exit 1; }
done
echo "cluster-test: the lake on HDFS reconciled on 2 isolated workers, both reports on HDFS"

# Faults there: an executor SIGKILLed during a silver batch, both drivers SIGKILLed and restarted.
FAULT_ROUNDS=1 scripts/cluster-faults.sh

# Workers that share no disk with the driver cannot hold a local lake: one line, exit 1.
set +e
./run.sh submit lake --lake="$lake-local" --durationSeconds=5 >"$scratch/local.log" 2>&1
status=$?
set -e
if [[ $status -ne 1 ]] || ! grep -q "is not where this driver reads it" "$scratch/local.log"; then
  echo "cluster-test: a local lake on isolated workers should fail with one line (exit $status):" >&2
  tail -20 "$scratch/local.log" >&2
  exit 1
fi
echo "cluster-test: a local lake on isolated workers fails as it should: $(grep -m1 'is not where' "$scratch/local.log")"

./run.sh cluster stop
./run.sh hdfs stop
trap - EXIT
rm -rf "$scratch"
if pgrep -f 'org.apache.spark.deploy|CoarseGrainedExecutorBackend|hadoop.hdfs.server' >/dev/null; then
  echo "cluster-test: Spark or HDFS processes left behind:" >&2
  pgrep -af 'org.apache.spark.deploy|CoarseGrainedExecutorBackend|hadoop.hdfs.server' >&2
  exit 1
fi
echo "cluster-test: OK (HDFS lake on 2 isolated workers, faults included; local lake refused there; no process left)"
