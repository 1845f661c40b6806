#!/usr/bin/env bash
# scripts/run.sh [ecology up options...]: the project's run command (`npm start`).
#   1. scripts/services.sh installs what is missing and starts, each only when needed: PostgreSQL
#      (unless DATABASE_URL is set; when no server can be had, or ECOLOGY_DB=embedded, none: `ecology
#      up` then opens the embedded PGlite in $ECOLOGY_DATA_DIR/pglite), Docker (when it can), the
#      Temporal dev server with its Web UI and its SQLite file in $ECOLOGY_DATA_DIR (unless
#      TEMPORAL_ADDRESS is set).
#   2. The LLM: `ecology up --preflight` says who thinks. With an endpoint configured (OPENAI_API_KEY,
#      OPENAI_BASE_URL, or llm.apiKey / llm.baseUrl in the configuration file) nothing local is
#      installed; without one (or with llm.provider `local`, or --llm local) the agents think with
#      the bundled local model, which scripts/install-local-llm.sh installs once. With llm.provider
#      `endpoint` and none configured, it stops here, saying how to set one.
#   3. `ecology up` migrates, bootstraps, runs a worker in this process and the ecologyWorkflow,
#      and serves the dashboard, until Ctrl-C. The services stay up (scripts/stop-services.sh stops
#      them); the next run resumes the same world.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

STEP="start services"
service_args=(--env --docker-optional)
# A configured DATABASE_URL or TEMPORAL_ADDRESS is used as it is; only missing services start here.
[[ -n "${DATABASE_URL:-}" && "${ECOLOGY_DB:-}" != embedded ]] && service_args+=(--no-postgres)
[[ -n "${TEMPORAL_ADDRESS:-}" ]] && service_args+=(--no-temporal)
env_lines="$(bash "$SCRIPTS_DIR/services.sh" "${service_args[@]}")" || die "scripts/services.sh failed"
eval "$env_lines"

STEP="choose the LLM"
llm="$(node bin/ecology.cjs up --preflight --json "$@")" || exit 1
if [[ "$llm" == *'"local":true'* ]]; then
  bash "$SCRIPTS_DIR/install-local-llm.sh" || die "scripts/install-local-llm.sh failed"
fi

STEP="ecology up"
# At most two glibc malloc arenas: with one per thread (Temporal's core threads, libuv's pool, the
# workflow thread) the worker kept ~40 MB of freed memory it never returned (BENCHMARKS.md, agents).
# The worker image sets the same (Dockerfile), and so does the agents benchmark's worker.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node bin/ecology.cjs up "$@"
