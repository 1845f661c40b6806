#!/usr/bin/env bash
# scripts/test.sh [jest args...]: the project's test command (`npm test`, `.ci/run`).
#   1. scripts/services.sh (installs what's missing; starts PostgreSQL, Docker if it can, Temporal)
#      and exports its environment (DATABASE_URL, TEMPORAL_ADDRESS, ...);
#   2. scripts/install-local-llm.sh (the local model the tests run a real inference on, once);
#      npm run typecheck, npm run lint;
#   3. jest --json --outputFile=$ECOLOGY_DATA_DIR/jest-results.json [jest args...].
# The last line on stdout is always `N passed, N failed` (from jest's JSON; test suites that failed
# to run count as failures; `0 passed, 1 failed` when a step before jest fails or jest wrote no
# results). Exits non-zero if any step or test failed. Services stay up for the next run
# (scripts/stop-services.sh stops them).
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

RESULTS="$ECOLOGY_DATA_DIR/jest-results.json"

# abort MESSAGE: a step before jest failed.
abort() {
  printf '[%s] ERROR (step: %s): %s\n' "$SCRIPT_NAME" "$STEP" "$1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

STEP="start services"
# The tests need a PostgreSQL server (the embedded PGlite has one session: no concurrency tests).
env_lines="$(ECOLOGY_DB=server bash "$SCRIPTS_DIR/services.sh" --env --docker-optional)" || abort "scripts/services.sh failed (the tests need a PostgreSQL server: install postgresql or set DATABASE_URL)"
eval "$env_lines"
log "DATABASE_URL=$(printf '%s' "$DATABASE_URL" | sed -E 's#://([^:/@]+):[^@]*@#://\1:***@#') TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS ECOLOGY_DOCKER_AVAILABLE=$ECOLOGY_DOCKER_AVAILABLE"

step "local model"
# The tests run a real inference on the bundled local model.
bash "$SCRIPTS_DIR/install-local-llm.sh" || abort "scripts/install-local-llm.sh failed"

step "typecheck"
npm run --silent typecheck >&2 || abort "npm run typecheck failed"

step "lint"
npm run --silent lint >&2 || abort "npm run lint failed"

step "jest"
rm -f "$RESULTS"
jest_rc=0
node_modules/.bin/jest --json --outputFile="$RESULTS" "$@" >&2 || jest_rc=$?

STEP="summarise"
# shellcheck disable=SC2016 # JavaScript, not shell
summary="$(
  node -e '
    const fs = require("fs");
    let r;
    try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { r = null; }
    if (!r) { console.log("0 passed, 1 failed"); process.exit(); }
    // Suites that failed without a failing test: they failed to run (syntax error, hook error...).
    const broken = (r.testResults || []).filter(
      (s) => s.status === "failed" && !(s.assertionResults || []).some((a) => a.status === "failed"),
    ).length;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + broken} failed`);
  ' "$RESULTS"
)" || summary="0 passed, 1 failed"
((jest_rc == 0)) || log "jest exited with status $jest_rc"
echo "$summary"
if ((jest_rc != 0)) || [[ "$summary" != *" 0 failed" ]]; then
  exit 1
fi
