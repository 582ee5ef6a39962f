# Jaeger v2 (an OpenTelemetry Collector distribution), built from its Go module source, in-memory storage.
JAEGER_BIN=$BIN_DIR/jaeger-$JAEGER_VERSION

jaeger_provision() {
  [ -x "$JAEGER_BIN" ] && return 0
  need go "build Jaeger $JAEGER_VERSION from the Go module proxy"
  log "building Jaeger $JAEGER_VERSION from the Go module proxy (several minutes the first time) …"
  local src=$CACHE_DIR/src/jaeger-$JAEGER_MODULE_VERSION dir
  export GOPATH="$CACHE_DIR/gopath"
  # The module's go.mod carries a replace directive, which `go install pkg@version` refuses;
  # building inside a copy of the module (as the main module) honours it.
  dir=$(go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" 2>>"$LOG_DIR/jaeger-provision.log" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') \
    || die "could not download the Jaeger module $JAEGER_MODULE_VERSION from the Go module proxy"
  rm -rf "$src"; mkdir -p "$(dirname "$src")"; cp -r "$dir" "$src"; chmod -R u+w "$src"
  (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -o "$JAEGER_BIN.tmp" ./cmd/jaeger) >>"$LOG_DIR/jaeger-provision.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/jaeger-provision.log" >&2; die "could not build Jaeger"; }
  mv "$JAEGER_BIN.tmp" "$JAEGER_BIN"
  rm -rf "$src"
}

jaeger_start() {
  launch jaeger env JAEGER_HOST="$STACK_HOST" JAEGER_OTLP_GRPC_PORT="$JAEGER_OTLP_GRPC_PORT" \
    JAEGER_OTLP_HTTP_PORT="$JAEGER_OTLP_HTTP_PORT" JAEGER_QUERY_PORT="$JAEGER_QUERY_PORT" \
    JAEGER_HEALTH_PORT="$JAEGER_HEALTH_PORT" \
    "$JAEGER_BIN" --config "$STACK_ROOT/jaeger/config.yaml"
}

jaeger_health() { curl -fsS "http://$STACK_HOST:$JAEGER_QUERY_PORT/api/services" >/dev/null; }
jaeger_where() { echo "Jaeger         OTLP gRPC $STACK_HOST:$JAEGER_OTLP_GRPC_PORT, OTLP HTTP $STACK_HOST:$JAEGER_OTLP_HTTP_PORT, query API http://$STACK_HOST:$JAEGER_QUERY_PORT"; }
