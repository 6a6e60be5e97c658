#!/usr/bin/env bash
# Runs one test suite (a folder under test/) with uvu under tsx and appends its counts to
# $KPGO_RESULTS (lines "suite passed failed"). Exit status: uvu's.
# Usage: run-tests.sh <suite> [pattern]
# KPGO_SUITE_NAME names the suite in the results line (e.g. e2e/api@v6.0.3 for a second run of
# the same folder under other conditions); default: <suite>.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
suite="$1"; pattern="${2:-\\.test\\.ts$}"
results="${KPGO_RESULTS:-.test-results}"
dir="test/$suite"
if [ -z "$(find "$dir" -name '*.test.ts' 2>/dev/null | head -1)" ]; then
  echo "[$suite] no tests"; exit 0
fi
log="$(mktemp)"
FORCE_COLOR=0 node --import tsx scripts/uvu-run.mjs "$dir" "$pattern" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# uvu-run.mjs prints the failures itself (failed tests + failed hooks + files that did not load);
# skipped tests are listed by name and never subtracted from anything.
passed=$(sed -n 's/^ *Passed: *\([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^ *Failed: *\([0-9]*\).*/\1/p' "$log" | tail -1)
passed=${passed:-0}; failed=${failed:-0}
# A run that crashed before it could count still counts as one failure.
if [ "$rc" != 0 ] && [ "$failed" -le 0 ]; then failed=1; fi
echo "${KPGO_SUITE_NAME:-$suite} $passed $failed" >> "$results"
rm -f "$log"
exit "$rc"
