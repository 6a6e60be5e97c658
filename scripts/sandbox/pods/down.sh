#!/usr/bin/env bash
# `sandbox down` hook (runs before the apiserver stops): the database runtime first (it stops
# every Patroni, which stops its PostgreSQL; replicas before leaders), then a sweep for anything
# of ours still running, then the provisioner, kwok, the scheduler and the controller manager.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t0="$(now_ms)"
PODS_REAL="$(readlink -f "$PODS_DIR" 2>/dev/null || true)"

stop_process pods-runtime 120

# Anything whose command line names our tree (patroni's config directory, a postmaster's data
# directory) and its children: left only if the runtime died without stopping them.
sweep() {
  [ -n "$PODS_REAL" ] && [ -d "$PODS_REAL" ] || return 0
  local pids=() p skip=" $$ " n
  # kwok and the provisioner name the tree too (stages, certificates): they are stopped below.
  for n in pods-kwok pods-volumes pods-scheduler pods-controller-manager; do
    skip+="$(cat "$RUN_DIR/$n.pid" 2>/dev/null) "
  done
  # Our processes name the tree in their command line or carry KPGO_PODS_ROOT (in pod views,
  # where paths are the container's). Two greps over /proc, not a process per pid.
  for p in $( { grep -lzxF "KPGO_PODS_ROOT=$PODS_REAL" /proc/[0-9]*/environ; grep -lzF "$PODS_REAL/" /proc/[0-9]*/cmdline; } 2>/dev/null |
      cut -d/ -f3 | sort -u); do
    [[ "$skip" == *" $p "* ]] || pids+=("$p")
  done
  # A postmaster whose Patroni is gone: PostgreSQL overwrites its environment with its process
  # title, and its command line names the container's paths; its data directory knows its pid.
  local st dd pdd pm
  for st in "$PODS_REAL"/p/*/state.json; do
    [ -f "$st" ] || continue
    dd="$(sed -n 's/.*"dataDir":"\([^"]*\)".*/\1/p' "$st")"
    pdd="$(sed -n 's/.*"podDataDir":"\([^"]*\)".*/\1/p' "$st")"
    pm="$(head -1 "$dd/postmaster.pid" 2>/dev/null)"
    [ -n "$pm" ] && [ -n "$pdd" ] && tr '\0' ' ' < "/proc/$pm/cmdline" 2>/dev/null | grep -qF -- "-D $pdd" && pids+=("$pm")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  local all; all="$(ps -eo pid=,ppid= | awk -v roots="${pids[*]}" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { parent[$1] = $2 } END { changed = 1; while (changed) { changed = 0
      for (c in parent) if (!(c in keep) && (parent[c] in keep)) { keep[c] = 1; changed = 1 } }
      for (k in keep) print k }')"
  plog "stray processes of the pods tree: $(echo $all) - SIGTERM"
  # shellcheck disable=SC2086
  kill -TERM $all 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    local left=0; for p in $all; do kill -0 "$p" 2>/dev/null && left=1; done
    [ "$left" = 0 ] && return 0; sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -KILL $all 2>/dev/null; sleep 0.5
}
sweep

stop_process pods-volumes 10
stop_process pods-kwok 15
stop_process pods-scheduler 15
stop_process pods-controller-manager 15
rm -f "$RUN_DIR/pods-controller-manager.port" "$RUN_DIR/pods-scheduler.port" "$RUN_DIR/pods.ready-ms"

# Our tree lives in .sandbox/pods, or in /var/tmp when the postgres user cannot reach .sandbox.
if [ -L "$PODS_DIR" ] && [[ "$PODS_REAL" == /var/tmp/kpgo-pods-* ]]; then rm -rf "$PODS_REAL"; fi
ms=$(($(now_ms) - t0))
plog "pods down in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
