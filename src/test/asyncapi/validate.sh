#!/usr/bin/env bash
# Runs validate.mjs (the AsyncAPI parser's check of src/main/resources/asyncapi.yaml) from Maven's
# verify phase: installs the locked packages with `npm ci` into target/asyncapi and runs the check
# there. Without node or npm on the PATH the check is skipped with a message, unless
# ASYNCAPI_REQUIRE_NODE=true (set by CI), which makes a missing node an error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work="$root/target/asyncapi"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "${ASYNCAPI_REQUIRE_NODE:-false}" = true ]; then
    echo "[asyncapi] ERROR: node and npm are required (ASYNCAPI_REQUIRE_NODE=true) but not on the PATH" >&2
    exit 1
  fi
  echo "[asyncapi] SKIPPED: node/npm not found on the PATH, so asyncapi.yaml was NOT validated by the AsyncAPI parser."
  echo "[asyncapi]          Install Node.js 20 or later to run this check (CI does); -Dasyncapi.skip skips it on purpose."
  exit 0
fi

mkdir -p "$work"
# Installed again only when the lock file changed since the last install into target/.
if ! cmp -s "$here/package-lock.json" "$work/node_modules/.installed-lock.json"; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  # --ignore-scripts: no package's install script runs (one of the parser's dependencies has a telemetry one).
  (cd "$work" && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$work/node_modules/.installed-lock.json"
fi
cp "$here/validate.mjs" "$work/"
node "$work/validate.mjs" "$root/src/main/resources/asyncapi.yaml"
