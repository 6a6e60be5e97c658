#!/usr/bin/env bash
# `sandbox up --pods` hook: kube-controller-manager, kube-scheduler, kwok (fake nodes + exec
# server), the PersistentVolume provisioner and the database runtime (real Patroni + PostgreSQL
# behind every database pod). Idempotent: reuses what runs and is healthy.
# Contract: scripts/sandbox/README.md; what is real and what is not: scripts/sandbox/pods/README.md.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${KUBECONFIG:?}" "${KUBE_BIN_DIR:?}" "${CERT_DIR:?}" "${SA_KEY:?}"
t0="$(now_ms)"

for b in kube-controller-manager kube-scheduler kubectl; do
  [ -x "$KUBE_BIN_DIR/$b" ] || pdie "$KUBE_BIN_DIR/$b missing: run scripts/sandbox/build-bins.sh kubernetes"
done
KWOK_BIN="$(bash "$REPO_ROOT/scripts/sandbox/build-bins.sh" --path kwok)/kwok"
[ -x "$KWOK_BIN" ] || pdie "$KWOK_BIN missing: run scripts/sandbox/build-bins.sh kwok"
for b in patroni patronictl pgbackrest unshare; do command -v "$b" >/dev/null || pdie "$b not installed: run scripts/setup.sh (Debian packages patroni, pgbackrest)"; done
[ "$(id -u)" = 0 ] || pdie "the pods runtime mounts each pod's volumes in a mount namespace of its own: run it as root"
[ -x /usr/lib/postgresql/15/bin/postgres ] || pdie "PostgreSQL 15 not installed: run scripts/setup.sh (Debian package postgresql-15)"

# The postgres user must reach data directories, sockets, configs and shims. When the repo lives
# where it cannot (e.g. under /root), our tree goes to /var/tmp and .sandbox/pods links to it.
pods_root() {
  if [ -L "$PODS_DIR" ] || [ -d "$PODS_DIR" ]; then readlink -f "$PODS_DIR"; return; fi
  local ok=1
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    mkdir -p "$PODS_DIR" && chmod 755 "$PODS_DIR"
    runuser -u postgres -- test -x "$PODS_DIR" || ok=0
    [ "$ok" = 1 ] || rmdir "$PODS_DIR"
  else
    mkdir -p "$PODS_DIR"
  fi
  if [ "$ok" = 0 ]; then
    local ext; ext="/var/tmp/kpgo-pods-$(printf '%s' "$SANDBOX_DIR" | sha1sum | cut -c1-10)"
    mkdir -p "$ext" && chmod 755 "$ext" && ln -sfn "$ext" "$PODS_DIR"
  fi
  readlink -f "$PODS_DIR"
}
PODS_REAL="$(pods_root)"
mkdir -p "$PODS_REAL/bin" "$PODS_REAL/pki" "$LOG_DIR/pods-db"
chmod 755 "$PODS_REAL" "$PODS_REAL/bin"

# --- kube-controller-manager and kube-scheduler -----------------------------------------
healthz() { curl -skf --max-time 2 "https://127.0.0.1:$1/healthz" | grep -qx ok; }
component_up() { # NAME -> 0 when it runs and answers /healthz
  local port; running_pid "$1" >/dev/null || return 1
  port="$(cat "$RUN_DIR/$1.port" 2>/dev/null)" && healthz "$port"
}

if component_up pods-controller-manager; then
  plog "kube-controller-manager reused (pid $(running_pid pods-controller-manager))"
else
  stop_process pods-controller-manager 10
  read -r port < <(free_ports 1)
  echo "$port" > "$RUN_DIR/pods-controller-manager.port"
  # The node lifecycle controller stays on: only it removes the not-ready taint of new nodes.
  start_process pods-controller-manager "$KUBE_BIN_DIR/kube-controller-manager" \
    --kubeconfig="$KUBECONFIG" --authentication-kubeconfig="$KUBECONFIG" --authorization-kubeconfig="$KUBECONFIG" \
    --leader-elect=false --bind-address=127.0.0.1 --secure-port="$port" \
    --root-ca-file="$CERT_DIR/apiserver.crt" --service-account-private-key-file="$SA_KEY" \
    --controllers='*' --concurrent-gc-syncs=5 --v=1
fi
if component_up pods-scheduler; then
  plog "kube-scheduler reused (pid $(running_pid pods-scheduler))"
else
  stop_process pods-scheduler 10
  read -r port < <(free_ports 1)
  echo "$port" > "$RUN_DIR/pods-scheduler.port"
  start_process pods-scheduler "$KUBE_BIN_DIR/kube-scheduler" \
    --kubeconfig="$KUBECONFIG" --authentication-kubeconfig="$KUBECONFIG" --authorization-kubeconfig="$KUBECONFIG" \
    --leader-elect=false --bind-address=127.0.0.1 --secure-port="$port" --v=1
fi

# --- kwok: CRDs for Exec objects, stages, exec server, fake nodes --------------------------
KWOK_MOD="$(kwok_module_dir)"
if [ ! -d "$KWOK_MOD/kustomize" ]; then
  v="$(sed -n 's/^KWOK_VERSION=//p' "$REPO_ROOT/scripts/sandbox/versions.env")"
  KWOK_MOD="$(GOTOOLCHAIN=local go mod download -json "sigs.k8s.io/kwok@$v" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
fi
[ -d "$KWOK_MOD/kustomize/stage" ] || pdie "kwok module source not found (looked in $KWOK_MOD)"
kctl apply -f "$KWOK_MOD/kustomize/crd/bases/kwok.x-k8s.io_execs.yaml" >/dev/null
kctl wait --for=condition=Established --timeout=60s crd/execs.kwok.x-k8s.io >/dev/null

stages="$PODS_REAL/kwok-stages.yaml"
{
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    # PGO's backup Job pods finish when their backup does (runtime/backup-job.ts), not on a timer.
    if [ "$f" = pod/fast/pod-complete.yaml ]; then
      sed "/^      - 'Job'\$/a\\
    - key: '.metadata.labels[\"postgres-operator.crunchydata.com/pgbackrest-backup\"]'\\
      operator: 'DoesNotExist'" "$KWOK_MOD/kustomize/stage/$f"
    else cat "$KWOK_MOD/kustomize/stage/$f"; fi
  done
  # pods/log of the operator slot's pod: the container log its supervisor writes in the CRI
  # format (scripts/sandbox/operator/container-log.ts), read by kwok as a kubelet reads its own.
  printf -- '---\napiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterLogs\nmetadata: {name: operator-slot}\nspec:\n  selector: {matchNamespaces: [postgres-operator]}\n  logs:\n  - containers: [operator]\n    logsFile: %s/operator.container.log\n    follow: true\n' "$(cd "$SANDBOX_DIR" && pwd)"
} > "$stages"

# kwok looks an exec'd command up on its own PATH: that PATH holds only links to shims/pod-exec,
# one per program of the container image's PATH, so every exec runs in its pod's view.
install -m 0755 "$PODS_SCRIPTS/shims/pod-exec" "$PODS_SCRIPTS/shims/pod-enter" "$PODS_REAL/"
mkdir -p "$PODS_REAL/nsroot"
node -e '
  const fs = require("fs"), path = require("path");
  const [bin, ...dirs] = process.argv.slice(1);
  fs.rmSync(bin, { recursive: true, force: true }); fs.mkdirSync(bin, { mode: 0o755 });
  const names = new Set();
  for (const d of dirs) { try { for (const f of fs.readdirSync(d)) names.add(f); } catch {} }
  for (const n of names) fs.symlinkSync("../pod-exec", path.join(bin, n));
  console.log(names.size);
' "$PODS_REAL/bin" /usr/lib/postgresql/15/bin /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin > "$PODS_REAL/bin.count"
kwok_path="$PODS_REAL/bin"

# The exec server's TLS pair: the apiserver does not verify kubelets (no --kubelet-certificate-authority).
install -m 0600 "$CERT_DIR/apiserver.crt" "$PODS_REAL/pki/kwok.crt"
install -m 0600 "$CERT_DIR/apiserver.key" "$PODS_REAL/pki/kwok.key"

# The Nodes keep the exec port kwok had (their kubelet endpoint): a kwok started again on the
# same sandbox must listen there, or exec into its pods breaks.
kwok_port_before=""
[ -f "$RUN_DIR/pods-kwok.port" ] && kwok_port_before="$(cat "$RUN_DIR/pods-kwok.port")" && KWOK_PORT="$kwok_port_before"
kwok_up() { running_pid pods-kwok >/dev/null && curl -skf --max-time 2 "https://127.0.0.1:$KWOK_PORT/healthz" >/dev/null; }
port_taken() { node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(0));s.listen(Number(process.argv[1]),"127.0.0.1",()=>s.close(()=>process.exit(1)))' "$1"; }
if kwok_up; then
  plog "kwok reused (pid $(running_pid pods-kwok))"
else
  stop_process pods-kwok 10
  KWOK_PORT="${KPGO_KWOK_PORT:-${kwok_port_before:-10250}}"
  if port_taken "$KWOK_PORT"; then
    # Another sandbox (or a kubelet) holds the usual port: nodes then name another one.
    [ -z "${KPGO_KWOK_PORT:-}" ] || pdie "port $KWOK_PORT on 127.0.0.1 (KPGO_KWOK_PORT) is taken"
    read -r KWOK_PORT < <(free_ports 1)
    plog "port ${kwok_port_before:-10250} is taken on 127.0.0.1: kwok's exec server uses $KWOK_PORT"
  fi
  echo "$KWOK_PORT" > "$RUN_DIR/pods-kwok.port"
  # Only kwok gets that PATH (env execs it: same pid); .bin names kwok for running_pid.
  start_process pods-kwok /usr/bin/env PATH="$kwok_path" "$KWOK_BIN" \
    --kubeconfig="$KUBECONFIG" -c "$stages" --enable-crds=Exec \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 --cidr="$KWOK_CIDR" \
    --node-ip=127.0.0.1 --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
    --tls-cert-file="$PODS_REAL/pki/kwok.crt" --tls-private-key-file="$PODS_REAL/pki/kwok.key"
  echo "$KWOK_BIN" > "$RUN_DIR/pods-kwok.bin"
fi

# Nodes. The apiserver reaches a kubelet by the first address of its preferred types
# (Hostname first by default): both point at the exec server on loopback.
nodes_yaml=""
for ((i = 0; i < KWOK_NODES; i++)); do
  n="kwok-node-$i"
  nodes_yaml+="---
apiVersion: v1
kind: Node
metadata:
  name: $n
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: \"0\"}
  labels:
    type: kwok
    kubernetes.io/hostname: $n
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    topology.kubernetes.io/zone: zone-$((i % 3))
status:
  addresses:
  - {type: InternalIP, address: 127.0.0.1}
  - {type: Hostname, address: localhost}
  allocatable: {cpu: '32', memory: 256Gi, pods: '110'}
  capacity: {cpu: '32', memory: 256Gi, pods: '110'}
"
done
for ((i = 0; i < KWOK_NODES; i++)); do
  kctl get node "kwok-node-$i" >/dev/null 2>&1 || missing=1
done
if [ "${missing:-0}" = 1 ]; then printf '%s' "$nodes_yaml" | kctl create -f - 2>&1 | grep -v AlreadyExists >&2 || true; fi

wait_until 60 "kube-controller-manager /healthz" component_up pods-controller-manager || { tail -20 "$LOG_DIR/pods-controller-manager.log" >&2; exit 1; }
wait_until 60 "kube-scheduler /healthz" component_up pods-scheduler || { tail -20 "$LOG_DIR/pods-scheduler.log" >&2; exit 1; }
wait_until 60 "kwok exec server on 127.0.0.1:$KWOK_PORT" kwok_up || { tail -20 "$LOG_DIR/pods-kwok.log" >&2; exit 1; }
nodes_schedulable() { # Ready and without the not-ready taint
  local out; out="$(kctl get nodes -l type=kwok -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.spec.taints[*].key}{"\n"}{end}')"
  [ "$(grep -c ' True *$' <<<"$out")" -ge "$KWOK_NODES" ]
}
wait_until 90 "$KWOK_NODES kwok nodes Ready and untainted" nodes_schedulable || { kctl get nodes -o wide >&2; exit 1; }

# --- our TypeScript processes: PV provisioner and database runtime ----------------------------
NODE_BIN="$(command -v node)"
start_ts() { # NAME SCRIPT ARGS... - one bundle run by plain node (scripts/sandbox/bundle.mjs says why)
  local name="$1" script="$2"; shift 2
  stop_process "$name" 30
  "$NODE_BIN" "$REPO_ROOT/scripts/sandbox/bundle.mjs" "$script" "$RUN_DIR/$name.mjs" || { plog "$name: bundling $script failed"; exit 1; }
  PODS_ROOT="$PODS_REAL" start_process "$name" "$NODE_BIN" "$RUN_DIR/$name.mjs" "$@"
  echo "$RUN_DIR/$name.mjs" > "$RUN_DIR/$name.bin"
}
ts_up() { running_pid "$1" >/dev/null && [ -f "$PODS_REAL/$1.port" ] && curl -sf --max-time 2 "http://127.0.0.1:$(cat "$PODS_REAL/$1.port")/healthz" >/dev/null; }

cd "$REPO_ROOT"
if ts_up pods-volumes; then plog "volume provisioner reused (pid $(running_pid pods-volumes))"
else rm -f "$PODS_REAL/pods-volumes.port"; start_ts pods-volumes "$PODS_SCRIPTS/runtime/volumes.ts"; fi
if ts_up pods-runtime; then plog "database runtime reused (pid $(running_pid pods-runtime))"
else rm -f "$PODS_REAL/pods-runtime.port"; start_ts pods-runtime "$PODS_SCRIPTS/runtime/main.ts"; fi
# Fails at once when the process is gone; "up" otherwise.
ts_wait() { running_pid "$1" >/dev/null || return 0; ts_up "$1"; }
for n in pods-volumes pods-runtime; do
  wait_until 60 "$n" ts_wait "$n" && ts_up "$n" || { plog "$n did not start"; tail -20 "$LOG_DIR/$n.log" >&2; exit 1; }
done

ms=$(($(now_ms) - t0))
echo "$ms" > "$RUN_DIR/pods.ready-ms"
plog "pods ready in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s: controller-manager, scheduler, kwok ($KWOK_NODES nodes, exec on 127.0.0.1:$KWOK_PORT), volumes, database runtime (cap ${KPGO_MAX_DATABASES:-8})"
