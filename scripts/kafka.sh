#!/usr/bin/env bash
# ./run.sh kafka start|stop|status: one Kafka broker (KRaft mode: broker and controller in one
# process) on 127.0.0.1, from Kafka's Maven Central jars, with its own class path (Kafka's Scala
# 2.13 never meets Spark's 2.12). KAFKA_PORT (9092) and KAFKA_CONTROLLER_PORT (9093) move it.
set -euo pipefail

project="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$project/target/kafka-home"
dir="${KAFKA_DIR:-$project/target/kafka}" # data, config, log and pid of this broker
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"

fail() {
  echo "run.sh kafka: $1" >&2
  exit "${2:-1}"
}

alive() {
  [[ -f "$dir/broker.pid" ]] && kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null
}

listening() {
  timeout 2 bash -c "</dev/tcp/127.0.0.1/$port" 2>/dev/null
}

libs() {
  if ! ls "$home/libs"/kafka_2.13-*.jar >/dev/null 2>&1; then
    echo "run.sh kafka: fetching Kafka 4.4.0's jars from Maven Central into $home/libs..." >&2
    mkdir -p "$home"
    mvn -B -q -f "$project/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$home/libs" >"$home/fetch.log" 2>&1 ||
      fail "could not fetch Kafka's jars, see $home/fetch.log"
  fi
}

kafka_java() {
  java -Xmx512m -Dlog4j2.configurationFile="$project/kafka/log4j2.properties" \
    -cp "$home/libs/*" "$@"
}

configure() {
  mkdir -p "$dir"
  cat >"$dir/server.properties" <<PROPERTIES
# Written by ./run.sh kafka start: one node that is both broker and KRaft controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid)"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
      >"$dir/format.log" 2>&1 || fail "formatting the broker's storage failed, see $dir/format.log"
  fi
}

case "${1:-}" in
  start)
    if alive; then
      echo "run.sh kafka: already running (pid $(cat "$dir/broker.pid")) on 127.0.0.1:$port"
      exit 0
    fi
    listening && fail "127.0.0.1:$port is taken by another process; set KAFKA_PORT to another port"
    libs
    configure
    (
      cd "$dir"
      nohup java -Xmx1g -Dlog4j2.configurationFile="$project/kafka/log4j2.properties" \
        -cp "$home/libs/*" kafka.Kafka "$dir/server.properties" >"$dir/broker.log" 2>&1 &
      echo $! >"$dir/broker.pid"
    )
    for _ in $(seq 1 120); do
      if listening; then
        echo "run.sh kafka: broker up on 127.0.0.1:$port (KRaft, data in $dir/data, log $dir/broker.log)"
        exit 0
      fi
      alive || fail "the broker exited while starting; see $dir/broker.log"
      sleep 0.5
    done
    fail "the broker did not listen on 127.0.0.1:$port within 60 s; see $dir/broker.log"
    ;;
  stop)
    if alive; then
      kill "$(cat "$dir/broker.pid")"
      for _ in $(seq 1 60); do alive || break; sleep 0.5; done
      alive && kill -9 "$(cat "$dir/broker.pid")"
    fi
    rm -f "$dir/broker.pid"
    echo "run.sh kafka: broker stopped (data kept in $dir/data; ./run.sh kafka reset deletes it)"
    ;;
  reset)
    alive && fail "stop the broker first (./run.sh kafka stop)"
    rm -rf "$dir"
    echo "run.sh kafka: deleted the broker's data ($dir)"
    ;;
  status)
    if alive; then
      echo "broker: running (pid $(cat "$dir/broker.pid")) on 127.0.0.1:$port"
    else
      echo "broker: stopped"
    fi
    ;;
  *) fail "usage: ./run.sh kafka start|stop|status|reset" 2 ;;
esac
