#!/usr/bin/env bash
# ./run.sh hdfs start|stop|status|reset: a real HDFS, one NameNode and one DataNode, each a
# process of its own, on 127.0.0.1 only, from Hadoop's Maven Central jars (hdfs/pom.xml).
# Data, configuration, logs and pids live in target/hdfs (HDFS_DIR moves it); HDFS_PORT (9000)
# moves the NameNode's RPC port, HDFS_HTTP_PORT (9870) its web UI.
set -euo pipefail

project="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$project/target/hdfs-home"
dir="${HDFS_DIR:-$project/target/hdfs}"
port="${HDFS_PORT:-9000}"
http_port="${HDFS_HTTP_PORT:-9870}"
# The DataNode's ports: data transfer, web UI, IPC.
dn_port="${HDFS_DATANODE_PORT:-9866}"
dn_http_port="${HDFS_DATANODE_HTTP_PORT:-9864}"
dn_ipc_port="${HDFS_DATANODE_IPC_PORT:-9867}"

fail() {
  echo "run.sh hdfs: $1" >&2
  exit "${2:-1}"
}

alive() { # alive namenode|datanode
  [[ -f "$dir/$1.pid" ]] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null
}

listening() {
  timeout 2 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null
}

libs() {
  if ! ls "$home/libs"/hadoop-client-minicluster-*.jar >/dev/null 2>&1; then
    echo "run.sh hdfs: fetching Hadoop 3.3.4's jars from Maven Central into $home/libs..." >&2
    mkdir -p "$home"
    mvn -B -q -f "$project/hdfs/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$home/libs" >"$home/fetch.log" 2>&1 ||
      fail "could not fetch Hadoop's jars, see $home/fetch.log"
  fi
}

# The JVM of each server: its configuration folder first on the class path, logs by log4j 1.
server_java=(java -Xmx512m -Dhadoop.log.dir="$dir/logs"
  -Dlog4j.configuration="file:$project/hdfs/log4j.properties" -cp "$dir/conf:$home/libs/*")

configure() {
  mkdir -p "$dir/conf" "$dir/logs"
  cat >"$dir/conf/core-site.xml" <<XML
<?xml version="1.0"?>
<!-- Written by ./run.sh hdfs start. -->
<configuration>
  <property><name>fs.defaultFS</name><value>hdfs://127.0.0.1:$port</value></property>
  <property><name>hadoop.tmp.dir</name><value>$dir/tmp</value></property>
</configuration>
XML
  cat >"$dir/conf/hdfs-site.xml" <<XML
<?xml version="1.0"?>
<!-- Written by ./run.sh hdfs start: one NameNode, one DataNode, every address on 127.0.0.1. -->
<configuration>
  <property><name>dfs.namenode.name.dir</name><value>$dir/name</value></property>
  <property><name>dfs.datanode.data.dir</name><value>$dir/data</value></property>
  <property><name>dfs.replication</name><value>1</value></property>
  <property><name>dfs.namenode.rpc-address</name><value>127.0.0.1:$port</value></property>
  <property><name>dfs.namenode.rpc-bind-host</name><value>127.0.0.1</value></property>
  <property><name>dfs.namenode.http-address</name><value>127.0.0.1:$http_port</value></property>
  <property><name>dfs.namenode.http-bind-host</name><value>127.0.0.1</value></property>
  <property><name>dfs.namenode.secondary.http-address</name><value>127.0.0.1:0</value></property>
  <property><name>dfs.datanode.address</name><value>127.0.0.1:$dn_port</value></property>
  <property><name>dfs.datanode.http.address</name><value>127.0.0.1:$dn_http_port</value></property>
  <property><name>dfs.datanode.ipc.address</name><value>127.0.0.1:$dn_ipc_port</value></property>
  <property><name>dfs.datanode.hostname</name><value>127.0.0.1</value></property>
  <!-- one DataNode: a block with nowhere else to go is written, not retried elsewhere -->
  <property><name>dfs.client.block.write.replace-datanode-on-failure.enable</name><value>false</value></property>
</configuration>
XML
  if [[ ! -f "$dir/name/current/VERSION" ]]; then
    "${server_java[@]}" org.apache.hadoop.hdfs.server.namenode.NameNode -format -nonInteractive \
      >"$dir/logs/format.log" 2>&1 || fail "formatting the NameNode failed, see $dir/logs/format.log"
  fi
}

# The NameNode's own view, from its JMX servlet: live DataNodes and safe mode.
live_datanodes() {
  curl -s --max-time 2 "http://127.0.0.1:$http_port/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState" |
    sed -n 's/.*"NumLiveDataNodes" *: *\([0-9]*\).*/\1/p'
}

in_safe_mode() {
  curl -s --max-time 2 "http://127.0.0.1:$http_port/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo" |
    grep -q '"Safemode" *: *"[^"]'
}

start_server() { # start_server namenode|datanode <main class>
  (
    cd "$dir"
    nohup "${server_java[@]}" -Dproc_"$1" "$2" >"$dir/logs/$1.log" 2>&1 &
    echo $! >"$dir/$1.pid"
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

case "${1:-}" in
  start)
    if alive namenode && alive datanode; then
      echo "run.sh hdfs: already running on hdfs://127.0.0.1:$port"
      exit 0
    fi
    alive namenode || ! listening "$port" ||
      fail "127.0.0.1:$port is taken by another process; set HDFS_PORT to another port"
    libs
    configure
    alive namenode || start_server namenode org.apache.hadoop.hdfs.server.namenode.NameNode
    alive datanode || start_server datanode org.apache.hadoop.hdfs.server.datanode.DataNode
    for _ in $(seq 1 240); do
      alive namenode || { stop_server datanode; fail "the NameNode exited while starting; see $dir/logs/namenode.log"; }
      alive datanode || { stop_server namenode; fail "the DataNode exited while starting; see $dir/logs/datanode.log"; }
      if [[ "$(live_datanodes)" == 1 ]] && ! in_safe_mode; then
        echo "run.sh hdfs: up on hdfs://127.0.0.1:$port (web UI http://127.0.0.1:$http_port, data in $dir, logs in $dir/logs)"
        exit 0
      fi
      sleep 0.5
    done
    stop_server datanode
    stop_server namenode
    fail "HDFS did not come up within 120 s; see $dir/logs/namenode.log and datanode.log"
    ;;
  stop)
    stop_server datanode
    stop_server namenode
    echo "run.sh hdfs: stopped (data kept in $dir; ./run.sh hdfs reset deletes it)"
    ;;
  reset)
    { alive namenode || alive datanode; } && fail "stop HDFS first (./run.sh hdfs stop)"
    rm -rf "$dir"
    echo "run.sh hdfs: deleted HDFS's data ($dir)"
    ;;
  status)
    for server in namenode datanode; do
      if alive "$server"; then
        echo "$server: running (pid $(cat "$dir/$server.pid"))"
      else
        echo "$server: stopped"
      fi
    done
    alive namenode && echo "live DataNodes: $(live_datanodes); hdfs://127.0.0.1:$port"
    exit 0
    ;;
  *) fail "usage: ./run.sh hdfs start|stop|status|reset" 2 ;;
esac
