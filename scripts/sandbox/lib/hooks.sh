# Plug-in points for the pods and operator helpers (contract: scripts/sandbox/README.md).
# Sourced after common.sh.

# run_hook COMPONENT SCRIPT - runs scripts/sandbox/COMPONENT/SCRIPT.sh when it exists, from the
# repo root, with .sandbox/env exported. Returns the hook's status.
run_hook() {
  local file="$SANDBOX_SCRIPTS/$1/$2.sh"
  [ -f "$file" ] || return 0
  log "hook $1/$2.sh"
  (
    cd "$REPO_ROOT"
    set -a
    # shellcheck disable=SC1090
    source "$ENV_FILE"
    set +a
    bash "$file"
  )
}

hook_exists() { [ -f "$SANDBOX_SCRIPTS/$1/$2.sh" ]; }
