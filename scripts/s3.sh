#!/usr/bin/env bash
# ./run.sh s3 start|stop|status|reset: a real S3 API server, s3proxy 4.1.0 from Maven Central
# (s3/pom.xml) with its filesystem backend, on 127.0.0.1 only, and one bucket, "lake".
# Its data, configuration, log and pid live in target/s3 (S3_DIR moves it); S3_PORT (9002)
# moves the port. The credentials are generated at the first start into files only this user
# reads: target/s3/s3proxy.properties (the server's) and target/s3/conf/core-site.xml (Hadoop
# S3A's client settings, which run.sh hands the jobs as HADOOP_CONF_DIR for an s3a:// lake).
set -euo pipefail

project="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$project/target/s3-home"
dir="${S3_DIR:-$project/target/s3}"
port="${S3_PORT:-9002}"
bucket=lake

fail() {
  echo "run.sh s3: $1" >&2
  exit "${2:-1}"
}

alive() {
  [[ -f "$dir/s3proxy.pid" ]] && kill -0 "$(cat "$dir/s3proxy.pid")" 2>/dev/null
}

listening() {
  timeout 2 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null
}

libs() {
  if ! ls "$home/libs"/s3proxy-*.jar >/dev/null 2>&1; then
    echo "run.sh s3: fetching s3proxy 4.1.0's jars from Maven Central into $home/libs..." >&2
    mkdir -p "$home"
    mvn -B -q -f "$project/s3/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$home/libs" >"$home/fetch.log" 2>&1 ||
      fail "could not fetch s3proxy's jars, see $home/fetch.log"
  fi
}

# Generated once; never printed, never on a command line.
configure() {
  mkdir -p "$dir/data/$bucket" "$dir/conf" "$dir/logs"
  chmod 700 "$dir"
  if [[ ! -f "$dir/s3proxy.properties" ]]; then
    local identity secret
    identity="lake$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    secret="$(head -c 30 /dev/urandom | base64 | tr -d '/+=\n')"
    (
      umask 077
      cat >"$dir/s3proxy.properties" <<PROPS
# Written by ./run.sh s3 start. The S3 credentials: keep this file to yourself.
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$identity
s3proxy.credential=$secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$dir/data
jclouds.identity=$identity
jclouds.credential=$secret
PROPS
      cat >"$dir/conf/core-site.xml" <<XML
<?xml version="1.0"?>
<!-- Written by ./run.sh s3 start: Hadoop S3A against the project's s3proxy. Holds the
     credentials: keep this file to yourself. -->
<configuration>
  <property><name>fs.s3a.endpoint</name><value>http://127.0.0.1:$port</value></property>
  <property><name>fs.s3a.path.style.access</name><value>true</value></property>
  <property><name>fs.s3a.connection.ssl.enabled</name><value>false</value></property>
  <property><name>fs.s3a.aws.credentials.provider</name><value>org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider</value></property>
  <property><name>fs.s3a.access.key</name><value>$identity</value></property>
  <property><name>fs.s3a.secret.key</name><value>$secret</value></property>
  <property><name>fs.s3a.change.detection.mode</name><value>none</value></property>
</configuration>
XML
    )
  fi
}

stop_server() {
  if alive; then
    kill "$(cat "$dir/s3proxy.pid")"
    for _ in $(seq 1 60); do alive || break; sleep 0.5; done
    alive && kill -9 "$(cat "$dir/s3proxy.pid")"
  fi
  rm -f "$dir/s3proxy.pid"
}

case "${1:-}" in
  start)
    if alive; then
      echo "run.sh s3: already running on http://127.0.0.1:$port (bucket s3a://$bucket)"
      exit 0
    fi
    ! listening "$port" || fail "127.0.0.1:$port is taken by another process; set S3_PORT to another port"
    libs
    configure
    (
      cd "$dir"
      nohup java -Xmx512m -cp "$home/libs/*" org.gaul.s3proxy.Main \
        --properties "$dir/s3proxy.properties" >"$dir/logs/s3proxy.log" 2>&1 &
      echo $! >"$dir/s3proxy.pid"
    )
    for _ in $(seq 1 120); do
      alive || fail "s3proxy exited while starting; see $dir/logs/s3proxy.log"
      if listening "$port"; then
        echo "run.sh s3: up on http://127.0.0.1:$port, bucket s3a://$bucket (data in $dir/data, client settings in $dir/conf): --lake=s3a://$bucket/lake"
        exit 0
      fi
      sleep 0.5
    done
    stop_server
    fail "s3proxy did not come up within 60 s; see $dir/logs/s3proxy.log"
    ;;
  stop)
    stop_server
    echo "run.sh s3: stopped (data kept in $dir/data; ./run.sh s3 reset deletes it)"
    ;;
  reset)
    alive && fail "stop the S3 server first (./run.sh s3 stop)"
    rm -rf "$dir"
    echo "run.sh s3: deleted the S3 server's data and credentials ($dir)"
    ;;
  status)
    if alive; then
      echo "s3proxy: running (pid $(cat "$dir/s3proxy.pid")) on http://127.0.0.1:$port, bucket s3a://$bucket"
    else
      echo "s3proxy: stopped"
    fi
    ;;
  *) fail "usage: ./run.sh s3 start|stop|status|reset" 2 ;;
esac
