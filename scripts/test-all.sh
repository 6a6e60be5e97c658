#!/usr/bin/env bash
# The one test command (npm test): builds, starts what the tests need (the sandbox), runs every
# suite, stops the sandbox even when tests fail, and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export KPGO_RESULTS="${KPGO_RESULTS:-$PWD/.test-results}" # a test of this script passes its own
: > "$KPGO_RESULTS"
status=0
note() { printf '\n== %s ==\n' "$*"; }

note setup
# Debian packages (Patroni, PostgreSQL), npm dependencies, the Go-built sandbox binaries:
# idempotent, so a second run costs a second or two.
bash scripts/setup.sh || { echo "setup 0 1" >> "$KPGO_RESULTS"; echo "0 passed, 1 failed"; exit 1; }

note build
# A failed build ends the run here: every e2e suite would otherwise test an old dist/.
if ! npm run build; then
  echo "build 0 1" >> "$KPGO_RESULTS"
  echo "error: npm run build failed (its error is above); no suite was run"
  echo "0 passed, 1 failed"
  exit 1
fi
npm run typecheck || { echo "typecheck 0 1" >> "$KPGO_RESULTS"; status=1; }

note "unit tests"
bash scripts/run-tests.sh unit || status=1

if [ -f scripts/sandbox/e2e-phases.sh ]; then
  # shellcheck disable=SC1091
  source scripts/sandbox/e2e-phases.sh
  run_e2e_phases || status=1
fi

passed=$(awk '{p+=$2} END {print p+0}' "$KPGO_RESULTS")
failed=$(awk '{f+=$3} END {print f+0}' "$KPGO_RESULTS")
note summary
cat "$KPGO_RESULTS"
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit "$status"
