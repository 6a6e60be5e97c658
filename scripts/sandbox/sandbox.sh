#!/usr/bin/env bash
# The sandbox: a real etcd + kube-apiserver on loopback with the PGO CRDs, for tests and demos.
# Usage: sandbox.sh up [--pgo-crds v5.8.9|v6.0.3] [--pods] [--operator[=PATH]]
#        sandbox.sh down | status | kubeconfig | namespace NAME... | restart-apiserver
# Contract for the pods/operator hooks and the .sandbox/ layout: scripts/sandbox/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC1091
source "$here/lib/common.sh"
# shellcheck disable=SC1091
source "$here/lib/users.sh"
# shellcheck disable=SC1091
source "$here/lib/control-plane.sh"
# shellcheck disable=SC1091
source "$here/lib/crds.sh"
# shellcheck disable=SC1091
source "$here/lib/hooks.sh"

# usage [EXIT] - to stdout when asked for (exit 0), else to stderr.
usage() {
  local code="${1:-1}"
  if [ "$code" = 0 ]; then sed -n 's/^# Usage: /usage: /p; s/^#        /       /p' "${BASH_SOURCE[0]}"
  else sed -n 's/^# Usage: /usage: /p; s/^#        /       /p' "${BASH_SOURCE[0]}" >&2; fi
  exit "$code"
}

cmd_up() {
  local crds="" pods=0 operator=0 operator_binary=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --pgo-crds) [ $# -ge 2 ] || die "--pgo-crds needs a version (v5.8.9 or v6.0.3)"; crds="$2"; shift ;;
      --pgo-crds=*) crds="${1#*=}" ;;
      --pods) pods=1 ;;
      --operator) operator=1; pods=1 ;;
      --operator=*) operator=1; pods=1; operator_binary="${1#*=}"
        [ -x "$operator_binary" ] || die "--operator=$operator_binary: not an executable file"
        operator_binary="$(cd "$(dirname "$operator_binary")" && pwd)/$(basename "$operator_binary")" ;;
      *) die "up: unknown flag $1" ;;
    esac
    shift
  done
  case "$crds" in
    "" | v5.8.9 | v6.0.3) ;;
    *) die "--pgo-crds $crds: known versions are v5.8.9 and v6.0.3" ;;
  esac
  local t0; t0="$(now_ms)"
  if [ "$pods" = 1 ]; then bash "$here/build-bins.sh" >&2; else bash "$here/build-bins.sh" etcd kubernetes >&2; fi
  mkdir -p "$SANDBOX_DIR" "$RUN_DIR" "$LOG_DIR"
  load_or_create_env
  write_env
  control_plane_up
  ensure_default_serviceaccounts || die "could not create the default ServiceAccounts"
  # Keep the installed version on a plain `up`; a fresh sandbox gets v5.8.9.
  [ -n "$crds" ] || crds="${PGO_CRDS:-v5.8.9}"
  install_crds "$crds"
  if [ "$pods" = 1 ]; then
    if hook_exists pods up; then run_hook pods up || die "hook scripts/sandbox/pods/up.sh failed"
    else log "--pods: scripts/sandbox/pods/up.sh does not exist yet; control plane only"; fi
  fi
  if [ "$operator" = 1 ]; then
    if hook_exists operator up; then
      if [ -n "$operator_binary" ]; then
        OPERATOR_BINARY="$operator_binary" run_hook operator up || die "hook scripts/sandbox/operator/up.sh failed"
      else
        run_hook operator up || die "hook scripts/sandbox/operator/up.sh failed"
      fi
    else log "--operator: scripts/sandbox/operator/up.sh does not exist yet"; fi
  fi
  local ms=$(($(now_ms) - t0))
  log "up in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
  echo "$KUBECONFIG_FILE"
}

cmd_down() {
  local t0; t0="$(now_ms)"
  if [ -f "$ENV_FILE" ]; then
    # Hooks first: their controllers talk to the apiserver. A failing hook must not keep the
    # control plane running, so its status is reported and the rest goes on.
    run_hook operator down || log "hook operator/down.sh failed (exit $?)"
    run_hook pods down || log "hook pods/down.sh failed (exit $?)"
  fi
  control_plane_down
  # Anything a hook left behind with a pid file of ours.
  local pf name
  for pf in "$RUN_DIR"/*.pid; do
    [ -e "$pf" ] || continue
    name="$(basename "$pf" .pid)"
    log "stopping leftover $name"
    stop_process "$name" 10
  done
  rm -rf "$SANDBOX_DIR"
  local ms=$(($(now_ms) - t0))
  log "down in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
}

cmd_status() {
  if [ ! -f "$ENV_FILE" ]; then echo "sandbox: not up ($SANDBOX_DIR has no env)"; return 1; fi
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  local up=0
  if apiserver_ready; then up=1; fi
  printf 'sandbox: %s\n' "$([ "$up" = 1 ] && echo up || echo DOWN)"
  printf '  kubeconfig   %s\n' "$KUBECONFIG_FILE"
  printf '  apiserver    https://127.0.0.1:%s\n' "$APISERVER_PORT"
  printf '  etcd         http://127.0.0.1:%s (peer %s)\n' "$ETCD_CLIENT_PORT" "$ETCD_PEER_PORT"
  printf '  PGO CRDs     %s\n' "${PGO_CRDS:-none}"
  printf '  %-26s %-8s %-8s %s\n' PROCESS PID RSS-MB SINCE
  local pf name pid
  for pf in "$RUN_DIR"/*.pid; do
    [ -e "$pf" ] || continue
    name="$(basename "$pf" .pid)"
    if pid="$(running_pid "$name")"; then
      printf '  %-26s %-8s %-8s %s\n' "$name" "$pid" "$(rss_mb "$pid")" "$(cat "$RUN_DIR/$name.started" 2>/dev/null)"
    else
      printf '  %-26s %-8s %-8s %s\n' "$name" "-" "-" "NOT RUNNING (log: $LOG_DIR/$name.log)"
    fi
  done
  run_hook pods status || true
  run_hook operator status || true
  [ "$up" = 1 ]
}

# A real kube-apiserver restart (same etcd, ports and token), for the fault tests: stopped, then
# started and waited for until /readyz answers.
cmd_restart_apiserver() {
  [ -f "$ENV_FILE" ] || die "the sandbox is not up (run: npm run sandbox -- up)"
  load_or_create_env
  local t0; t0="$(now_ms)"
  stop_process kube-apiserver 30
  log "kube-apiserver stopped"
  start_apiserver
  local ms=$(($(now_ms) - t0))
  log "kube-apiserver restarted in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
}

cmd_kubeconfig() {
  [ -f "$KUBECONFIG_FILE" ] || die "the sandbox is not up (run: npm run sandbox -- up)"
  echo "$KUBECONFIG_FILE"
}

cmd_namespace() {
  [ -f "$ENV_FILE" ] || die "the sandbox is not up (run: npm run sandbox -- up)"
  [ $# -gt 0 ] || die "namespace: give at least one name"
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  ensure_namespace "$@"
}

[ $# -gt 0 ] || usage
cmd="$1"; shift
case "$cmd" in
  up) cmd_up "$@" ;;
  down) cmd_down ;;
  restart-apiserver) cmd_restart_apiserver ;;
  status) cmd_status ;;
  kubeconfig) cmd_kubeconfig ;;
  namespace | ns) cmd_namespace "$@" ;;
  -h | --help | help) usage 0 ;;
  *) printf 'error: unknown command "%s"\n' "$cmd" >&2; usage ;;
esac
