#!/usr/bin/env bash
# scripts/start-docker.sh [--optional]: makes sure a Docker daemon answers `docker info`.
# If none does, starts `dockerd` in the background (needs root) with its log in
# $ECOLOGY_DATA_DIR/dockerd.log and pidfile $ECOLOGY_DATA_DIR/dockerd.pid (dockerd.daemon.pid is
# dockerd's own), and waits up to 30 s.
# If the daemon dies at once with the default settings, retries once with the conservative
# ECOLOGY_DOCKERD_FALLBACK_ARGS (default: no iptables, no bridge, vfs storage).
# Extra dockerd flags: ECOLOGY_DOCKERD_ARGS. A unix:// DOCKER_HOST is where dockerd listens.
# --optional: failure is a warning and exit status 0 (callers test `docker info` themselves).
# Exit status: 0 when docker works (or --optional), 1 otherwise.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OPTIONAL=0
for arg in "$@"; do
  case "$arg" in
    --optional) OPTIONAL=1 ;;
    *) die "unknown argument: $arg (usage: start-docker.sh [--optional])" ;;
  esac
done
FALLBACK_ARGS="${ECOLOGY_DOCKERD_FALLBACK_ARGS:---iptables=false --bridge=none --storage-driver=vfs}"
PIDFILE="$ECOLOGY_DATA_DIR/dockerd.pid"
LOGFILE="$ECOLOGY_DATA_DIR/dockerd.log"

fail() {
  if ((OPTIONAL)); then
    warn "$* -- continuing without Docker (sandbox features will not work)"
    exit 0
  fi
  die "$*"
}
docker_ok() { timeout 20 docker info >/dev/null 2>&1; }
# show_errors FROM_BYTE: the non-info lines dockerd logged since FROM_BYTE.
show_errors() {
  printf -- '----- dockerd errors (from %s) -----\n' "$LOGFILE" >&2
  tail -c +"$(($1 + 1))" "$LOGFILE" | grep -v 'level=info' | tail -n 12 >&2 || true
  printf -- '-----\n' >&2
}

STEP="check docker"
have docker || fail "the docker CLI is not installed; run scripts/install-deps.sh (apt-get install docker.io)"
if docker_ok; then
  log "docker daemon already running"
  exit 0
fi

STEP="lock"
lock docker
docker_ok && { log "docker daemon already running"; exit 0; }

STEP="start dockerd"
is_root || fail "no Docker daemon answers 'docker info' and only root can start dockerd here; start it, e.g. sudo dockerd &"
DOCKERD="$(command -v dockerd || echo /usr/sbin/dockerd)"
[[ -x "$DOCKERD" ]] || fail "dockerd is not installed; run scripts/install-deps.sh (apt-get install docker.io)"
if pid_alive "$PIDFILE"; then
  fail "dockerd (pid $(cat "$PIDFILE")) is running but 'docker info' fails; see $LOGFILE or run scripts/stop-services.sh"
fi

# try_start ARGS...: starts dockerd; 0 when `docker info` works within 30 s, 2 when it exited.
try_start() {
  local host_args=() i
  [[ "${DOCKER_HOST:-}" == unix://* ]] && host_args=(-H "$DOCKER_HOST")
  log "starting dockerd ${host_args[*]} $* (log: $LOGFILE)"
  LOG_START="$(stat -c %s "$LOGFILE" 2>/dev/null || echo 0)"
  start_background "$PIDFILE" "$LOGFILE" "$DOCKERD" --pidfile "$ECOLOGY_DATA_DIR/dockerd.daemon.pid" "${host_args[@]}" "$@"
  for ((i = 0; i < 60; i++)); do
    docker_ok && return 0
    pid_alive "$PIDFILE" || return 2
    sleep 0.5
  done
  return 1
}

# shellcheck disable=SC2086 # flag lists are meant to be word-split
rc=0 && try_start ${ECOLOGY_DOCKERD_ARGS:-} || rc=$?
if ((rc == 2)) && [[ -n "$FALLBACK_ARGS" ]]; then
  show_errors "$LOG_START"
  warn "dockerd exited at once; retrying with $FALLBACK_ARGS"
  # shellcheck disable=SC2086
  rc=0 && try_start ${ECOLOGY_DOCKERD_ARGS:-} $FALLBACK_ARGS || rc=$?
fi
if ((rc != 0)); then
  show_errors "$LOG_START"
  if ((rc == 2)); then
    rm -f "$PIDFILE"
    fail "dockerd exited during start-up (log: $LOGFILE)"
  fi
  stop_pidfile dockerd "$PIDFILE" 10
  fail "dockerd did not answer 'docker info' within 30 s (log: $LOGFILE)"
fi
log "docker daemon ready"
