# The Qdrant stand-in: a REST server over Qdrant's embedded engine (PyPI qdrant-edge-py), used where
# no Qdrant server can run. Users with Docker run the real Qdrant (infra/compose).
QDRANT_VENV=$CACHE_DIR/qdrant-venv

qdrant_provision() {
  local req=$REPO_ROOT/infra/qdrant-standin/requirements.txt stamp
  stamp=$(sha256sum "$req" | cut -c1-16)
  [ -f "$QDRANT_VENV/.stamp-$stamp" ] && return 0
  need python3 "run the Qdrant stand-in (Python 3.10+)"
  log "provisioning the Qdrant stand-in (PyPI qdrant-edge-py $QDRANT_EDGE_VERSION) …"
  [ -x "$QDRANT_VENV/bin/python" ] || python3 -m venv "$QDRANT_VENV" || die "could not create a Python venv at $QDRANT_VENV"
  "$QDRANT_VENV/bin/pip" install -q --disable-pip-version-check -r "$req" >"$LOG_DIR/qdrant-provision.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/qdrant-provision.log" >&2; die "could not install qdrant-edge-py from PyPI"; }
  rm -f "$QDRANT_VENV"/.stamp-*; touch "$QDRANT_VENV/.stamp-$stamp"
}

qdrant_start() {
  mkdir -p "$DATA_DIR/qdrant"
  launch qdrant "$QDRANT_VENV/bin/python" "$REPO_ROOT/infra/qdrant-standin/server.py" \
    --host "$STACK_HOST" --port "$QDRANT_PORT" --data-dir "$DATA_DIR/qdrant"
}

qdrant_health() { curl -fsS "http://$STACK_HOST:$QDRANT_PORT/healthz" >/dev/null; }
qdrant_where() { echo "Qdrant         http://$STACK_HOST:$QDRANT_PORT (stand-in on Qdrant Edge)"; }
