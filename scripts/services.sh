#!/usr/bin/env bash
# scripts/services.sh: installs what is missing and starts everything the project needs locally:
# PostgreSQL (127.0.0.1:5433, database `ecology`), a Docker daemon, the Temporal dev server
# (127.0.0.1:7233, UI on 8233). Each start is idempotent; state and logs are in $ECOLOGY_DATA_DIR
# (default <repo>/.data). Stop them with scripts/stop-services.sh.
#
# The database follows ECOLOGY_DB: unset, a local PostgreSQL server, or, when none is installed
# (and none could be installed), a warning and the embedded PGlite: nothing is started here, and
# `ecology up` opens PGlite in $ECOLOGY_DATA_DIR/pglite itself (ECOLOGY_DB=embedded is printed);
# `server`, a local server or fail; `embedded`, PGlite without trying a server.
#
# Usage: scripts/services.sh [--env] [--skip-install] [--docker-optional] [--no-docker] [--no-postgres] [--no-temporal]
#   --env              print only `export NAME='value'` lines on stdout, for
#                        eval "$(scripts/services.sh --env)"
#                      (without it, stdout gets a readable summary of the same values)
#   --skip-install     don't run scripts/install-deps.sh
#   --docker-optional  if Docker cannot be started, warn and go on (ECOLOGY_DOCKER_AVAILABLE=0)
#   --no-docker        don't touch Docker at all (ECOLOGY_DOCKER_AVAILABLE=0)
#   --no-postgres      don't start PostgreSQL: DATABASE_URL is printed as the environment has it
#   --no-temporal      don't start Temporal: TEMPORAL_ADDRESS is printed as the environment has it
# Variables printed: DATABASE_URL (empty with PGlite), ECOLOGY_DB (server or embedded),
# TEMPORAL_ADDRESS, ECOLOGY_DATA_DIR, ECOLOGY_DOCKER_AVAILABLE (1 or 0), TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH (for @temporalio/testing's
# `existing-path` executables, so it never downloads), and DOCKER_HOST when it is set.
# Progress goes to stderr. Exit status is non-zero, naming the failed step, if a service fails.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ENV_ONLY=0 INSTALL=1 DOCKER=required POSTGRES=1 TEMPORAL=1
for arg in "$@"; do
  case "$arg" in
    --env) ENV_ONLY=1 ;;
    --skip-install) INSTALL=0 ;;
    --docker-optional) DOCKER=optional ;;
    --no-docker) DOCKER=none ;;
    --no-postgres) POSTGRES=0 ;;
    --no-temporal) TEMPORAL=0 ;;
    -h | --help) sed -n '2,/^set -E/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2 && exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

if ((INSTALL)); then
  STEP="install dependencies"
  bash "$SCRIPTS_DIR/install-deps.sh" >&2 || die "scripts/install-deps.sh failed"
fi

STEP="start PostgreSQL"
DB_CHOICE="$(db_choice)"
DB_MODE=server
DATABASE_URL="${DATABASE_URL:-}"
if [[ "$DB_CHOICE" == embedded ]]; then
  DB_MODE=embedded
  log "ECOLOGY_DB=embedded: no PostgreSQL server; ecology opens the embedded PGlite in $ECOLOGY_DATA_DIR/pglite"
elif ((POSTGRES)); then
  if [[ "$DB_CHOICE" == auto ]] && ! pg_bin_dir >/dev/null; then
    DB_MODE=embedded
    warn "no PostgreSQL server is installed (nothing in $ECOLOGY_PG_ROOT/*/bin) and none could be installed:" \
      "falling back to the embedded PGlite database in $ECOLOGY_DATA_DIR/pglite (one connection, one ecology process at a time)." \
      "For the full setup install PostgreSQL (as root: apt-get install postgresql) or set DATABASE_URL."
  else
    DATABASE_URL="$(bash "$SCRIPTS_DIR/start-postgres.sh")" || die "scripts/start-postgres.sh failed"
  fi
fi

STEP="start Docker"
DOCKER_AVAILABLE=0
case "$DOCKER" in
  required) bash "$SCRIPTS_DIR/start-docker.sh" >&2 || die "scripts/start-docker.sh failed (use --docker-optional to go on without Docker)" ;;
  optional) bash "$SCRIPTS_DIR/start-docker.sh" --optional >&2 ;;
esac
[[ "$DOCKER" != none ]] && timeout 20 docker info >/dev/null 2>&1 && DOCKER_AVAILABLE=1

STEP="start Temporal"
if ((TEMPORAL)); then
  TEMPORAL_ADDRESS="$(bash "$SCRIPTS_DIR/start-temporal.sh")" || die "scripts/start-temporal.sh failed"
else
  TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-}"
fi

STEP="print environment"
vars=(
  DATABASE_URL="$DATABASE_URL"
  ECOLOGY_DB="$DB_MODE"
  TEMPORAL_ADDRESS="$TEMPORAL_ADDRESS"
  ECOLOGY_DATA_DIR="$ECOLOGY_DATA_DIR"
  ECOLOGY_DOCKER_AVAILABLE="$DOCKER_AVAILABLE"
  TEMPORAL_CLI_PATH="$(temporal_bin || true)"
  TEMPORAL_TEST_SERVER_PATH="$(temporal_test_server_bin || true)"
)
[[ -n "${DOCKER_HOST:-}" ]] && vars+=(DOCKER_HOST="$DOCKER_HOST")
for v in "${vars[@]}"; do
  if ((ENV_ONLY)); then
    printf 'export %s=%s\n' "${v%%=*}" "$(shell_quote "${v#*=}")"
  else
    printf '%-26s %s\n' "${v%%=*}" "${v#*=}"
  fi
done
((ENV_ONLY)) || printf '%-26s %s\n' "Temporal UI" "http://127.0.0.1:$ECOLOGY_TEMPORAL_UI_PORT"
log "services ready"
