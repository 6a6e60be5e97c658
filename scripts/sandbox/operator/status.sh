#!/usr/bin/env bash
# `sandbox status` hook: which operator runs, and whether its pod is Ready.
set -uo pipefail
# shellcheck source=../lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib/common.sh"
if pid="$(running_pid operator-supervisor)"; then
  mode="$(cat "$RUN_DIR/operator-supervisor.mode" 2>/dev/null)"
  printf '  operator     %s (supervisor pid %s, operator pid %s)\n' "${mode:-?}" "$pid" "$(running_pid operator || echo none)"
  if [ -n "${KUBE_BIN_DIR:-}" ] && [ -n "${KUBECONFIG:-}" ]; then
    "$KUBE_BIN_DIR/kubectl" --kubeconfig="$KUBECONFIG" get pods -n postgres-operator \
      -l postgres-operator.crunchydata.com/control-plane=postgres-operator \
      -o custom-columns='  POD:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,RESTARTS:.status.containerStatuses[0].restartCount' 2>/dev/null
  fi
else
  echo "  operator     not running"
fi
