#!/usr/bin/env bash
# Yields a working Pulumi CLI directory and prints its path (a `bin` directory holding `pulumi`,
# `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`). Progress goes to stderr.
#
# Order: (1) a `pulumi` on PATH, or (2) in the cache, whose version is at least the pinned one;
# (3) on a connected machine, Pulumi's own installer (PulumiCommand.install); (4) otherwise build
# the Go programs from the Go module proxy with the machine's Go toolchain (tools/pulumi-cli and
# tools/pulumi-language-nodejs). The pinned version is the @pulumi/pulumi dev dependency in
# package.json: one place. The cache lives outside the repository so later runs reuse it.
#
# Set SORACOM_SIGFOX_PULUMI_SOURCE=build|install to force a path (for measuring), or
# SORACOM_SIGFOX_IGNORE_PATH_PULUMI=1 to ignore a `pulumi` on PATH.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SORACOM_SIGFOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-soracom-sigfox}"
VERSION="$(node -p 'require(process.argv[1]).devDependencies["@pulumi/pulumi"]' "$REPO_ROOT/package.json")"
DEST="$CACHE/pulumi-v$VERSION"
SOURCE="${SORACOM_SIGFOX_PULUMI_SOURCE:-auto}"

log() { printf '[pulumi-cli] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# True when version $1 >= version $2.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

cli_version() { "$1/pulumi" version 2>/dev/null | sed 's/^v//'; }

# The resource plugin for dynamic providers is a shell script shipped in the @pulumi/pulumi package.
resource_script="$REPO_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

complete_dir() {
  local dir="$1" v
  [ -x "$dir/pulumi" ] && [ -x "$dir/pulumi-language-nodejs" ] && [ -x "$dir/pulumi-resource-pulumi-nodejs" ] || return 1
  v="$(cli_version "$dir")" && [ -n "$v" ] && version_ge "$v" "$VERSION"
}

finish() {
  log "using Pulumi CLI v$(cli_version "$1") in $1"
  printf '%s\n' "$1"
  exit 0
}

# (1) a pulumi on PATH
if [ "$SOURCE" = auto ] && [ -z "${SORACOM_SIGFOX_IGNORE_PATH_PULUMI:-}" ] && command -v pulumi >/dev/null 2>&1; then
  path_dir="$(dirname "$(readlink -f "$(command -v pulumi)")")"
  if complete_dir "$path_dir"; then finish "$path_dir"; fi
fi

mkdir -p "$CACHE"
# One provisioning at a time per cache (parallel CI jobs on one machine).
exec 9>"$CACHE/.pulumi-cli.lock"
flock 9

# (2) the cache
if [ "$SOURCE" = auto ] && complete_dir "$DEST/bin"; then finish "$DEST/bin"; fi

staging="$(mktemp -d "$CACHE/.pulumi-v$VERSION.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/bin"

installed=""
# (3) Pulumi's installer, when its download site answers.
if [ "$SOURCE" != build ] && curl -fsS --max-time 5 -o /dev/null https://get.pulumi.com/ 2>/dev/null; then
  log "installing Pulumi CLI v$VERSION with Pulumi's installer"
  if node -e '
      const { PulumiCommand } = require(process.argv[1]);
      PulumiCommand.install({ root: process.argv[2], version: process.argv[3] })
        .then(() => process.exit(0), (e) => { console.error(String(e && e.message || e)); process.exit(1); });
    ' "$REPO_ROOT/node_modules/@pulumi/pulumi/automation" "$staging" "$VERSION" >&2; then
    installed=installer
  else
    log "installer failed; falling back to building from the Go module proxy"
  fi
elif [ "$SOURCE" = install ]; then
  die "SORACOM_SIGFOX_PULUMI_SOURCE=install but Pulumi's download site does not answer"
fi

# (4) build from the Go module proxy
if [ -z "$installed" ]; then
  command -v go >/dev/null 2>&1 || die "no Pulumi CLI >= v$VERSION on PATH, no connection to Pulumi's installer, and no Go toolchain to build one. Install Go >= 1.26 (or the Pulumi CLI) and retry."
  export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="${GOFLAGS:-} -mod=readonly"
  start=$(date +%s)
  log "building pulumi v$VERSION from the Go module proxy (cold: 4 to 9 minutes on 2 cores; see README)"
  # package.json is the one place the version is pinned. tools/pulumi-cli/go.mod mirrors it (with a
  # committed go.sum, checked by test/unit/pinned-versions.test.ts); if a bump left it behind, build
  # a copy retargeted to the pinned release rather than a CLI older than the SDK.
  module_dir="$REPO_ROOT/tools/pulumi-cli"
  if ! grep -q "github.com/pulumi/pulumi/pkg/v3 v$VERSION\$" "$module_dir/go.mod"; then
    log "tools/pulumi-cli/go.mod does not pin v$VERSION: building a retargeted copy (commit its go.mod/go.sum)"
    cp -R "$module_dir" "$staging/module"
    module_dir="$staging/module"
    (cd "$module_dir" && go mod edit -require="github.com/pulumi/pulumi/pkg/v3@v$VERSION" -require="github.com/pulumi/pulumi/sdk/v3@v$VERSION" \
      && GOFLAGS=-mod=mod go mod tidy) >&2 || die "could not retarget tools/pulumi-cli to v$VERSION"
  fi
  (cd "$module_dir" && go build -trimpath -o "$staging/bin/pulumi" \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) >&2 || die "go build of the Pulumi CLI failed (see above)"
  host_version="$(sed -n 's/^require github.com\/pulumi\/pulumi\/sdk\/v3 \(v[0-9.]*\)$/\1/p' "$REPO_ROOT/tools/pulumi-language-nodejs/go.mod")"
  log "building pulumi-language-nodejs $host_version"
  (cd "$REPO_ROOT/tools/pulumi-language-nodejs" && go build -trimpath -o "$staging/bin/pulumi-language-nodejs" \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$host_version" \
      github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs) >&2 || die "go build of pulumi-language-nodejs failed (see above)"
  log "built in $(( $(date +%s) - start ))s"
fi

if [ ! -x "$staging/bin/pulumi-resource-pulumi-nodejs" ]; then
  [ -f "$resource_script" ] || die "missing $resource_script: run npm ci first"
  cp "$resource_script" "$staging/bin/pulumi-resource-pulumi-nodejs"
  chmod +x "$staging/bin/pulumi-resource-pulumi-nodejs"
fi

rm -rf "$staging/module"
complete_dir "$staging/bin" || die "the provisioned CLI in $staging/bin does not work"
# Replace the cache entry in one rename, so an interrupted run never leaves a half directory.
rm -rf "$DEST.old"
[ -e "$DEST" ] && mv "$DEST" "$DEST.old"
mv "$staging" "$DEST"
rm -rf "$DEST.old"
trap - EXIT
finish "$DEST/bin"
