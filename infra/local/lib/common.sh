# Shared helpers of infra/local/stack. Sourced, not run.

STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$STACK_ROOT/../.." && pwd)
# shellcheck source=../versions.env
. "$STACK_ROOT/versions.env"

CACHE_DIR=${EMBEDSTREAM_CACHE_DIR:-$HOME/.cache/embedstream}
STACK_DIR=${EMBEDSTREAM_STACK_DIR:-$CACHE_DIR/stack}
RUN_DIR=$STACK_DIR/run
LOG_DIR=$STACK_DIR/logs
DATA_DIR=$STACK_DIR/data
BIN_DIR=$CACHE_DIR/bin
STACK_HOST=${STACK_HOST:-127.0.0.1}
# Seconds each service gets to become healthy before `up` gives up.
HEALTH_DEADLINE=${STACK_HEALTH_DEADLINE:-120}

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-8233}
JAEGER_OTLP_GRPC_PORT=${JAEGER_OTLP_GRPC_PORT:-4317}
JAEGER_OTLP_HTTP_PORT=${JAEGER_OTLP_HTTP_PORT:-4318}
JAEGER_QUERY_PORT=${JAEGER_QUERY_PORT:-16686}
JAEGER_HEALTH_PORT=${JAEGER_HEALTH_PORT:-13133}
QDRANT_PORT=${QDRANT_PORT:-6333}

mkdir -p "$RUN_DIR" "$LOG_DIR" "$DATA_DIR" "$BIN_DIR"

log() { printf '%s\n' "$*" >&2; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

# Fails with one clear message when a toolchain the provisioning needs is missing.
need() {
  local tool=$1 why=$2
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed; it is needed to $why. Install it (see README, 'Local stack') and retry."
}

port_open() { (exec 3<>"/dev/tcp/$STACK_HOST/$1") 2>/dev/null; }

pid_alive() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

# wait_for NAME CHECK_FUNCTION: polls until the check passes, the process dies, or the deadline.
wait_for() {
  local name=$1 check=$2 start=$SECONDS
  while ! "$check" >/dev/null 2>&1; do
    if ! pid_alive "$name"; then
      log "stack: $name exited during start-up; last lines of $LOG_DIR/$name.log:"
      tail -n 30 "$LOG_DIR/$name.log" >&2
      return 1
    fi
    if (( SECONDS - start > HEALTH_DEADLINE )); then
      log "stack: $name not healthy after ${HEALTH_DEADLINE}s (raise STACK_HEALTH_DEADLINE?); last lines of $LOG_DIR/$name.log:"
      tail -n 30 "$LOG_DIR/$name.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo $(( SECONDS - start ))
}

# launch NAME CMD...: starts CMD in the background in a process group of its own (so a stop reaches
# all its processes), immune to hang-ups, and records its pid. It stays in the caller's session: on
# Linux with autogroup scheduling every session is a CPU group of its own with an equal share, and the
# bulk embedding's lower niceness only gives way to threads of its own group. In the session that
# runs the pipeline, the services get the CPU before bulk embedding, as they would on hosts of their own.
launch() {
  local name=$1; shift
  set -m
  nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/$name.pid"
  set +m
}

# stop NAME: stops a service this stack started (SIGTERM to its process group, SIGKILL after 20 s).
stop_service() {
  local name=$1 pid
  [ -f "$RUN_DIR/$name.pid" ] || return 0
  pid=$(cat "$RUN_DIR/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { log "stack: $name did not stop in 20 s, killing it"; kill -KILL -- "-$pid" 2>/dev/null; }
  fi
  rm -f "$RUN_DIR/$name.pid"
  log "stopped $name"
}

rss_mb() {
  local pid total=0 r
  [ -f "$RUN_DIR/$1.pid" ] || { echo "-"; return; }
  # Sum over the process group: the Temporal CLI and the stand-in each run one main process, Kafka one JVM.
  for pid in $(pgrep -g "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null); do
    r=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$(( total + ${r:-0} ))
  done
  echo "$(( total / 1024 )) MB"
}
