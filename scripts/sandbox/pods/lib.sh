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
KWOK_CIDR="${KPGO_KWOK_CIDR:-10.244.0.0/16}"
KWOK_NODES="${KPGO_KWOK_NODES:-3}"

plog() { printf '[pods %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
pdie() { printf 'error: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }

free_ports() {
  node -e '
    const net = require("net");
    const n = Number(process.argv[1]); const servers = []; const ports = [];
    const next = () => {
      if (ports.length === n) { console.log(ports.join(" ")); servers.forEach((s) => s.close()); return; }
      const s = net.createServer(); servers.push(s);
      s.listen(0, "127.0.0.1", () => { ports.push(s.address().port); next(); });
    };
    next();' "$1"
}

# The pid of NAME when it still runs what we started (guards against pid reuse).
running_pid() {
  local name="$1" pf="$RUN_DIR/$1.pid" pid want cmd
  [ -f "$pf" ] || return 1
  pid="$(cat "$pf")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  want="$(cat "$RUN_DIR/$name.bin" 2>/dev/null)"
  cmd="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"
  [ -z "$want" ] || [[ "$cmd" == *"$want"* ]] || return 1
  echo "$pid"
}

# start_process NAME BINARY ARGS... - own session, output to logs/NAME.log.
start_process() {
  local name="$1" bin="$2"; shift 2
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  setsid "$bin" "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! > "$RUN_DIR/$name.pid"
  echo "$bin" > "$RUN_DIR/$name.bin"
  date -u +%Y-%m-%dT%H:%M:%SZ > "$RUN_DIR/$name.started"
}

# stop_process NAME [TIMEOUT_S] - SIGTERM, wait, SIGKILL after the timeout; removes its run files.
stop_process() {
  local name="$1" timeout="${2:-20}" pid i
  if pid="$(running_pid "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      plog "$name (pid $pid) still runs after ${timeout} s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    plog "stopped $name (pid $pid)"
  fi
  rm -f "$RUN_DIR/$name.pid" "$RUN_DIR/$name.bin" "$RUN_DIR/$name.started"
}

# wait_until TIMEOUT_S WHAT CMD... - polls CMD every 0.2 s.
wait_until() {
  local timeout="$1" what="$2" deadline; shift 2
  deadline=$(($(now_ms) + timeout * 1000))
  until "$@" >/dev/null 2>&1; do
    [ "$(now_ms)" -lt "$deadline" ] || { plog "timed out after ${timeout} s waiting for $what"; return 1; }
    sleep 0.2
  done
}

kctl() { "$KUBE_BIN_DIR/kubectl" --kubeconfig="$KUBECONFIG" "$@"; }

kwok_module_dir() {
  local v; v="$(sed -n 's/^KWOK_VERSION=//p' "$REPO_ROOT/scripts/sandbox/versions.env")"
  echo "$(GOTOOLCHAIN=local go env GOMODCACHE)/sigs.k8s.io/kwok@$v"
}

tsx_bin() { echo "$REPO_ROOT/node_modules/.bin/tsx"; }
