#!/usr/bin/env bash
# Makes a fresh clone ready, then runs a command: Node.js 24 from the npm registry, the npm
# dependencies, the local stack and the embedding model, each only when missing or out of date.
#   scripts/bootstrap.sh <command…>     (used by `npm test` and `npm run demo`)
# STACK=skip leaves the stack alone (for commands that do not need it).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

bash infra/local/stack provision >&2
eval "$(bash infra/local/stack env)"

lock_hash=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "node_modules/.bootstrap-$lock_hash" ]; then
  echo "installing npm dependencies …" >&2
  # Not `npm ci`: registry mirrors often lack other platforms' optional packages (e.g. darwin builds
  # of @swc/core), which leaves them out of the lockfile, and `npm ci` then refuses the lockfile.
  # `npm install --no-save` installs the locked versions and skips optional packages it cannot fetch.
  # No install scripts: every native package used here ships its binary (onnxruntime-node's script
  # would only download CUDA providers, and fails without network access).
  npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error >&2
  touch "node_modules/.bootstrap-$lock_hash"
fi

if [ "${STACK:-}" != skip ]; then
  bash infra/local/stack up >&2
fi

node bin/embedstream.js model pull >&2

exec "$@"
