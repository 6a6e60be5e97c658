# The PGO CRDs, verbatim from the fixtures recorded from the operator's repository.
# Sourced after common.sh and users.sh.

PGO_GROUP=postgres-operator.crunchydata.com

pgo_crd_names() { kctl get crd -o name 2>/dev/null | grep "\.$PGO_GROUP\$" || true; }

crd_names_in_dir() {
  local f
  for f in "$1"/*.yaml; do
    awk '/^metadata:/ {m=1; next} m && /^  name:/ {print "customresourcedefinition.apiextensions.k8s.io/" $2; exit}' "$f"
  done | sort
}

# crds_established NAME... - true when every named CRD has condition Established=True.
crds_established() {
  local crd state
  for crd in "$@"; do
    state="$(kctl get "$crd" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' 2>/dev/null)"
    [ "$state" = "True" ] || return 1
  done
}

# install_crds VERSION - installs that version's CRDs; another version already installed is
# removed first (a downgrade cannot be applied over CRDs that stored objects as v1, and v6
# drops CrunchyBridgeCluster), which also deletes every PGO custom resource.
install_crds() {
  local version="$1" dir="$SHARED_DIR/fixtures/pgo/$1/crd"
  [ -d "$dir" ] || die "no CRDs for PGO $version in $dir (is ../shared beside the repo?)"
  local want have
  want="$(crd_names_in_dir "$dir")"
  have="$(pgo_crd_names | sort)"
  if [ "${PGO_CRDS:-}" = "$version" ] && [ "$want" = "$have" ]; then
    log "PGO $version CRDs reused"
  else
    if [ -n "$have" ] && [ "${PGO_CRDS:-}" != "$version" ]; then
      log "replacing PGO ${PGO_CRDS:-?} CRDs with $version (deletes every PGO custom resource)"
      # shellcheck disable=SC2086
      kctl delete $have --wait=true --timeout=180s >/dev/null || die "could not delete the PGO CRDs"
    fi
    # Server-side: the PostgresCluster CRD is far beyond client-side apply's annotation limit.
    kctl apply --server-side --force-conflicts --field-manager=kpgo-sandbox -f "$dir" >/dev/null \
      || die "could not install the PGO $version CRDs from $dir"
    log "PGO $version CRDs installed"
  fi
  # Polled rather than `kubectl wait`, which fails at once on a CRD that has no conditions yet.
  # v6's PostgresCluster CRD (several MB of schema) takes a while on a busy machine.
  wait_until 120 "the PGO $version CRDs to be Established" crds_established $want \
    || die "PGO $version CRDs not Established within 120 s"
  PGO_CRDS="$version"
  echo "$version" > "$SANDBOX_DIR/crds"
  write_env
}
