# Identities: service-account signing key, token file, admin kubeconfig, default ServiceAccounts.
# Sourced after common.sh.

RESTRICTED_USERS=8

ensure_pki() {
  mkdir -p "$PKI_DIR"
  [ -f "$PKI_DIR/sa.key" ] && [ -f "$PKI_DIR/sa.pub" ] && return
  openssl genrsa -out "$PKI_DIR/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
  chmod 600 "$PKI_DIR/sa.key"
}

# token,user,uid,"groups". The apiserver reads it once at start, so the restricted users
# are made up front; tests give them rights with RBAC bindings.
ensure_tokens() {
  [ -f "$TOKENS_FILE" ] && return
  {
    echo "$ADMIN_TOKEN,kpgo-admin,kpgo-admin,\"system:masters\""
    local i
    for ((i = 1; i <= RESTRICTED_USERS; i++)); do
      echo "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'),kpgo-restricted-$i,kpgo-restricted-$i"
    done
  } > "$TOKENS_FILE"
  chmod 600 "$TOKENS_FILE"
}

# write_kubeconfig [FILE USER TOKEN] - the admin kubeconfig by default.
write_kubeconfig() {
  local file="${1:-$KUBECONFIG_FILE}" user="${2:-kpgo-admin}" token="${3:-$ADMIN_TOKEN}"
  cat > "$file.tmp" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: sandbox
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    # The apiserver signs its own serving certificate (--cert-dir) and this is loopback only.
    insecure-skip-tls-verify: true
users:
- name: $user
  user:
    token: $token
contexts:
- name: sandbox
  context:
    cluster: sandbox
    user: $user
    namespace: default
current-context: sandbox
YAML
  chmod 600 "$file.tmp"
  mv "$file.tmp" "$file"
}

kctl() { "$KUBE_BIN_DIR/kubectl" --kubeconfig="$KUBECONFIG_FILE" "$@"; }

# Without a controller manager no namespace gets its `default` ServiceAccount and every pod
# create is refused, so namespaces are made together with it. Idempotent.
ensure_namespace() {
  local ns
  for ns in "$@"; do
    kctl get namespace "$ns" >/dev/null 2>&1 || kctl create namespace "$ns" >/dev/null 2>&1 \
      || kctl get namespace "$ns" >/dev/null || return 1
    kctl -n "$ns" get serviceaccount default >/dev/null 2>&1 \
      || kctl -n "$ns" create serviceaccount default >/dev/null 2>&1 \
      || kctl -n "$ns" get serviceaccount default >/dev/null || return 1
  done
}

# Every existing namespace that lacks its default ServiceAccount gets one (two LISTs, then one
# create per namespace that needs it).
ensure_default_serviceaccounts() {
  local namespaces have ns missing=()
  namespaces="$(kctl get namespaces -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')" || return 1
  have="$(kctl get serviceaccounts -A --field-selector=metadata.name=default -o jsonpath='{range .items[*]}{.metadata.namespace}{"\n"}{end}')" || return 1
  for ns in $namespaces; do
    grep -qx "$ns" <<<"$have" || missing+=("$ns")
  done
  [ ${#missing[@]} -eq 0 ] || ensure_namespace "${missing[@]}"
}
