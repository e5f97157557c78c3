#!/usr/bin/env bash
# `npm test`: type-check sources and tests (strict), then run every test suite. Extra arguments go to
# vitest (e.g. `npm test -- test/emulator`).
set -euo pipefail
tsc -p tsconfig.json --noEmit
exec vitest run "$@"
