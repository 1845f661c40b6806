#!/usr/bin/env bash
# scripts/run.sh [ecology up options...]: the project's run command (`npm start`).
# Installs what is missing, starts PostgreSQL, Docker (when it can) and the Temporal dev server
# (scripts/services.sh), then hands over to `ecology up`, which prepares the database and runs the
# ecology in the foreground until Ctrl-C.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

STEP="start services"
env_lines="$(bash "$SCRIPTS_DIR/services.sh" --env --docker-optional)" || die "scripts/services.sh failed"
eval "$env_lines"

STEP="ecology up"
exec node bin/ecology.cjs up "$@"
