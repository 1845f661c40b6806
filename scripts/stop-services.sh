#!/usr/bin/env bash
# scripts/stop-services.sh [temporal] [docker] [postgres]: stops what the start-*.sh scripts
# started (all three by default): the Temporal dev server and dockerd by their pidfiles in
# $ECOLOGY_DATA_DIR, PostgreSQL with `pg_ctl stop -m fast`. Daemons it did not start (e.g. a
# dockerd someone else runs) are left alone. Data stays in $ECOLOGY_DATA_DIR. Idempotent.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

services=("$@")
((${#services[@]})) || services=(temporal docker postgres)

for s in "${services[@]}"; do
  case "$s" in
    temporal)
      STEP="stop temporal"
      stop_pidfile temporal "$ECOLOGY_DATA_DIR/temporal.pid" 20
      ;;
    docker)
      STEP="stop dockerd"
      stop_pidfile dockerd "$ECOLOGY_DATA_DIR/dockerd.pid" 40
      ;;
    postgres)
      STEP="stop postgres"
      pg_paths
      if BIN="$(pg_bin_dir)" && [[ -f "$PG_DATA/postmaster.pid" ]] &&
        as_pg_user "$BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        log "postgres: stopping ($PG_DATA)"
        as_pg_user "$BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 -s stop || die "pg_ctl stop failed"
      else
        log "postgres: not started by these scripts (no server running in $PG_DATA), so left alone"
      fi
      ;;
    *) die "unknown service '$s' (expected temporal, docker or postgres)" ;;
  esac
done
