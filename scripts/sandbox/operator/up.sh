#!/usr/bin/env bash
# `sandbox up --operator[=PATH]` hook: PGO's install (namespace postgres-operator, Deployment pgo
# with the kustomize labels) and its supervisor, which runs the operator process while the
# Deployment has a pod and makes that pod Ready only while the process runs.
# The process: the TypeScript model of PGO (default), or the executable given by
# OPERATOR_BINARY (from --operator=PATH) or else SANDBOX_OPERATOR. Its log: .sandbox/operator.log.
# Idempotent: reuses a running supervisor for the same operator; another one replaces it.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib/common.sh"
: "${KUBECONFIG:?}" "${KUBE_BIN_DIR:?}"
export SANDBOX_DIR REPO_ROOT
export PGO_CRDS="${PGO_CRDS:-$(cat "$SANDBOX_DIR/crds" 2>/dev/null || echo v5.8.9)}"
t0="$(now_ms)"
kctl() { "$KUBE_BIN_DIR/kubectl" --kubeconfig="$KUBECONFIG" "$@"; }
olog() { printf '[operator %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

binary="${OPERATOR_BINARY:-${SANDBOX_OPERATOR:-}}"
if [ -n "$binary" ]; then
  [ -f "$binary" ] && [ -x "$binary" ] || die "operator binary $binary: not an executable file"
  binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
fi
# A change of operator, CRD version or of this slot's own code restarts the supervisor.
code="$(cat "$REPO_ROOT"/scripts/sandbox/operator/*.ts "$REPO_ROOT"/scripts/sandbox/operator/model/*.ts "$REPO_ROOT"/scripts/sandbox/kube/*.ts | sha1sum | cut -c1-12)"
mode="${binary:-model}@$PGO_CRDS@$code"
mode_file="$RUN_DIR/operator-supervisor.mode"

if running_pid operator-supervisor >/dev/null && [ "$(cat "$mode_file" 2>/dev/null)" = "$mode" ]; then
  olog "supervisor reused (pid $(running_pid operator-supervisor), ${binary:-model})"
else
  stop_process operator-supervisor 30
  stop_process operator 15 # a process the previous supervisor could not stop
  touch "$SANDBOX_DIR/operator.log"
  mkdir -p "$LOG_DIR" && ln -sfn ../operator.log "$LOG_DIR/operator.log"
  # One bundle run by plain node, as the model it starts (scripts/sandbox/bundle.mjs says why).
  node "$REPO_ROOT/scripts/sandbox/bundle.mjs" "$REPO_ROOT/scripts/sandbox/operator/supervisor.ts" "$RUN_DIR/operator-supervisor.mjs" || { olog "bundling the supervisor failed"; exit 1; }
  OPERATOR_BINARY="$binary" start_process operator-supervisor "$(command -v node)" "$RUN_DIR/operator-supervisor.mjs"
  echo "$RUN_DIR/operator-supervisor.mjs" > "$RUN_DIR/operator-supervisor.bin"
  echo "$mode" > "$mode_file"
  olog "supervisor started (pid $(cat "$RUN_DIR/operator-supervisor.pid"), ${binary:-model}, PGO $PGO_CRDS)"
fi

deployment_exists() { kctl get -n postgres-operator deployment pgo >/dev/null; }
wait_until 60 "Deployment postgres-operator/pgo" deployment_exists || { tail -20 "$LOG_DIR/operator-supervisor.log" >&2; exit 1; }
# `up --operator` means an operator that runs: undo a scale to 0 left behind.
if [ "$(kctl get -n postgres-operator deployment pgo -o jsonpath='{.spec.replicas}')" = 0 ]; then
  kctl scale -n postgres-operator deployment pgo --replicas=1 >/dev/null
  olog "Deployment pgo was scaled to 0: scaled back to 1"
fi
pod_ready() {
  running_pid operator >/dev/null || return 1
  kctl get pods -n postgres-operator -l postgres-operator.crunchydata.com/control-plane=postgres-operator \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -qx True
}
if ! wait_until 180 "the operator pod to be Ready (process running)" pod_ready; then
  tail -20 "$LOG_DIR/operator-supervisor.log" >&2
  tail -20 "$SANDBOX_DIR/operator.log" >&2
  exit 1
fi
ms=$(($(now_ms) - t0))
olog "operator ready in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s (pid $(running_pid operator), log .sandbox/operator.log)"
