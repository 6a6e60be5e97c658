# End-to-end phases of `npm test`, sourced by scripts/test-all.sh, which calls run_e2e_phases
# from the repo root after building dist/ and running the unit tests.
#   1. control plane + PGO v5.8.9 CRDs      -> test/e2e/api
#   2. the same with PGO v6.0.3 CRDs        -> test/e2e/api again, recorded as e2e/api@v6.0.3
#   3. + pods and the operator (hooks)      -> test/e2e/operator
#   4. every other folder under test/e2e/   -> each on its own
# A failing phase marks the run failed; later phases still run. The sandbox always goes down
# at the end (also on failure and on Ctrl-C). Timings per phase are printed at the end.
# shellcheck shell=bash

_E2E_SANDBOX="scripts/sandbox/sandbox.sh"
_E2E_TIMINGS=()
_E2E_DOWN_DONE=""

_e2e_note() { printf '\n== %s ==\n' "$*"; }

_e2e_down_once() {
  [ -n "$_E2E_DOWN_DONE" ] && return 0
  _E2E_DOWN_DONE=1
  _e2e_note "e2e: sandbox down"
  local t0=$SECONDS
  bash "$_E2E_SANDBOX" down || echo "e2e: sandbox down failed" >&2
  _E2E_TIMINGS+=("down: $((SECONDS - t0)) s")
}

# _e2e_up NAME ARGS... - brings the sandbox to the phase's state; a failure is counted as a
# failed suite line so the summary shows it.
_e2e_up() {
  local name="$1"; shift
  if bash "$_E2E_SANDBOX" up "$@"; then return 0; fi
  echo "sandbox-up($name) 0 1" >> "${KPGO_RESULTS:-.test-results}"
  return 1
}

# _e2e_phase NAME COMMAND... - runs one phase, records its time and outcome.
_e2e_phase() {
  local name="$1"; shift
  _e2e_note "e2e phase: $name"
  local t0=$SECONDS rc=0
  "$@" || rc=$?
  local outcome="ok"; [ "$rc" = 0 ] || outcome="FAILED (exit $rc)"
  _E2E_TIMINGS+=("$name: $((SECONDS - t0)) s, $outcome")
  return "$rc"
}

# Each phase starts from an empty etcd: objects a previous phase left in namespaces that are
# still terminating (no namespace controller runs in the API phases) must not show up in -A
# reports or be reconciled by the operator.
_e2e_fresh() { bash "$_E2E_SANDBOX" down >/dev/null 2>&1 || true; }

_e2e_api_v5() {
  _e2e_fresh
  _e2e_up "v5.8.9" --pgo-crds v5.8.9 || return 1
  PGO_CRDS=v5.8.9 bash scripts/run-tests.sh e2e/api
}

_e2e_api_v6() {
  _e2e_fresh
  _e2e_up "v6.0.3" --pgo-crds v6.0.3 || return 1
  PGO_CRDS=v6.0.3 KPGO_SUITE_NAME=e2e/api@v6.0.3 bash scripts/run-tests.sh e2e/api
}

_e2e_operator() {
  # The operator phase runs on the CRDs PGO v5.8.9 ships (the recordings' version); --operator
  # brings up pods first (scripts/sandbox/pods/up.sh, then operator/up.sh).
  _e2e_fresh
  _e2e_up "operator" --pgo-crds v5.8.9 --operator || return 1
  PGO_CRDS=v5.8.9 bash scripts/run-tests.sh e2e/operator
}

_e2e_others() {
  local rc=0 dir suite
  for dir in test/e2e/*/; do
    suite="e2e/$(basename "$dir")"
    case "$suite" in e2e/api | e2e/operator) continue ;; esac
    bash scripts/run-tests.sh "$suite" || rc=1
  done
  return "$rc"
}

run_e2e_phases() {
  local status=0
  _E2E_TIMINGS=()
  _E2E_DOWN_DONE=""
  trap '_e2e_down_once' EXIT
  trap '_e2e_down_once; exit 130' INT TERM
  _e2e_phase "1 api (v5.8.9 CRDs)" _e2e_api_v5 || status=1
  _e2e_phase "2 api (v6.0.3 CRDs)" _e2e_api_v6 || status=1
  _e2e_phase "3 operator" _e2e_operator || status=1
  _e2e_phase "4 other e2e" _e2e_others || status=1
  _e2e_down_once
  trap - EXIT INT TERM
  _e2e_note "e2e timings"
  printf '  %s\n' "${_E2E_TIMINGS[@]}"
  return "$status"
}
