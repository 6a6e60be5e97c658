# Plug-in points for the pods and operator helpers (contract: scripts/sandbox/README.md).
# Sourced after common.sh. SANDBOX_HOOKS_DIR (default: scripts/sandbox) lets tests plug in
# hooks of their own.

HOOKS_DIR="${SANDBOX_HOOKS_DIR:-$SANDBOX_SCRIPTS}"

# run_hook COMPONENT SCRIPT - runs scripts/sandbox/COMPONENT/SCRIPT.sh when it exists, from the
# repo root, with .sandbox/env exported. Returns the hook's status.
run_hook() {
  local file="$HOOKS_DIR/$1/$2.sh"
  [ -f "$file" ] || return 0
  log "hook $1/$2.sh"
  (
    cd "$REPO_ROOT"
    set -a
    # shellcheck disable=SC1090
    source "$ENV_FILE"
    set +a
    [ -z "${OPERATOR_BINARY:-}" ] || export OPERATOR_BINARY
    bash "$file"
  )
}

hook_exists() { [ -f "$HOOKS_DIR/$1/$2.sh" ]; }
