#!/usr/bin/env bash
# CI: the README's near-real-time steps, as a user runs them: the Kafka broker, the publisher,
# the realtime job reading the topic, the dashboard, then the latency probe, which fails unless
# the p95 from event time to visible on the page is under 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ./run.sh kafka stop >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

./run.sh kafka start
./run.sh publish --lake="$work/lake" --kafkaTopic=ci-realtime >"$work/publish.log" 2>&1 &
pids+=($!)
./run.sh realtime --source=kafka --kafkaTopic=ci-realtime --jdbcUrl="jdbc:sqlite:$work/realtime.db" \
  >"$work/realtime.log" 2>&1 &
pids+=($!)
./run.sh dashboard --jdbcUrl="jdbc:sqlite:$work/realtime.db" >"$work/dashboard.log" 2>&1 &
pids+=($!)

if ! ./run.sh latency --warmupSeconds=30 --seconds=60; then
  echo "--- publish.log"; tail -20 "$work/publish.log"
  echo "--- realtime.log"; tail -20 "$work/realtime.log"
  echo "--- dashboard.log"; tail -20 "$work/dashboard.log"
  exit 1
fi
curl -sf "http://127.0.0.1:8088/api/summary?minutes=5" | head -c 300
echo
