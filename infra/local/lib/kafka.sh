# Apache Kafka, single node in KRaft mode (broker and controller in one JVM), jars from Maven Central.
KAFKA_HOME=$CACHE_DIR/kafka-$KAFKA_VERSION
# The broker is sized for a laptop: a 512 MB heap is plenty for a single node with small topics.
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m}
# Only the quick C1 compiler: a laptop broker's load is light, and C2 spent more CPU compiling than
# its code saved for many minutes after a start, on the cores the worker embeds on. A just-started
# broker used 8.5 core-s over its start and two 600-document pipeline ingests with C1 only, against
# 18.8 with both compilers.
KAFKA_JVM_OPTS="$KAFKA_HEAP_OPTS -XX:TieredStopAtLevel=1 -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true"

kafka_provision() {
  [ -f "$KAFKA_HOME/.complete" ] && return 0
  need java "run the Kafka broker (Java 17+)"
  need mvn "fetch the Kafka broker jars from Maven Central"
  log "provisioning Apache Kafka $KAFKA_VERSION from Maven Central …"
  rm -rf "$KAFKA_HOME"
  mvn -q -B -Dmaven.repo.local="$CACHE_DIR/m2" -f "$STACK_ROOT/kafka/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs" >"$LOG_DIR/kafka-provision.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/kafka-provision.log" >&2; die "could not fetch Kafka $KAFKA_VERSION jars from Maven Central"; }
  touch "$KAFKA_HOME/.complete"
}

kafka_config() {
  local dir=$DATA_DIR/kafka
  mkdir -p "$dir"
  cat > "$STACK_DIR/kafka.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$STACK_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$STACK_HOST:$KAFKA_PORT,CONTROLLER://$STACK_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$STACK_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir
num.partitions=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# One process: no point waiting for more members before the first rebalance.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
}

# kafka_cmd: sets KAFKA_CMD to the java command line every Kafka tool and the broker run with.
kafka_cmd() {
  # shellcheck disable=SC2086
  KAFKA_CMD=(java $KAFKA_JVM_OPTS -Dlog4j2.configurationFile="$STACK_ROOT/kafka/log4j2.yaml" -cp "$KAFKA_HOME/libs/*")
}

kafka_java() {
  kafka_cmd
  "${KAFKA_CMD[@]}" "$@"
}

# kafka_cluster_id [N]: N random cluster ids (one by default) as Kafka writes them, UUIDs in URL-safe
# base64 without padding. Like Kafka's own Uuid.randomUuid, none starts with '-', which the storage
# tool would take for an option (about one id in 64 did, and the format failed).
kafka_cluster_id() {
  python3 - "${1:-1}" <<'PY'
import base64, sys, uuid
for _ in range(int(sys.argv[1])):
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            break
    print(cluster_id)
PY
}

kafka_start() {
  kafka_config
  if [ ! -f "$DATA_DIR/kafka/meta.properties" ]; then
    kafka_java kafka.tools.StorageTool format --ignore-formatted --cluster-id "$(kafka_cluster_id)" \
      --config "$STACK_DIR/kafka.properties" >>"$LOG_DIR/kafka.log" 2>&1 \
      || { tail -n 20 "$LOG_DIR/kafka.log" >&2; die "could not format Kafka's log dir; see $LOG_DIR/kafka.log"; }
  fi
  kafka_cmd
  launch kafka "${KAFKA_CMD[@]}" kafka.Kafka "$STACK_DIR/kafka.properties"
}

kafka_health() { port_open "$KAFKA_PORT" && grep -q 'Kafka Server started\|Transition from STARTING to STARTED' "$LOG_DIR/kafka.log"; }
kafka_where() { echo "Kafka          $STACK_HOST:$KAFKA_PORT (KRaft controller on $KAFKA_CONTROLLER_PORT)"; }
