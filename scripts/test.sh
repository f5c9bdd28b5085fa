#!/usr/bin/env bash
# `npm test`: everything from a fresh Debian machine with Node 20.
#   1. installs npm dependencies if missing,
#   2. provisions and starts real services (PostgreSQL 15 + pgvector built from Debian's source
#      package, a private Redis, Chromium) with scripts/services.sh,
#   3. lint (zero warnings), typecheck, format check, dashboard build,
#   4. unit, integration and end-to-end tests (vitest),
#   5. stops what it started, whatever the outcome.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -d node_modules ]]; then
  echo "test: installing npm dependencies" >&2
  # `npm install`, not `npm ci`: npm 11 leaves other platforms' optional packages out of the
  # lock file, which `npm ci` rejects; install still honours the locked versions.
  npm install --no-audit --no-fund
fi

bash scripts/services.sh up
trap 'bash scripts/services.sh down' EXIT
set -a
# shellcheck disable=SC1091
source .silhouette-test/services.env
set +a

echo "test: lint, typecheck, format" >&2
NX_DAEMON=false npx nx show projects >/dev/null # the module-boundary lint rule reads Nx's project graph
npx eslint . --max-warnings 0
npm run --silent typecheck
npx prettier --check . >/dev/null || { npx prettier --check . | tail -20; exit 1; }

echo "test: building the dashboard" >&2
npx vite build --config apps/dashboard/vite.config.ts --logLevel warn

echo "test: unit, integration and end-to-end suites" >&2
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.silhouette-test/vitest.json "$@" || status=$?
# A plain closing line that any CI can read: "N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync(".silhouette-test/vitest.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' || true
exit "$status"
