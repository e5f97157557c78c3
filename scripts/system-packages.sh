#!/usr/bin/env bash
# Installs the Debian packages that real parts of the tests need, when they are missing:
#   chromium    headless browser checks of the HTML pages (drift report, emulator dashboard)
#   postgresql  a real PostgreSQL server for Pulumi's postgres:// backend (sharded fleets)
# Usage: bash scripts/system-packages.sh chromium [postgresql ...]
# Needs root (or passwordless sudo) only when something is missing; already installed = no-op.
set -euo pipefail

log() { printf '[system-packages] %s\n' "$*" >&2; }

# The command that proves each package is there.
probe() {
  case "$1" in
    chromium) command -v chromium >/dev/null 2>&1 ;;
    postgresql) ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 ;;
    *) log "unknown package group \"$1\" (known: chromium, postgresql)"; exit 2 ;;
  esac
}

missing=()
for pkg in "$@"; do probe "$pkg" || missing+=("$pkg"); done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  log "missing Debian packages: ${missing[*]}. Install them as root: apt-get update && apt-get install -y ${missing[*]}"
  exit 1
fi
log "installing Debian packages: ${missing[*]} (apt-get; once per machine)"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
for pkg in "${missing[@]}"; do probe "$pkg" || { log "$pkg was installed but is not usable"; exit 1; }; done
