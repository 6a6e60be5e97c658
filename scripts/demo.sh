#!/usr/bin/env bash
# npm run demo: the sandbox with the operator (PGO's model, or SANDBOX_OPERATOR=PATH) and real
# Patroni/PostgreSQL, two clusters in namespace "demo": "hippo" healthy, and "incident" driven into
# the seed incident (a switchover requested to the current primary, then the replica's StatefulSet
# deleted: PGO never recreates it). Then `kubectl pgo status -A`, through kubectl.
# Re-running reuses the sandbox and the clusters. Stop it all with: npm run sandbox -- down
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
NS=demo
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }
elapsed() { local s=$((SECONDS - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# Runs a long command in the background, printing what it is doing every 15 s (the first,
# cold build of the sandbox binaries takes minutes and is quiet in between).
with_progress() {
  local what="$1" logf; shift
  logf="$(mktemp)"
  local t0=$SECONDS
  "$@" >"$logf" 2>&1 &
  local pid=$! last=""
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null || break
    last="$(grep -E '^\[' "$logf" | tail -1 | sed 's/^\[[^]]*\] //')"
    note "... $what: $(elapsed "$t0")${last:+ - $last}"
  done
  if ! wait "$pid"; then
    tail -30 "$logf" >&2
    rm -f "$logf"
    fail "$what failed"
  fi
  grep -E '^\[(sandbox|pods|operator)' "$logf" | grep -E 'ready|up in' | sed 's/^/   /' || true
  rm -f "$logf"
  note "$what: done in $(elapsed "$t0")"
}

say "0/5 what the demo needs: Patroni and PostgreSQL (Debian), npm packages, Go-built binaries"
with_progress "setup" bash scripts/setup.sh

say "1/5 build the plugin (npm run build)"
with_progress "build" npm run build --silent

say "2/5 the sandbox: Kubernetes on loopback, kwok nodes, Patroni + PostgreSQL, the operator (${SANDBOX_OPERATOR:-PGO model})"
note "the first run builds Kubernetes, etcd and kwok from source: several minutes, once"
with_progress "sandbox up --operator" bash scripts/sandbox/sandbox.sh up --operator
set -a
# shellcheck disable=SC1091
source .sandbox/env
set +a
export PATH="$PWD/dist:$KUBE_BIN_DIR:$PATH"
k() { "$KUBE_BIN_DIR/kubectl" "$@"; }

cluster_yaml() {
  cat <<EOF
apiVersion: postgres-operator.crunchydata.com/v1beta1
kind: PostgresCluster
metadata: {name: $1, namespace: $NS}
spec:
  postgresVersion: 16
  backups: {pgbackrest: {repos: [{name: repo1, volume: {volumeClaimSpec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}]}}
  instances:
  - {name: instance1, replicas: 1, dataVolumeClaimSpec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
  - {name: instance2, replicas: 1, dataVolumeClaimSpec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
EOF
}

# role of each instance pod: "<pod> <role>" lines
roles() {
  k get pods -n "$NS" -l "postgres-operator.crunchydata.com/cluster=$1,postgres-operator.crunchydata.com/instance" \
    -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.labels.postgres-operator\.crunchydata\.com/role} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}'
}
healthy() { local r; r="$(roles "$1")"; [ "$(grep -c ' master True$' <<<"$r")" = 1 ] && [ "$(grep -c ' replica True$' <<<"$r")" = 1 ]; }
wait_for() { # SECONDS WHAT COMMAND...
  local t="$1" what="$2" t0=$SECONDS; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $((SECONDS - t0)) -lt "$t" ] || { note "timed out after ${t} s waiting for $what"; return 1; }
    [ $(((SECONDS - t0) % 15)) -eq 14 ] && note "... waiting for $what ($(elapsed "$t0"))"
    sleep 1
  done
}
in_log() { grep -F "PostgresCluster=$NS/$1" .sandbox/operator.log | grep -qF "$2"; }

say "3/5 two PostgresClusters in namespace $NS: hippo and incident"
bash scripts/sandbox/sandbox.sh namespace "$NS" >/dev/null
for c in hippo incident; do
  if k get postgrescluster -n "$NS" "$c" >/dev/null 2>&1; then note "$c exists (reused)"
  else cluster_yaml "$c" | k apply -f - >/dev/null && note "$c created"; fi
done
stuck=0
if in_log incident 'Need more than one instance to switchover' && [ "$(k get sts -n "$NS" -l postgres-operator.crunchydata.com/cluster=incident,postgres-operator.crunchydata.com/instance -o name | wc -l)" = 1 ]; then
  stuck=1
fi
wait_for 300 "hippo: one primary and one replica, Ready" healthy hippo || fail "hippo did not become healthy"
[ "$stuck" = 1 ] || wait_for 300 "incident: one primary and one replica, Ready" healthy incident || fail "incident did not become healthy"
roles hippo | sed 's/^/   hippo: /'

say "4/5 the incident: a switchover to the current primary, then the replica's StatefulSet deleted"
if [ "$stuck" = 1 ]; then
  note "incident is already stuck (reused)"
else
  primary_pod="$(roles incident | awk '$2 == "master" {print $1}')"
  replica_pod="$(roles incident | awk '$2 == "replica" {print $1}')"
  primary="${primary_pod%-0}" replica="${replica_pod%-0}"
  note "primary $primary, replica $replica"
  note "kubectl patch postgrescluster incident --type merge -p '{\"spec\":{\"patroni\":{\"switchover\":{\"enabled\":true,\"targetInstance\":\"$primary\"}}}}'"
  k patch postgrescluster -n "$NS" incident --type merge -p "{\"spec\":{\"patroni\":{\"switchover\":{\"enabled\":true,\"targetInstance\":\"$primary\"}}}}" >/dev/null
  completed() { [ "$(k get postgrescluster -n "$NS" incident -o jsonpath='{.status.patroni.switchover}')" = "$trigger" ]; }
  failed_since() { tail -n +"$from" .sandbox/operator.log | grep -F "PostgresCluster=$NS/incident" | grep -qF "$1"; }
  tried() { completed || failed_since 'patronictl switchover'; }
  for attempt in 1 2 3; do
    [ "$attempt" = 1 ] || wait_for 300 "incident: one primary and one replica, Ready" healthy incident || fail "incident did not become healthy"
    trigger="$(date -u '+%a %b %e %H:%M:%S UTC %Y')"
    from=$(($(wc -l < .sandbox/operator.log) + 1))
    note "kubectl annotate postgrescluster incident postgres-operator.crunchydata.com/trigger-switchover=\"$trigger\""
    k annotate postgrescluster -n "$NS" incident --overwrite "postgres-operator.crunchydata.com/trigger-switchover=$trigger" >/dev/null
    wait_for 120 "the operator to try the switchover (patronictl fails: the target is already the leader)" tried || continue
    if completed; then
      # PGO's timeline rule: a timeline that moved for any reason (here: a database restart)
      # counts as a completed switchover although the target never changed.
      note "the timeline moved meanwhile, so PGO recorded the switchover as done without one; asking again"
      continue
    fi
    note "operator log: $(tail -n +"$from" .sandbox/operator.log | grep -F "PostgresCluster=$NS/incident" | grep -F 'patronictl switchover' | tail -1 | sed 's/.*error="\([^"]*\)".*/\1/')"
    from=$(($(wc -l < .sandbox/operator.log) + 1))
    note "kubectl delete statefulset $replica"
    k delete sts -n "$NS" "$replica" >/dev/null
    if wait_for 60 "the operator to refuse: Need more than one instance to switchover" failed_since 'Need more than one instance to switchover'; then
      note "operator log: Need more than one instance to switchover - and $replica is not recreated"
      break
    fi
    [ "$attempt" != 3 ] || fail "could not drive incident into the incident"
  done
fi

# PGO's first stanza-create attempts fail while the repo host starts (the real operator's log has
# the same UnableToCreateStanzas Warnings): what the operator writes is waited for, so that hippo
# is shown as it settles, not in its first minute.
stanza() { [ "$(k get postgrescluster -n "$NS" hippo -o jsonpath='{.status.pgbackrest.repos[0].stanzaCreated}')" = true ]; }
wait_for 180 "hippo: PGO to report its pgBackRest stanza created" stanza || note "hippo's stanza is not created yet: status says what PGO says about it"

say "5/5 kubectl pgo status -A"
note "(PATH has dist/ and the sandbox's kubectl; KUBECONFIG=$KUBECONFIG)"
echo
set +e
kubectl pgo status -A
rc=$?
set -e
echo
note "exit code $rc (0: no error finding, 2: at least one). In detail: kubectl pgo status incident -n $NS"
note "the operator's log: .sandbox/operator.log; stop everything: npm run sandbox -- down"
[ "$rc" = 0 ] || [ "$rc" = 2 ] || exit "$rc"
