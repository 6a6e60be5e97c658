#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: Debian packages for the sandbox's
# databases, npm dependencies, and the Go-built sandbox binaries (cached outside the repo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
need=()
# prometheus: for promtool, the real parser that checks `status -o prometheus` and the README's alert rule.
# zsh, fish: the completion scripts are run in each shell they are written for.
for p in patroni postgresql-15 postgresql-15-pgaudit pgbackrest prometheus zsh fish; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
bash scripts/sandbox/build-bins.sh
