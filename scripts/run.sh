#!/usr/bin/env bash
# scripts/run.sh [ecology up options...]: the project's run command (`npm start`).
#   1. Without an LLM endpoint (OPENAI_API_KEY, OPENAI_BASE_URL, or llm.apiKey / llm.baseUrl in the
#      configuration file) it stops at once, saying how to set one: nothing is installed or started.
#   2. scripts/services.sh installs what is missing and starts, each only when needed: PostgreSQL
#      (unless DATABASE_URL is set; when no server can be had, or ECOLOGY_DB=embedded, none: `ecology
#      up` then opens the embedded PGlite in $ECOLOGY_DATA_DIR/pglite), Docker (when it can), the
#      Temporal dev server with its Web UI and its SQLite file in $ECOLOGY_DATA_DIR (unless
#      TEMPORAL_ADDRESS is set).
#   3. `ecology up` migrates, bootstraps, runs a worker in this process and the ecologyWorkflow,
#      and serves the dashboard, until Ctrl-C. The services stay up (scripts/stop-services.sh stops
#      them); the next run resumes the same world.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

STEP="check the LLM endpoint"
if [[ -z "${OPENAI_API_KEY:-}" && -z "${OPENAI_BASE_URL:-}" ]]; then
  config_file="${ECOLOGY_CONFIG:-ecology.config.json}"
  if [[ -f "$config_file" && -d node_modules/tsx ]]; then
    # The configuration file may name the endpoint: `up --preflight` reads it and sends it one request.
    # Only a missing endpoint stops here; one that fails is reported, and `ecology up` warns again.
    if ! preflight="$(node bin/ecology.cjs up --preflight --json)"; then
      if [[ "$preflight" == *'"no_llm_endpoint"'* ]]; then
        node bin/ecology.cjs up --preflight >/dev/null || true # says why, in words (no request is sent)
        exit 1
      fi
      warn "the LLM endpoint failed its preflight request: $preflight"
    fi
  elif [[ ! -f "$config_file" ]] || ! grep -Eq '"(apiKey|baseUrl)"[[:space:]]*:[[:space:]]*"' "$config_file"; then
    cat >&2 <<'EOF'
[run] ERROR: no LLM endpoint is configured, so the agents could not think. Set one and run again:
  export OPENAI_API_KEY=sk-...                       # OpenAI (the model is llm.defaultModel, gpt-4o-mini)
  export OPENAI_BASE_URL=http://127.0.0.1:8000/v1    # or any OpenAI-compatible server (vLLM, Ollama, LM Studio...)
or put llm.apiKey / llm.baseUrl in ecology.config.json. Nothing was installed or started.
EOF
    exit 1
  fi
fi

STEP="start services"
service_args=(--env --docker-optional)
# A configured DATABASE_URL or TEMPORAL_ADDRESS is used as it is; only missing services start here.
[[ -n "${DATABASE_URL:-}" && "${ECOLOGY_DB:-}" != embedded ]] && service_args+=(--no-postgres)
[[ -n "${TEMPORAL_ADDRESS:-}" ]] && service_args+=(--no-temporal)
env_lines="$(bash "$SCRIPTS_DIR/services.sh" "${service_args[@]}")" || die "scripts/services.sh failed"
eval "$env_lines"

STEP="ecology up"
exec node bin/ecology.cjs up "$@"
