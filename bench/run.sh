#!/usr/bin/env bash
# `npm run bench` (through scripts/run.sh, which has just built dist/): builds the benchmark programs
# (bench/src, tsconfig.bench.json) into dist-bench and runs them; arguments go to bench/src/main.ts.
# The bench imports the project as `#src/...` (package.json "imports"): Node resolves that to dist/,
# the same compiled code the provider process loads through `pulumi-soracom-sigfox/provider`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tsc -p tsconfig.bench.json
exec node dist-bench/main.js "$@"
