#!/usr/bin/env bash
# Runs a command inside the project's environment (Node >= 22, built sources, Pulumi CLI on PATH),
# provisioning whatever is missing first. Used by `npm start`, `npm test` and `.ci/run`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec "$@"
