# etcd and kube-apiserver on loopback. Sourced after common.sh and users.sh.

# Loads .sandbox/env when it exists, so a second `up` keeps its ports and admin token;
# otherwise picks free ports and a fresh token and writes it.
load_or_create_env() {
  if [ -f "$ENV_FILE" ]; then
    # shellcheck disable=SC1090
    source "$ENV_FILE"
    bin_dirs # versions.env may have moved on since
    return
  fi
  bin_dirs
  local ports; read -r -a ports <<<"$(free_ports 3)"
  ETCD_CLIENT_PORT="${ports[0]}" ETCD_PEER_PORT="${ports[1]}" APISERVER_PORT="${ports[2]}"
  ADMIN_TOKEN="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  PGO_CRDS=""
  write_env
}

write_env() {
  mkdir -p "$SANDBOX_DIR"
  cat > "$ENV_FILE.tmp" <<ENV
# Written by scripts/sandbox/sandbox.sh up; source it to reach the sandbox.
export SANDBOX_DIR='$SANDBOX_DIR'
export REPO_ROOT='$REPO_ROOT'
export KUBECONFIG='$KUBECONFIG_FILE'
export APISERVER_URL='https://127.0.0.1:$APISERVER_PORT'
export APISERVER_PORT='$APISERVER_PORT'
export ETCD_CLIENT_PORT='$ETCD_CLIENT_PORT'
export ETCD_PEER_PORT='$ETCD_PEER_PORT'
export KUBE_BIN_DIR='$KUBE_BIN_DIR'
export ETCD_BIN_DIR='$ETCD_BIN_DIR'
export CERT_DIR='$PKI_DIR'
export SA_KEY='$PKI_DIR/sa.key'
export SA_PUB='$PKI_DIR/sa.pub'
export ADMIN_TOKEN='$ADMIN_TOKEN'
export PGO_CRDS='$PGO_CRDS'
ENV
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

etcd_healthy() { curl -sf --max-time 2 "http://127.0.0.1:$ETCD_CLIENT_PORT/health" | grep -q '"health":"true"'; }

start_etcd() {
  if running_pid etcd >/dev/null && etcd_healthy; then
    log "etcd reused (pid $(running_pid etcd), port $ETCD_CLIENT_PORT)"
    return
  fi
  stop_process etcd 5
  local peer="http://127.0.0.1:$ETCD_PEER_PORT" client="http://127.0.0.1:$ETCD_CLIENT_PORT"
  # --unsafe-no-fsync: a throwaway store; fsync on a busy 2-core machine costs seconds.
  # --max-request-bytes: PGO v6's PostgresCluster CRD is several MB.
  start_process etcd "$ETCD_BIN_DIR/etcd" \
    --name=sandbox --data-dir="$SANDBOX_DIR/etcd" \
    --listen-client-urls="$client" --advertise-client-urls="$client" \
    --listen-peer-urls="$peer" --initial-advertise-peer-urls="$peer" \
    --initial-cluster="sandbox=$peer" --initial-cluster-state=new \
    --unsafe-no-fsync --max-request-bytes=33554432 --quota-backend-bytes=4294967296 \
    --log-level=warn
  wait_until 60 "etcd health on port $ETCD_CLIENT_PORT" etcd_healthy \
    || { tail -20 "$LOG_DIR/etcd.log" >&2; die "etcd did not become healthy (log: $LOG_DIR/etcd.log)"; }
  log "etcd up (pid $(running_pid etcd), port $ETCD_CLIENT_PORT)"
}

apiserver_ready() {
  curl -skf --max-time 3 -H "Authorization: Bearer $ADMIN_TOKEN" \
    "https://127.0.0.1:$APISERVER_PORT/readyz" | grep -q '^ok'
}

start_apiserver() {
  if running_pid kube-apiserver >/dev/null && apiserver_ready; then
    log "kube-apiserver reused (pid $(running_pid kube-apiserver), https://127.0.0.1:$APISERVER_PORT)"
    return
  fi
  stop_process kube-apiserver 20
  local t0; t0="$(now_ms)"
  start_process kube-apiserver "$KUBE_BIN_DIR/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
    --cert-dir="$PKI_DIR" \
    --service-account-key-file="$PKI_DIR/sa.pub" \
    --service-account-signing-key-file="$PKI_DIR/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range=10.96.0.0/16 \
    --token-auth-file="$TOKENS_FILE" \
    --authorization-mode=Node,RBAC \
    --allow-privileged=true \
    --profiling=false
  # Cold start on 2 cores can take well over 30 s; poll instead of sleeping a guess.
  if ! wait_until 120 "kube-apiserver /readyz on port $APISERVER_PORT" apiserver_ready; then
    tail -30 "$LOG_DIR/kube-apiserver.log" >&2
    die "kube-apiserver not ready after 120 s (log: $LOG_DIR/kube-apiserver.log)"
  fi
  local ms=$(($(now_ms) - t0))
  echo "$ms" > "$RUN_DIR/kube-apiserver.ready-ms"
  log "kube-apiserver ready in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s (pid $(running_pid kube-apiserver), https://127.0.0.1:$APISERVER_PORT)"
}

control_plane_up() {
  ensure_pki
  ensure_tokens
  start_etcd
  start_apiserver
  write_kubeconfig
}

control_plane_down() {
  # Reverse order: an apiserver whose etcd is gone hangs on SIGTERM.
  stop_process kube-apiserver 30
  stop_process etcd 15
}
