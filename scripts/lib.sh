# Shared helpers for the project's scripts (sourced, not run).
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR=${TOOLS_DIR:-$ROOT/.tools}
VENV=${VENV:-$ROOT/.venv}
export PATH="$TOOLS_DIR/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "$*"; exit 1; }

# Runs a command as root (apt), through sudo when not root already.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages that are missing; one apt-get call for all of them.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  # Package scripts try to start system services; we start our own processes instead.
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"; then
    as_root apt-get -o DPkg::Lock::Timeout=300 update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"
  fi
}

# Whether process $1 exists and has not exited (an exited child not yet reaped is a zombie).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case "$state" in Z*) return 1 ;; *) return 0 ;; esac
}

# A free TCP port on the loopback interface.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until URL answers 2xx (at most $2 seconds).
wait_http() {
  local url=$1 deadline=$(( $(date +%s) + ${2:-60} ))
  until curl -fsS -m 2 -o /dev/null "$url" 2>/dev/null; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# Steps of a long script, each timed: `step NAME` ends the step before (printing its duration)
# and starts NAME; `steps_table` ends the last one and prints every step's duration as a
# Markdown table (also when the script stops on an error: call it from an EXIT trap).
STEP_NAMES=()
STEP_SECONDS=()
STEP_CURRENT=""
STEP_STARTED=0
STEPS_STARTED=$(date +%s)
mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
end_step() {
  [ -n "$STEP_CURRENT" ] || return 0
  local took=$(($(date +%s) - STEP_STARTED))
  STEP_NAMES+=("$STEP_CURRENT")
  STEP_SECONDS+=("$took")
  printf '== %s: %s\n' "$STEP_CURRENT" "$(mmss "$took")" >&2
  STEP_CURRENT=""
}
step() {
  end_step
  STEP_CURRENT=$*
  STEP_STARTED=$(date +%s)
  printf '\n== %s\n' "$STEP_CURRENT" >&2
}
steps_table() {
  end_step
  local i
  printf '\n| step | m:ss |\n|---|---:|\n' >&2
  for i in "${!STEP_NAMES[@]}"; do
    printf '| %s | %s |\n' "${STEP_NAMES[$i]}" "$(mmss "${STEP_SECONDS[$i]}")" >&2
  done
  printf '| **total** | **%s** |\n' "$(mmss $(($(date +%s) - STEPS_STARTED)))" >&2
}

# Stops process $1 and its children (a background job of this script and what it started).
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
