#!/usr/bin/env bash
# Builds the sandbox's Go binaries from the Go module proxy into a cache outside the repo,
# keyed by version. A second run with the same versions does nothing.
# Usage: build-bins.sh [component...]   components: kubernetes etcd kwok krew (default: all)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC1091
source "$here/versions.env"
cache="${KPGO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-pgo-sandbox}"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

build_kubernetes() {
  local v="$KUBERNETES_VERSION" out="$cache/kubernetes-$KUBERNETES_VERSION"
  local bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  local missing=0 b
  for b in "${bins[@]}"; do [ -x "$out/$b" ] || missing=1; done
  [ "$missing" = 0 ] && { log "kubernetes $v cached"; return; }
  local mod="$cache/src/kubernetes-$v"
  mkdir -p "$mod" "$out"
  local minor="${v#v1.}"; minor="${minor%%.*}"
  local patch="${v##*.}"
  local staging="v0.$minor.$patch"
  (
    cd "$mod"
    [ -f go.mod ] || go mod init kpgo-sandbox-kubernetes >/dev/null 2>&1
    go mod edit -require="k8s.io/kubernetes@$v"
    log "kubernetes $v: resolving staging modules"
    local gomod
    gomod="$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
    grep -E '^\s*k8s.io/[^ ]+ => ./staging' "$gomod" | awk '{print $1}' | while read -r m; do
      go mod edit -replace="$m=$m@$staging"
    done
    cat > tools.go <<GO
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
    local ld="-s -w"
    local p
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld="$ld -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
    done
    for b in "${bins[@]}"; do
      [ -x "$out/$b" ] && continue
      log "kubernetes $v: building $b"
      local t0=$SECONDS
      go build -tags=selinux,notest,tools -ldflags="$ld" -o "$out/$b.tmp" "k8s.io/kubernetes/cmd/$b"
      mv "$out/$b.tmp" "$out/$b"
      log "kubernetes $v: $b built in $((SECONDS - t0)) s"
    done
  )
}

build_module_bin() { # name version module package
  # A scratch module, because some of these modules carry replace directives
  # that `go install pkg@version` refuses.
  local name="$1" v="$2" mod="$3" pkg="$4" out="$cache/$1-$2"
  [ -x "$out/$name" ] && { log "$name $v cached"; return; }
  mkdir -p "$out" "$cache/src/$name-$v"
  log "$name $v: building $pkg"
  local t0=$SECONDS
  (
    cd "$cache/src/$name-$v"
    [ -f go.mod ] || go mod init "kpgo-sandbox-$name" >/dev/null 2>&1
    go mod edit -require="$mod@$v"
    go build -ldflags="-s -w" -o "$out/$name.tmp" "$pkg"
    mv "$out/$name.tmp" "$out/$name"
  )
  log "$name $v: built in $((SECONDS - t0)) s"
}

build_etcd() { build_module_bin etcd "$ETCD_VERSION" go.etcd.io/etcd/server/v3 go.etcd.io/etcd/server/v3; }
build_kwok() { build_module_bin kwok "$KWOK_VERSION" sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwok; }
build_krew() { build_module_bin krew "$KREW_VERSION" sigs.k8s.io/krew sigs.k8s.io/krew/cmd/krew; }

# Prints the directory of one component's binaries.
if [ "${1:-}" = "--path" ]; then
  case "$2" in
    kubernetes) echo "$cache/kubernetes-$KUBERNETES_VERSION" ;;
    etcd) echo "$cache/etcd-$ETCD_VERSION" ;;
    kwok) echo "$cache/kwok-$KWOK_VERSION" ;;
    krew) echo "$cache/krew-$KREW_VERSION" ;;
    *) echo "unknown component $2" >&2; exit 2 ;;
  esac
  exit 0
fi

comps=("$@"); [ ${#comps[@]} -gt 0 ] || comps=(etcd kubernetes kwok krew)
for c in "${comps[@]}"; do "build_$c"; done
