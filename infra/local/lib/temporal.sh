# Temporal dev server (the Temporal CLI's start-dev), built from source with `go install`.
# v1.5.1 is the newest tag that `go install` accepts: later tags carry a replace directive.

TEMPORAL_BIN=$CACHE_DIR/gobin-temporal-$TEMPORAL_CLI_VERSION/temporal
temporal_provision() {
  [ -x "$TEMPORAL_BIN" ] && return 0
  need go "build the Temporal CLI ($TEMPORAL_CLI_VERSION) with go install"
  log "building Temporal CLI $TEMPORAL_CLI_VERSION with go install (several minutes the first time) …"
  GOPATH="$CACHE_DIR/gopath" GOBIN="$CACHE_DIR/gobin-temporal-$TEMPORAL_CLI_VERSION" GOFLAGS=-mod=mod \
    go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >"$LOG_DIR/temporal-provision.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/temporal-provision.log" >&2; die "could not build the Temporal CLI"; }
}

temporal_start() {
  mkdir -p "$DATA_DIR/temporal"
  launch temporal "$TEMPORAL_BIN" server start-dev \
    --ip "$STACK_HOST" --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
    --db-filename "$DATA_DIR/temporal/temporal.db" --log-level warn \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --dynamic-config-value frontend.enableUpdateWorkflowExecution=true \
    --dynamic-config-value matching.numTaskqueueReadPartitions=1 \
    --dynamic-config-value matching.numTaskqueueWritePartitions=1
}

temporal_health() { "$TEMPORAL_BIN" operator cluster health --address "$STACK_HOST:$TEMPORAL_PORT" 2>/dev/null | grep -q SERVING; }
temporal_where() { echo "Temporal       $STACK_HOST:$TEMPORAL_PORT (Web UI http://$STACK_HOST:$TEMPORAL_UI_PORT)"; }
