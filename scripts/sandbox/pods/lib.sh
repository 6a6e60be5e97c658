# Shared by pods/up.sh, down.sh and status.sh. Sourced, never run.
# Same run-file convention as the control plane (run/NAME.pid, .bin, .started; logs/NAME.log),
# so `sandbox.sh status` lists these processes and `sandbox.sh down` can reap leftovers.

PODS_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${REPO_ROOT:=$(cd "$PODS_SCRIPTS/../../.." && pwd)}"
if [ -z "${SANDBOX_DIR:-}" ] && [ -f "$REPO_ROOT/.sandbox/env" ]; then
  set -a; source "$REPO_ROOT/.sandbox/env"; set +a   # run by hand rather than through sandbox.sh
fi
: "${SANDBOX_DIR:?SANDBOX_DIR is not set and the sandbox is not up: npm run sandbox -- up --pods}"
RUN_DIR="$SANDBOX_DIR/run"
LOG_DIR="$SANDBOX_DIR/logs"
PODS_DIR="$SANDBOX_DIR/pods"          # everything of ours that is not a pid file or a log
KWOK_PORT="${KPGO_KWOK_PORT:-10250}"
# Each pod's processes listen on its own loopback address, 127.B.C.D for pod IP 10.B.C.D: two
# sandboxes on one machine with the same pod range had one pod's pgbackrest server answer another
# sandbox's pod (TLS "self-signed certificate in certificate chain"). So the /16 is the sandbox's
# own, derived from its directory (10.200.0.0/16 .. 10.239.0.0/16).
KWOK_CIDR="${KPGO_KWOK_CIDR:-10.$(( $(printf '%s' "$SANDBOX_DIR" | cksum | cut -d' ' -f1) % 40 + 200 )).0.0/16}"
KWOK_NODES="${KPGO_KWOK_NODES:-3}"

# Process control, ports and logging: the control plane's own (same run-file convention).
SANDBOX_LOG_TAG=pods
# shellcheck disable=SC1091
source "$PODS_SCRIPTS/../lib/common.sh"
plog() { log "$@"; }
pdie() { die "$@"; }

kctl() { "$KUBE_BIN_DIR/kubectl" --kubeconfig="$KUBECONFIG" "$@"; }

kwok_module_dir() {
  local v; v="$(sed -n 's/^KWOK_VERSION=//p' "$REPO_ROOT/scripts/sandbox/versions.env")"
  echo "$(GOTOOLCHAIN=local go env GOMODCACHE)/sigs.k8s.io/kwok@$v"
}

tsx_bin() { echo "$REPO_ROOT/node_modules/.bin/tsx"; }
