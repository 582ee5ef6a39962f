#!/usr/bin/env bash
# `npm test`: type-check, lint, then every test tier against the running local stack.
# All three run even if one fails, so a single run shows every problem; the test summary comes last.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rc=0
echo "== typecheck"; npx tsc --noEmit || rc=1
echo "== lint"; npx eslint . && npx prettier --check --log-level warn . || rc=1
echo "== tests"; npx vitest run "$@" || rc=1
exit $rc
