#!/usr/bin/env bash
# scripts/start-postgres.sh: starts the project's own PostgreSQL server (Debian binaries from
# /usr/lib/postgresql/<v>/bin) with its cluster in $ECOLOGY_DATA_DIR/postgres/data, listening on
# 127.0.0.1:$ECOLOGY_PG_PORT (default 5433) and a socket in $ECOLOGY_DATA_DIR/postgres/socket,
# tuned for tests; creates the database `ecology` if missing. Authentication: TCP needs the
# password (scram-sha-256) generated into $ECOLOGY_DATA_DIR/postgres.password (mode 0600); the
# socket is trusted, but its folder is 0700, so only the cluster's OS user (and root) reach it.
# Prints the DATABASE_URL on stdout, e.g. postgres://postgres:<password>@127.0.0.1:5433/ecology?host=<socket dir>
# When root, the cluster belongs to the `postgres` OS user (the server refuses to run as root).
# Idempotent: does nothing but the database check when the server already runs.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STEP="find PostgreSQL"
BIN="$(pg_bin_dir)" || die "no PostgreSQL server in $ECOLOGY_PG_ROOT/*/bin; run scripts/install-deps.sh (apt-get install postgresql)"
PG_MAJOR="$(basename "$(dirname "$BIN")")"
if is_root; then
  id -u postgres >/dev/null 2>&1 || die "OS user 'postgres' is missing (it comes with the Debian postgresql package)"
fi
STEP="lock"
lock postgres
pg_paths
PORT="$ECOLOGY_PG_PORT"
pg_ctl() { as_pg_user "$BIN/pg_ctl" "$@"; }
psql_admin() { psql -X -q -h "$PG_SOCKET_DIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

STEP="prepare $PG_BASE"
[[ "$PG_BASE" == "$ECOLOGY_DATA_DIR/postgres" ]] ||
  warn "the postgres user cannot reach $ECOLOGY_DATA_DIR; keeping the cluster in $PG_BASE instead"
mkdir -p "$PG_BASE" "$PG_SOCKET_DIR"
if is_root && [[ "$(stat -c %U "$PG_BASE")" != postgres ]]; then
  chown -R postgres:postgres "$PG_BASE"
fi
CONFIGURED=""

if pg_ctl -D "$PG_DATA" status >/dev/null 2>&1; then
  log "already running (cluster $PG_DATA)"
else
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    STEP="initdb $PG_DATA"
    rm -rf "$PG_DATA" # a half-made cluster from an interrupted initdb
    log "initdb (PostgreSQL $PG_MAJOR) in $PG_DATA"
    as_pg_user "$BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --no-locale >"$PG_BASE/initdb.log" 2>&1 ||
      { show_log_tail "$PG_BASE/initdb.log"; die "initdb failed"; }
  fi
  STEP="configure"
  [[ "$(cat "$PG_DATA/PG_VERSION")" == "$PG_MAJOR" ]] ||
    die "cluster $PG_DATA is PostgreSQL $(cat "$PG_DATA/PG_VERSION") but the binaries are $PG_MAJOR; remove $PG_BASE and rerun"
  # Our settings live in ecology.conf (rewritten on each start), included from postgresql.conf.
  as_pg_user tee "$PG_DATA/ecology.conf" >/dev/null <<EOF
# Written by scripts/start-postgres.sh on each start; edits are lost.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 300
shared_buffers = 256MB
# Test server: a crash may lose the last commits but never corrupts data.
synchronous_commit = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  # Who may connect (rewritten on each start too): the socket's folder is 0700; TCP needs the password.
  as_pg_user tee "$PG_DATA/pg_hba.conf" >/dev/null <<EOF
# Written by scripts/start-postgres.sh on each start; edits are lost.
local all all trust
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
EOF
  chmod 0700 "$PG_SOCKET_DIR" # whoever enters it may connect without a password
  if [[ ! -s "$PG_PASSWORD_FILE" ]]; then
    (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$PG_PASSWORD_FILE")
    log "generated the password of TCP connections in $PG_PASSWORD_FILE"
  fi
  chmod 0600 "$PG_PASSWORD_FILE"
  CONFIGURED=1
  grep -q "^include_if_exists = 'ecology.conf'" "$PG_DATA/postgresql.conf" ||
    echo "include_if_exists = 'ecology.conf'" | as_pg_user tee -a "$PG_DATA/postgresql.conf" >/dev/null

  STEP="start PostgreSQL on 127.0.0.1:$PORT"
  if port_open 127.0.0.1 "$PORT"; then
    die "port $PORT is already in use by another process (not our cluster $PG_DATA); stop it or set ECOLOGY_PG_PORT"
  fi
  log "starting on 127.0.0.1:$PORT (log: $PG_LOG)"
  detached as_pg_user "$BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s start </dev/null || { show_log_tail "$PG_LOG"; die "pg_ctl start failed"; }
fi

STEP="wait for PostgreSQL"
wait_until 30 pg_isready -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres || { show_log_tail "$PG_LOG"; die "server not accepting connections on 127.0.0.1:$PORT"; }

if [[ -n "$CONFIGURED" ]]; then
  # Set on every start we configured: the cluster may be new, or older than the password file.
  # Through stdin (printf is a builtin): the password never appears in a process's argv.
  STEP="set the password of TCP connections"
  printf "ALTER ROLE postgres PASSWORD '%s';\n" "$(cat "$PG_PASSWORD_FILE")" | psql_admin >/dev/null || die "could not set the password"
fi

STEP="create database ecology"
if [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'ecology'")" != 1 ]]; then
  # Tolerates a concurrent creator: only fail if the database still doesn't exist.
  psql_admin -c 'CREATE DATABASE ecology' 2>/dev/null ||
    [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'ecology'")" == 1 ]] ||
    die "could not create database ecology"
  log "created database ecology"
fi

database_url
