#!/usr/bin/env bash
# CI: the README's near-real-time steps, as a user runs them: the Kafka broker, the publisher,
# the realtime job reading the topic, the dashboard, then the latency probe, which fails unless
# the p95 from event time to visible on the page is under 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."

# The README's default ports, unless something on this machine holds them already.
free_port() {
  local port="$1"
  while timeout 1 bash -c "</dev/tcp/127.0.0.1/$port" 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
export KAFKA_PORT KAFKA_CONTROLLER_PORT
KAFKA_PORT="$(free_port 9092)"
KAFKA_CONTROLLER_PORT="$(free_port $((KAFKA_PORT + 1)))"
dashboard_port="$(free_port 8088)"
export KAFKA_DIR="${KAFKA_DIR:-$PWD/target/kafka-realtime-test}"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ./run.sh kafka stop >/dev/null || true
  rm -rf "$work" "$KAFKA_DIR"
}
trap cleanup EXIT

./run.sh kafka start
kafka="--kafkaBootstrapServers=127.0.0.1:$KAFKA_PORT"
./run.sh publish "$kafka" --lake="$work/lake" --kafkaTopic=ci-realtime >"$work/publish.log" 2>&1 &
pids+=($!)
# Both find the database under the lake: $work/lake/_realtime/realtime.db.
./run.sh realtime "$kafka" --source=kafka --kafkaTopic=ci-realtime --lake="$work/lake" \
  >"$work/realtime.log" 2>&1 &
pids+=($!)
./run.sh dashboard --port="$dashboard_port" --lake="$work/lake" >"$work/dashboard.log" 2>&1 &
pids+=($!)

if ! ./run.sh latency --dashboardUrl="http://127.0.0.1:$dashboard_port" --warmupSeconds=30 --seconds=60; then
  echo "--- publish.log"; tail -20 "$work/publish.log"
  echo "--- realtime.log"; tail -20 "$work/realtime.log"
  echo "--- dashboard.log"; tail -20 "$work/dashboard.log"
  exit 1
fi
curl -sf "http://127.0.0.1:$dashboard_port/api/summary?minutes=5" | head -c 300
echo
