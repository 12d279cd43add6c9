#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft mode, broker and controller in one JVM) without Docker.
#   infra/kafka/kafka.sh fetch    download the broker's jars from Maven Central with Maven (cached)
#   infra/kafka/kafka.sh start    fetch, format storage if new, start on 127.0.0.1:9092, wait until ready
#   infra/kafka/kafka.sh stop     stop the broker (SIGTERM, then SIGKILL after 30 s)
#   infra/kafka/kafka.sh status   print "running <pid>" or "stopped"
# Needs Java 17+ and Maven. Files live under $KAFKA_HOME_DIR (default .data/kafka in the repository).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VERSION=3.9.2
HOME_DIR=${KAFKA_HOME_DIR:-$ROOT/.data/kafka}
LIB=$HOME_DIR/lib-$VERSION
DATA=$HOME_DIR/data
PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
PIDFILE=$HOME_DIR/broker.pid
LOG=$HOME_DIR/broker.log

log() { echo "[kafka] $*" >&2; }

fetch() {
  if [ -f "$LIB/.complete" ]; then return; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is needed to fetch Kafka $VERSION"; exit 2; }
  log "fetching Kafka $VERSION from Maven Central into $LIB"
  rm -rf "$LIB.tmp"
  mvn -q -B -f "$HERE/pom.xml" -Dkafka.version="$VERSION" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIB.tmp" >&2
  touch "$LIB.tmp/.complete"
  rm -rf "$LIB" && mv "$LIB.tmp" "$LIB"
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_config() {
  mkdir -p "$DATA"
  cat >"$HOME_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  cat >"$HOME_DIR/log4j.properties" <<PROPS
log4j.rootLogger=WARN, file
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$LOG
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
}

start() {
  fetch
  if pid=$(running_pid); then log "already running (pid $pid)"; return; fi
  command -v java >/dev/null || { log "Java 17+ is needed to run Kafka"; exit 2; }
  write_config
  if [ ! -f "$DATA/meta.properties" ]; then
    # a fresh folder: format it once (formatting an already formatted folder is an error)
    local cluster
    cluster=$(java -cp "$LIB/*" -Dlog4j.configuration="file:$HOME_DIR/log4j.properties" kafka.tools.StorageTool random-uuid)
    java -cp "$LIB/*" -Dlog4j.configuration="file:$HOME_DIR/log4j.properties" kafka.tools.StorageTool format \
      -t "$cluster" -c "$HOME_DIR/server.properties" >/dev/null
  fi
  : >"$LOG"
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$HOME_DIR/log4j.properties" \
    -cp "$LIB/*" kafka.Kafka "$HOME_DIR/server.properties" >>"$HOME_DIR/broker.out" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 120); do
    if grep -q "Kafka Server started" "$LOG" 2>/dev/null && port_open "$PORT"; then
      log "ready on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
      return
    fi
    if ! running_pid >/dev/null; then log "broker exited during start; see $LOG and $HOME_DIR/broker.out"; exit 1; fi
    sleep 0.5
  done
  log "broker did not become ready in 60 s; see $LOG"
  exit 1
}

stop() {
  local pid
  if ! pid=$(running_pid); then log "not running"; rm -f "$PIDFILE"; return; fi
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; log "stopped"; return; }
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
  log "killed after 30 s"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) if pid=$(running_pid); then echo "running $pid"; else echo "stopped"; fi ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
