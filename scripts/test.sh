#!/usr/bin/env bash
# `npm test`: type-check sources and tests (strict), then run every test suite. Extra arguments go to
# vitest (e.g. `npm test -- test/emulator`).
set -euo pipefail
# Real parts some suites need (browser checks of HTML pages; PostgreSQL for the sharded-fleet
# backend, started on demand by scripts/postgres.sh), installed once per machine.
bash "$(dirname "${BASH_SOURCE[0]}")/system-packages.sh" chromium postgresql
tsc -p tsconfig.json --noEmit
# Formatter and linter (biome.json): the tree stays clean, so reviews talk about design.
biome check .
exec vitest run "$@"
