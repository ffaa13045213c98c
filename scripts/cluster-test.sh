#!/usr/bin/env bash
# The lake on a real Spark standalone cluster: start the cluster, submit bronze, silver, check
# and gold with spark-submit, verify the lake (the check) and the reports, stop the cluster, and
# make sure no Spark process is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."

lake="$(mktemp -d)/lake"
trap './run.sh cluster stop >/dev/null 2>&1 || true' EXIT

./run.sh cluster start
./run.sh submit bronze --lake="$lake" --durationSeconds=20 --rowsPerSecond=20
./run.sh submit silver --lake="$lake" --catchUp
./run.sh submit check --lake="$lake"
./run.sh submit gold --lake="$lake"

for report in daily_channel_events user_channel_activity; do
  csv="$lake/gold/$report/$report.csv"
  test -s "$csv" || { echo "cluster-test: missing report $csv" >&2; exit 1; }
  rows=$(($(wc -l <"$csv") - 1))
  [[ $rows -gt 0 ]] || { echo "cluster-test: empty report $csv" >&2; exit 1; }
  echo "cluster-test: $report: $rows rows"
done

./run.sh cluster stop
trap - EXIT
if pgrep -f 'org.apache.spark.deploy|CoarseGrainedExecutorBackend' >/dev/null; then
  echo "cluster-test: Spark processes left behind:" >&2
  pgrep -af 'org.apache.spark.deploy|CoarseGrainedExecutorBackend' >&2
  exit 1
fi
echo "cluster-test: OK (cluster started, jobs submitted, lake reconciled, reports written, no process left)"
